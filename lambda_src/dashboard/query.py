"""A list request: its filters checked once, the same for both backends, and its cursor.

A cursor carries the backend's position and a fingerprint of the filters it was issued for; a
cursor from other filters (or a damaged one) is refused rather than silently misapplied.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from contracts import sops
from contracts.dashboard import (
    DEFAULT_DAYS,
    MAX_DAYS,
    CallSummary,
    JudgeKind,
    ReviewStatus,
)
from dashboard.errors import BadRequest

STATUSES = ("SCORED", "FAILED", "TRANSCRIBING")


def parse_instant(value: str, name: str) -> datetime:
    """An ISO 8601 instant (a date alone is its midnight, UTC)."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"{name} must be an ISO 8601 date or time, got {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def iso(instant: datetime) -> str:
    """The form timestamps are stored in: seconds, UTC, `Z`."""
    return instant.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def time_range(start: str | None, end: str | None, *, now: datetime) -> tuple[datetime, datetime]:
    until = parse_instant(end, "to") if end else now
    since = parse_instant(start, "from") if start else until - timedelta(days=DEFAULT_DAYS)
    if since >= until:
        raise BadRequest("from must be before to")
    if until - since > timedelta(days=MAX_DAYS):
        raise BadRequest(f"a range may span at most {MAX_DAYS} days")
    return since, until


def list_range(
    start: str | None, end: str | None, cursor: str | None, *, now: datetime
) -> tuple[datetime, datetime]:
    """A list's range: a later page asked without from/to continues its first page's range."""
    if cursor and not (start or end):
        return cursor_range(cursor)
    return time_range(start, end, now=now)


@dataclass(frozen=True)
class CallFilter:
    start: datetime
    end: datetime
    agent: str | None = None
    flagged: bool | None = None
    flag: str | None = None
    risk: str | None = None
    score_min: int | None = None
    score_max: int | None = None
    needs_review: bool | None = None
    review: ReviewStatus | None = None
    judge: JudgeKind | None = None
    status: str | None = None
    call_id: str | None = None

    def __post_init__(self) -> None:
        if self.flag is not None and self.flag not in sops.SOP_OF_FLAG:
            raise BadRequest(f"flag must be one of {', '.join(sops.FLAGS.values())}")
        if self.risk is not None and self.risk not in sops.RISK_REASONS:
            raise BadRequest(f"risk must be one of {', '.join(sops.RISK_REASONS)}")
        if self.status is not None and self.status not in STATUSES:
            raise BadRequest(f"status must be one of {', '.join(STATUSES)}")
        for name in ("score_min", "score_max"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 100:
                raise BadRequest(f"{name} must be between 0 and 100")
        if (
            self.score_min is not None
            and self.score_max is not None
            and self.score_min > self.score_max
        ):
            raise BadRequest("score_min must not be above score_max")

    @property
    def start_iso(self) -> str:
        return iso(self.start)

    @property
    def end_iso(self) -> str:
        return iso(self.end)

    def fingerprint(self) -> str:
        data = {k: (str(v) if v is not None else None) for k, v in asdict(self).items()}
        data.update(start=self.start_iso, end=self.end_iso)  # as the cursor keeps them
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]

    def matches(self, call: CallSummary) -> bool:
        """Whether a call passes every filter (the backends push the same test into their
        queries; this is the definition)."""
        checks = (
            self.start_iso <= call.timestamp < self.end_iso or _same_instant_bound(self, call),
            self.agent is None or call.agent_id == self.agent,
            self.flagged is None or (bool(call.violation_flags) or call.risk_flag) == self.flagged,
            self.flag is None or self.flag in call.violation_flags,
            self.risk is None or self.risk in call.risk_reasons,
            self.score_min is None
            or (call.overall_score is not None and call.overall_score >= self.score_min),
            self.score_max is None
            or (call.overall_score is not None and call.overall_score <= self.score_max),
            self.needs_review is None or call.needs_review == self.needs_review,
            self.review is None or call.review_status is self.review,
            self.judge is None or call.judge_kind is self.judge,
            self.status is None or call.status == self.status,
            self.call_id is None or call.call_id == self.call_id,
        )
        return all(checks)


def _same_instant_bound(f: CallFilter, call: CallSummary) -> bool:
    """A timestamp written another way (`+00:00`, fractions) compared as an instant."""
    try:
        at = parse_instant(call.timestamp, "timestamp")
    except BadRequest:
        return False
    return f.start <= at < f.end


def encode_cursor(f: CallFilter, position: Any) -> str:
    """The cursor also keeps the range the first page resolved ("the last 30 days" from when
    it was asked), so later pages continue the same list."""
    data = {"f": f.fingerprint(), "r": [f.start_iso, f.end_iso], "p": position}
    raw = json.dumps(data, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _open(cursor: str) -> dict[str, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(data, dict) or not {"f", "r", "p"} <= data.keys() or data["p"] is None:
            raise ValueError(cursor)
        start, end = (parse_instant(str(t), "cursor") for t in data["r"])
        if not start < end <= start + timedelta(days=MAX_DAYS):
            raise ValueError(cursor)
    except (ValueError, KeyError, TypeError, binascii.Error, BadRequest):
        raise BadRequest("cursor is not one this API issued") from None
    return {**data, "r": (start, end)}


def cursor_range(cursor: str) -> tuple[datetime, datetime]:
    """The range a cursor's list was resolved to."""
    start, end = _open(cursor)["r"]
    return start, end


def decode_cursor(f: CallFilter, cursor: str) -> Any:
    data = _open(cursor)
    if data["f"] != f.fingerprint():
        raise BadRequest("cursor belongs to other filters: start again from the first page")
    return data["p"]
