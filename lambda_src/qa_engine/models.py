"""Pydantic models of the QA domain: turns, the conversation, SOP checks and the result record."""

from __future__ import annotations

import bisect
import math
from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Speaker(StrEnum):
    AGENT = "AGENT"
    CUSTOMER = "CUSTOMER"


class Turn(BaseModel):
    """One speaker's uninterrupted stretch of speech."""

    model_config = ConfigDict(frozen=True, allow_inf_nan=False)

    index: int = Field(ge=0)
    speaker: Speaker
    text: str
    start_time: float = Field(ge=0)
    end_time: float = Field(ge=0)
    # (character offset in `text`, start time in seconds) of each word, in order.
    word_times: tuple[tuple[int, float], ...] = ()
    # A listening sound ("haan ji", "okay") said under the other side's turn.
    backchannel: bool = False

    def time_at(self, offset: int) -> float:
        """When the word at (or just before) a character offset of `text` was said."""
        index = bisect.bisect_right(self.word_times, (offset, math.inf)) - 1
        return self.word_times[index][1] if index >= 0 else self.start_time


class Conversation(BaseModel):
    """A call as an ordered list of turns, whoever the transcript came from."""

    turns: list[Turn]
    source_format: str = Field(description="Which transcript shape was parsed")
    language_code: str | None = None
    duration_seconds: float = 0.0

    def agent_turns(self) -> list[Turn]:
        return [t for t in self.turns if t.speaker is Speaker.AGENT]

    def customer_turns(self) -> list[Turn]:
        return [t for t in self.turns if t.speaker is Speaker.CUSTOMER]

    def spoken_turns(self, speaker: Speaker) -> list[Turn]:
        """A side's turns without the backchannels it said under the other side's turns."""
        return [t for t in self.turns if t.speaker is speaker and not t.backchannel]

    def as_text(self) -> str:
        """The contract's `transcript_text`: one line per turn, prefixed with the speaker."""
        return "\n".join(f"{t.speaker.value}: {t.text}" for t in self.turns)


class Evidence(BaseModel):
    """A verbatim quote from one turn that supports a finding."""

    model_config = ConfigDict(allow_inf_nan=False)

    turn_index: int = Field(ge=0)
    start_time: float = Field(ge=0)
    speaker: Speaker
    quote: str = Field(min_length=1)


class SopCheck(BaseModel):
    """How one SOP fared on a call. A check that was not triggered counts as followed."""

    sop_id: str
    flag: str
    triggered: bool
    followed: bool
    evidence: list[Evidence] = Field(default_factory=list)
    note: str = ""

    @property
    def violated(self) -> bool:
        return self.triggered and not self.followed


class RiskSignal(BaseModel):
    """A risk reason the judge found in the words of the call (legal threat, abuse)."""

    reason: str
    evidence: list[Evidence] = Field(default_factory=list)


class Verdict(BaseModel):
    """What a judge concludes from the words of a call; scoring and alerting are code's job."""

    sop_checks: list[SopCheck]
    risk_signals: list[RiskSignal] = Field(default_factory=list)
    summary: str
    warnings: list[str] = Field(default_factory=list)
    judge: str | None = Field(default=None, description="who judged, when not the judge asked")
    cross_check: Verdict | None = Field(
        default=None, description="the rules judge's verdict on the same call, beside a model's"
    )


class SecondOpinion(BaseModel):
    """The rules judge's verdict, kept beside the model's when the two judged one call."""

    judge: str
    sop_checks: list[SopCheck]
    risk_reasons: list[str]
    summary: str


class CallStatus(StrEnum):
    TRANSCRIBING = "TRANSCRIBING"
    SCORED = "SCORED"
    FAILED = "FAILED"


class FailedCall(BaseModel):
    """A call that could not be scored, kept with the reason so nothing is lost silently."""

    call_id: str = Field(min_length=1)
    agent_id: str
    timestamp: str
    status: Literal["FAILED"] = "FAILED"
    failure_reason: str
    source: str = ""
    recording_uri: str | None = None

    @classmethod
    def now(
        cls,
        call_id: str,
        agent_id: str,
        reason: str,
        source: str,
        recording_uri: str | None = None,
    ) -> FailedCall:
        """The call failed just now, for `reason`; `source` is what it was read from."""
        return cls(
            call_id=call_id,
            agent_id=agent_id,
            timestamp=utc_now_iso(),
            failure_reason=reason,
            source=source,
            recording_uri=recording_uri,
        )


class QAResult(BaseModel):
    """The `CallQA_Results` record (DESIGN.md contract); `autoqa score` prints one per line."""

    model_config = ConfigDict(allow_inf_nan=False)

    call_id: str = Field(min_length=1)
    timestamp: str
    agent_id: str
    transcript_text: str
    overall_score: int = Field(ge=0, le=100)
    violation_flags: list[str]
    summary_insight: str
    risk_flag: bool
    risk_reasons: list[str]
    sentiment_start: float = Field(ge=-1, le=1)
    sentiment_end: float = Field(ge=-1, le=1)
    sentiment_trajectory: float = Field(ge=-2, le=2)
    sop_checks: list[SopCheck]
    rubric_version: str
    judge: str
    alerted: bool = False
    status: Literal["SCORED"] = "SCORED"
    warnings: list[str] = Field(default_factory=list)
    source_version: str | None = Field(
        default=None, description="the transcript object's version (S3 ETag) this result judged"
    )
    needs_review: bool = Field(
        default=False, description="the judges disagreed on an SOP: a supervisor should look"
    )
    disputed_sops: list[str] = Field(default_factory=list)
    urgent_review: bool = Field(
        default=False, description="a dispute on a safety or escalation SOP: alert as urgent"
    )
    second_opinion: SecondOpinion | None = None
    # For playback beside the transcript: (start, end) seconds of each line of
    # `transcript_text`, the customer's sentiment per turn (turn index, -1..1), the recording.
    turn_times: list[tuple[float, float]] = Field(default_factory=list)
    sentiment_by_turn: list[tuple[int, float]] = Field(default_factory=list)
    recording_uri: str | None = Field(
        default=None, description="where the call's recording is (s3://... or a local path)"
    )

    @field_validator("timestamp")
    @classmethod
    def _iso_utc(cls, value: str) -> str:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is None or parsed.utcoffset() != UTC.utcoffset(None):
            raise ValueError("timestamp must be ISO 8601 in UTC")
        return value

    @property
    def urgent(self) -> bool:
        """Alerts with a risk flag, or with judges disputing a safety SOP, are urgent."""
        return self.risk_flag or self.urgent_review

    @property
    def violations_with_evidence(self) -> list[SopCheck]:
        return [c for c in self.sop_checks if c.violated]


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
