"""The judges AnalyzeTranscript runs: Bedrock with the rules judge beside it on every call (a
model cannot clear what the rules saw, and a disagreement goes to a supervisor), the rules
alone when Bedrock cannot answer in time, or the rules only when `JUDGE=rules`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from application.call_analysis import JudgePicker, Judges, rules_only
from application.telemetry import Telemetry
from contracts import qa_metrics
from qa_aws.bedrock_judge import BedrockJudge, FallbackJudge
from qa_engine.cross_check import CrossCheckedJudge
from qa_engine.rubric import Rubric
from qa_engine.rules_judge import RulesJudge


def pick_judges(
    kind: str,
    client: Any,
    model_id: str,
    remaining_seconds: Callable[[], float],
    reserve_seconds: float,
    telemetry: Telemetry,
) -> JudgePicker:
    """`kind` is the function's `JUDGE` setting: bedrock or rules."""
    if kind == "rules":
        return rules_only

    def pick(rubric: Rubric) -> Judges:
        rules = RulesJudge(rubric)
        bedrock = BedrockJudge(
            rubric, client, model_id, remaining_seconds, reserve_seconds=reserve_seconds
        )

        def fell_back(reason: str) -> None:
            telemetry.log("error", "Bedrock judge unavailable; rules judge used", reason=reason)
            telemetry.count(qa_metrics.JUDGE_FALLBACKS)

        judge = CrossCheckedJudge(FallbackJudge(bedrock, rules, on_fallback=fell_back), rules)
        return Judges(judge, usage=bedrock.usage)

    return pick
