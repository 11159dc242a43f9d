"""Limits that keep the line's few slots for callers who use them.

- A call nobody joins within `join_timeout` ends, and frees its slot.
- After `silence_timeout` with neither side speaking, the bot says a goodbye and hangs up.
- At `max_call` (from the start of the call) the bot says a goodbye and hangs up; when a human
  supervisor has taken over, the bot leaves quietly instead (the room, the people in it and
  the recording go on).

`CallLimits` sits in the pipeline after the STT and sees every sign of speech, whichever way
it travels: the caller's turns and transcripts, and the bot's speaking frames (the output
transport sends them both ways). The goodbyes are spoken through the pipeline, so they are in
the recording like every other line.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from pipecat.frames.frames import (
    BotSpeakingFrame,
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    CancelFrame,
    EndFrame,
    EndWorkerFrame,
    Frame,
    InterimTranscriptionFrame,
    StartFrame,
    TranscriptionFrame,
    TTSSpeakFrame,
    UserSpeakingFrame,
    UserStartedSpeakingFrame,
    UserStoppedSpeakingFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from contracts import voice_line

NOT_JOINED = voice_line.NOT_JOINED
SILENCE = "silence"
MAX_LENGTH = "max_length"

_ACTIVITY = (
    BotSpeakingFrame,
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    InterimTranscriptionFrame,
    TranscriptionFrame,
    UserSpeakingFrame,
    UserStartedSpeakingFrame,
    UserStoppedSpeakingFrame,
)


@dataclass(frozen=True)
class Limits:
    join_timeout: float = voice_line.JOIN_TIMEOUT_SECONDS
    silence_timeout: float = voice_line.SILENCE_TIMEOUT_SECONDS
    max_call: float = voice_line.MAX_CALL_SECONDS

    @classmethod
    def from_settings(cls, settings: object) -> Limits:
        return cls(
            join_timeout=settings.join_timeout_secs,  # type: ignore[attr-defined]
            silence_timeout=settings.silence_timeout_secs,  # type: ignore[attr-defined]
            max_call=settings.max_call_secs,  # type: ignore[attr-defined]
        )


Goodbye = Callable[[str], str | None]  # the line for a limit, None to leave quietly
OnLimit = Callable[[str], None]


class CallLimits(FrameProcessor):
    def __init__(
        self,
        limits: Limits,
        goodbye: Goodbye,
        on_limit: OnLimit = lambda _reason: None,
        *,
        clock: Callable[[], float] = time.monotonic,
        tick: float = 0.25,
    ) -> None:
        super().__init__()
        self.limits = limits
        self._goodbye = goodbye
        self._on_limit = on_limit
        self._clock = clock
        self._tick = tick
        self._started: float | None = None
        self._last_activity: float | None = None
        self._joined = False
        self._handed_over = False
        self._waiting = False
        self._bot_speaking = False
        self.reached: str | None = None
        self._watch: asyncio.Task | None = None

    def caller_joined(self) -> None:
        self._joined = True
        self._last_activity = self._clock()

    def handed_over(self) -> None:
        """A human took over: silence is theirs now, only the maximum length still applies."""
        self._handed_over = True

    def handed_back(self) -> None:
        """The human left: the bot is the caller's agent again."""
        self._handed_over = False
        self._last_activity = self._clock()

    def waiting_for_human(self, waiting: bool) -> None:
        """While a supervisor is on the way the caller was asked to stay on the line: a
        silence then is no reason to hang up."""
        self._waiting = waiting
        self._last_activity = self._clock()

    def due(self, now: float) -> str | None:
        """Which limit the call has reached at `now`, if any."""
        if self._started is None or self.reached is not None:
            return None
        if not self._joined:
            return NOT_JOINED if now - self._started >= self.limits.join_timeout else None
        if now - self._started >= self.limits.max_call:
            return MAX_LENGTH
        quiet_since = self._last_activity if self._last_activity is not None else self._started
        if (
            not self._handed_over
            and not self._waiting
            and not self._bot_speaking
            and now - quiet_since >= self.limits.silence_timeout
        ):
            return SILENCE
        return None

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, StartFrame):
            self._started = self._last_activity = self._clock()
            self._watch = self.create_task(self._watching(), name="call-limits")
        elif isinstance(frame, _ACTIVITY):
            self._last_activity = self._clock()
            if isinstance(frame, BotStartedSpeakingFrame):
                self._bot_speaking = True
            elif isinstance(frame, BotStoppedSpeakingFrame):
                self._bot_speaking = False
        elif isinstance(frame, (EndFrame, CancelFrame)):
            await self._stop_watching()
        await self.push_frame(frame, direction)

    async def cleanup(self) -> None:
        await super().cleanup()
        await self._stop_watching()

    async def _stop_watching(self) -> None:
        if self._watch is not None:
            watch, self._watch = self._watch, None
            await self.cancel_task(watch)

    async def _watching(self) -> None:
        while True:
            await asyncio.sleep(self._tick)
            reason = self.due(self._clock())
            if reason is not None:
                await self._end(reason)
                return

    async def _end(self, reason: str) -> None:
        """Says the goodbye (spoken and recorded before the call ends), then ends the call."""
        self.reached = reason
        self._on_limit(reason)
        line = self._goodbye(reason)
        if line:
            await self.push_frame(TTSSpeakFrame(line))
        await self.push_frame(EndWorkerFrame(), FrameDirection.UPSTREAM)
