"""The rubric: SOPs, weights, thresholds and cue phrases loaded from the `prompts/` files.

The files are data the code reads at run time (from the repository locally, from S3 in AWS),
so the loader takes their bytes by name, whatever storage they came from. Their content
hash is the `rubric_version` every result records.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from contracts import sops
from contracts.storage import PROMPTS_PREFIX
from qa_engine.errors import RubricError
from qa_engine.text import NegationScope, compile_cues, fold_word, normalize

RUBRIC_FILE = "rubric.yaml"
SENTIMENT_FILE = "sentiment_lexicon.yaml"
JUDGE_PROMPT_FILE = "judge_prompt.md"
RUBRIC_FILES = (RUBRIC_FILE, SENTIMENT_FILE, JUDGE_PROMPT_FILE)


class Sop(BaseModel):
    id: str
    name: str
    flag: str
    weight: int = Field(gt=0)
    text: str


class Negation(BaseModel):
    before: list[str]
    before_adjacent: list[str] = Field(default_factory=list)
    after: list[str]
    conditional: list[str]


class Thresholds(BaseModel):
    negative_end_sentiment: float = Field(ge=-1, le=0)
    alert_score_below: int = Field(ge=0, le=100)


class RubricSpec(BaseModel):
    name: str
    version_label: str
    sops: list[Sop]
    general_rules: list[str] = Field(default_factory=list)
    risk_reasons: dict[str, str]
    thresholds: Thresholds
    negation: Negation
    hello_words: list[str]
    backchannel_words: list[str] = Field(default_factory=list)
    self_intro_words: list[str] = Field(default_factory=list)
    respellings: dict[str, str] = Field(default_factory=dict)
    self_intro_copula: list[str] = Field(default_factory=list)
    name_stopwords: list[str]
    cues: dict[str, list[str]]
    agent_role_cues: list[str]

    @model_validator(mode="after")
    def _matches_spec(self) -> RubricSpec:
        flags = {s.id: s.flag for s in self.sops}
        if flags != sops.FLAGS:
            raise ValueError(f"SOP ids and flags must be exactly {sops.FLAGS}, got {flags}")
        if set(self.risk_reasons) != set(sops.RISK_REASONS):
            raise ValueError(f"risk_reasons must be exactly {sorted(sops.RISK_REASONS)}")
        return self


class SentimentLexicon(BaseModel):
    """Valences (-4..4, VADER's scale) for Hinglish and Devanagari words VADER does not know."""

    words: dict[str, float]
    intensifiers: list[str]
    english_overrides: dict[str, float] = Field(default_factory=dict)
    neutral_phrases: list[str] = Field(default_factory=list)


class Rubric:
    """The loaded rubric with its cue patterns compiled once."""

    def __init__(self, files: Mapping[str, bytes]) -> None:
        missing = [name for name in RUBRIC_FILES if name not in files]
        if missing:
            raise RubricError(f"rubric files missing: {', '.join(missing)} (expected in prompts/)")
        self.files = dict(files)
        try:
            self.spec = RubricSpec.model_validate(yaml.safe_load(files[RUBRIC_FILE]))
            self.sentiment = SentimentLexicon.model_validate(yaml.safe_load(files[SENTIMENT_FILE]))
        except (yaml.YAMLError, ValidationError) as exc:
            first = str(exc).splitlines()[0:3]
            raise RubricError(f"prompts/ rubric is invalid: {' '.join(first)}") from exc
        self.judge_prompt = files[JUDGE_PROMPT_FILE].decode("utf-8")
        try:
            self.cues: dict[str, re.Pattern[str]] = {
                name: compile_cues(patterns) for name, patterns in self.spec.cues.items()
            }
            self.agent_role = compile_cues(self.spec.agent_role_cues)
        except re.error as exc:
            raise RubricError(
                f"a cue pattern in {PROMPTS_PREFIX}{RUBRIC_FILE} is invalid: {exc}"
            ) from exc
        neg = self.spec.negation
        self.negation = NegationScope(neg.before, neg.after, adjacent=neg.before_adjacent)
        self.conditional_words = frozenset(fold_word(normalize(w)) for w in neg.conditional)
        self.hello_words = frozenset(fold_word(normalize(w)) for w in self.spec.hello_words)
        self.self_intro_words = frozenset(
            fold_word(normalize(w)) for w in self.spec.self_intro_words
        )
        # Applied to normalized words before folding, so keys and values stay unfolded.
        self.respellings = {normalize(k): normalize(v) for k, v in self.spec.respellings.items()}
        self.self_intro_copula = frozenset(
            fold_word(normalize(w)) for w in self.spec.self_intro_copula
        )
        self.backchannel_words = frozenset(
            fold_word(t) for w in self.spec.backchannel_words for t in normalize(w).split()
        )
        self.name_stopwords = frozenset(fold_word(normalize(w)) for w in self.spec.name_stopwords)

    def cue(self, name: str) -> re.Pattern[str]:
        try:
            return self.cues[name]
        except KeyError:
            raise RubricError(f"{PROMPTS_PREFIX}{RUBRIC_FILE} has no cue group {name!r}") from None

    @cached_property
    def version(self) -> str:
        digest = hashlib.sha256()
        for name in sorted(self.files):
            digest.update(name.encode() + b"\0" + self.files[name] + b"\0")
        return f"v{self.spec.version_label}-{digest.hexdigest()[:12]}"

    @property
    def sops(self) -> list[Sop]:
        return self.spec.sops

    @property
    def total_weight(self) -> int:
        return sum(s.weight for s in self.spec.sops)


def default_prompts_dir() -> Path:
    """The repository's (or the deployed app's) `prompts/` folder, above this package."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "prompts" / RUBRIC_FILE).is_file():
            return parent / "prompts"
    raise RubricError("cannot find prompts/rubric.yaml; set AUTOQA_PROMPTS_DIR to the folder")


def load_rubric_dir(path: Path | None = None) -> Rubric:
    folder = path or default_prompts_dir()
    files = {p.name: p.read_bytes() for p in folder.iterdir() if p.name in RUBRIC_FILES}
    return Rubric(files)
