"""Frame processors that give the bot its escalation behaviour.

- `EscalationWatcher` sits between the caller's turn and the LLM. When the turn asks for a
  human (English, Hinglish, Hindi, by the rules QA judges with) it escalates at once and
  answers itself; the LLM is not asked, so the caller hears one answer, not two.
- `HandoffGate` makes the bot step back once a human agent joins: it stops listening, so it
  stops answering, while the call (and its recording) goes on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pipecat.frames.frames import (
    Frame,
    InputAudioRawFrame,
    InterimTranscriptionFrame,
    LLMContextFrame,
    OutputTransportMessageUrgentFrame,
    TranscriptionFrame,
    TTSSpeakFrame,
    UserStartedSpeakingFrame,
    UserStoppedSpeakingFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from voice_agent.escalation import escalation_message
from voice_agent.instructions import ESCALATION_NOTICE
from voice_agent.policy import message_text

Detector = Callable[[str], bool]
OnEscalation = Callable[[str], Awaitable[None]]


class EscalationState:
    """Shared by the watcher and the LLM tool, so a call escalates once."""

    def __init__(self, call_id: str) -> None:
        self.call_id = call_id
        self.escalated = False


class EscalationWatcher(FrameProcessor):
    def __init__(self, detector: Detector, state: EscalationState, on_escalation: OnEscalation):
        super().__init__()
        self._detector = detector
        self._state = state
        self._on_escalation = on_escalation

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if (
            isinstance(frame, LLMContextFrame)
            and direction is FrameDirection.DOWNSTREAM
            and not self._state.escalated
        ):
            said = last_user_text(frame.context.get_messages())
            if said and self._detector(said):
                self._state.escalated = True
                await self._on_escalation(said)
                await self.push_frame(
                    OutputTransportMessageUrgentFrame(
                        message=escalation_message(self._state.call_id)
                    )
                )
                # Spoken, and added to the context as the agent's answer to this turn.
                await self.push_frame(TTSSpeakFrame(ESCALATION_NOTICE))
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

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if self.stepped_back and isinstance(frame, _LISTENING):
            return
        await self.push_frame(frame, direction)
