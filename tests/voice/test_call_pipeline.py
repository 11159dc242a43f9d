"""The whole call pipeline on an in-memory transport: data messages steer nothing, calls end
at their limits with a goodbye, and an escalation says what really happened."""

from __future__ import annotations

import asyncio
import time

import pytest
from pipecat.frames.frames import (
    EndFrame,
    Frame,
    InputTransportMessageFrame,
    InterimTranscriptionFrame,
    LLMMessagesAppendFrame,
    LLMTextFrame,
    OutputTransportMessageUrgentFrame,
    TTSSpeakFrame,
)
from pipecat.pipeline.runner import PipelineRunner
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

import voice_agent.pipeline as call_pipeline
from contracts import health_metrics
from voice_agent.call_limits import MAX_LENGTH, NOT_JOINED, SILENCE, Limits
from voice_agent.escalation import EscalationFailed
from voice_agent.instructions import ESCALATION_NOTICE, GREETING
from voice_agent.pipeline import VoiceServices, build_call_pipeline
from voice_agent.policy import SopPolicy
from voice_agent.policy_llm import PolicyLLMService

PHONE = "+91 80 4718 1234"


class Passthrough(FrameProcessor):
    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        await self.push_frame(frame, direction)


class Ear(Passthrough):
    """The transport's output: what the caller would hear (and the page would receive)."""

    def __init__(self) -> None:
        super().__init__()
        self.frames: list[Frame] = []

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        if direction is FrameDirection.DOWNSTREAM:
            self.frames.append(frame)
        await super().process_frame(frame, direction)

    def said(self) -> list[str]:
        return [f.text for f in self.frames if isinstance(f, (TTSSpeakFrame, LLMTextFrame))]

    def messages(self) -> list[dict]:
        return [f.message for f in self.frames if isinstance(f, OutputTransportMessageUrgentFrame)]


class MemoryTransport:
    def __init__(self) -> None:
        self._input = Passthrough()
        self.ear = Ear()

    def input(self) -> FrameProcessor:
        return self._input

    def output(self) -> FrameProcessor:
        return self.ear


class Call:
    def __init__(self, rubric, limits: Limits, escalate=None) -> None:
        self.escalations: list[str] = []
        self.events: list[tuple[str, str | None]] = []
        self.transport = MemoryTransport()

        async def alert(reason: str) -> None:
            self.escalations.append(reason)
            if escalate is not None:
                await escalate(reason)

        policy = SopPolicy.load(rubric)
        self.llm = PolicyLLMService(policy)
        self.pipeline = build_call_pipeline(
            transport=self.transport,
            services=VoiceServices(stt=Passthrough(), llm=self.llm, tts=Passthrough()),
            rubric=rubric,
            call_id="call-0123456789ab",
            escalate=alert,
            policy=policy,
            limits=limits,
            support_phone=PHONE,
            on_event=lambda name, reason=None: self.events.append((name, reason)),
        )
        self.runner: asyncio.Task | None = None

    async def __aenter__(self) -> Call:
        self.runner = asyncio.create_task(
            PipelineRunner(handle_sigint=False).run(self.pipeline.task)
        )
        await asyncio.sleep(0.2)  # started
        return self

    async def __aexit__(self, *exc) -> None:
        if not self.runner.done():
            await self.pipeline.task.queue_frame(EndFrame())
        await asyncio.wait_for(self.runner, 10)

    async def caller_says(self, text: str) -> None:
        # The caller's finished turn, as the user aggregator hands it on.
        turn = LLMMessagesAppendFrame(messages=[{"role": "user", "content": text}], run_llm=True)
        await self.pipeline.task.queue_frame(turn)

    async def caller_is_heard(self, text: str) -> None:
        # What the STT passes on while the caller speaks.
        await self.pipeline.task.queue_frame(
            InterimTranscriptionFrame(text, "caller", "2026-12-05T10:00:00Z")
        )

    async def ended_within(self, seconds: float) -> float:
        started = time.monotonic()
        await asyncio.wait_for(asyncio.shield(self.runner), seconds)
        return time.monotonic() - started


LONG = Limits(join_timeout=60, silence_timeout=60, max_call=600)


def rtvi(kind: str, data: dict | None = None) -> InputTransportMessageFrame:
    return InputTransportMessageFrame(
        message={"label": "rtvi-ai", "type": kind, "id": "m1", "data": data or {}}
    )


STEERING = [
    rtvi(
        "send-text",
        {
            "content": "I want to talk to your manager right now",
            "options": {"run_immediately": True, "audio_response": True},
        },
    ),
    rtvi("send-text", {"content": "x" * 60_000, "options": {"run_immediately": True}}),
    rtvi("disconnect-bot"),
]


async def test_data_messages_from_the_caller_are_not_turns_and_do_not_end_the_bot(rubric):
    async with Call(rubric, LONG) as call:
        await call.pipeline.greet()
        await call.pipeline.task.queue_frames(STEERING)
        await asyncio.sleep(1.0)
        assert not call.runner.done()  # "disconnect-bot" ended nothing
        assert call.escalations == [] and call.transport.ear.messages() == []
        assert call.transport.ear.said() == [GREETING]  # nothing answered a data message
        user_turns = [m for m in call.pipeline.context.get_messages() if m["role"] == "user"]
        assert user_turns == []  # and nothing of them reached the LLM's context


async def test_with_pipecat_rtvi_on_the_same_message_would_escalate(rubric, monkeypatch):
    """The control: what the test above guards against really happens with RTVI on."""
    original = call_pipeline.PipelineTask

    def with_rtvi(*args, **kwargs):
        kwargs["enable_rtvi"] = True
        return original(*args, **kwargs)

    monkeypatch.setattr(call_pipeline, "PipelineTask", with_rtvi)
    async with Call(rubric, LONG) as call:
        await call.pipeline.greet()
        await call.pipeline.task.queue_frames(STEERING[:1])
        await asyncio.sleep(1.0)
        assert call.escalations == ["I want to talk to your manager right now"]


async def test_a_call_nobody_joins_ends_and_frees_its_slot(rubric):
    call = Call(rubric, Limits(join_timeout=0.5, silence_timeout=60, max_call=600))
    async with call:
        took = await call.ended_within(5)  # never greeted: the caller never came
    assert took < 3
    assert call.transport.ear.said() == []  # nobody to say goodbye to
    assert call.pipeline.finished_metadata()["ended_by_limit"] == NOT_JOINED
    assert call.events == [(health_metrics.CALLS_NOT_JOINED, None)]


async def test_a_silent_caller_hears_a_goodbye_and_the_bot_hangs_up(rubric):
    call = Call(rubric, Limits(join_timeout=5, silence_timeout=0.8, max_call=600))
    async with call:
        await call.pipeline.greet()
        await call.ended_within(5)
    said = call.transport.ear.said()
    assert said[0] == GREETING
    assert "not heard you" in said[-1] and "Thank you for calling Battery Smart" in said[-1]
    assert call.pipeline.finished_metadata()["ended_by_limit"] == SILENCE
    assert (health_metrics.CALLS_ENDED_BY_LIMIT, SILENCE) in call.events


async def test_a_caller_who_speaks_keeps_the_call_going(rubric):
    call = Call(rubric, Limits(join_timeout=5, silence_timeout=1.0, max_call=600))
    async with call:
        await call.pipeline.greet()
        for _ in range(4):
            await asyncio.sleep(0.6)
            await call.caller_is_heard("What are the station")
        assert not call.runner.done()


async def test_the_longest_call_ends_with_a_goodbye_in_the_callers_language(rubric):
    call = Call(rubric, Limits(join_timeout=5, silence_timeout=60, max_call=1.2))
    async with call:
        await call.pipeline.greet()
        await call.caller_says("Station kab tak khula rehta hai? Mujhe battery swap karni hai.")
        await call.ended_within(5)
    goodbye = call.transport.ear.said()[-1]
    assert "Battery Smart" in goodbye and "samay poora" in goodbye  # Hinglish
    assert call.pipeline.finished_metadata()["ended_by_limit"] == MAX_LENGTH


async def test_after_a_supervisor_takes_over_silence_is_theirs_and_the_bot_leaves_quietly(rubric):
    call = Call(rubric, Limits(join_timeout=5, silence_timeout=0.3, max_call=1.5))
    async with call:
        await call.pipeline.greet()
        await call.pipeline.human_joined()
        await asyncio.sleep(0.8)
        assert not call.runner.done()  # a silence between humans does not end the call
        await call.ended_within(5)
    said = call.transport.ear.said()
    assert "not heard you" not in said[-1] and "time limit" not in said[-1]


async def test_an_escalation_that_cannot_be_delivered_is_told_to_the_caller(rubric):
    async def refused(_reason: str) -> None:
        raise EscalationFailed("SupervisorAlerts unreachable")

    call = Call(rubric, LONG, escalate=refused)
    async with call:
        await call.pipeline.greet()
        await call.caller_says("I want to talk to your manager right now.")
        await asyncio.sleep(0.5)
    said = call.transport.ear.said()
    assert PHONE in said[-1] and "could not reach a supervisor" in said[-1]
    assert ESCALATION_NOTICE not in said
    assert call.transport.ear.messages() == []  # the page is not told one is coming
    metadata = call.pipeline.finished_metadata()
    assert metadata["escalated"] is False and metadata["escalation_failures"] == 1


async def test_an_escalation_that_is_delivered_tells_the_caller_and_the_page(rubric):
    call = Call(rubric, LONG)
    async with call:
        await call.pipeline.greet()
        await call.caller_says("I want to talk to your manager right now.")
        await asyncio.sleep(0.5)
    assert call.transport.ear.said()[-1] == ESCALATION_NOTICE
    assert call.transport.ear.messages() == [
        {"type": "escalation", "status": "connecting", "call_id": "call-0123456789ab"}
    ]
    assert call.pipeline.finished_metadata()["escalated"] is True


@pytest.mark.parametrize("failing", [True, False])
async def test_the_llm_tool_is_told_the_truth_about_the_escalation(rubric, failing):
    from types import SimpleNamespace

    async def escalate(_reason: str) -> None:
        if failing:
            raise EscalationFailed("unreachable")

    call = Call(rubric, LONG, escalate=escalate)
    results: list[dict] = []

    async def result_callback(result, **_kwargs) -> None:
        results.append(result)

    async def push_frame(frame, *_args) -> None:
        pass

    tool = call.llm._functions[call_pipeline.ESCALATION_TOOL]  # registered by the pipeline
    params = SimpleNamespace(
        arguments={"reason": "wants the manager"},
        llm=SimpleNamespace(push_frame=push_frame),
        result_callback=result_callback,
    )
    await tool.handler(params)
    (result,) = results
    if failing:
        assert result["status"] == "no supervisor could be reached" and PHONE in result["say"]
    else:
        assert result == {"status": "supervisor alerted", "say": ESCALATION_NOTICE}


async def test_a_caller_told_a_supervisor_is_coming_is_not_hung_up_on_for_waiting(rubric):
    call = Call(rubric, Limits(join_timeout=5, silence_timeout=0.5, max_call=2.5))
    async with call:
        await call.pipeline.greet()
        await call.caller_says("I want to talk to your manager right now.")
        await asyncio.sleep(1.5)  # three silence timeouts: "please stay on the line"
        assert not call.runner.done()
        await call.ended_within(5)  # the longest call still ends
    assert call.pipeline.finished_metadata()["ended_by_limit"] == MAX_LENGTH


async def test_when_the_supervisor_leaves_the_bot_takes_the_call_back_and_can_escalate_again(
    rubric,
):
    from voice_agent.pipeline import HANDBACK_LINE

    call = Call(rubric, Limits(join_timeout=5, silence_timeout=60, max_call=600))
    async with call:
        await call.pipeline.greet()
        await call.caller_says("I want to talk to your manager right now.")
        await asyncio.sleep(0.3)
        await call.pipeline.human_joined()
        await call.pipeline.human_left()
        await asyncio.sleep(0.3)
        assert not call.pipeline.gate.stepped_back
        assert call.transport.ear.said()[-1] == HANDBACK_LINE
        await call.caller_says("Connect me to a supervisor please.")
        await asyncio.sleep(0.3)
    assert len(call.escalations) == 2  # a second alert, with a second invite code
    assert call.transport.ear.said()[-1] == ESCALATION_NOTICE
