"""Every labelled call scores exactly as labelled, through every Transcribe JSON shape."""

from __future__ import annotations

import pytest

from autoqa.evaluation import evaluate, load_labelled
from autoqa.transcribe_format import Crosstalk, dialogue_to_transcribe
from tests.conftest import DATA, JUDGE_CASES, PUBLIC_CASES, load_cases, transcribe_json

# Every labelled call kept in tests/data: the public examples, the project's traps, and the
# calls written from SOP_SPEC in English, Hinglish and Hindi (calls_*, blind_*).
LABELLED_FILES = sorted(DATA.glob("*.yaml"))
LABELLED = load_labelled(LABELLED_FILES)
SEEDS = (1, 2)

VARIANTS = {
    "channels-current": dict(variant="channels", shape="current"),
    "channels-legacy": dict(variant="channels", shape="legacy"),
    # The agent is deliberately not spk_0 in one variant: roles come from content.
    "speakers-current": dict(variant="speakers", shape="current"),
    "speakers-legacy-agent-spk1": dict(
        variant="speakers", shape="legacy", agent_speaker="spk_1", customer_speaker="spk_0"
    ),
    # Both sides talking over each other: replies 0.3-1.5 s early, backchannels under turns.
    "channels-crosstalk": dict(variant="channels", crosstalk=Crosstalk(seed=7)),
    "speakers-crosstalk": dict(variant="speakers", crosstalk=Crosstalk(seed=11)),
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


def _verdict(scorer, turns, crosstalk=None):
    doc = dialogue_to_transcribe("call", [tuple(t) for t in turns], crosstalk=crosstalk)
    result = scorer.score_transcript(doc, call_id="c", agent_id="a")
    return sorted(result.violation_flags), result.risk_flag


def test_there_are_at_least_150_labelled_calls_a_third_in_each_language():
    written = [c for c in LABELLED if c.id.split("_")[0] in ("en", "hg", "hi")]
    assert len(written) >= 150
    by_lang = {lang: sum(c.lang == lang for c in written) for lang in ("en", "hinglish", "hi")}
    assert min(by_lang.values()) >= len(written) // 3 - 5, by_lang


@pytest.mark.parametrize("call", LABELLED, ids=[c.id for c in LABELLED])
def test_talking_over_each_other_never_changes_a_verdict(scorer, call):
    clean = _verdict(scorer, call.turns)
    for seed in SEEDS:
        assert _verdict(scorer, call.turns, Crosstalk(seed=seed)) == clean, seed


def test_the_rules_judge_meets_its_targets_on_every_labelled_call(scorer):
    report = evaluate(scorer, LABELLED, ("clean", "crosstalk"))
    summary = report.summary()
    assert summary["flag_f1"] >= 0.97, summary
    assert summary["risk_accuracy"] >= 0.97, summary
    for lang, f1 in summary["f1_by_language"].items():
        assert f1 >= 0.95, (lang, summary)
    for sop, f1 in summary["f1_by_sop"].items():
        assert f1 >= 0.95, (sop, summary)


def test_labelled_files_keep_risk_consistent_with_its_reasons():
    for call in LABELLED:
        if call.risk_reasons is not None:
            assert call.risk is bool(call.risk_reasons), call.id
