"""Calls scored before the dashboard reach its list once the backfill gives them its keys."""

from __future__ import annotations

import io

from contracts.results_table import DAY, LISTED_AT
from qa_engine.models import QAResult
from scripts.backfill_list_keys import backfill
from tests.dashboard.conftest import WIDE


def test_rows_written_before_the_list_index_appear_after_the_backfill(aws_api):
    import boto3

    table = boto3.resource("dynamodb", region_name="ap-south-1").Table("CallQA_Results")
    old = [c for c in aws_api.calls if isinstance(c, QAResult)][:6]
    for call in old:  # as the pipeline wrote them before: no list keys
        table.update_item(
            Key={"call_id": call.call_id},
            UpdateExpression="REMOVE #d, #l, judge_kind, review_status",
            ExpressionAttributeNames={"#d": DAY, "#l": LISTED_AT},
        )
    listed = {i["call_id"] for i in aws_api.all_pages(limit=50, **WIDE)}
    assert not listed & {c.call_id for c in old}

    dry = backfill(table, dry_run=True, out=io.StringIO())
    assert dry["updated"] == len(old)
    after_dry_run = {i["call_id"] for i in aws_api.all_pages(limit=50, **WIDE)}
    assert not after_dry_run & {c.call_id for c in old}

    counts = backfill(table, out=io.StringIO())
    assert counts["updated"] == len(old) and counts["read"] == len(aws_api.calls)
    after = aws_api.all_pages(limit=50, **WIDE)
    assert {c.call_id for c in old} <= {i["call_id"] for i in after}
    assert len(after) == len(aws_api.calls)
    urgent_first = [i["urgent"] for i in after]
    assert urgent_first == sorted(urgent_first, reverse=True)
    assert backfill(table, out=io.StringIO())["updated"] == 0  # safe to run again
