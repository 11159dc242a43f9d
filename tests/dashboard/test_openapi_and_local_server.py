"""The API's published document matches its routes; what only the local server does (loopback,
signed recording links with byte ranges, the page) and what only AWS does (sign-in, groups,
presigned S3 links, no Scan)."""

from __future__ import annotations

import json
import re
import socket
import time
import urllib.error
import urllib.request
from email.message import Message
from urllib.parse import parse_qs, urlsplit

import pytest

from autoqa.serve import MediaSigner, RemoteBindRefused, make_server
from autoqa.store import SQLiteResultStore
from contracts.dashboard import AUDIO_URL_SECONDS, JudgeKind
from qa_engine.models import FailedCall, QAResult
from scripts import openapi
from tests.dashboard.conftest import RECORDINGS, VIEWER, WIDE


def test_the_openapi_document_in_the_repository_is_what_the_routes_publish():
    committed = openapi.DOCUMENT.read_text("utf-8")
    assert committed == openapi.document(), "run `make openapi`"


def test_every_route_is_in_the_document_and_every_documented_route_exists():
    from dashboard.api import build_api
    from dashboard.service import DashboardService

    app = build_api(DashboardService(backend=None), lambda _e: None)  # type: ignore[arg-type]
    routes = {
        (r.method.lower(), re.sub(r"<(\w+)>", r"{\1}", r.path))
        for r in app._static_routes + app._dynamic_routes
        if r.path != "/api/openapi.json"
    }
    document = json.loads(openapi.DOCUMENT.read_text("utf-8"))
    documented = {(m, p) for p, ops in document["paths"].items() for m in ops}
    assert routes == documented
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            assert "400" in op["responses"] and "422" not in op["responses"], (method, path)


def test_the_served_document_is_the_same(local_api):
    reply = local_api.get("/api/openapi.json")
    assert reply.status == 200
    assert reply.body == json.loads(openapi.document())


# --- the local server -----------------------------------------------------------------------


def _get(url: str, headers: dict | None = None) -> tuple[int, bytes, Message]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), exc.headers


def _scored_with_recording(api) -> QAResult:
    return next(c for c in api.calls if isinstance(c, QAResult) and c.recording_uri)


def test_a_recording_link_plays_from_any_byte_so_the_player_can_seek(local_api):
    call = _scored_with_recording(local_api)
    link = local_api.get(f"/api/calls/{call.call_id}/audio").body
    base = local_api.server.url
    status, whole, headers = _get(base + link["url"])
    assert status == 200 and headers["Content-Type"] == "audio/ogg"
    assert whole[:4] == b"OggS" and headers["Accept-Ranges"] == "bytes"
    status, part, headers = _get(base + link["url"], {"Range": "bytes=1000-1999"})
    assert status == 206 and part == whole[1000:2000]
    assert headers["Content-Range"] == f"bytes 1000-1999/{len(whole)}"
    status, tail, _ = _get(base + link["url"], {"Range": "bytes=-100"})
    assert status == 206 and tail == whole[-100:]
    status, _, _ = _get(base + link["url"], {"Range": f"bytes={len(whole) + 5}-"})
    assert status == 416


def test_a_recording_link_expires_and_cannot_be_forged(local_api):
    call = _scored_with_recording(local_api)
    url = local_api.get(f"/api/calls/{call.call_id}/audio").body["url"]
    query = parse_qs(urlsplit(url).query)
    assert int(query["expires"][0]) == pytest.approx(time.time() + AUDIO_URL_SECONDS, abs=30)
    base = local_api.server.url
    forged = url.replace(query["sig"][0], "0" * 64)
    assert _get(base + forged)[0] == 403
    other = next(c for c in local_api.calls if c.call_id != call.call_id)
    assert _get(base + url.replace(call.call_id, other.call_id))[0] == 403
    signer = MediaSigner(secret=b"k" * 32, clock=lambda: 1000.0)
    link = signer.url("call-1", 60)
    expires, sig = (parse_qs(urlsplit(link).query)[k][0] for k in ("expires", "sig"))
    assert signer.valid("call-1", expires, sig)
    signer.clock = lambda: 1061.0
    assert not signer.valid("call-1", expires, sig)


def test_a_call_without_a_recording_file_says_so(local_api, tmp_path):
    call = _scored_with_recording(local_api)
    moved = call.model_copy(update={"recording_uri": str(tmp_path / "gone.ogg")})
    local_api.rescore(moved)
    reply = local_api.get(f"/api/calls/{call.call_id}/audio")
    assert reply.status == 404 and reply.code == "no_recording"
    assert local_api.get(f"/api/calls/{call.call_id}").body["has_recording"] is True


def test_the_local_server_answers_only_requests_addressed_to_loopback(local_api):
    host, port = local_api.server.server_address[:2]
    with socket.create_connection((host, port), timeout=5) as s:
        s.sendall(b"GET /api/calls HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n")
        answer = s.recv(200)
    assert answer.startswith(b"HTTP/1.1 421")
    assert _get(f"http://localhost:{port}/api/me")[0] == 200


def _raw(server, request: bytes) -> bytes:
    host, port = server.server_address[:2]
    with socket.create_connection((host, port), timeout=5) as s:
        s.sendall(request)
        return s.recv(400)


def test_another_sites_page_cannot_write_a_review_locally(local_api):
    call = next(c for c in local_api.calls if isinstance(c, QAResult))
    port = local_api.server.server_address[1]
    scorecard = local_api.get(f"/api/calls/{call.call_id}").body["scorecard"]
    body = json.dumps({"base_revision": 0, "scorecard": scorecard}).encode()
    path = f"/api/calls/{call.call_id}/reviews"
    start = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode()
    for headers in (
        b"Origin: https://evil.example\r\n",
        b"Sec-Fetch-Site: cross-site\r\n",
    ):
        answer = _raw(
            local_api.server,
            start
            + headers
            + b"Content-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body,
        )
        assert answer.startswith(b"HTTP/1.1 403"), answer
    assert local_api.get(f"/api/calls/{call.call_id}/reviews").body["items"] == []
    same_site = _raw(
        local_api.server,
        start
        + f"Origin: http://127.0.0.1:{port}\r\nSec-Fetch-Site: same-origin\r\n".encode()
        + b"Content-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body,
    )
    assert same_site.startswith(b"HTTP/1.1 201"), same_site


@pytest.mark.parametrize("length", [b"-1", b"ten", b"99999999"])
def test_a_bad_body_length_is_refused_without_reading(local_api, length):
    answer = _raw(
        local_api.server,
        b"POST /api/calls/x/reviews HTTP/1.1\r\nHost: localhost\r\nContent-Length: "
        + length
        + b"\r\n\r\n",
    )
    assert answer.startswith((b"HTTP/1.1 400", b"HTTP/1.1 413")), answer


def test_a_body_that_is_not_json_is_a_415_in_the_error_shape(local_api):
    call = next(c for c in local_api.calls if isinstance(c, QAResult))
    request = urllib.request.Request(
        f"{local_api.server.url}/api/calls/{call.call_id}/reviews",
        data=b"base_revision=0",
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        urllib.request.urlopen(request, timeout=5)
        raise AssertionError("accepted a form")
    except urllib.error.HTTPError as exc:
        assert exc.code in (400, 415)
        assert json.loads(exc.read())["error"]["code"] in ("not_json", "bad_request")


def test_serving_beyond_loopback_needs_an_explicit_flag(tmp_path):
    store = SQLiteResultStore(tmp_path / "r.sqlite3")
    with pytest.raises(RemoteBindRefused, match="--allow-remote"):
        make_server(store, host="0.0.0.0", port=0)
    server = make_server(store, host="0.0.0.0", port=0, allow_remote=True)
    server.server_close()


def test_the_page_is_served_for_its_own_routes_and_config_says_no_sign_in(tmp_path):
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>page</title>")
    (dist / "assets" / "app-1a2b.js").write_text("console.log(1)")
    server = make_server(SQLiteResultStore(tmp_path / "r.sqlite3"), port=0, dist=dist)
    import threading

    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        status, body, headers = _get(server.url + "/dashboard/calls/abc?flagged=true")
        assert status == 200 and b"<title>page</title>" in body
        assert headers["Cache-Control"] == "no-cache"
        status, body, headers = _get(server.url + "/assets/app-1a2b.js")
        assert body == b"console.log(1)" and "immutable" in headers["Cache-Control"]
        assert _get(server.url + "/../../etc/passwd")[1].startswith(b"<!doctype html>")
        status, body, _ = _get(server.url + "/config.json")
        assert json.loads(body) == {"dashboard": {"apiBase": "", "auth": None}}
    finally:
        server.shutdown()
        server.server_close()


def test_autoqa_serve_prints_its_address_and_refuses_a_remote_bind(tmp_path, capsys):
    from autoqa.cli import main

    code = main(["serve", "--host", "0.0.0.0", "--port", "0"])
    assert code == 2
    assert "--allow-remote" in capsys.readouterr().err


# --- AWS only -------------------------------------------------------------------------------


def test_without_a_signed_in_user_every_route_is_a_401(aws_api):
    call = aws_api.calls[0].call_id
    for path in ("/api/me", "/api/calls", f"/api/calls/{call}", "/api/agents", "/api/labels"):
        reply = aws_api.get(path, claims=None)
        assert reply.status == 401 and reply.code == "unauthorized", path
    reply = aws_api.review(call, {"base_revision": 0}, claims=None)
    assert reply.status == 401


def test_a_signed_in_user_outside_the_supervisors_group_reads_but_cannot_review(aws_api):
    call = next(c for c in aws_api.calls if isinstance(c, QAResult))
    assert aws_api.get("/api/me", claims=VIEWER).body == {
        "user": VIEWER["username"],
        "supervisor": False,
    }
    assert aws_api.get("/api/calls", claims=VIEWER, **WIDE).status == 200
    reply = aws_api.review(call.call_id, {"base_revision": 0, "decisions": []}, claims=VIEWER)
    assert reply.status == 403 and reply.code == "not_a_supervisor"
    assert aws_api.get(f"/api/calls/{call.call_id}/reviews").body["items"] == []


@pytest.mark.parametrize(
    "groups", [["supervisors"], "[supervisors]", "[agents supervisors]", "supervisors"]
)
def test_the_supervisors_group_is_read_in_each_form_api_gateway_passes_it(aws_api, groups):
    claims = {"username": "meera", "cognito:groups": groups}
    assert aws_api.get("/api/me", claims=claims).body["supervisor"] is True


def test_audio_on_aws_is_a_short_lived_presigned_link_to_the_calls_recording(aws_api):
    call = _scored_with_recording(aws_api)
    link = aws_api.get(f"/api/calls/{call.call_id}/audio").body
    parts = urlsplit(link["url"])
    query = parse_qs(parts.query)
    assert parts.scheme == "https" and parts.netloc == f"{RECORDINGS}.s3.ap-south-1.amazonaws.com"
    assert parts.path == "/" + call.recording_uri.split("/", 3)[3]
    assert query["X-Amz-Expires"] == [str(AUDIO_URL_SECONDS)]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    failed = next(c for c in aws_api.calls if isinstance(c, FailedCall))
    assert aws_api.get(f"/api/calls/{failed.call_id}/audio").code == "no_recording"


def test_the_dashboard_never_scans_the_table(aws_api):
    import boto3

    aws_api.all_pages(limit=5, flagged=True, **WIDE)
    aws_api.get("/api/agents", **WIDE)
    aws_api.get("/api/agents/agent-ravi")
    aws_api.get("/api/labels", **WIDE)
    assert aws_api.scans == []
    # The watch sees a scan by a client like the handler's, so the test can fail.
    boto3.resource("dynamodb").Table("CallQA_Results").scan(Limit=1)
    assert aws_api.scans == ["Scan"]


def test_a_reviews_update_names_only_what_the_functions_policy_allows(aws_api):
    import re as regex

    import boto3

    from contracts.results_table import REVIEW_ATTRIBUTES

    sent = []
    boto3.DEFAULT_SESSION.events.register(
        "provide-client-params.dynamodb.TransactWriteItems",
        lambda params, **kw: sent.append(params),
    )
    call = next(c for c in aws_api.calls if isinstance(c, QAResult))
    assert aws_api.review(call.call_id, {"base_revision": 0}).status == 201
    (update,) = [i["Update"] for i in sent[0]["TransactItems"] if "Update" in i]
    named = set(update.get("ExpressionAttributeNames", {}).values()) | set(update["Key"])
    expressions = update["UpdateExpression"] + " " + update.get("ConditionExpression", "")
    bare = set(regex.findall(r"(?<![:#\w])([a-z_]+)(?= =|\))", expressions)) - {"attribute_exists"}
    assert named | bare <= set(REVIEW_ATTRIBUTES), (named | bare) - set(REVIEW_ATTRIBUTES)
    assert "review_status" in bare and "reviewed_flags" in bare


def test_a_rare_filter_answers_in_short_pages_that_still_reach_every_call(aws_api, monkeypatch):
    from qa_aws import dashboard_backend
    from tests.dashboard.test_api_contract import expected

    monkeypatch.setattr(dashboard_backend, "MAX_PAGE_EVALUATED", 3)
    items, cursor, pages = [], None, 0
    while True:
        query = {"judge": "fallback", "limit": 10, **WIDE, **({"cursor": cursor} if cursor else {})}
        reply = aws_api.get("/api/calls", **query)
        items += reply.body["items"]
        pages += 1
        cursor = reply.body["next_cursor"]
        if cursor is None:
            break
    assert [i["call_id"] for i in items] == expected(aws_api, judge=JudgeKind.FALLBACK)
    assert pages > 2  # it did stop early


def test_a_review_is_signed_with_the_persons_e_mail(aws_api):
    call = next(c for c in aws_api.calls if isinstance(c, QAResult))
    claims = {
        "email": "asha@batterysmart.example",
        "cognito:username": "7c1e6a52-0f1b-4c57-9d8e-2a1b3c4d5e6f",
        "cognito:groups": "[supervisors]",
    }
    reply = aws_api.review(call.call_id, {"base_revision": 0}, claims=claims)
    assert reply.status == 201 and reply.body["reviewer"] == "asha@batterysmart.example"


def test_a_very_long_call_reads_its_full_transcript_from_s3(aws_api):
    import boto3

    from qa_aws.dynamo_store import TRUNCATED_CHARS, DynamoResultStore

    call = _scored_with_recording(aws_api)
    lines = call.transcript_text.splitlines()
    long_text = "\n".join(lines * 1200)
    big = call.model_copy(
        update={"transcript_text": long_text, "turn_times": call.turn_times * 1200}
    )
    dynamodb = boto3.resource("dynamodb", region_name="ap-south-1")
    s3 = boto3.client("s3", region_name="ap-south-1")
    store = DynamoResultStore(dynamodb.Table("CallQA_Results"), s3, "bs-transcripts")
    store.put(big, sequencer="9" * 20)
    assert len(store.get(call.call_id)["transcript_text"]) < TRUNCATED_CHARS + 200
    turns = aws_api.get(f"/api/calls/{call.call_id}").body["turns"]
    assert len(turns) == len(lines) * 1200
