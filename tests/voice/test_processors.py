"""The bot's escalation behaviour, frames in and frames out (Pipecat's test utilities)."""

from __future__ import annotations

import asyncio

import pytest
from pipecat.frames.frames import (
    EndFrame,
    InputAudioRawFrame,
    LLMContextFrame,
    OutputTransportMessageUrgentFrame,
    TranscriptionFrame,
    TTSSpeakFrame,
)
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.tests.utils import run_test

from voice_agent.escalation import EscalationDetector, EscalationFailed
from voice_agent.instructions import ESCALATION_NOTICE, GREETING
from voice_agent.pipeline import HANDOFF_LINE, CallPipeline
from voice_agent.processors import EscalationState, EscalationWatcher, HandoffGate


def heard(text: str) -> TranscriptionFrame:
    return TranscriptionFrame(text=text, user_id="caller", timestamp="2026-11-24T10:00:00Z")


def turn(*said: str) -> LLMContextFrame:
    """The caller's turn as the user aggregator hands it to the LLM."""
    messages = [{"role": "system", "content": "instructions"}]
    for text in said:
        messages += [{"role": "assistant", "content": "Yes?"}, {"role": "user", "content": text}]
    return LLMContextFrame(context=LLMContext(messages=messages))


def unreachable(said: str) -> str:
    return f"No supervisor could be reached. Please call 080 4718 1234. ({said})"


@pytest.fixture
def watcher(rubric):
    calls: list[str] = []

    async def escalate(text: str) -> None:
        calls.append(text)

    state = EscalationState("call-0123456789ab", escalate)
    return EscalationWatcher(EscalationDetector(rubric), state, unreachable), calls, state


@pytest.mark.parametrize(
    "request_text",
    [
        "I want to talk to your manager right now.",
        "I am not happy. I want to talk to your manager.",
        "Can you connect me to a supervisor please?",
        "Mujhe kisi insaan se baat karni hai.",
        "Aapke senior se baat karao.",
        "मुझे आपके मैनेजर से बात करनी है।",
    ],
)
async def test_a_request_for_a_human_escalates_at_once(watcher, request_text):
    processor, calls, state = watcher
    down, _ = await run_test(
        processor,
        frames_to_send=[turn(request_text)],
        expected_down_frames=[OutputTransportMessageUrgentFrame, TTSSpeakFrame],
    )
    assert calls == [request_text] and state.escalated
    speak = next(f for f in down if isinstance(f, TTSSpeakFrame))
    assert speak.text == ESCALATION_NOTICE
    message = next(f for f in down if isinstance(f, OutputTransportMessageUrgentFrame))
    assert message.message == {
        "type": "escalation",
        "status": "connecting",
        "call_id": "call-0123456789ab",
    }
    assert speak.append_to_context  # the notice is the agent's answer to this turn


@pytest.mark.parametrize(
    "text",
    [
        "My fleet manager told me to call you about the battery.",
        "The station manager said my battery is fine.",
        "I don't need a supervisor, just tell me the station timing.",
        "Mere manager ne bola aapko call karun.",
    ],
)
async def test_mentions_of_a_manager_pass_through_to_the_llm(watcher, text):
    processor, calls, _ = watcher
    down, _ = await run_test(
        processor, frames_to_send=[turn(text)], expected_down_frames=[LLMContextFrame]
    )
    assert calls == [] and down[0].context.get_messages()[-1]["content"] == text


async def test_a_call_escalates_only_once(watcher):
    processor, calls, _ = watcher
    await run_test(
        processor,
        frames_to_send=[
            turn("Get me your supervisor."),
            turn("Get me your supervisor.", "Supervisor, now!"),
        ],
        expected_down_frames=[OutputTransportMessageUrgentFrame, TTSSpeakFrame, LLMContextFrame],
    )
    assert calls == ["Get me your supervisor."]


async def test_when_no_supervisor_can_be_alerted_the_caller_hears_so_and_can_ask_again(rubric):
    attempts: list[str] = []

    async def escalate(text: str) -> None:
        attempts.append(text)
        if len(attempts) == 1:
            raise EscalationFailed("SupervisorAlerts refused the message")

    state = EscalationState("call-0123456789ab", escalate)
    processor = EscalationWatcher(EscalationDetector(rubric), state, unreachable)
    down, _ = await run_test(
        processor,
        frames_to_send=[turn("Get me your supervisor.")],
        expected_down_frames=[TTSSpeakFrame],  # no "connecting" message for the page
    )
    assert down[0].text.startswith("No supervisor could be reached") and "080" in down[0].text
    assert not state.escalated and state.failures == 1
    down, _ = await run_test(
        processor,
        frames_to_send=[turn("Get me your supervisor.", "Connect me to a supervisor please.")],
        expected_down_frames=[OutputTransportMessageUrgentFrame, TTSSpeakFrame],
    )
    assert down[1].text == ESCALATION_NOTICE and state.escalated
    assert attempts == ["Get me your supervisor.", "Connect me to a supervisor please."]


async def test_an_alert_that_hangs_is_given_up_in_time_and_told_as_a_failure(rubric):
    async def hangs(_text: str) -> None:
        await asyncio.sleep(30)

    state = EscalationState("call-0123456789ab", hangs, timeout=0.2)
    processor = EscalationWatcher(EscalationDetector(rubric), state, unreachable)
    down, _ = await run_test(
        processor,
        frames_to_send=[turn("Get me your supervisor.")],
        expected_down_frames=[TTSSpeakFrame],
    )
    assert down[0].text.startswith("No supervisor could be reached")
    assert not state.escalated and state.failures == 1


def audio() -> InputAudioRawFrame:
    return InputAudioRawFrame(audio=b"\x00\x00" * 160, sample_rate=16000, num_channels=1)


async def test_the_bot_listens_until_a_human_joins_then_steps_back():
    gate = HandoffGate()
    await run_test(
        gate,
        frames_to_send=[audio(), heard("hello")],
        expected_down_frames=[InputAudioRawFrame, TranscriptionFrame],
    )
    gate.human_joined()
    down, _ = await run_test(
        gate,
        frames_to_send=[audio(), heard("are you there?"), TTSSpeakFrame("bye")],
        expected_down_frames=[TTSSpeakFrame],
    )
    assert down[0].text == "bye"


class RecordingTask:
    def __init__(self) -> None:
        self.queued: list = []

    async def queue_frames(self, frames) -> None:
        self.queued.extend(frames)


async def test_greeting_when_the_caller_joins_and_handoff_line_when_a_human_does():
    task = RecordingTask()
    gate = HandoffGate()
    context = LLMContext(messages=[{"role": "system", "content": "instructions"}])
    call = CallPipeline(task=task, context=context, gate=gate, escalation=EscalationState("c"))
    await call.greet()
    assert [type(f) for f in task.queued] == [TTSSpeakFrame]
    assert task.queued[0].text == GREETING
    assert context.get_messages()[-1] == {"role": "assistant", "content": GREETING}
    assert "Thank you for calling Battery Smart" in GREETING and "help" in GREETING
    await call.human_joined()
    assert task.queued[-1].text == HANDOFF_LINE and gate.stepped_back
    assert not isinstance(task.queued[-1], EndFrame)
