"""`CallQA_Results` in DynamoDB: idempotent writes, alert claims, failed calls, big transcripts.

- A result is written unless the same transcript version (`source_version`, the S3 ETag) is
  already stored, so a re-delivered event cannot reset the `alerted` flag.
- The alert is claimed with a conditional update before it is sent: of any number of
  deliveries, exactly one publishes.
- An item that would pass DynamoDB's 400 KB limit keeps a truncated transcript and a pointer
  to the full text in S3.
- `flagged_date` exists only on calls with violations or risk: the sparse GSI of flagged calls.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from qa_engine.models import FailedCall, QAResult

MAX_ITEM_BYTES = 350_000  # under DynamoDB's 400 KB, with room for attribute names
TRUNCATED_CHARS = 20_000
AGENT_INDEX = "by_agent_time"
FLAGGED_INDEX = "flagged_by_date"


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

    def _item(self, result: QAResult) -> dict[str, Any]:
        data = result.model_dump(mode="json")
        if result.violation_flags or result.risk_flag:
            data["flagged_date"] = result.timestamp[:10]
        item = to_item(data)
        if len(json.dumps(data, ensure_ascii=False).encode()) > MAX_ITEM_BYTES:
            key = f"results/{result.agent_id}/{result.call_id}/transcript.txt"
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

    def put(self, result: QAResult) -> None:
        try:
            self.table.put_item(
                Item=self._item(result),
                ConditionExpression=(
                    "attribute_not_exists(call_id) OR #status <> :scored "
                    "OR attribute_not_exists(source_version) OR source_version <> :version"
                ),
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":scored": "SCORED",
                    ":version": result.source_version or "",
                },
            )
        except ClientError as exc:
            if not _conditional_failed(exc):
                raise
            # The same transcript version is stored already: a re-delivered event.

    def claim_alert(self, result: QAResult) -> bool:
        try:
            self.table.update_item(
                Key={"call_id": result.call_id},
                UpdateExpression="SET alerted = :true",
                ConditionExpression="alerted = :false AND #status = :scored",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":true": True, ":false": False, ":scored": "SCORED"},
            )
        except ClientError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    def release_alert(self, result: QAResult) -> None:
        self.table.update_item(
            Key={"call_id": result.call_id},
            UpdateExpression="SET alerted = :false",
            ExpressionAttributeValues={":false": False},
        )

    def mark_transcribing(self, call_id: str, agent_id: str, timestamp: str, **extra: str) -> None:
        """Record that a call is on its way, unless the call already has a row."""
        try:
            self.table.put_item(
                Item={
                    "call_id": call_id,
                    "agent_id": agent_id,
                    "timestamp": timestamp,
                    "status": "TRANSCRIBING",
                    **extra,
                },
                ConditionExpression="attribute_not_exists(call_id)",
            )
        except ClientError as exc:
            if not _conditional_failed(exc):
                raise

    def put_failure(self, failure: FailedCall) -> None:
        """Record a call that cannot be scored; never overwrites a scored result."""
        try:
            self.table.put_item(
                Item=to_item(failure.model_dump(mode="json")),
                ConditionExpression="attribute_not_exists(call_id) OR #status <> :scored",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":scored": "SCORED"},
            )
        except ClientError as exc:
            if not _conditional_failed(exc):
                raise

    def get(self, call_id: str) -> dict[str, Any] | None:
        item = self.table.get_item(Key={"call_id": call_id}, ConsistentRead=True).get("Item")
        return from_item(item) if item else None
