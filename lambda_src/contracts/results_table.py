"""DynamoDB `CallQA_Results` and `CallQA_Reviews`: their names, keys and indexes, as the stacks
create them and the functions and the local store read them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TABLE_NAME = "CallQA_Results"
CALL_ID = "call_id"  # the partition key: one item per call
AGENT_ID = "agent_id"
TIMESTAMP = "timestamp"  # ISO 8601, UTC: the sort key of the agent and flagged indexes
FLAGGED_DATE = "flagged_date"  # YYYY-MM-DD, only on calls with violations or risk (sparse)
# The dashboard's list index: every call (scored, failed or on its way) carries both keys.
# `day` is the call's UTC day (YYYY-MM-DD), except while the call is urgent and nobody has
# reviewed it: then it is `URGENT`, so one query finds every call awaiting a supervisor.
DAY = "day"
URGENT = "urgent"
LISTED_AT = "listed_at"  # `<timestamp>#<call_id>`: newest last, ties broken by the call
AGENT_INDEX = "by_agent_time"  # an agent's calls over time
FLAGGED_INDEX = "flagged_by_date"  # a day's flagged calls
DAY_INDEX = "calls_by_day"  # a day's calls, newest last: the dashboard's list

# index name -> (partition key, sort key)
INDEXES = {
    AGENT_INDEX: (AGENT_ID, TIMESTAMP),
    FLAGGED_INDEX: (FLAGGED_DATE, TIMESTAMP),
    DAY_INDEX: (DAY, LISTED_AT),
}
# What the list index carries beside its keys: a row of the calls table and what its filters
# read, not the transcript or the evidence (a page costs read units by the bytes it reads).
# Indexes not named here carry every attribute.
LIST_ATTRIBUTES = (
    AGENT_ID,
    TIMESTAMP,
    "status",
    FLAGGED_DATE,
    "overall_score",
    "violation_flags",
    "risk_flag",
    "risk_reasons",
    "judge",
    "judge_kind",
    "needs_review",
    "urgent_review",
    "review_status",
    "review_revision",
    "reviewed_flags",
    "failure_reason",
)
INCLUDE_ONLY = {DAY_INDEX: LIST_ATTRIBUTES}

# What a review writes onto the call's item (the dashboard function may update nothing else),
# with the attributes its condition reads.
REVIEW_ATTRIBUTES = (
    CALL_ID,
    TIMESTAMP,
    "status",
    "review_status",
    "review_revision",
    "reviewed_by",
    "reviewed_at",
    "reviewed_flags",
    DAY,
)

# Supervisors' reviews: one item per review, never overwritten; the newest revision is the
# call's review state (also copied onto its CallQA_Results item for the list).
REVIEWS_TABLE_NAME = "CallQA_Reviews"
REVISION = "revision"  # Number, 1, 2, ...: the sort key


def list_keys(*, timestamp: str, call_id: str, urgent_unreviewed: bool = False) -> dict[str, str]:
    """The list index's keys for a call's item."""
    return {
        DAY: URGENT if urgent_unreviewed else timestamp[:10],
        LISTED_AT: f"{timestamp}#{call_id}",
    }


def recording_of(row: Mapping[str, Any] | None) -> str | None:
    """The recording noted on a call's row (`recording` from StartQA, or the scorecard's
    `recording_uri`), if any."""
    uri = (row or {}).get("recording") or (row or {}).get("recording_uri")
    return uri if isinstance(uri, str) and uri else None
