"""The dashboard's backend on AWS: `CallQA_Results` read through its indexes (never a Scan),
`CallQA_Reviews` appended to, recordings through presigned S3 URLs.

The list walks the `calls_by_day` index: first its `URGENT` partition (urgent calls nobody has
reviewed, whatever their day), then the days of the range newest first, each partition
backwards by `listed_at` (time, then call id), the filters as a FilterExpression. The index
carries only the list's attributes, so a page costs read units for those bytes, not for
transcripts. A page reads one call past the page to know whether another page follows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Attr, ConditionBase, Key
from botocore.exceptions import ClientError

from contracts.dashboard import Review, ReviewStatus
from contracts.results_table import (
    AGENT_ID,
    AGENT_INDEX,
    CALL_ID,
    DAY,
    DAY_INDEX,
    FLAGGED_DATE,
    LISTED_AT,
    REVISION,
    TIMESTAMP,
    URGENT,
    list_keys,
    recording_of,
)
from contracts.storage import RECORDINGS_PREFIX
from dashboard.errors import BadRequest
from dashboard.ports import ReviewConflict, Row
from dashboard.query import CallFilter, iso
from dashboard.service import summary_of
from qa_aws.dynamo_store import from_item, to_item

MAX_EVALUATED = 1000  # items a filtered query may read per request
MAX_PAGE_EVALUATED = 5000  # items one page may read before it answers with fewer calls
_POSITION_KEYS = {CALL_ID, DAY, LISTED_AT}


def _days(start: datetime, end: datetime) -> list[str]:
    """The UTC days [start, end) touches, newest first."""
    last = (end - timedelta(microseconds=1)).date()
    day, days = start.date(), []
    while day <= last:
        days.append(day.isoformat())
        day += timedelta(days=1)
    return days[::-1]


def _position(position: Any, partitions: int) -> tuple[int, dict[str, str] | None]:
    """A page's position as `page` wrote it into the cursor, or BadRequest."""
    if position is None:
        return 0, None
    ok = isinstance(position, list) and len(position) == 2 and isinstance(position[0], int)
    key = position[1] if ok else None
    ok = ok and 0 <= position[0] < partitions
    ok = ok and (
        key is None
        or (
            isinstance(key, dict)
            and set(key) == _POSITION_KEYS
            and all(isinstance(v, str) and v for v in key.values())
        )
    )
    if not ok:
        raise BadRequest("cursor is not one this API issued")
    return position[0], key


def _either(value: bool | None, yes: ConditionBase, no: ConditionBase) -> ConditionBase | None:
    if value is None:
        return None
    return yes if value else no


def filter_expression(f: CallFilter) -> ConditionBase | None:
    """The filters other than time (`CallFilter.matches` is their definition)."""
    flagged = Attr(FLAGGED_DATE).exists()  # set on calls with violations or risk
    unreviewed = Attr("review_status").not_exists() | Attr("review_status").eq(
        ReviewStatus.UNREVIEWED.value
    )
    parts = [
        Attr(AGENT_ID).eq(f.agent) if f.agent is not None else None,
        _either(f.flagged, flagged, ~flagged),
        Attr("violation_flags").contains(f.flag) if f.flag else None,
        Attr("risk_reasons").contains(f.risk) if f.risk else None,
        Attr("overall_score").gte(f.score_min) if f.score_min is not None else None,
        Attr("overall_score").lte(f.score_max) if f.score_max is not None else None,
        _either(
            f.needs_review,
            Attr("needs_review").eq(True),
            Attr("needs_review").not_exists() | Attr("needs_review").eq(False),
        ),
        _either(
            None if f.review is None else f.review is ReviewStatus.REVIEWED,
            Attr("review_status").eq(ReviewStatus.REVIEWED.value),
            unreviewed,
        ),
        Attr("judge_kind").eq(f.judge.value) if f.judge else None,
        Attr("status").eq(f.status) if f.status else None,
    ]
    conditions = [p for p in parts if p is not None]
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined = combined & condition
    return combined


class DynamoDashboardBackend:
    def __init__(
        self,
        table: Any,
        reviews: Any,
        s3: Any,
        recordings_bucket: str,
        transcripts_bucket: str | None = None,
    ) -> None:
        self.table = table
        self.reviews_table = reviews
        self.s3 = s3
        self.recordings_bucket = recordings_bucket
        self.transcripts_bucket = transcripts_bucket

    def _query(self, table: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            response: dict[str, Any] = table.query(**kwargs)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code == "ValidationException" and "ExclusiveStartKey" in kwargs:
                raise BadRequest("cursor is not one this API issued") from None
            raise
        return response

    def _query_all(self, table: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Every item a query matches, page after page."""
        while True:
            response = self._query(table, **kwargs)
            yield from response["Items"]
            if "LastEvaluatedKey" not in response:
                return
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    # --- the list -----------------------------------------------------------------------
    def page(self, f: CallFilter, limit: int, position: Any | None) -> tuple[list[Row], Any]:
        if f.call_id is not None:
            return self._one(f, f.call_id, position), None
        partitions = [URGENT, *_days(f.start, f.end)]
        part, start_key = _position(position, len(partitions))
        where = filter_expression(f)
        rows: list[Row] = []
        found_in, evaluated = part, 0
        while part < len(partitions):
            need = limit + 1 - len(rows)
            kwargs: dict[str, Any] = {
                "IndexName": DAY_INDEX,
                "KeyConditionExpression": Key(DAY).eq(partitions[part])
                & Key(LISTED_AT).between(f.start_iso, f.end_iso),
                "ScanIndexForward": False,
                "Limit": need if where is None else min(MAX_EVALUATED, max(4 * need, 50)),
            }
            if where is not None:
                kwargs["FilterExpression"] = where
            if start_key:
                kwargs["ExclusiveStartKey"] = start_key
            response = self._query(self.table, **kwargs)
            for item in response["Items"]:
                if len(rows) == limit:  # one past the page: another page follows
                    last = rows[-1]
                    return rows, [found_in, {k: last[k] for k in (CALL_ID, DAY, LISTED_AT)}]
                rows.append(from_item(item))
                found_in = part  # the partition the page's last row came from
            evaluated += int(response.get("ScannedCount", len(response["Items"])))
            start_key = response.get("LastEvaluatedKey")
            if start_key is None:
                part, start_key = part + 1, None
            if evaluated >= MAX_PAGE_EVALUATED and part < len(partitions):
                # A rare filter over a long range: answer with what was found so far and a
                # cursor to go on from, rather than read the whole range in one request.
                return rows, [part, start_key]
        return rows, None

    def _one(self, f: CallFilter, call_id: str, position: Any | None) -> list[Row]:
        if position is not None:
            return []
        row = self.call(call_id)
        return [row] if row is not None and f.matches(summary_of(row)) else []

    def calls_between(self, start: datetime, end: datetime, agent: str | None) -> Iterator[Row]:
        low, high = iso(start), iso(end)
        if agent is not None:
            queries = [
                {
                    "IndexName": AGENT_INDEX,
                    "KeyConditionExpression": Key(AGENT_ID).eq(agent)
                    & Key(TIMESTAMP).between(low, high),
                }
            ]
        else:
            queries = [
                {
                    "IndexName": DAY_INDEX,
                    "KeyConditionExpression": Key(DAY).eq(partition)
                    & Key(LISTED_AT).between(low, high),
                }
                for partition in (URGENT, *_days(start, end))
            ]
        for kwargs in queries:
            for item in self._query_all(self.table, **kwargs):
                row = from_item(item)
                if low <= str(row.get(TIMESTAMP, "")) < high:
                    yield row

    # --- one call -----------------------------------------------------------------------
    def call(self, call_id: str) -> Row | None:
        item = self.table.get_item(Key={CALL_ID: call_id}, ConsistentRead=True).get("Item")
        return from_item(item) if item else None

    def transcript(self, row: Row) -> str:
        uri = row.get("transcript_s3_uri")
        if isinstance(uri, str) and uri.startswith("s3://"):
            bucket, _, key = uri[len("s3://") :].partition("/")
            if self.transcripts_bucket and bucket != self.transcripts_bucket:
                return str(row.get("transcript_text") or "")
            body = self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            return str(body.decode("utf-8"))
        return str(row.get("transcript_text") or "")

    def audio_url(self, row: Row, seconds: int) -> str | None:
        uri = recording_of(row)
        if not uri or not uri.startswith("s3://"):
            return None
        bucket, _, key = uri[len("s3://") :].partition("/")
        if bucket != self.recordings_bucket or not key.startswith(RECORDINGS_PREFIX):
            return None  # only the recordings this function may read
        url: str = self.s3.generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=seconds
        )
        return url

    # --- reviews ------------------------------------------------------------------------
    def reviews(self, call_id: str) -> list[Review]:
        items = self._query_all(
            self.reviews_table, KeyConditionExpression=Key(CALL_ID).eq(call_id), ConsistentRead=True
        )
        return [Review.model_validate(from_item(i)) for i in items]

    def save_review(self, review: Review, row: Row) -> None:
        """The review and the call's new review state in one transaction: a review whose
        revision another took first, or of a call no longer scored, is a conflict."""
        item = to_item({**review.model_dump(mode="json"), REVISION: review.revision})
        state = to_item(
            {
                ":reviewed": ReviewStatus.REVIEWED.value,
                ":revision": review.revision,
                ":by": review.reviewer,
                ":at": review.reviewed_at,
                ":flags": review.flags_after,
                ":day": list_keys(timestamp=str(row[TIMESTAMP]), call_id=review.call_id)[DAY],
                ":scored": "SCORED",
                ":scored_at": str(row[TIMESTAMP]),
            }
        )
        # The table resource's client takes plain values, as the table does.
        try:
            self.table.meta.client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.reviews_table.name,
                            "Item": item,
                            "ConditionExpression": "attribute_not_exists(call_id)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.table.name,
                            "Key": {CALL_ID: review.call_id},
                            "UpdateExpression": "SET review_status = :reviewed, "
                            "review_revision = :revision, reviewed_by = :by, reviewed_at = :at, "
                            "reviewed_flags = :flags, #day = :day",
                            "ConditionExpression": (
                                "attribute_exists(call_id) AND #status = :scored "
                                "AND #ts = :scored_at"  # the scorecard the review was made on
                            ),
                            "ExpressionAttributeNames": {
                                "#status": "status",
                                "#day": DAY,
                                "#ts": TIMESTAMP,
                            },
                            "ExpressionAttributeValues": state,
                        }
                    },
                ]
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "TransactionCanceledException":
                raise ReviewConflict(review.call_id) from None
            raise
