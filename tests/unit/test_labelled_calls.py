"""Every labelled call scores exactly as labelled, through every Transcribe JSON shape."""

from __future__ import annotations

import pytest

from tests.conftest import JUDGE_CASES, PUBLIC_CASES, load_cases, transcribe_json

VARIANTS = {
    "channels-current": dict(variant="channels", shape="current"),
    "channels-legacy": dict(variant="channels", shape="legacy"),
    # The agent is deliberately not spk_0 in one variant: roles come from content.
    "speakers-current": dict(variant="speakers", shape="current"),
    "speakers-legacy-agent-spk1": dict(
        variant="speakers", shape="legacy", agent_speaker="spk_1", customer_speaker="spk_0"
    ),
}
CASES = [(c, "public") for c in load_cases(PUBLIC_CASES)] + [
    (c, "project") for c in load_cases(JUDGE_CASES)
]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("case", [c for c, _ in CASES], ids=[c["id"] for c, _ in CASES])
def test_labelled_call_gets_exactly_its_flags_and_risk(scorer, case, variant):
    result = scorer.score_transcript(
        transcribe_json(case["turns"], **VARIANTS[variant]), call_id=case["id"], agent_id="a1"
    )
    assert sorted(result.violation_flags) == sorted(case["violations"])
    assert result.risk_flag is case["risk"], result.risk_reasons
    if case.get("sentiment") == "positive":
        assert result.sentiment_trajectory > 0
    elif case.get("sentiment") == "negative":
        assert result.sentiment_trajectory < 0


@pytest.mark.parametrize("case", [c for c, _ in CASES], ids=[c["id"] for c, _ in CASES])
def test_transcript_text_and_evidence_quote_the_call(scorer, case):
    result = scorer.score_transcript(transcribe_json(case["turns"]), call_id="c", agent_id="a")
    lines = result.transcript_text.splitlines()
    assert all(line.startswith(("AGENT: ", "CUSTOMER: ")) for line in lines)
    for check in result.sop_checks:
        if check.violated:
            assert check.evidence, f"{check.flag} has no evidence"
        for ev in check.evidence:
            line = lines[ev.turn_index]
            assert line.startswith(f"{ev.speaker.value}: ")
            assert ev.quote in line
            assert ev.start_time >= 0


def test_score_follows_rubric_weights(scorer):
    by_id = {c["id"]: c for c in load_cases(PUBLIC_CASES)}
    scores = {
        cid: scorer.score_transcript(
            transcribe_json(by_id[cid]["turns"]), call_id=cid, agent_id="a"
        )
        for cid in ("p01_swap_price_clean", "p04_fire_no_safety", "p03_swollen_no_photo")
    }
    assert scores["p01_swap_price_clean"].overall_score == 100
    assert scores["p04_fire_no_safety"].overall_score == 75  # S4 weighs 25
    assert scores["p03_swollen_no_photo"].overall_score == 80  # S3 weighs 20
