"""The SOP policy in the pipeline: as the LLM (offline calls) and as the LLM's fallback.

- `PolicyLLMService` answers every caller turn with the policy, as an LLM service would.
- `PolicyFallback` sits after the production LLM. When the LLM fails (an empty answer: Pipecat's
  Bedrock service reports the error upstream and closes the response with no text) or does
  not start answering within `timeout_secs`, it answers with the policy instead, so the caller
  never meets silence, and records that on the call's metadata.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pipecat.frames.frames import (
    CancelFrame,
    EndFrame,
    Frame,
    FunctionCallsStartedFrame,
    InterruptionFrame,
    LLMContextFrame,
    LLMFullResponseEndFrame,
    LLMFullResponseStartFrame,
    LLMTextFrame,
)
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.services.llm_service import LLMService

from voice_agent.policy import SopPolicy


@dataclass
class CallMetadata:
    """What a call's recording does not show: which brain answered, and why it changed."""

    call_id: str
    llm: str  # "bedrock:<model id>" or "policy"
    fallback_turns: int = 0
    fallback_reasons: list[str] = field(default_factory=list)
    escalated: bool = False
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def llm_fallback(self) -> bool:
        return self.fallback_turns > 0

    def as_dict(self) -> dict:
        return {
            "call_id": self.call_id,
            "llm": self.llm,
            "llm_fallback": self.llm_fallback,
            "fallback_turns": self.fallback_turns,
            "fallback_reasons": self.fallback_reasons,
            "escalated": self.escalated,
            "started_at": self.started_at,
        }


async def speak_policy_answer(processor: FrameProcessor, policy: SopPolicy, context) -> None:
    answer = policy.answer(context.get_messages())
    await processor.push_frame(LLMFullResponseStartFrame())
    await processor.push_frame(LLMTextFrame(answer.text))
    await processor.push_frame(LLMFullResponseEndFrame())


class PolicyLLMService(LLMService):
    """An LLM service whose answers come from the deterministic SOP policy."""

    def __init__(self, policy: SopPolicy, **kwargs) -> None:
        super().__init__(**kwargs)
        self.policy = policy

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, LLMContextFrame):
            await speak_policy_answer(self, self.policy, frame.context)
        else:
            await self.push_frame(frame, direction)


class PolicyFallback(FrameProcessor):
    def __init__(
        self,
        policy: SopPolicy,
        context: LLMContext,
        metadata: CallMetadata,
        *,
        timeout_secs: float = 4.0,
    ) -> None:
        super().__init__()
        self._policy = policy
        self._context = context
        self._metadata = metadata
        self._timeout_secs = timeout_secs
        self._answered = True  # no response open
        self._covering = False  # the policy answered this response; drop the LLM's late text
        self._timer: asyncio.Task | None = None

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if direction is not FrameDirection.DOWNSTREAM:
            await self.push_frame(frame, direction)
            return
        if isinstance(frame, LLMFullResponseStartFrame):
            self._answered, self._covering = False, False
            self._start_timer()
            await self.push_frame(frame, direction)
        elif isinstance(frame, (LLMTextFrame, FunctionCallsStartedFrame)):
            if self._covering:
                return  # the caller already heard the policy's answer to this turn
            self._answered = True
            self._stop_timer()
            await self.push_frame(frame, direction)
        elif isinstance(frame, LLMFullResponseEndFrame):
            self._stop_timer()
            if self._covering:
                self._covering = False
                return
            if not self._answered:
                await self._cover("the LLM answered nothing (error)", close=False)
            self._answered = True
            await self.push_frame(frame, direction)
        else:
            if isinstance(frame, (InterruptionFrame, EndFrame, CancelFrame)):
                self._stop_timer()
                self._answered, self._covering = True, False
            await self.push_frame(frame, direction)

    async def _cover(self, reason: str, *, close: bool) -> None:
        self._metadata.fallback_turns += 1
        self._metadata.fallback_reasons.append(reason)
        messages: list[Any] = list(self._context.get_messages())
        answer = self._policy.answer(messages)
        await self.push_frame(LLMTextFrame(answer.text))
        if close:
            await self.push_frame(LLMFullResponseEndFrame())

    def _start_timer(self) -> None:
        self._stop_timer()

        async def deadline() -> None:
            await asyncio.sleep(self._timeout_secs)
            if not self._answered:
                self._answered, self._covering = True, True
                reason = f"the LLM did not answer within {self._timeout_secs} s"
                await self._cover(reason, close=True)

        self._timer = self.create_task(deadline(), name="llm-fallback-deadline")

    def _stop_timer(self) -> None:
        if self._timer is not None and not self._timer.done():
            self._timer.cancel()
        self._timer = None
