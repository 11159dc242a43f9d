"""The dashboard's API on both backends, seeded with the same calls.

- `local`: `autoqa serve`'s server on loopback over a SQLite store, spoken to over HTTP.
- `aws`: the DashboardApi function's handler over moto's DynamoDB and S3, called with the
  events API Gateway sends after its JWT authorizer (claims of a Cognito user).

Every call is seeded through the store the pipeline writes with (`SQLiteResultStore`,
`DynamoResultStore`), so the dashboard reads rows as the pipeline leaves them.
"""

from __future__ import annotations

import functools
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
from moto import mock_aws

from autoqa.serve import api_event, make_server
from autoqa.store import SQLiteResultStore
from contracts import environment as env
from contracts.dashboard import SUPERVISORS_GROUP
from contracts.storage import recording_key
from dashboard.query import iso
from qa_aws.dynamo_store import DynamoResultStore
from qa_engine.models import FailedCall, QAResult
from scripts.dashboard_fixture import calls, store_all
from tests.aws_lambda.conftest import RECORDINGS, REGION, TRANSCRIPTS, FakeContext
from tests.dynamo_tables import create_results_table, create_reviews_table

NOW = datetime.now(UTC).replace(microsecond=0)
# Every seeded call (they span a week).
WIDE = {"from": iso(NOW - timedelta(days=8)), "to": iso(NOW + timedelta(hours=1))}
CALLS = 24
# A Cognito user in the supervisors group, as API Gateway passes the claim (a string).
SUPERVISOR = {"username": "asha.supervisor", "cognito:groups": f"[{SUPERVISORS_GROUP}]"}
VIEWER = {"username": "vikram.viewer"}


@functools.cache
def _seeded() -> tuple[QAResult | FailedCall, ...]:
    return tuple(calls(CALLS, NOW))


def seeded() -> list[QAResult | FailedCall]:
    """The calls every backend is seeded with (shared: never changed, only copied)."""
    return list(_seeded())


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def code(self) -> str | None:
        return (
            (self.body or {}).get("error", {}).get("code") if isinstance(self.body, dict) else None
        )


@dataclass
class Api:
    """One backend behind the dashboard's routes, with what it was seeded with."""

    name: str
    send: Any  # (method, path, query, body, claims) -> Reply
    rescore: Any  # (result) -> None: the pipeline scores the call again
    calls: list[QAResult | FailedCall]

    def get(self, path: str, claims: dict | None = SUPERVISOR, **query: Any) -> Reply:
        return self.send("GET", path, query, None, claims)

    def post(self, path: str, body: Any, claims: dict | None = SUPERVISOR) -> Reply:
        return self.send("POST", path, {}, body, claims)

    def review(self, call_id: str, body: Any, claims: dict | None = SUPERVISOR) -> Reply:
        """A review of the call as the page sends it: of the scorecard it shows."""
        if isinstance(body, dict) and "scorecard" not in body:
            shown = self.get(f"/api/calls/{call_id}").body or {}
            body = {**body, "scorecard": shown.get("scorecard", "none")}
        return self.post(f"/api/calls/{call_id}/reviews", body, claims)

    def all_pages(
        self,
        limit: int = 7,
        pause: float = 0,
        path: str = "/api/calls",
        key: str = "items",
        **query: Any,
    ) -> list[dict]:
        items, cursor = [], None
        while True:
            time.sleep(pause if cursor else 0)
            params = {**query, "limit": limit, **({"cursor": cursor} if cursor else {})}
            reply = self.get(path, **params)
            assert reply.status == 200, reply.body
            assert len(reply.body[key]) <= limit
            items += reply.body[key]
            cursor = reply.body["next_cursor"]
            if cursor is None:
                return items


def _query_string(query: dict[str, Any]) -> str:
    def text(v: Any) -> str:
        return str(v).lower() if isinstance(v, bool) else str(v)

    return urlencode({k: text(v) for k, v in query.items() if v is not None})


@pytest.fixture
def local_api(tmp_path: Path) -> Iterator[Api]:
    store = SQLiteResultStore(tmp_path / "results.sqlite3")
    seeded_calls = seeded()
    store_all(store, seeded_calls)
    server = make_server(store, port=0, reviewer="local.supervisor")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def send(method: str, path: str, query: dict, body: Any, claims: dict | None) -> Reply:
        qs = _query_string(query)
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{server.url}{path}{'?' + qs if qs else ''}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                raw, status, headers = response.read(), response.status, dict(response.headers)
        except urllib.error.HTTPError as exc:
            raw, status, headers = exc.read(), exc.code, dict(exc.headers)
        kind = headers.get("Content-Type", "")
        return Reply(status, json.loads(raw) if "json" in kind and raw else raw, headers)

    api = Api("local", send, store.put, seeded_calls)
    api.server = server  # type: ignore[attr-defined]
    yield api
    server.shutdown()
    server.server_close()


@pytest.fixture
def aws_api(monkeypatch) -> Iterator[Api]:
    from handlers import dashboard_api

    for name, value in {
        env.AWS_REGION: REGION,
        env.AWS_DEFAULT_REGION: REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        env.POWERTOOLS_SERVICE_NAME: "dashboard-test",
        env.TABLE_NAME: "CallQA_Results",
        env.REVIEWS_TABLE_NAME: "CallQA_Reviews",
        env.RECORDINGS_BUCKET: RECORDINGS,
        env.TRANSCRIPTS_BUCKET: TRANSCRIPTS,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        dynamodb = boto3.resource("dynamodb", region_name=REGION)
        table = create_results_table(dynamodb)
        create_reviews_table(dynamodb)
        s3 = boto3.client("s3", region_name=REGION)
        for bucket in (RECORDINGS, TRANSCRIPTS):
            s3.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
            )
        store = DynamoResultStore(table, s3, TRANSCRIPTS)
        seeded_calls = []
        for call in seeded():
            if isinstance(call, FailedCall):
                store.put_failure(call)
            else:
                # On AWS the recording is the object Egress wrote, noted by StartQA.
                key = recording_key(call.agent_id, call.call_id)
                call = call.model_copy(update={"recording_uri": f"s3://{RECORDINGS}/{key}"})
                assert store.put(call)
            seeded_calls.append(call)
        # Every client the handler builds comes from the default session: record its Scans.
        scans: list[str] = []
        boto3.setup_default_session(region_name=REGION)
        boto3.DEFAULT_SESSION.events.register(
            "before-call.dynamodb.Scan", lambda **kw: scans.append("Scan")
        )
        dashboard_api.api.cache_clear()

        def send(method: str, path: str, query: dict, body: Any, claims: dict | None) -> Reply:
            qs = _query_string(query)
            data = json.dumps(body).encode() if body is not None else b""
            event = api_event(method, f"{path}?{qs}" if qs else path, {}, data)
            event["routeKey"] = f"{method} /api/{{proxy+}}"
            if claims is not None:
                event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
            response = dashboard_api.lambda_handler(event, FakeContext())
            raw = response.get("body") or ""
            return Reply(response["statusCode"], json.loads(raw) if raw else None)

        def rescore(result: QAResult) -> None:
            previous = store.get(result.call_id)
            store.put(
                result.model_copy(update={"source_version": "v2"}),
                sequencer="9" * 20,
                previous=previous,
            )

        api = Api("aws", send, rescore, seeded_calls)
        api.scans = scans  # type: ignore[attr-defined]
        yield api
        dashboard_api.api.cache_clear()
        boto3.DEFAULT_SESSION = None


@pytest.fixture(params=["local", "aws"])
def api(request) -> Api:
    return request.getfixturevalue(f"{request.param}_api")
