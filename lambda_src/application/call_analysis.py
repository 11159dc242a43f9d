"""Scoring one call end to end, the same on AWS and on a laptop: the judges the deployment
asks for, the scorecard, the store, the alert when due, and the counts of what happened.

The judges come from a `JudgePicker` (rules alone locally; Bedrock with the rules beside it
on AWS), the store and alert sink from the caller. `score` raises QAInputError for a
transcript it cannot read; the caller records that as a failed call or an error line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from application.telemetry import NullTelemetry, Telemetry
from contracts import qa_metrics
from qa_engine.models import QAResult
from qa_engine.pipeline import QAPipeline, Scorer
from qa_engine.ports import AlertSink, Judge, ResultStore
from qa_engine.rubric import Rubric
from qa_engine.rules_judge import RulesJudge


class ModelUsage(Protocol):
    """What a model judge spent on one call (zero calls: it was not asked)."""

    calls: int
    latency_ms: float
    input_tokens: int
    output_tokens: int


@dataclass
class Judges:
    """The judge that scores a call, and what its model spent."""

    judge: Judge
    usage: ModelUsage | None = None
    # Judges that keep no per-call state (the rules) serve every call of the same rubric.
    reusable: bool = False


# Builds the judges for one call from the rubric in force (and what the function may spend).
JudgePicker = Callable[[Rubric], Judges]


def rules_only(rubric: Rubric) -> Judges:
    return Judges(RulesJudge(rubric), reusable=True)


class CallAnalysis:
    """Scores calls with the rubric `rubric()` returns when each call starts."""

    def __init__(
        self,
        rubric: Callable[[], Rubric],
        store: ResultStore,
        alerts: AlertSink,
        *,
        judges: JudgePicker = rules_only,
        telemetry: Telemetry | None = None,
    ) -> None:
        self.rubric = rubric
        self.store = store
        self.alerts = alerts
        self.judges = judges
        self.telemetry = telemetry or NullTelemetry()
        self._usage: ModelUsage | None = None
        self._scorer: Scorer | None = None
        self._reusable = False

    def scorer(self) -> Scorer:
        """A scorer with this call's judges and the rubric in force now."""
        rubric = self.rubric()
        if self._scorer is not None and self._reusable and self._scorer.rubric is rubric:
            return self._scorer
        picked = self.judges(rubric)
        self._usage, self._reusable = picked.usage, picked.reusable
        self._scorer = Scorer(rubric, picked.judge)
        return self._scorer

    def score(
        self,
        transcript: bytes | str | dict[str, Any],
        *,
        call_id: str,
        agent_id: str,
        source_version: str | None = None,
        warnings: list[str] | None = None,
        recording_uri: str | None = None,
    ) -> QAResult:
        """The scorecard, not yet stored; QAInputError when the transcript cannot be read."""
        result = self.scorer().score_transcript(transcript, call_id=call_id, agent_id=agent_id)
        update: dict[str, Any] = {}
        if source_version:
            update["source_version"] = source_version
        if recording_uri:
            update["recording_uri"] = recording_uri
        if warnings:  # stored, shown and alerted with the result
            update["warnings"] = [*result.warnings, *warnings]
        return result.model_copy(update=update) if update else result

    def finish(self, result: QAResult, store: ResultStore | None = None) -> QAResult:
        """Store the scorecard and alert when due (at most once per stored result)."""
        scorer = self._scorer or self.scorer()
        return QAPipeline(scorer, store or self.store, self.alerts).finish(result)

    def report(self, result: QAResult) -> None:
        """Count a finished call: score, violations, alert, the judges' disagreement, and
        what the model spent."""
        self.telemetry.log(
            "info",
            "call scored",
            score=result.overall_score,
            flags=result.violation_flags,
            risk=result.risk_reasons,
            judge=result.judge,
            rubric_version=result.rubric_version,
            alerted=result.alerted,
            disputed_sops=result.disputed_sops,
        )
        count = self.telemetry.count
        count(qa_metrics.CALLS_SCORED)
        count(qa_metrics.JUDGE_DISPUTES, int(result.needs_review))
        count(qa_metrics.VIOLATIONS, len(result.violation_flags))
        count(qa_metrics.ALERTS_SENT, int(result.alerted))
        usage = self._usage
        if usage is not None and usage.calls:
            self.telemetry.milliseconds(qa_metrics.JUDGE_LATENCY, usage.latency_ms)
            count(qa_metrics.INPUT_TOKENS, usage.input_tokens)
            count(qa_metrics.OUTPUT_TOKENS, usage.output_tokens)

    def analyze(
        self, transcript: bytes | str | dict[str, Any], *, call_id: str, agent_id: str
    ) -> QAResult:
        """Score, store, alert and count: one transcript, start to end."""
        result = self.finish(self.score(transcript, call_id=call_id, agent_id=agent_id))
        self.report(result)
        return result
