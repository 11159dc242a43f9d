"""DynamoDB `CallQA_Results`: its name, keys and indexes, as the stack creates them and the
functions and the local store read them."""

from __future__ import annotations

TABLE_NAME = "CallQA_Results"
CALL_ID = "call_id"  # the partition key: one item per call
AGENT_ID = "agent_id"
TIMESTAMP = "timestamp"  # ISO 8601, UTC: the sort key of both indexes
FLAGGED_DATE = "flagged_date"  # YYYY-MM-DD, only on calls with violations or risk (sparse)

AGENT_INDEX = "by_agent_time"  # an agent's calls over time
FLAGGED_INDEX = "flagged_by_date"  # a day's flagged calls

# index name -> (partition key, sort key)
INDEXES = {
    AGENT_INDEX: (AGENT_ID, TIMESTAMP),
    FLAGGED_INDEX: (FLAGGED_DATE, TIMESTAMP),
}
