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
