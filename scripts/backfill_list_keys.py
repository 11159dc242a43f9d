"""Gives calls scored before the dashboard existed the keys of its list index.

    python scripts/backfill_list_keys.py [--table CallQA_Results] [--region R] [--dry-run]

The dashboard lists calls through the `calls_by_day` index, whose keys the pipeline writes on
every row since; older rows lack them and stay out of the list until scored again. This reads
the table once (a Scan: an operator's one-off, never the dashboard's) and adds `day`,
`listed_at`, `judge_kind` and `review_status` to each row that has no `day`, each update
conditional on the row still having none, so a row the pipeline rewrites meanwhile keeps its
own. Safe to run again: rows that have the keys are left alone.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lambda_src"))

from botocore.exceptions import ClientError  # noqa: E402

from contracts.dashboard import ReviewStatus, judge_kind  # noqa: E402
from contracts.results_table import DAY, TABLE_NAME, list_keys  # noqa: E402


def missing_keys(row: dict[str, Any]) -> dict[str, Any]:
    """What a row written before the list index needs, from what it holds."""
    urgent = bool(row.get("risk_flag")) or bool(row.get("urgent_review"))
    scored = row.get("status", "SCORED") == "SCORED"
    reviewed = row.get("review_status") == ReviewStatus.REVIEWED.value
    keys: dict[str, Any] = list_keys(
        timestamp=str(row["timestamp"]),
        call_id=str(row["call_id"]),
        urgent_unreviewed=urgent and scored and not reviewed,
    )
    if row.get("judge"):
        keys["judge_kind"] = judge_kind(str(row["judge"])).value
    if "review_status" not in row:
        keys["review_status"] = ReviewStatus.UNREVIEWED.value
    return keys


def backfill(table: Any, *, dry_run: bool = False, out: Any = sys.stderr) -> dict[str, int]:
    counts = {"read": 0, "updated": 0, "had_keys": 0, "skipped": 0}
    kwargs: dict[str, Any] = {}
    while True:
        page = table.scan(**kwargs)
        for row in page["Items"]:
            counts["read"] += 1
            if DAY in row:
                counts["had_keys"] += 1
                continue
            if not row.get("timestamp"):
                counts["skipped"] += 1
                print(f"skipped {row.get('call_id')!r}: no timestamp", file=out)
                continue
            keys = missing_keys(row)
            if not dry_run:
                try:
                    table.update_item(
                        Key={"call_id": row["call_id"]},
                        UpdateExpression="SET "
                        + ", ".join(f"#k{n} = :v{n}" for n in range(len(keys))),
                        ConditionExpression="attribute_not_exists(#day)",
                        ExpressionAttributeNames={
                            "#day": DAY,
                            **{f"#k{n}": k for n, k in enumerate(keys)},
                        },
                        ExpressionAttributeValues={
                            f":v{n}": v for n, v in enumerate(keys.values())
                        },
                    )
                except ClientError as exc:
                    if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                        raise
                    counts["had_keys"] += 1  # the pipeline wrote the row meanwhile
                    continue
            counts["updated"] += 1
        print(f"{counts['read']} rows read, {counts['updated']} updated", file=out, flush=True)
        if "LastEvaluatedKey" not in page:
            return counts
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def main(argv: list[str] | None = None) -> int:
    import boto3

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--table", default=TABLE_NAME)
    parser.add_argument("--region", default=None)
    parser.add_argument("--dry-run", action="store_true", help="count, change nothing")
    args = parser.parse_args(argv)
    table = boto3.resource("dynamodb", region_name=args.region).Table(args.table)
    counts = backfill(table, dry_run=args.dry_run)
    verb = "would update" if args.dry_run else "updated"
    print(
        f"{args.table}: {counts['read']} rows, {verb} {counts['updated']}, "
        f"{counts['had_keys']} had the keys, {counts['skipped']} skipped"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
