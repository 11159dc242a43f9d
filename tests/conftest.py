"""Shared fixtures: the rubric, a scorer, and the labelled calls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from autoqa.transcribe_format import dialogue_to_transcribe
from qa_engine.pipeline import Scorer
from qa_engine.rubric import Rubric, load_rubric_dir
from qa_engine.rules_judge import RulesJudge

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
# The labelled examples that came with SOP_SPEC, kept as they were given.
PUBLIC_CASES = DATA / "public_cases.yaml"
# Real Amazon Transcribe output files (see transcribe_samples/README.txt for their sources).
TRANSCRIBE_SAMPLES = DATA / "transcribe_samples"
JUDGE_CASES = DATA / "judge_cases.yaml"


def load_cases(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def rubric() -> Rubric:
    return load_rubric_dir(REPO / "prompts")


@pytest.fixture(scope="session")
def scorer(rubric: Rubric) -> Scorer:
    return Scorer(rubric, RulesJudge(rubric))


def transcribe_json(turns, **kwargs) -> str:
    return json.dumps(dialogue_to_transcribe("call", [tuple(t) for t in turns], **kwargs))


GREETING = ("A", "Thank you for calling Battery Smart, this is Aman, how can I help you?")
CLOSING = [
    ("A", "Is there anything else I can help you with?"),
    ("C", "No."),
    ("A", "Thank you for calling Battery Smart."),
]


def framed(*middle: tuple[str, str]) -> list[tuple[str, str]]:
    """A call with a scripted greeting and closing around the given turns."""
    return [GREETING, *middle, *CLOSING]
