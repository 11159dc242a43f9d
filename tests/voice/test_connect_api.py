"""The connect API on loopback: calls, tokens, busy and closed lines, foreign pages, rate
limits by the real peer address, the bare health check, and supervisor invites."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from dataclasses import replace
from datetime import UTC, datetime

import jwt
import pytest
from livekit import api

from contracts import health_metrics
from tests.voice.loopback_server import serve
from voice_agent.connect_api import BotDispatcher, RateLimiter, create_app
from voice_agent.invites import InviteBook

PAGE = "https://d111111abcdef8.cloudfront.net"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Rooms:
    """Stands in for LiveKit's RoomService (tested against a Twirp server in test_rooms)."""

    def __init__(self, fail: bool = False) -> None:
        self.created: list[str] = []
        self.fail = fail

    async def create(self, call_id: str) -> None:
        if self.fail:
            raise RuntimeError("LiveKit is down")
        self.created.append(call_id)


class Bots:
    """Bots that stay in their call until the test hangs them up."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.hung_up: set[str] = set()
        self.dispatcher = BotDispatcher(self._bot)

    async def _bot(self, call_id: str) -> None:
        self.started.append(call_id)
        while call_id not in self.hung_up and "*" not in self.hung_up:
            await asyncio.sleep(0.01)

    def hang_up(self, call_id: str = "*") -> None:
        self.hung_up.add(call_id)


def wait_for(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.fixture
def line(settings):
    """An app factory: the API with fake rooms and bots, its clock, on loopback."""

    def make(**overrides):
        bots, rooms, clock = Bots(), overrides.pop("rooms", Rooms()), Clock()
        configured = replace(settings, **overrides.pop("settings", {}))
        app = create_app(configured, bots.dispatcher, rooms=rooms, clock=clock, **overrides)
        return app, bots, rooms, clock

    return make


def call(client, origin: str | None = PAGE, **headers):
    if origin is not None:
        headers["origin"] = origin
    return client.post("/api/connect", headers=headers)


def claims(settings, token: str) -> api.access_token.Claims:
    return api.TokenVerifier(settings.livekit_api_key, settings.livekit_api_secret).verify(token)


def test_a_call_creates_its_room_dispatches_a_bot_and_gets_a_microphone_only_token(settings, line):
    app, bots, rooms, _ = line()
    with serve(app) as client:
        response = call(client)
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"url", "token", "call_id"} and body["url"] == settings.livekit_url
        assert rooms.created == [body["call_id"]]  # the room (and its recording) server-side
        wait_for(lambda: bots.started == [body["call_id"]])
        assert response.headers["access-control-allow-origin"] == PAGE
    granted = claims(settings, body["token"])
    video = granted.video
    assert video.room == body["call_id"] and video.room_join
    assert video.can_publish and video.can_publish_sources == ["microphone"]
    assert video.can_subscribe
    assert not video.can_publish_data  # no data messages, so nothing to steer the bot with
    assert not video.room_create and not video.agent and not video.room_admin
    assert granted.room_config is None  # the token does not configure (or record) the room
    payload = body["token"].split(".")[1]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    assert settings.recordings_bucket not in decoded and "recordings/" not in decoded
    assert "s3" not in json.loads(decoded)
    lifetime = jwt.decode(body["token"], options={"verify_signature": False})["exp"]
    assert lifetime - time.time() <= 2 * 60 + 5  # long enough to join now, no longer


def test_the_public_health_check_says_only_ok_and_the_counts_go_to_metrics(settings, line):
    app, bots, _, _ = line()
    with serve(app) as client:
        call(client)
        wait_for(lambda: len(bots.started) == 1)
        assert client.get("/healthz").json() == {"status": "ok"}
        data = {d["MetricName"]: d for d in app.state.metrics.take()}
    assert data[health_metrics.ACTIVE_CALLS]["Value"] == 1
    assert set(data) == {health_metrics.ACTIVE_CALLS, health_metrics.CALLS_STARTED}
    assert data[health_metrics.CALLS_STARTED]["Value"] == 1


def test_a_full_line_answers_503_busy_until_a_call_ends(settings, line):
    app, bots, rooms, _ = line()
    with serve(app) as client:
        for ip in ("10.0.0.1", "10.0.0.2"):
            assert call(client, **{"x-forwarded-for": ip}).status_code == 200
        busy = call(client, **{"x-forwarded-for": "10.0.0.3"})
        assert busy.status_code == 503
        assert busy.json()["error"] == "busy" and "busy" in busy.json()["message"]
        assert busy.headers["retry-after"] == "30"
        assert len(rooms.created) == 2  # no room for a refused call
        bots.hang_up()
        wait_for(lambda: bots.dispatcher.active_calls() == 0)
        assert call(client, **{"x-forwarded-for": "10.0.0.3"}).status_code == 200
        refused = app.state.metrics.counts()
    assert refused[(health_metrics.CALLS_REFUSED, "busy")] == 1


@pytest.mark.parametrize(
    "origin", ["https://evil.example", None, PAGE + ".evil.example", "http://localhost:5173"]
)
def test_a_request_from_another_page_or_none_gets_403_and_no_call(settings, line, origin):
    app, bots, rooms, _ = line()
    with serve(app) as client:
        refused = call(client, origin=origin)
        assert refused.status_code == 403
        assert refused.json()["error"] == "origin_refused" and "token" not in refused.json()
        assert "access-control-allow-origin" not in refused.headers
        preflight = client.options(
            "/api/connect",
            headers={"origin": origin or "null", "access-control-request-method": "POST"},
        )
        assert "access-control-allow-origin" not in preflight.headers
    assert rooms.created == [] and bots.started == []


def test_the_rate_limit_keys_on_the_peer_address_when_the_peer_is_no_proxy(settings, line):
    # Nothing in front of the API: every request's peer is this test's 127.0.0.1.
    app, _, _, _ = line(
        settings={"trusted_proxies": (), "max_calls": 10, "max_calls_per_client": 10}
    )
    with serve(app) as client:
        # A forged X-Forwarded-For per request does not make one client many.
        codes = [
            call(client, **{"x-forwarded-for": f"198.51.100.{n}"}).status_code for n in range(4)
        ]
    assert codes == [200, 200, 200, 429]


def test_behind_the_local_proxy_the_address_it_appended_is_the_client(settings, line):
    app, _, _, clock = line(settings={"max_calls": 10, "max_calls_per_client": 10})
    with serve(app) as client:
        # Caddy appends the address it saw; what the client put before it is ignored.
        for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
            headers = {"x-forwarded-for": f"{forged}, 203.0.113.9"}
            assert call(client, **headers).status_code == 200
        limited = call(client, **{"x-forwarded-for": "4.4.4.4, 203.0.113.9"})
        assert limited.status_code == 429 and limited.json()["error"] == "rate_limited"
        assert 1 <= int(limited.headers["retry-after"]) <= 61
        assert "retry-after" in limited.headers["access-control-expose-headers"].lower()
        assert call(client, **{"x-forwarded-for": "203.0.113.10"}).status_code == 200
        clock.now += 61
        assert call(client, **{"x-forwarded-for": "203.0.113.9"}).status_code == 200


def test_one_address_cannot_hold_more_than_its_share_of_the_line(settings, line):
    app, bots, _, _ = line(settings={"max_calls": 4, "calls_per_minute_per_client": 6})
    with serve(app) as client:
        mine = {"x-forwarded-for": "203.0.113.9"}
        assert [call(client, **mine).status_code for _ in range(2)] == [200, 200]
        third = call(client, **mine)
        assert third.status_code == 429 and third.json()["error"] == "calls_per_client"
        assert call(client, **{"x-forwarded-for": "198.51.100.7"}).status_code == 200
        bots.hang_up(bots.started[0])
        wait_for(lambda: bots.dispatcher.active_calls() == 2)
        assert call(client, **mine).status_code == 200  # one of its calls ended


def test_simultaneous_connects_never_take_more_calls_than_the_line_has(settings, line):
    from concurrent.futures import ThreadPoolExecutor

    app, bots, _, _ = line(settings={"max_calls": 3, "calls_per_minute_per_client": 100})
    with serve(app) as client, ThreadPoolExecutor(12) as pool:
        codes = list(
            pool.map(
                lambda n: call(client, **{"x-forwarded-for": f"10.1.0.{n}"}).status_code, range(12)
            )
        )
        wait_for(lambda: len(bots.started) == 3)
    assert sorted(codes) == [200] * 3 + [503] * 9
    assert bots.dispatcher.active_calls() <= 3


def test_the_rate_limiter_forgets_idle_addresses():
    clock = Clock()
    limiter = RateLimiter(2, clock)
    for n in range(200_000):
        limiter.retry_after(f"10.{n // 65536}.{n // 256 % 256}.{n % 256}")
    assert len(limiter) == 200_000  # all within the minute
    clock.now += 61
    assert limiter.retry_after("203.0.113.9") == 0
    assert len(limiter) == 1  # the others have been idle a whole window


def test_rate_limiter_window():
    clock = Clock()
    limiter = RateLimiter(2, clock)
    assert limiter.retry_after("a") == 0 and limiter.retry_after("a") == 0
    assert limiter.retry_after("a") > 0
    clock.now += 60
    assert limiter.retry_after("a") == 0


def test_when_livekit_cannot_create_the_room_the_caller_is_told_and_no_slot_is_held(settings, line):
    app, bots, _, _ = line(rooms=Rooms(fail=True))
    with serve(app) as client:
        failed = call(client)
        assert failed.status_code == 502 and failed.json()["error"] == "agent_unavailable"
        assert "token" not in failed.json()
    assert bots.started == [] and bots.dispatcher.active_calls() == 0


def test_outside_the_line_hours_a_call_is_refused_as_closed(settings, line):
    at = {"now": datetime(2026, 12, 5, 18, 0, tzinfo=UTC)}  # 23:30 in India: closed
    app, bots, _, _ = line(settings={"hours": "06:00-23:00 Asia/Kolkata"}, now=lambda: at["now"])
    with serve(app) as client:
        closed = call(client)
        assert closed.status_code == 503
        assert closed.json()["error"] == "closed" and "06:00" in closed.json()["message"]
        at["now"] = datetime(2026, 12, 6, 0, 31, tzinfo=UTC)  # 06:01 in India: open
        assert call(client).status_code == 200
    assert len(bots.started) <= 1


def test_cors_follows_the_page_origin_read_at_run_time(settings, line):
    """The page is deployed after the line: until its parameter exists nothing is allowed."""
    from voice_agent.web_origin import WebOrigin

    class Ssm:
        value: str | None = None
        reads = 0

        def get_parameter(self, Name):
            self.reads += 1
            if self.value is None:
                raise RuntimeError("ParameterNotFound")
            return {"Parameter": {"Name": Name, "Value": self.value}}

    ssm, clock = Ssm(), Clock()
    refreshes = []  # run by the test, as the background thread would
    origin = WebOrigin(
        parameter="/battery-smart/voice/web-origin", ssm=ssm, clock=clock, spawn=refreshes.append
    )
    app, _, _, _ = line(settings={"web_origin": None, "max_calls": 10}, web_origin=origin)
    with serve(app) as client:
        before = call(client, **{"x-forwarded-for": "1.1.1.1"})
        assert before.status_code == 403  # no page yet: no page may call
        assert len(refreshes) == 1  # one refresh at a time, never on the request's path
        refreshes.pop()()
        assert ssm.reads == 1
        ssm.value = PAGE + "/"
        clock.now += 61  # the next minute's refresh reads the new page
        stale = call(client, **{"x-forwarded-for": "1.1.1.5"})
        assert stale.status_code == 403  # answered from the cache
        refreshes.pop()()
        after = call(client, **{"x-forwarded-for": "1.1.1.2"})
        assert after.status_code == 200
        assert after.headers["access-control-allow-origin"] == PAGE
        other = client.options(
            "/api/connect",
            headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
        )
        assert "access-control-allow-origin" not in other.headers
        call(client, **{"x-forwarded-for": "1.1.1.3"})
        assert refreshes == []  # fresh within the minute: no read
        ssm.value = None  # a failed refresh keeps the last known page
        clock.now += 61
        client.get("/healthz", headers={"origin": PAGE})
        refreshes.pop()()
        kept = call(client, **{"x-forwarded-for": "1.1.1.4"})
        assert kept.headers["access-control-allow-origin"] == PAGE


def test_a_bot_that_fails_is_forgotten():
    async def broken(call_id: str) -> None:
        raise RuntimeError("LiveKit unreachable")

    async def scenario() -> int:
        dispatcher = BotDispatcher(broken)
        await dispatcher.dispatch("call-0123456789ab")
        await asyncio.sleep(0.01)
        return dispatcher.active_calls()

    assert asyncio.run(scenario()) == 0


# --- supervisor invites ------------------------------------------------------------------


def redeem(client, code, origin: str | None = PAGE):
    headers = {"origin": origin} if origin else {}
    return client.post("/api/invite", json={"code": code}, headers=headers)


@pytest.fixture
def live_call(settings, line):
    """A call in progress on the loopback API, and an invite issued for it."""
    clock = Clock()
    invites = InviteBook(clock=clock)
    app, bots, _, _ = line(invites=invites)
    with serve(app) as client:
        call_id = call(client).json()["call_id"]
        wait_for(lambda: bots.dispatcher.is_active(call_id))
        yield client, call_id, invites.issue(call_id), invites, clock, bots


def test_an_invite_is_exchanged_once_for_a_short_lived_supervisor_token(settings, live_call):
    client, call_id, code, _, _, _ = live_call
    first = redeem(client, code)
    assert first.status_code == 200
    body = first.json()
    assert body["call_id"] == call_id and body["url"] == settings.livekit_url
    assert body["expires_in"] == 300
    granted = claims(settings, body["token"])
    assert granted.video.agent is True and granted.video.room == call_id
    assert granted.identity.startswith("supervisor-") and not granted.video.can_publish_data
    exp = jwt.decode(body["token"], options={"verify_signature": False})["exp"]
    assert exp - time.time() <= 5 * 60 + 5
    again = redeem(client, code)
    assert again.status_code == 410 and again.json()["error"] == "invite_used"
    assert "token" not in again.json()


def test_an_invite_expires_after_ten_minutes(live_call):
    client, _, code, _, clock, _ = live_call
    clock.now += 10 * 60
    expired = redeem(client, code)
    assert expired.status_code == 410 and expired.json()["error"] == "invite_expired"
    assert "10 minutes" in expired.json()["message"]


def test_an_invite_for_a_call_that_ended_opens_nothing(live_call):
    client, call_id, code, _, _, bots = live_call
    bots.hang_up(call_id)
    wait_for(lambda: not bots.dispatcher.is_active(call_id))
    ended = redeem(client, code)
    assert ended.status_code == 410 and ended.json()["error"] == "call_ended"


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"code": "A" * 32}, 404, "invite_unknown"),
        ({"code": "short"}, 400, "bad_request"),
        ({"code": 12345}, 400, "bad_request"),
        ({"token": "x"}, 400, "bad_request"),
        ([], 400, "bad_request"),
    ],
)
def test_bad_invite_requests_get_clear_errors(live_call, body, status, error):
    client = live_call[0]
    answer = client.post("/api/invite", json=body, headers={"origin": PAGE})
    assert answer.status_code == status and answer.json()["error"] == error


def test_an_invite_is_not_redeemed_from_another_page(live_call):
    client, _, code, _, _, _ = live_call
    refused = redeem(client, code, origin="https://evil.example")
    assert refused.status_code == 403
    assert redeem(client, code).status_code == 200  # the refused try did not use it up


def test_an_invalid_json_body_is_a_400(live_call):
    client = live_call[0]
    answer = client.post(
        "/api/invite",
        content=b"{not json",
        headers={"origin": PAGE, "content-type": "application/json"},
    )
    assert answer.status_code == 400
