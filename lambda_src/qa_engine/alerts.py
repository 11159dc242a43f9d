"""The supervisor alert: when to send it (scoring.should_alert) and what it says."""

from __future__ import annotations

from pydantic import BaseModel

from contracts.alerts import MAX_SUBJECT_CHARS, URGENT, WARNING
from qa_engine.models import QAResult


class Alert(BaseModel):
    call_id: str
    agent_id: str
    urgent: bool
    subject: str
    message: str
    overall_score: int
    violation_flags: list[str]
    risk_reasons: list[str]

    @property
    def severity(self) -> str:
        return URGENT if self.urgent else WARNING


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes:02d}:{secs:02d}"


def build_alert(result: QAResult) -> Alert:
    urgent = result.urgent
    tag = "URGENT" if urgent else "QA"
    flags = ", ".join(result.violation_flags) or "no SOP violations"
    subject = (
        f"[{tag}] Call {result.call_id} (agent {result.agent_id}): score {result.overall_score}"
    )
    lines = [
        f"Call {result.call_id}, agent {result.agent_id}, scored {result.overall_score}/100.",
        f"Violations: {flags}.",
    ]
    if result.risk_reasons:
        lines.append("Risk: " + ", ".join(result.risk_reasons) + ".")
    if result.needs_review:
        lines.append(
            "Needs review: the judges disagree on " + ", ".join(result.disputed_sops) + "."
        )
    for warning in result.warnings:
        lines.append(f"Warning: {warning}")
    for check in result.violations_with_evidence:
        lines.append(f"- {check.flag}: {check.note}")
        for ev in check.evidence[:2]:
            lines.append(
                f'    [turn {ev.turn_index}, {_clock(ev.start_time)}] {ev.speaker}: "{ev.quote}"'
            )
    lines.append(
        f"Customer sentiment {result.sentiment_start:+.2f} -> {result.sentiment_end:+.2f}."
    )
    lines.append(f"Summary: {result.summary_insight}")
    return Alert(
        call_id=result.call_id,
        agent_id=result.agent_id,
        urgent=urgent,
        subject=subject[:MAX_SUBJECT_CHARS],
        message="\n".join(lines),
        overall_score=result.overall_score,
        violation_flags=result.violation_flags,
        risk_reasons=result.risk_reasons,
    )
