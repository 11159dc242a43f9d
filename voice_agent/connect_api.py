"""The connect API on the instance: `POST /api/connect`, `POST /api/invite`, `GET /healthz`.

- `/api/connect` (the Call Support page): creates the call's room on LiveKit, recording
  included, dispatches a bot into it, and answers with a token that only joins that room
  with a microphone. Busy line or closed line: 503 with a message the page shows; too many
  calls from one address: 429.
- `/api/invite` (the supervisor's page): exchanges a single-use invite code from an
  escalation alert for a short-lived agent token for that call.
- `/healthz`: `{"status": "ok"}` and nothing else; the call counts go to CloudWatch.

Both POST routes answer only the call page's origin: another web site cannot spend the
line's slots from its visitors' browsers (403, no token), and CORS allows only the page.
Callers are known by their own address; `X-Forwarded-For` is believed only from the proxy
in front of the API (Caddy on the same host), and idle addresses are forgotten.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, Protocol

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from contracts import health_metrics, voice_line
from contracts.line_hours import LineHours
from voice_agent.call_metrics import CallMetrics, CloudWatchPublisher
from voice_agent.invites import InviteBook, InviteError
from voice_agent.settings import VoiceSettings
from voice_agent.tokens import SUPERVISOR_TTL, caller_token, new_call_id, supervisor_token
from voice_agent.web_origin import WebOrigin

logger = logging.getLogger(__name__)
BUSY_RETRY_SECONDS = 30
RATE_WINDOW_SECONDS = 60.0
StartBot = Callable[[str], Awaitable[None]]


class Rooms(Protocol):
    async def create(self, call_id: str) -> None: ...


class BotDispatcher:
    """Runs one bot task per call and forgets it when the call ends, however it ends."""

    def __init__(self, start_bot: StartBot) -> None:
        self._start_bot = start_bot
        self._bots: dict[str, asyncio.Task] = {}
        self._callers: dict[str, str] = {}  # call id -> the address that started it

    def active_calls(self) -> int:
        return sum(1 for task in list(self._bots.values()) if not task.done())

    def calls_from(self, client: str) -> int:
        return sum(1 for call_id, by in list(self._callers.items()) if by == client)

    def is_active(self, call_id: str) -> bool:
        task = self._bots.get(call_id)
        return task is not None and not task.done()

    async def dispatch(self, call_id: str, client: str = "") -> None:
        task = asyncio.create_task(self._run(call_id), name=f"bot-{call_id}")
        self._bots[call_id] = task
        self._callers[call_id] = client
        task.add_done_callback(lambda _t: self._forget(call_id))

    def _forget(self, call_id: str) -> None:
        self._bots.pop(call_id, None)
        self._callers.pop(call_id, None)

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
    """At most `limit` requests per client address in a sliding window.

    An address is forgotten once its window has passed: the sweep runs at most once a
    window, so memory follows the addresses seen in the last minute, not all time.
    """

    def __init__(
        self,
        limit: int,
        clock: Callable[[], float] = time.monotonic,
        window: float = RATE_WINDOW_SECONDS,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._next_sweep = clock() + window

    def __len__(self) -> int:
        return len(self._seen)

    def retry_after(self, client: str) -> int:
        """0 if the client may go ahead (and counts it), else seconds to wait."""
        now = self._clock()
        if now >= self._next_sweep:
            self._sweep(now)
        seen = self._seen.setdefault(client, deque())
        while seen and now - seen[0] >= self.window:
            seen.popleft()
        if len(seen) >= self.limit:
            return max(1, int(self.window - (now - seen[0])) + 1)
        seen.append(now)
        return 0

    def _sweep(self, now: float) -> None:
        idle = [c for c, seen in self._seen.items() if not seen or now - seen[-1] >= self.window]
        for client in idle:
            del self._seen[client]
        self._next_sweep = now + self.window


def client_address(request: Request, trusted_proxies: Iterable[str]) -> str:
    """The caller's address: the peer's, or the one a trusted proxy appended to
    X-Forwarded-For (the last entry: earlier ones are whatever the client sent)."""
    peer = request.client.host if request.client else "unknown"
    if peer not in set(trusted_proxies):
        return peer
    forwarded = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",")]
    if forwarded and forwarded[-1]:
        try:
            return str(ipaddress.ip_address(forwarded[-1]))
        except ValueError:
            logger.warning("proxy sent an X-Forwarded-For that is not an address")
    return peer


class PageOriginCORS(CORSMiddleware):
    """CORS for the call page only, whose origin is looked up when a request comes in."""

    def __init__(self, app: Any, *, origin: WebOrigin) -> None:
        super().__init__(
            app,
            allow_origins=[],
            allow_methods=["GET", "POST"],
            allow_headers=["content-type"],
            expose_headers=["Retry-After"],  # the page says how long to wait
        )
        self._origin = origin

    def is_allowed_origin(self, origin: str) -> bool:
        return self._origin.allows(origin)


def _problem(status: int, error: str, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status, headers=headers)


class ConnectApi:
    """The routes' state and logic: who may start a call, and the calls starting now."""

    def __init__(
        self,
        settings: VoiceSettings,
        dispatcher: Any,
        rooms: Rooms,
        invites: InviteBook,
        metrics: CallMetrics,
        origin: WebOrigin,
        clock: Callable[[], float],
        now: Callable[[], datetime],
    ) -> None:
        self.settings = settings
        self.dispatcher = dispatcher
        self.rooms = rooms
        self.invites = invites
        self.metrics = metrics
        self.origin = origin
        self.now = now
        self.hours = LineHours.parse(settings.hours) if settings.hours else None
        self.connect_limiter = RateLimiter(settings.calls_per_minute_per_client, clock)
        self.invite_limiter = RateLimiter(settings.calls_per_minute_per_client, clock)
        self.starting = 0  # calls whose room is being created: they hold a slot already
        self.starting_from: dict[str, int] = {}  # the same, by the address that asked

    def refuse(self, reason: str, status: int, message: str, **headers: str) -> JSONResponse:
        """A refused call, counted by reason."""
        self.metrics.count(health_metrics.CALLS_REFUSED, reason)
        return _problem(status, reason, message, **headers)

    def gatekeep(
        self, request: Request, limiter: RateLimiter, client: str, *, call: bool
    ) -> JSONResponse | None:
        """The page's origin and the address's rate, for both POST routes."""
        answer = self.refuse if call else _problem_by_reason
        if not self.origin.allows(request.headers.get("origin")):
            return answer(
                "origin_refused", 403, "Requests are accepted from the Battery Smart page only."
            )
        wait = limiter.retry_after(client)
        if wait:
            return answer(
                "rate_limited",
                429,
                "Too many call attempts from this network. Please wait a minute and try again.",
                **{"Retry-After": str(wait)},
            )
        return None

    def line_refusal(self, client: str) -> JSONResponse | None:
        """Why the line takes no call from `client` now: its calls, the hours, the slots."""
        settings, dispatcher = self.settings, self.dispatcher
        if dispatcher.calls_from(client) + self.starting_from.get(client, 0) >= (
            settings.max_calls_per_client
        ):
            # One network cannot hold the whole line, joined or not.
            return self.refuse(
                "calls_per_client",
                429,
                "A call from this network is already in progress. Please try again when it "
                "has ended.",
                **{"Retry-After": str(BUSY_RETRY_SECONDS)},
            )
        hours = self.hours
        if hours is not None and not hours.is_open(self.now()):
            # The page says so before calling; this is for a page left open past closing time.
            return self.refuse(
                "closed",
                503,
                f"The support line is closed now. Please call back at {hours.open:%H:%M} "
                f"({hours.zone}).",
            )
        if dispatcher.active_calls() + self.starting >= settings.max_calls:
            return self.refuse(
                "busy",
                503,
                "All our agents are busy right now. Please try again in a minute.",
                **{"Retry-After": str(BUSY_RETRY_SECONDS)},
            )
        return None

    async def connect(self, request: Request) -> Any:
        client = client_address(request, self.settings.trusted_proxies)
        refused = self.gatekeep(request, self.connect_limiter, client, call=True)
        refused = refused or self.line_refusal(client)
        if refused is not None:
            return refused
        call_id = new_call_id()
        self.starting += 1
        self.starting_from[client] = self.starting_from.get(client, 0) + 1
        try:
            await self.rooms.create(call_id)
            await self.dispatcher.dispatch(call_id, client)
        except Exception:
            logger.exception("could not start call %s", call_id)
            return self.refuse("agent_unavailable", 502, "Our agent could not join. Please retry.")
        finally:
            self.starting -= 1
            self.starting_from[client] -= 1
            if not self.starting_from[client]:
                del self.starting_from[client]
        self.metrics.count(health_metrics.CALLS_STARTED)
        token = caller_token(self.settings, call_id, f"caller-{call_id}")
        return {"url": self.settings.livekit_url, "token": token, "call_id": call_id}

    async def invite(self, request: Request) -> Any:
        client = client_address(request, self.settings.trusted_proxies)
        refused = self.gatekeep(request, self.invite_limiter, client, call=False)
        if refused is not None:
            return refused
        try:
            body = await request.json()
        except ValueError:
            body = None
        code = body.get("code") if isinstance(body, dict) else None
        if not isinstance(code, str):
            return _problem(400, "bad_request", 'Send {"code": "<the invite code>"}.')
        try:
            call_id = self.invites.redeem(code, self.dispatcher.is_active)
        except InviteError as exc:
            status = {"bad_request": 400, "invite_unknown": 404}.get(exc.kind, 410)
            return _problem(status, exc.kind, exc.message)
        logger.info("supervisor invite redeemed for %s", call_id)
        return {
            "url": self.settings.livekit_url,
            "token": supervisor_token(self.settings, call_id),
            "call_id": call_id,
            "expires_in": int(SUPERVISOR_TTL.total_seconds()),
        }


def _problem_by_reason(reason: str, status: int, message: str, **headers: str) -> JSONResponse:
    return _problem(status, reason, message, **headers)


def create_app(
    settings: VoiceSettings,
    dispatcher: Any,
    *,
    rooms: Rooms,
    invites: InviteBook | None = None,
    metrics: CallMetrics | None = None,
    cloudwatch: Any | None = None,
    clock: Callable[[], float] = time.monotonic,
    web_origin: WebOrigin | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> FastAPI:
    origin = web_origin or WebOrigin.from_settings(settings)
    invites = invites if invites is not None else InviteBook(clock=clock)
    metrics = metrics or CallMetrics(settings.max_calls, dispatcher.active_calls)
    publisher = CloudWatchPublisher(metrics, cloudwatch) if cloudwatch is not None else None
    api = ConnectApi(settings, dispatcher, rooms, invites, metrics, origin, clock, now)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        flushing = asyncio.create_task(publisher.run()) if publisher else None
        yield
        if hasattr(dispatcher, "shutdown"):
            await dispatcher.shutdown()  # end every bot when the service stops
        if flushing is not None:
            flushing.cancel()
            await asyncio.gather(flushing, return_exceptions=True)

    app = FastAPI(
        title="Battery Smart voice line", docs_url=None, redoc_url=None, lifespan=lifespan
    )
    app.add_middleware(PageOriginCORS, origin=origin)
    app.state.metrics = metrics
    app.state.invites = invites

    @app.get(voice_line.HEALTH_PATH)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.post(voice_line.CONNECT_PATH)(api.connect)
    app.post(voice_line.INVITE_PATH)(api.invite)
    return app
