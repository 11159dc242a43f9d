"""Score, risk and the alert rule are code, from the rubric; alerts read well."""

from __future__ import annotations

from qa_engine.alerts import build_alert
from qa_engine.models import RiskSignal, SopCheck
from qa_engine.scoring import overall_score, risk_reasons, should_alert
from tests.conftest import framed, transcribe_json


def checks(violated: set[str], triggered: set[str] = frozenset()) -> list[SopCheck]:
    return [
        SopCheck(
            sop_id=sid,
            flag=f"F{sid}",
            triggered=sid in violated | triggered | {"S1", "S2"},
            followed=sid not in violated,
        )
        for sid in ("S1", "S2", "S3", "S4", "S5", "S6")
    ]


def test_score_is_earned_share_of_weights(rubric):
    assert overall_score(checks(set()), rubric) == 100
    assert overall_score(checks({"S4"}), rubric) == 75
    assert overall_score(checks({"S1", "S2", "S3"}), rubric) == 50
    assert overall_score(checks({"S1", "S2", "S3", "S4", "S5", "S6"}), rubric) == 0


def test_risk_reasons_from_checks_signals_and_sentiment(rubric):
    reasons = risk_reasons(
        checks({"S3"}, triggered={"S4", "S5"}), [RiskSignal(reason="ABUSE")], -0.6, rubric
    )
    assert reasons == [
        "SAFETY_HAZARD",
        "ESCALATION_REQUESTED",
        "ABUSE",
        "NEGATIVE_END",
        "SAFETY_SOP_VIOLATED",
    ]
    assert risk_reasons(checks(set()), [], -0.49, rubric) == []


def test_alert_rule(rubric):
    assert not should_alert([], 100, False, rubric)
    assert should_alert(["X"], 90, False, rubric)
    assert should_alert([], 59, False, rubric)
    assert not should_alert([], 60, False, rubric)
    assert should_alert([], 100, True, rubric)


def test_alert_message_names_call_agent_flags_evidence_and_is_urgent_with_risk(scorer):
    turns = framed(("C", "There is smoke coming from the battery."), ("A", "Which station?"))
    result = scorer.score_transcript(transcribe_json(turns), call_id="call-9", agent_id="ag-3")
    alert = build_alert(result)
    assert alert.urgent and alert.severity == "URGENT"
    assert alert.subject.startswith("[URGENT] Call call-9 (agent ag-3): score 75")
    assert "SAFETY_INSTRUCTIONS_MISSED" in alert.message
    assert '"There is smoke coming from the battery."' in alert.message
    assert "[turn 1, 00:" in alert.message


def test_clean_call_needs_no_alert(scorer):
    result = scorer.score_transcript(transcribe_json(framed()), call_id="c", agent_id="a")
    assert result.overall_score == 100 and not scorer.needs_alert(result)


def test_result_timestamps_must_be_utc(scorer):
    import pytest
    from pydantic import ValidationError

    result = scorer.score_transcript(transcribe_json(framed()), call_id="c", agent_id="a")
    assert result.model_copy(update={"timestamp": "2026-01-02T03:04:05Z"})
    with pytest.raises(ValidationError, match="UTC"):
        type(result).model_validate(
            {**result.model_dump(), "timestamp": "2026-01-02T03:04:05+05:30"}
        )
