"""`CallQA_Results` in DynamoDB: idempotent writes, alert claims, failed calls, big transcripts.

- A result is written only when its transcript version is newer than the one stored: each row
  keeps the S3 event's `transcript_sequencer` (padded so string order is event order), and the
  write is conditional on it. A re-delivered event (same version) changes nothing and cannot
  reset the `alerted` flag; a late event for an older version never replaces a newer result.
  Rows without a sequencer (TRANSCRIBING rows, older rows) fall back to comparing
  `source_version` (the object's version id, else its ETag).
- The alert is claimed with a conditional update before it is sent, on the row that holds this
  very version: of any number of deliveries, exactly one publishes, and an older version's
  event never alerts on a newer row.
- An item that would pass DynamoDB's 400 KB limit keeps a truncated transcript and a pointer
  to the full text in S3.
- `flagged_date` exists only on calls with violations or risk: the sparse GSI of flagged calls.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from contracts.dashboard import ReviewStatus, judge_kind
from contracts.results_table import (
    AGENT_ID,
    CALL_ID,
    FLAGGED_DATE,
    TIMESTAMP,
    list_keys,
)
from contracts.storage import CallRef, overflow_transcript_key, safe_id
from qa_engine.models import FailedCall, QAResult

MAX_ITEM_BYTES = 350_000  # under DynamoDB's 400 KB, with room for attribute names
TRUNCATED_CHARS = 20_000
SEQUENCER = "transcript_sequencer"
_NOT_STORED_SAME_VERSION = (
    "#status <> :scored OR attribute_not_exists(source_version) OR source_version <> :version"
)


def _conditional_failed(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def to_item(data: dict[str, Any]) -> dict[str, Any]:
    """JSON-able dict -> DynamoDB item (floats become Decimals, empty strings kept)."""
    return json.loads(json.dumps(data, ensure_ascii=False), parse_float=Decimal)


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return plain(item)


class DynamoResultStore:
    def __init__(self, table: Any, s3: Any, overflow_bucket: str) -> None:
        self.table = table
        self.s3 = s3
        self.overflow_bucket = overflow_bucket

    def _item(
        self, result: QAResult, sequencer: str | None, previous: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        data = result.model_dump(mode="json")
        if result.violation_flags or result.risk_flag:
            data[FLAGGED_DATE] = result.timestamp[:10]
        if sequencer:
            data[SEQUENCER] = sequencer
        # A new scorecard is unreviewed; the count of reviews (their history) carries over.
        data.update(
            list_keys(
                timestamp=result.timestamp, call_id=result.call_id, urgent_unreviewed=result.urgent
            ),
            judge_kind=judge_kind(result.judge).value,
            review_status=ReviewStatus.UNREVIEWED.value,
            review_revision=int((previous or {}).get("review_revision") or 0),
        )
        item = to_item(data)
        if len(json.dumps(data, ensure_ascii=False).encode()) > MAX_ITEM_BYTES:
            key = overflow_transcript_key(result.agent_id, result.call_id, result.source_version)
            self.s3.put_object(
                Bucket=self.overflow_bucket,
                Key=key,
                Body=result.transcript_text.encode("utf-8"),
                ContentType="text/plain; charset=utf-8",
            )
            uri = f"s3://{self.overflow_bucket}/{key}"
            item["transcript_text"] = (
                result.transcript_text[:TRUNCATED_CHARS] + f"\n[truncated; full text at {uri}]"
            )
            item["transcript_s3_uri"] = uri
        return item

    def for_transcript(
        self, sequencer: str | None, previous: dict[str, Any] | None = None
    ) -> TranscriptVersionStore:
        """The store as QAPipeline sees it for one S3 event of a transcript (`previous`: the
        call's row before it, whose review count the new result keeps)."""
        return TranscriptVersionStore(self, sequencer, previous)

    def put(
        self,
        result: QAResult,
        *,
        sequencer: str | None = None,
        previous: dict[str, Any] | None = None,
    ) -> bool:
        """Store the result if its transcript version is newer; False when it was not stored."""
        condition = (
            "attribute_not_exists(call_id) "
            f"OR (attribute_not_exists({SEQUENCER}) AND ({_NOT_STORED_SAME_VERSION}))"
        )
        values: dict[str, Any] = {":scored": "SCORED", ":version": result.source_version or ""}
        if sequencer:
            condition += f" OR {SEQUENCER} < :sequencer"
            values[":sequencer"] = sequencer
        try:
            self.table.put_item(
                Item=self._item(result, sequencer, previous),
                ConditionExpression=condition,
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if not _conditional_failed(exc):
                raise
            # This version (a re-delivered event) or a newer one is stored already.
            return False
        return True

    def claim_alert(self, result: QAResult) -> bool:
        condition = "alerted = :false AND #status = :scored"
        values: dict[str, Any] = {":true": True, ":false": False, ":scored": "SCORED"}
        if result.source_version:
            condition += " AND source_version = :version"
            values[":version"] = result.source_version
        try:
            self.table.update_item(
                Key={CALL_ID: result.call_id},
                UpdateExpression="SET alerted = :true",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    def release_alert(self, result: QAResult) -> None:
        self.table.update_item(
            Key={CALL_ID: result.call_id},
            UpdateExpression="SET alerted = :false",
            ExpressionAttributeValues={":false": False},
        )

    def mark_transcribing(self, call_id: str, agent_id: str, timestamp: str, **extra: str) -> None:
        """Record that a call is on its way, unless the call already has a row."""
        try:
            self.table.put_item(
                Item={
                    CALL_ID: call_id,
                    AGENT_ID: agent_id,
                    TIMESTAMP: timestamp,
                    "status": "TRANSCRIBING",
                    **list_keys(timestamp=timestamp, call_id=call_id),
                    **extra,
                },
                ConditionExpression="attribute_not_exists(call_id)",
            )
        except ClientError as exc:
            if not _conditional_failed(exc):
                raise

    def put_failure(
        self, failure: FailedCall, *, version: str | None = None, sequencer: str | None = None
    ) -> bool:
        """Record a call that cannot be scored; never overwrites a scored result.

        With a transcript's `sequencer`, never overwrites a row of a newer transcript version
        either. False when nothing was written.
        """
        item = failure.model_dump(mode="json")
        item.update(list_keys(timestamp=failure.timestamp, call_id=failure.call_id))
        condition = "(attribute_not_exists(call_id) OR #status <> :scored)"
        values: dict[str, Any] = {":scored": "SCORED"}
        if version:
            item["source_version"] = version
        if sequencer:
            item[SEQUENCER] = sequencer
            condition += f" AND (attribute_not_exists({SEQUENCER}) OR {SEQUENCER} < :sequencer)"
            values[":sequencer"] = sequencer
        try:
            self.table.put_item(
                Item=to_item(item),
                ConditionExpression=condition,
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if not _conditional_failed(exc):
                raise
            return False
        return True

    def get(self, call_id: str) -> dict[str, Any] | None:
        item = self.table.get_item(Key={CALL_ID: call_id}, ConsistentRead=True).get("Item")
        return from_item(item) if item else None


def newer_version_stored(row: dict[str, Any] | None, sequencer: str | None) -> bool:
    """True when the row holds a transcript version later than the event's `sequencer`."""
    stored = (row or {}).get(SEQUENCER)
    return bool(stored and sequencer and str(stored) > sequencer)


def original_agent_id(row: dict[str, Any] | None, ref: CallRef) -> str:
    """The agent id as the recording's key wrote it, read back from the call's row.

    A transcript's key holds only the agent's safe id; the row (written by StartQA) holds the
    original. Falls back to the key's id when there is no row or it is another agent's.
    """
    agent = (row or {}).get(AGENT_ID)
    if isinstance(agent, str) and agent and safe_id(agent) == ref.agent_key:
        return agent
    return ref.agent_id


class TranscriptVersionStore:
    """`DynamoResultStore` bound to one transcript event, as QAPipeline's ResultStore.

    `stored` says afterwards whether the result was written (False: this version or a newer
    one was there already).
    """

    def __init__(
        self,
        store: DynamoResultStore,
        sequencer: str | None,
        previous: dict[str, Any] | None = None,
    ) -> None:
        self.store = store
        self.sequencer = sequencer
        self.previous = previous
        self.stored: bool | None = None

    def put(self, result: QAResult) -> None:
        self.stored = self.store.put(result, sequencer=self.sequencer, previous=self.previous)

    def claim_alert(self, result: QAResult) -> bool:
        return self.store.claim_alert(result)

    def release_alert(self, result: QAResult) -> None:
        self.store.release_alert(result)
