"""`POST /api/connect`: a call, a token, a bot; busy and rate-limited callers get clear answers."""

from __future__ import annotations

import asyncio

import pytest
from fastapi.testclient import TestClient
from livekit import api

from voice_agent.connect_api import BotDispatcher, RateLimiter, create_app


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def bots():
    started: list[str] = []
    release = asyncio.Event()

    async def start_bot(call_id: str) -> None:
        started.append(call_id)
        await release.wait()  # the call lasts until the test ends it

    return BotDispatcher(start_bot), started, release


def test_connect_returns_url_token_and_call_id_and_dispatches_a_bot(settings, bots):
    dispatcher, started, _ = bots
    with TestClient(create_app(settings, dispatcher)) as client:
        response = client.post("/api/connect", headers={"origin": settings.web_origin})
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"url", "token", "call_id"}
        assert body["url"] == settings.livekit_url
        claims = api.TokenVerifier(settings.livekit_api_key, settings.livekit_api_secret).verify(
            body["token"]
        )
        assert claims.video.room == body["call_id"]
        assert response.headers["access-control-allow-origin"] == settings.web_origin
        client.get("/healthz")  # lets the bot task start
        assert started == [body["call_id"]]
        assert client.get("/healthz").json() == {"status": "ok", "active_calls": 1, "max_calls": 2}


def test_a_full_line_answers_503_busy_until_a_call_ends(settings, bots):
    dispatcher, _, release = bots
    clock = Clock()
    with TestClient(create_app(settings, dispatcher, clock=clock)) as client:
        for ip in ("10.0.0.1", "10.0.0.2"):
            assert client.post("/api/connect", headers={"x-forwarded-for": ip}).status_code == 200
        client.get("/healthz")
        busy = client.post("/api/connect", headers={"x-forwarded-for": "10.0.0.3"})
        assert busy.status_code == 503
        assert busy.json()["error"] == "busy" and "busy" in busy.json()["message"]
        assert busy.headers["retry-after"] == "30"
        release.set()  # both callers hang up
        client.get("/healthz")
        assert client.get("/healthz").json()["active_calls"] == 0
        assert (
            client.post("/api/connect", headers={"x-forwarded-for": "10.0.0.3"}).status_code == 200
        )


def test_one_address_calling_too_often_is_rate_limited(settings, bots):
    dispatcher, _, release = bots
    release.set()  # calls end at once; only the rate matters here
    clock = Clock()
    with TestClient(create_app(settings, dispatcher, clock=clock)) as client:
        headers = {"x-forwarded-for": "203.0.113.9, 10.0.0.1"}
        for _ in range(3):
            assert client.post("/api/connect", headers=headers).status_code == 200
            client.get("/healthz")
        limited = client.post("/api/connect", headers=headers)
        assert limited.status_code == 429
        assert limited.json()["error"] == "rate_limited"
        assert 1 <= int(limited.headers["retry-after"]) <= 61
        other = client.post("/api/connect", headers={"x-forwarded-for": "198.51.100.7"})
        assert other.status_code == 200
        clock.now += 61
        assert client.post("/api/connect", headers=headers).status_code == 200


def test_cors_is_only_for_the_call_page(settings, bots):
    with TestClient(create_app(settings, bots[0])) as client:
        preflight = client.options(
            "/api/connect",
            headers={
                "origin": "https://evil.example",
                "access-control-request-method": "POST",
            },
        )
        assert "access-control-allow-origin" not in preflight.headers


def test_a_bot_that_fails_is_forgotten(settings):
    async def broken(call_id: str) -> None:
        raise RuntimeError("LiveKit unreachable")

    async def scenario() -> int:
        dispatcher = BotDispatcher(broken)
        await dispatcher.dispatch("call-0123456789ab")
        await asyncio.sleep(0.01)
        return dispatcher.active_calls()

    assert asyncio.run(scenario()) == 0


def test_rate_limiter_window():
    clock = Clock()
    limiter = RateLimiter(2, clock)
    assert limiter.retry_after("a") == 0 and limiter.retry_after("a") == 0
    assert limiter.retry_after("a") > 0
    clock.now += 60
    assert limiter.retry_after("a") == 0


def test_outside_the_line_hours_a_call_is_refused_as_closed(settings, bots):
    from dataclasses import replace
    from datetime import UTC, datetime

    dispatcher, started, _ = bots
    line = replace(settings, hours="06:00-23:00 Asia/Kolkata")
    at = {"now": datetime(2026, 12, 5, 18, 0, tzinfo=UTC)}  # 23:30 in India: closed
    with TestClient(create_app(line, dispatcher, now=lambda: at["now"])) as client:
        closed = client.post("/api/connect")
        assert closed.status_code == 503
        assert closed.json()["error"] == "closed"
        assert "06:00" in closed.json()["message"]
        at["now"] = datetime(2026, 12, 6, 0, 31, tzinfo=UTC)  # 06:01 in India: open
        assert client.post("/api/connect").status_code == 200
    assert len(started) <= 1


def test_cors_follows_the_page_origin_read_at_run_time(settings, bots):
    """The page is deployed after the line: until its parameter exists nothing is allowed."""
    from dataclasses import replace

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
    page = "https://d111111abcdef8.cloudfront.net"
    dispatcher, _, _ = bots
    app = create_app(replace(settings, web_origin=None), dispatcher, web_origin=origin)
    with TestClient(app) as client:
        before = client.post("/api/connect", headers={"origin": page, "x-forwarded-for": "1.1.1.1"})
        assert "access-control-allow-origin" not in before.headers
        assert len(refreshes) == 1  # one refresh at a time, never on the request's path
        refreshes.pop()()
        assert ssm.reads == 1
        ssm.value = page + "/"
        clock.now += 61  # the next minute's refresh reads the new page
        stale = client.post("/api/connect", headers={"origin": page, "x-forwarded-for": "1.1.1.5"})
        assert "access-control-allow-origin" not in stale.headers  # answered from the cache
        refreshes.pop()()
        after = client.post("/api/connect", headers={"origin": page, "x-forwarded-for": "1.1.1.2"})
        assert after.headers["access-control-allow-origin"] == page
        other = client.options(
            "/api/connect",
            headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
        )
        assert "access-control-allow-origin" not in other.headers
        client.post("/api/connect", headers={"origin": page, "x-forwarded-for": "1.1.1.3"})
        assert refreshes == []  # fresh within the minute: no read
        ssm.value = None  # a failed refresh keeps the last known page
        clock.now += 61
        client.get("/healthz", headers={"origin": page})
        refreshes.pop()()
        kept = client.post("/api/connect", headers={"origin": page, "x-forwarded-for": "1.1.1.4"})
        assert kept.headers["access-control-allow-origin"] == page
