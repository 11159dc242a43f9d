"""The one path every call takes: transcript -> conversation -> verdict -> scored result.

`score_conversation` is pure. `QAPipeline` adds the edges (store the result, alert when the
SOP_SPEC rule says so) through whatever adapters it is given.
"""

from __future__ import annotations

from typing import Any

from contracts.sops import URGENT_DISPUTE_SOPS
from qa_engine.alerts import build_alert
from qa_engine.models import Conversation, QAResult, SecondOpinion, Speaker, utc_now_iso
from qa_engine.ports import AlertSink, Judge, ResultStore
from qa_engine.roles import ScriptAgentPicker
from qa_engine.rubric import Rubric
from qa_engine.scoring import (
    disputed_sops,
    overall_score,
    risk_reasons,
    should_alert,
    union_reasons,
    violation_flags,
)
from qa_engine.sentiment import SentimentScorer
from qa_engine.transcript import load_transcript, parse_transcript


class Scorer:
    """Parses and scores calls with one rubric and one judge; reusable across calls."""

    def __init__(self, rubric: Rubric, judge: Judge) -> None:
        self.rubric = rubric
        self.judge = judge
        self.sentiment = SentimentScorer(rubric)
        self.pick_agent = ScriptAgentPicker(rubric)

    def parse(self, transcript: bytes | str | dict[str, Any]) -> Conversation:
        data = transcript if isinstance(transcript, dict) else load_transcript(transcript)
        return parse_transcript(data, self.pick_agent, self.rubric.backchannel_words)

    def score_conversation(
        self,
        conversation: Conversation,
        *,
        call_id: str,
        agent_id: str,
        timestamp: str | None = None,
    ) -> QAResult:
        verdict = self.judge.judge(conversation)
        sentiment = self.sentiment.summarize(conversation)
        flags = violation_flags(verdict.sop_checks)
        score = overall_score(verdict.sop_checks, self.rubric)
        reasons = risk_reasons(verdict.sop_checks, verdict.risk_signals, sentiment.end, self.rubric)
        review: dict[str, Any] = {}
        summary = verdict.summary
        rules = verdict.cross_check
        if rules is not None:
            # No model can clear a hazard, a request for a human, a threat or abuse the rules
            # found; where the judges differ on an SOP the model's verdict stands, for review.
            rules_reasons = risk_reasons(
                rules.sop_checks, rules.risk_signals, sentiment.end, self.rubric
            )
            reasons = union_reasons(reasons, rules_reasons)
            disputes = disputed_sops(verdict.sop_checks, rules.sop_checks)
            review = {
                "needs_review": bool(disputes),
                "disputed_sops": disputes,
                "urgent_review": any(s in URGENT_DISPUTE_SOPS for s in disputes),
                "second_opinion": SecondOpinion(
                    judge=rules.judge or "rules",
                    sop_checks=rules.sop_checks,
                    risk_reasons=rules_reasons,
                    summary=rules.summary,
                ),
            }
            if disputes:
                summary += f" The rules judge disagrees on {', '.join(disputes)}: needs review."
        return QAResult(
            call_id=call_id,
            timestamp=timestamp or utc_now_iso(),
            agent_id=agent_id,
            transcript_text=conversation.as_text(),
            overall_score=score,
            violation_flags=flags,
            summary_insight=summary,
            risk_flag=bool(reasons),
            risk_reasons=reasons,
            sentiment_start=sentiment.start,
            sentiment_end=sentiment.end,
            sentiment_trajectory=sentiment.trajectory,
            sop_checks=verdict.sop_checks,
            rubric_version=self.rubric.version,
            judge=verdict.judge or self.judge.name,
            warnings=verdict.warnings,
            turn_times=[(t.start_time, t.end_time) for t in conversation.turns],
            sentiment_by_turn=list(
                zip(
                    [t.index for t in conversation.spoken_turns(Speaker.CUSTOMER)],
                    sentiment.per_turn,
                    strict=True,
                )
            ),
            **review,
        )

    def score_transcript(
        self,
        transcript: bytes | str | dict[str, Any],
        *,
        call_id: str,
        agent_id: str,
        timestamp: str | None = None,
    ) -> QAResult:
        conversation = self.parse(transcript)
        return self.score_conversation(
            conversation, call_id=call_id, agent_id=agent_id, timestamp=timestamp
        )

    def needs_alert(self, result: QAResult) -> bool:
        return should_alert(
            result.violation_flags,
            result.overall_score,
            result.risk_flag,
            self.rubric,
            result.urgent_review,
        )


class QAPipeline:
    """Score a transcript, alert supervisors if the rule says so, then store the result."""

    def __init__(self, scorer: Scorer, store: ResultStore, alerts: AlertSink) -> None:
        self.scorer = scorer
        self.store = store
        self.alerts = alerts

    def process(
        self, transcript: bytes | str | dict[str, Any], *, call_id: str, agent_id: str
    ) -> QAResult:
        result = self.scorer.score_transcript(transcript, call_id=call_id, agent_id=agent_id)
        return self.finish(result)

    def finish(self, result: QAResult) -> QAResult:
        """Store, then alert at most once per stored result, even when events repeat."""
        self.store.put(result)
        if self.scorer.needs_alert(result) and self.store.claim_alert(result):
            try:
                self.alerts.publish(build_alert(result))
            except Exception:
                self.store.release_alert(result)
                raise
            result = result.model_copy(update={"alerted": True})
        return result
