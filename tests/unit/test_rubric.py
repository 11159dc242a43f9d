"""The rubric files are the single source of truth, and their hash is the rubric version."""

from __future__ import annotations

import pytest

from contracts.sops import FLAGS
from qa_engine.errors import RubricError
from qa_engine.rubric import RUBRIC_FILES, Rubric
from tests.conftest import REPO


def files() -> dict[str, bytes]:
    return {name: (REPO / "prompts" / name).read_bytes() for name in RUBRIC_FILES}


def test_sops_flags_and_weights_match_the_spec(rubric):
    assert {s.id: s.flag for s in rubric.sops} == FLAGS
    assert {s.id: s.weight for s in rubric.sops} == {
        "S1": 15, "S2": 15, "S3": 20, "S4": 25, "S5": 15, "S6": 10
    }  # fmt: skip
    assert rubric.spec.thresholds.alert_score_below == 60
    assert rubric.spec.thresholds.negative_end_sentiment == -0.5


def test_version_is_stable_and_changes_with_any_prompt_file(rubric):
    assert Rubric(files()).version == rubric.version
    edited = files()
    edited["judge_prompt.md"] += b"\nBe strict."
    assert Rubric(edited).version != rubric.version
    assert rubric.version.startswith("v1-")


def test_judge_prompt_is_rendered_from_the_same_sops(rubric):
    for placeholder in ("{sops}", "{transcript}", "{tool_name}"):
        assert placeholder in rubric.judge_prompt


def test_missing_file_is_a_clear_error():
    incomplete = files()
    del incomplete["sentiment_lexicon.yaml"]
    with pytest.raises(RubricError, match=r"sentiment_lexicon\.yaml"):
        Rubric(incomplete)


def test_a_renamed_flag_is_refused():
    edited = files()
    edited["rubric.yaml"] = edited["rubric.yaml"].replace(
        b"flag: CLOSING_SCRIPT_MISSED", b"flag: CLOSING_MISSED"
    )
    with pytest.raises(RubricError, match="flags must be exactly"):
        Rubric(edited)


def test_a_broken_cue_pattern_is_refused():
    edited = files()
    edited["rubric.yaml"] = edited["rubric.yaml"].replace(b"    - thanx\n", b"    - thanx(\n")
    with pytest.raises(RubricError, match="cue pattern"):
        Rubric(edited)
