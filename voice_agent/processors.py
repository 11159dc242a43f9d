"""Frame processors that give the bot its escalation behaviour, and keep its notes unspoken.

- `EscalationWatcher` sits between the caller's turn and the LLM. When the turn asks for a
  human (English, Hinglish, Hindi, by the rules QA judges with) it escalates at once and
  answers itself; the LLM is not asked, so the caller hears one answer, not two. The answer
  says a supervisor is coming only when the alert went out; otherwise the caller hears that
  none could be reached, and the phone number.
- `HandoffGate` makes the bot step back once a human agent joins: it stops listening, so it
  stops answering, while the call (and its recording) goes on.
- `ThinkingFilter` sits after the LLM and removes `<thinking>...</thinking>` spans (Amazon
  Nova writes its reasoning so before a tool call) from the streamed text, so the caller never
  hears them.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable

from pipecat.frames.frames import (
    CancelFrame,
    EndFrame,
    Frame,
    InputAudioRawFrame,
    InterimTranscriptionFrame,
    InterruptionFrame,
    LLMContextFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMTextFrame,
    OutputTransportMessageUrgentFrame,
    TranscriptionFrame,
    TTSSpeakFrame,
    UserStartedSpeakingFrame,
    UserStoppedSpeakingFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from voice_agent.escalation import EscalationFailed, escalation_message
from voice_agent.instructions import ESCALATION_NOTICE
from voice_agent.policy import message_text

Detector = Callable[[str], bool]
OnEscalation = Callable[[str], Awaitable[None]]
# The longest a caller waits for the alert to go out (the publish itself retries within it).
ESCALATION_TIMEOUT_SECONDS = 10.0


class EscalationState:
    """Shared by the watcher and the LLM tool, so a call escalates once.

    `request` alerts a supervisor (the `escalate` callable publishes, with retries) and marks
    the call escalated only when that worked; one request runs at a time, and none waits
    longer than `timeout` (the caller is waiting for an answer). A failed request leaves the
    call not escalated, so the caller can ask again; so does a supervisor who leaves.
    """

    def __init__(
        self,
        call_id: str,
        escalate: OnEscalation | None = None,
        *,
        timeout: float = ESCALATION_TIMEOUT_SECONDS,
    ) -> None:
        self.call_id = call_id
        self.escalated = False
        self.failures = 0
        self.timeout = timeout
        self.on_change: list[Callable[[bool], None]] = []  # told escalated True/False
        self._escalate = escalate
        self._lock = asyncio.Lock()

    async def request(self, reason: str) -> bool:
        """True when a supervisor has been alerted (now or earlier), False if none could be."""
        async with self._lock:
            if self.escalated:
                return True
            if self._escalate is None:
                return False
            try:
                await asyncio.wait_for(self._escalate(reason), self.timeout)
            except (EscalationFailed, TimeoutError):
                self.failures += 1
                return False
            self._set(True)
            return True

    def supervisor_left(self) -> None:
        """The supervisor is gone: the caller may ask for one again (a new alert, a new code)."""
        self._set(False)

    def _set(self, escalated: bool) -> None:
        self.escalated = escalated
        for listener in self.on_change:
            listener(escalated)


class EscalationWatcher(FrameProcessor):
    def __init__(
        self, detector: Detector, state: EscalationState, unreachable: Callable[[str], str]
    ):
        super().__init__()
        self._detector = detector
        self._state = state
        self._unreachable = unreachable  # what the caller hears when no supervisor answers

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if (
            isinstance(frame, LLMContextFrame)
            and direction is FrameDirection.DOWNSTREAM
            and not self._state.escalated
        ):
            said = last_user_text(frame.context.get_messages())
            if said and self._detector(said):
                if await self._state.request(said):
                    await self.push_frame(
                        OutputTransportMessageUrgentFrame(
                            message=escalation_message(self._state.call_id)
                        )
                    )
                    # Spoken, and added to the context as the agent's answer to this turn.
                    await self.push_frame(TTSSpeakFrame(ESCALATION_NOTICE))
                else:
                    await self.push_frame(TTSSpeakFrame(self._unreachable(said)))
                return
        await self.push_frame(frame, direction)


def last_user_text(messages: list) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return message_text(message.get("content"))
    return ""


# What a stepped-back bot no longer takes in: the caller's audio and anything heard from it.
_LISTENING = (
    InputAudioRawFrame,
    TranscriptionFrame,
    InterimTranscriptionFrame,
    UserStartedSpeakingFrame,
    UserStoppedSpeakingFrame,
)


class HandoffGate(FrameProcessor):
    def __init__(self) -> None:
        super().__init__()
        self.stepped_back = False

    def human_joined(self) -> None:
        self.stepped_back = True

    def human_left(self) -> None:
        self.stepped_back = False

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if self.stepped_back and isinstance(frame, _LISTENING):
            return
        await self.push_frame(frame, direction)


_OPEN = "<thinking>"
_CLOSE = "</thinking>"
_TAGS = {tag: re.compile(re.escape(tag), re.IGNORECASE) for tag in (_OPEN, _CLOSE)}


def _partial_tag(text: str, tag: str) -> int:
    """The length of the longest end of `text` that could be the start of `tag`."""
    for size in range(min(len(text), len(tag) - 1), 0, -1):
        if text[-size:].lower() == tag[:size]:
            return size
    return 0


class ThinkingFilter(FrameProcessor):
    """Removes `<thinking>...</thinking>` from the LLM's streamed text before TTS.

    The tags may be split over several text frames, so the filter keeps its state across
    them. Text outside the tags passes at once and unchanged, except a trailing piece that
    could begin a tag (a final "<", say), which waits for the next chunk or the end of the
    response. A span still open when the response ends is dropped. Other frames pass as they
    are; text frames that were not changed pass as the same frame.
    """

    def __init__(self) -> None:
        super().__init__()
        self._inside = False
        self._held = ""  # the end of the last chunk, which may be the start of a tag

    def _reset(self) -> None:
        self._inside, self._held = False, ""

    def _filter(self, text: str) -> str:
        """What of `text` the caller may hear; the state carries over to the next chunk."""
        rest, said = self._held + text, []
        self._held = ""
        while rest:
            tag = _CLOSE if self._inside else _OPEN
            found = _TAGS[tag].search(rest)
            if found is not None:
                if not self._inside:
                    said.append(rest[: found.start()])
                rest, self._inside = rest[found.end() :], not self._inside
                continue
            keep = _partial_tag(rest, tag)
            if not self._inside:
                said.append(rest[: len(rest) - keep])
            self._held = rest[len(rest) - keep :] if keep else ""
            break
        return "".join(said)

    async def _say(self, text: str, like: LLMTextFrame | None = None) -> None:
        if not text:
            return
        frame = LLMTextFrame(text)
        if like is not None:
            frame.skip_tts = like.skip_tts
            frame.append_to_context = like.append_to_context
        await self.push_frame(frame)

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if direction is not FrameDirection.DOWNSTREAM:
            await self.push_frame(frame, direction)
            return
        if isinstance(frame, LLMTextFrame):
            said = self._filter(frame.text)
            if said == frame.text:
                await self.push_frame(frame, direction)
            else:
                await self._say(said, like=frame)
            return
        if isinstance(frame, LLMFullResponseEndFrame):
            if not self._inside:
                await self._say(self._held)  # it was not a tag after all
            self._reset()
        elif isinstance(
            frame, (LLMFullResponseStartFrame, InterruptionFrame, EndFrame, CancelFrame)
        ):
            self._reset()
        await self.push_frame(frame, direction)
