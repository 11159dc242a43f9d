"""How `autoqa` shows scored calls in a terminal: a table of calls, one call's scorecard.
Names, transcripts and notes are printed with control characters escaped."""

from __future__ import annotations

from collections.abc import Sequence

from autoqa.terminal import printable
from qa_engine.models import QAResult


def format_table(rows: Sequence[QAResult]) -> str:
    header = ("CALL", "AGENT", "SCORE", "FLAGS", "RISK", "ALERT")
    body = [
        (
            printable(r.call_id),
            printable(r.agent_id),
            str(r.overall_score),
            ", ".join(r.violation_flags) or "-",
            ", ".join(r.risk_reasons) if r.risk_flag else "no",
            ("URGENT" if r.urgent else "yes") if r.alerted else "no",
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
        for row in [header, *body]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def format_scorecard(r: QAResult) -> str:
    p = printable
    out = [
        f"Call {p(r.call_id)}   agent {p(r.agent_id)}   {p(r.timestamp)}",
        f"Score {r.overall_score}/100   judge {p(r.judge)}   rubric {p(r.rubric_version)}",
        f"Risk: {', '.join(r.risk_reasons) or 'none'}   alerted: {'yes' if r.alerted else 'no'}",
        f"Sentiment: start {r.sentiment_start:+.2f}  end {r.sentiment_end:+.2f}  "
        f"trajectory {r.sentiment_trajectory:+.2f}",
        f"Summary: {p(r.summary_insight)}",
    ]
    if r.needs_review and r.second_opinion is not None:
        out.append(
            f"Needs review: {r.second_opinion.judge} judge disagrees on "
            f"{', '.join(r.disputed_sops)}" + (" (urgent)" if r.urgent_review else "")
        )
    out += ["", "SOP checks:"]
    for c in r.sop_checks:
        state = "VIOLATED" if c.violated else ("followed" if c.triggered else "not triggered")
        out.append(f"  {c.sop_id} {c.flag:<38} {state}: {p(c.note)}")
        for ev in c.evidence:
            minutes, secs = divmod(int(ev.start_time), 60)
            when = f"{minutes:02d}:{secs:02d}"
            out.append(f'      turn {ev.turn_index} at {when} {ev.speaker.value}: "{p(ev.quote)}"')
    for w in r.warnings:
        out.append(f"warning: {p(w)}")
    out += [
        "",
        "Transcript:",
        *(f"  [{i}] {p(line)}" for i, line in enumerate(r.transcript_text.splitlines())),
    ]
    return "\n".join(out)
