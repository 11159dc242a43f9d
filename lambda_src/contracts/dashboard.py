"""The supervisor dashboard's API: its routes, the shapes it sends and accepts, and the rules
both backends (DynamoDB on AWS, SQLite on a laptop) follow, so the page and the contract tests
see one API.

- Lists are newest first, except that urgent calls nobody has reviewed come before all others
  (`triage` order). A page holds at most `limit` calls (fewer, with a `next_cursor`, when a
  rare filter made the store read many calls to find them); `next_cursor` is opaque and null
  on the last page. A cursor is only valid with the filters it was issued for.
- Dates are ISO 8601 instants; a range is `[from, to)`. Without `from` a list covers the
  `DEFAULT_DAYS` before `to` (default: now); a range may span at most `MAX_DAYS`. A next
  page's cursor keeps the range its first page resolved.
- A review is a supervisor's decision on a scored call: per violation flag, `agree` (the judge's
  finding stands) or `override` (it is reversed: a raised flag is cleared, an unraised one is
  raised), each override with a note. Reviews are appended, never changed: the history keeps
  who, when, and the flags before and after. A review names the revision and the scorecard it
  was made on; a review of an older revision or of a scorecard since replaced (the call was
  scored again) is refused (409), so nobody's decision is applied to what they did not see.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

API_PREFIX = "/api"
OPENAPI_PATH = "/api/openapi.json"
# The group whose members may write reviews (a Cognito group on AWS; everyone locally).
SUPERVISORS_GROUP = "supervisors"

DEFAULT_DAYS = 30
MAX_DAYS = 366
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
# Labelled cases carry whole transcripts: smaller pages keep a response far below Lambda's 6 MB.
LABELS_DEFAULT_LIMIT = 20
LABELS_MAX_LIMIT = 50
DEFAULT_WEEKS = 8
MAX_WEEKS = 52
WORST_CALLS = 5
AUDIO_URL_SECONDS = 300  # how long a presigned recording URL lives
MAX_NOTE_CHARS = 2000


class JudgeKind(StrEnum):
    BEDROCK = "bedrock"  # a Bedrock model judged the call
    RULES = "rules"  # the deterministic rules judge (the local pipeline, or `qa:judge=rules`)
    FALLBACK = "fallback"  # the model could not answer; the rules judged instead


def judge_kind(judge: str) -> JudgeKind:
    """A scorecard's `judge` ("bedrock:<model>", "rules", "rules-fallback") as its kind."""
    if judge.endswith("-fallback"):
        return JudgeKind.FALLBACK
    if judge.startswith("bedrock"):
        return JudgeKind.BEDROCK
    return JudgeKind.RULES


class ReviewStatus(StrEnum):
    UNREVIEWED = "unreviewed"
    REVIEWED = "reviewed"


class Decision(StrEnum):
    AGREE = "agree"
    OVERRIDE = "override"


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CallSummary(_Wire):
    """A row of the calls table."""

    call_id: str
    agent_id: str
    timestamp: str
    status: Literal["SCORED", "FAILED", "TRANSCRIBING"]
    overall_score: int | None = None
    violation_flags: list[str] = Field(default_factory=list)
    risk_flag: bool = False
    risk_reasons: list[str] = Field(default_factory=list)
    judge: str | None = None
    judge_kind: JudgeKind | None = None
    needs_review: bool = False
    urgent: bool = False
    review_status: ReviewStatus = ReviewStatus.UNREVIEWED
    review_revision: int = Field(0, description="how many reviews the call has had")
    reviewed_flags: list[str] | None = Field(
        None, description="the violation flags after the latest review"
    )
    failure_reason: str | None = None


class CallPage(_Wire):
    items: list[CallSummary]
    next_cursor: str | None = None


class EvidenceOut(_Wire):
    turn_index: int
    start_time: float
    speaker: str
    quote: str


class SopCheckOut(_Wire):
    sop_id: str
    flag: str
    triggered: bool
    followed: bool
    violated: bool
    evidence: list[EvidenceOut] = Field(default_factory=list)
    note: str = ""


class TurnOut(_Wire):
    index: int
    speaker: Literal["AGENT", "CUSTOMER"]
    text: str
    start_time: float | None = None
    end_time: float | None = None


class SentimentPoint(_Wire):
    """The customer's sentiment in one of their turns, -1 (upset) to 1 (pleased)."""

    turn_index: int
    time: float | None = None
    score: float


class CallDetail(CallSummary):
    scorecard: str = Field("", description="identifies this scorecard; a review names it")
    summary_insight: str = ""
    sop_checks: list[SopCheckOut] = Field(default_factory=list)
    turns: list[TurnOut] = Field(default_factory=list)
    sentiment: list[SentimentPoint] = Field(default_factory=list)
    sentiment_start: float | None = None
    sentiment_end: float | None = None
    disputed_sops: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    rubric_version: str | None = None
    has_recording: bool = False
    reviewed_by: str | None = None
    reviewed_at: str | None = None


class AudioLink(_Wire):
    url: str
    expires_at: str


class FlagDecision(_Wire):
    flag: str = Field(min_length=1, max_length=64)
    decision: Decision
    note: str = Field("", max_length=MAX_NOTE_CHARS)


class ReviewIn(_Wire):
    base_revision: int = Field(
        ge=0, description="the call's review_revision the supervisor saw (0: never reviewed)"
    )
    scorecard: str = Field(
        min_length=1, max_length=64, description="the `scorecard` of the call as it was shown"
    )
    decisions: list[FlagDecision] = Field(default_factory=list, max_length=20)
    note: str = Field("", max_length=MAX_NOTE_CHARS)


class Review(_Wire):
    """One entry of a call's review history."""

    call_id: str
    revision: int = Field(ge=1)
    reviewer: str
    reviewed_at: str
    decisions: list[FlagDecision]
    note: str = ""
    flags_before: list[str] = Field(description="the flags the review started from")
    flags_after: list[str] = Field(description="the flags once the review's overrides apply")
    added: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)


class ReviewHistory(_Wire):
    items: list[Review]


class AgentTotals(_Wire):
    agent_id: str
    calls: int
    scored_calls: int
    average_score: float | None = None
    flagged_calls: int
    violations: dict[str, int] = Field(
        default_factory=dict, description="SOP id -> violations in the range"
    )


class AgentList(_Wire):
    items: list[AgentTotals]


class AgentWeek(_Wire):
    week_start: str = Field(description="the Monday (UTC) the week starts on, YYYY-MM-DD")
    calls: int
    average_score: float | None = None
    violations: dict[str, int] = Field(default_factory=dict)


class AgentDetail(_Wire):
    agent_id: str
    weeks: list[AgentWeek]
    worst_calls: list[CallSummary]


class Me(_Wire):
    user: str
    supervisor: bool


class LabelledCase(_Wire):
    """A reviewed call in the labelled-cases format (`tests/data/public_cases.yaml`)."""

    id: str
    lang: str = "unknown"
    violations: list[str]
    risk: bool
    turns: list[tuple[Literal["A", "C"], str]]
    reviewed_by: str
    reviewed_at: str


class LabelExport(_Wire):
    """A page of reviewed calls as labelled cases, newest call first."""

    cases: list[LabelledCase]
    next_cursor: str | None = Field(None, description="the next page's cursor; null: the last")


class ErrorBody(_Wire):
    code: str
    message: str


class ErrorOut(_Wire):
    error: ErrorBody
