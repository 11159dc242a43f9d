"""The connect API on the instance: `POST /api/connect` starts a call, `GET /healthz`.

A call gets a fresh room (`call_id`), the caller a token whose room configuration records the
call, and a bot is dispatched into the room. Busy line: 503 with a message the page shows.
Too many calls from one address: 429. CORS allows only the web page's origin.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from contracts.line_hours import LineHours
from voice_agent.settings import VoiceSettings
from voice_agent.tokens import caller_token, new_call_id
from voice_agent.web_origin import WebOrigin

logger = logging.getLogger(__name__)
BUSY_RETRY_SECONDS = 30
RATE_WINDOW_SECONDS = 60.0
StartBot = Callable[[str], Awaitable[None]]


class BotDispatcher:
    """Runs one bot task per call and forgets it when the call ends, however it ends."""

    def __init__(self, start_bot: StartBot) -> None:
        self._start_bot = start_bot
        self._bots: dict[str, asyncio.Task] = {}

    def active_calls(self) -> int:
        return sum(1 for task in self._bots.values() if not task.done())

    async def dispatch(self, call_id: str) -> None:
        task = asyncio.create_task(self._run(call_id), name=f"bot-{call_id}")
        self._bots[call_id] = task
        task.add_done_callback(lambda _t: self._bots.pop(call_id, None))

    async def _run(self, call_id: str) -> None:
        try:
            await self._start_bot(call_id)
        except Exception:
            logger.exception("bot for %s failed", call_id)

    async def shutdown(self) -> None:
        for task in list(self._bots.values()):
            task.cancel()
        await asyncio.gather(*self._bots.values(), return_exceptions=True)


class RateLimiter:
    """At most `limit` calls per client address in a sliding minute."""

    def __init__(self, limit: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._seen: dict[str, deque[float]] = defaultdict(deque)

    def retry_after(self, client: str) -> int:
        """0 if the client may go ahead (and counts it), else seconds to wait."""
        now = self._clock()
        seen = self._seen[client]
        while seen and now - seen[0] >= RATE_WINDOW_SECONDS:
            seen.popleft()
        if len(seen) >= self.limit:
            return max(1, int(RATE_WINDOW_SECONDS - (now - seen[0])) + 1)
        seen.append(now)
        return 0


def client_address(request: Request) -> str:
    # Behind Caddy the caller's address is the first X-Forwarded-For hop; the API itself
    # listens only on the compose network, so the header cannot be spoofed from outside.
    forwarded = request.headers.get("x-forwarded-for", "")
    if forwarded:
        return forwarded.split(",")[0].strip()
    return request.client.host if request.client else "unknown"


class PageOriginCORS(CORSMiddleware):
    """CORS for the call page only, whose origin is looked up when a request comes in."""

    def __init__(self, app: Any, *, origin: WebOrigin) -> None:
        super().__init__(
            app, allow_origins=[], allow_methods=["GET", "POST"], allow_headers=["content-type"]
        )
        self._origin = origin

    def is_allowed_origin(self, origin: str) -> bool:
        return self._origin.allows(origin)


def _problem(status: int, error: str, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status, headers=headers)


def create_app(
    settings: VoiceSettings,
    dispatcher: Any,
    *,
    clock: Callable[[], float] = time.monotonic,
    web_origin: WebOrigin | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> FastAPI:
    origin = web_origin or WebOrigin.from_settings(settings)
    hours = LineHours.parse(settings.hours) if settings.hours else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        if hasattr(dispatcher, "shutdown"):
            await dispatcher.shutdown()  # end every bot when the service stops

    app = FastAPI(
        title="Battery Smart voice line", docs_url=None, redoc_url=None, lifespan=lifespan
    )
    app.add_middleware(PageOriginCORS, origin=origin)
    limiter = RateLimiter(settings.calls_per_minute_per_client, clock)

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        return {
            "status": "ok",
            "active_calls": dispatcher.active_calls(),
            "max_calls": settings.max_calls,
        }

    @app.post("/api/connect")
    async def connect(request: Request) -> Any:
        wait = limiter.retry_after(client_address(request))
        if wait:
            return _problem(
                429,
                "rate_limited",
                "Too many call attempts from this network. Please wait a minute and try again.",
                **{"Retry-After": str(wait)},
            )
        if hours is not None and not hours.is_open(now()):
            # The page says so before calling; this is for a page left open past closing time.
            return _problem(
                503,
                "closed",
                f"The support line is closed now. Please call back at {hours.open:%H:%M} "
                f"({hours.zone}).",
            )
        if dispatcher.active_calls() >= settings.max_calls:
            return _problem(
                503,
                "busy",
                "All our agents are busy right now. Please try again in a minute.",
                **{"Retry-After": str(BUSY_RETRY_SECONDS)},
            )
        call_id = new_call_id()
        token = caller_token(settings, call_id, f"caller-{call_id}")
        try:
            await dispatcher.dispatch(call_id)
        except Exception:
            logger.exception("could not dispatch a bot for %s", call_id)
            return _problem(502, "agent_unavailable", "Our agent could not join. Please retry.")
        return {"url": settings.livekit_url, "token": token, "call_id": call_id}

    return app
