"""The dashboard's list: how fast the local server answers over a big store, and how many
DynamoDB read units a page costs on AWS.

- Local: 10,000 calls over the last 30 days in a SQLite store, `autoqa serve`'s server on
  loopback; the first page of the default view (urgent unreviewed first, 25 calls) and of
  filtered views, asked over HTTP (median and 95th percentile of repeated requests).
- AWS: the DashboardApi backend over moto with calls at the same density for a week; each
  query's read units are computed by DynamoDB's rules (item sizes of what the query read,
  filtered or not, rounded up to 4 KB, halved for eventually consistent reads), because moto
  reports a flat 1.0. Beside it, what the same pages would cost if the list index carried
  every attribute (the scorecards' transcripts and evidence) instead of the list's.
"""

from __future__ import annotations

import json
import math
import statistics
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

GOAL_MS = 300
CALLS = 10_000
DAYS = 30
REQUESTS = 30
VIEWS = {
    "default (urgent first, 25)": {},
    "one agent": {"agent": "agent-ravi"},
    "flagged only": {"flagged": "true"},
    "review queue": {"needs_review": "true", "review": "unreviewed"},
    "score 70-80": {"score_min": "70", "score_max": "80"},
}


def item_bytes(value: Any) -> int:
    """An item's (or a value's) size as DynamoDB counts it for read units."""
    if isinstance(value, dict):
        return 3 + sum(len(k.encode()) + item_bytes(v) + 1 for k, v in value.items())
    if isinstance(value, list | tuple):
        return 3 + sum(item_bytes(v) + 1 for v in value)
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, int | float | Decimal):
        digits = len(str(abs(value)).replace(".", "").lstrip("0")) or 1
        return math.ceil(digits / 2) + 1
    return len(str(value).encode())


def _top_level(item: dict[str, Any]) -> int:
    return sum(len(k.encode()) + item_bytes(v) for k, v in item.items())


def read_units(items: list[dict[str, Any]]) -> float:
    """One eventually consistent query's read units for the items it read."""
    total = sum(_top_level(i) for i in items)
    return max(0.5, math.ceil(total / 4096) * 0.5)


def bench_local() -> dict[str, Any]:
    from autoqa.serve import make_server
    from autoqa.store import SQLiteResultStore
    from scripts.dashboard_fixture import seed

    with tempfile.TemporaryDirectory() as home:
        started = time.perf_counter()
        apart = timedelta(days=DAYS) / CALLS
        seed(Path(home), CALLS, datetime.now(UTC), apart)
        seeded_s = time.perf_counter() - started
        server = make_server(SQLiteResultStore(Path(home) / "results.sqlite3"), port=0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        views = {}
        try:
            for name, query in VIEWS.items():
                url = f"{server.url}/api/calls?{urlencode(query)}"
                times, count = [], 0
                for _ in range(REQUESTS):
                    t = time.perf_counter()
                    with urllib.request.urlopen(url, timeout=30) as response:
                        count = len(json.loads(response.read())["items"])
                    times.append((time.perf_counter() - t) * 1000)
                times.sort()
                views[name] = {
                    "calls_on_page": count,
                    "p50_ms": round(statistics.median(times), 1),
                    "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
                }
        finally:
            server.shutdown()
            server.server_close()
    worst = max(v["p95_ms"] for v in views.values())
    return {
        "calls_in_store": CALLS,
        "days": DAYS,
        "seconds_to_seed": round(seeded_s, 1),
        "first_page": views,
        "goal_ms": GOAL_MS,
        "goal_met": worst <= GOAL_MS,
    }


class _Metered:
    """A table whose queries are also run without their filter, to count what they read."""

    def __init__(self, table: Any, full: Any) -> None:
        self.table = table
        self.full = full  # the same calls in a table whose index carries every attribute
        self.units = 0.0
        self.units_if_all = 0.0
        self.queries = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.table, name)

    def query(self, **kwargs: Any) -> dict[str, Any]:
        response = self.table.query(**kwargs)
        read = {k: v for k, v in kwargs.items() if k != "FilterExpression"}
        self.units += read_units(self.table.query(**read)["Items"])
        self.units_if_all += read_units(self.full.query(**read)["Items"])
        self.queries += 1
        return response


def bench_dynamodb() -> dict[str, Any]:
    import boto3
    from moto import mock_aws

    from contracts import results_table
    from contracts.dashboard import ReviewStatus
    from dashboard.query import CallFilter
    from qa_aws.dashboard_backend import DynamoDashboardBackend
    from qa_aws.dynamo_store import DynamoResultStore
    from scripts.dashboard_fixture import calls, store_all
    from tests.dynamo_tables import create_results_table, create_reviews_table

    week = 7
    per_day = CALLS // DAYS
    now = datetime.now(UTC)
    with mock_aws():
        dynamodb = boto3.resource("dynamodb", region_name="ap-south-1")
        s3 = boto3.client("s3", region_name="ap-south-1")
        table = create_results_table(dynamodb)
        full = create_results_table(  # the same index, carrying every attribute
            dynamodb, f"{results_table.TABLE_NAME}-every-attribute", include_only={}
        )
        seeded = list(calls(per_day * week, now, timedelta(days=1) / per_day))
        for target in (table, full):
            store_all(DynamoResultStore(target, s3, "unused"), seeded)
        reviews = create_reviews_table(dynamodb)
        pages = {}
        for name, query in VIEWS.items():
            metered = _Metered(table, full)
            backend = DynamoDashboardBackend(metered, reviews, s3, "unused")
            f = CallFilter(
                start=now - timedelta(days=week),
                end=now,
                agent=query.get("agent"),
                flagged=True if query.get("flagged") else None,
                needs_review=True if query.get("needs_review") else None,
                review=ReviewStatus(query["review"]) if "review" in query else None,
                score_min=int(query["score_min"]) if "score_min" in query else None,
                score_max=int(query["score_max"]) if "score_max" in query else None,
            )
            rows, _ = backend.page(f, 25, None)
            pages[name] = {
                "calls_on_page": len(rows),
                "queries": metered.queries,
                "read_units": metered.units,
                "read_units_if_index_had_every_attribute": metered.units_if_all,
            }
    return {"calls_per_day": per_day, "days": week, "first_page": pages}


_COLD_START = """
import time
t = time.perf_counter()
from handlers import dashboard_api
from dashboard.api import build_api
from dashboard.service import DashboardService
app = build_api(DashboardService(None), lambda event: None)
event = {"version": "2.0", "rawPath": "/api/me", "rawQueryString": "", "headers": {},
         "requestContext": {"http": {"method": "GET", "path": "/api/me"}, "stage": "$default"}}
assert app.resolve(event, None)["statusCode"] == 401
print((time.perf_counter() - t) * 1000)
"""


def _median_ms(code: str, runs: int = 5) -> float | None:
    import os
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(repo / "lambda_src"), "AWS_DEFAULT_REGION": "ap-south-1"}
    samples = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            return None
        samples.append(float(done.stdout.strip().splitlines()[-1]))
    return round(statistics.median(samples), 1)


def cold_start() -> dict[str, Any]:
    """The function's first request: import, the routes built, one request answered; beside
    it, what importing an ASGI framework would add to it (before any adapter or route)."""
    return {
        "first_request_ms": _median_ms(_COLD_START),
        # With what the function imports anyway already loaded: FastAPI's own share.
        "fastapi_import_on_top_ms": _median_ms(
            "import boto3, pydantic, aws_lambda_powertools.event_handler, time; "
            "t = time.perf_counter(); import fastapi; print((time.perf_counter() - t) * 1000)"
        ),
    }


def run() -> dict[str, Any]:
    return {"cold_start": cold_start(), "local": bench_local(), "dynamodb": bench_dynamodb()}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
