"""The bot's reactions to LiveKit room events, on a real (not connected) LiveKit transport."""

from __future__ import annotations

import asyncio

from pipecat.frames.frames import TTSSpeakFrame
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.transports.livekit.transport import LiveKitParams, LiveKitTransport

from voice_agent.bot import wire_call_events
from voice_agent.instructions import GREETING
from voice_agent.pipeline import HANDBACK_LINE, HANDOFF_LINE, CallPipeline
from voice_agent.processors import EscalationState, HandoffGate
from voice_agent.services import aws_services
from voice_agent.tokens import bot_token


class RecordingTask:
    def __init__(self) -> None:
        self.queued: list = []
        self.cancelled = False

    async def queue_frames(self, frames) -> None:
        self.queued.extend(frames)

    async def cancel(self) -> None:
        self.cancelled = True


async def fire(transport, event: str, *args) -> None:
    await transport._call_event_handler(event, *args)
    await asyncio.sleep(0.01)  # Pipecat runs non-sync event handlers as tasks


def make_call(settings):
    transport = LiveKitTransport(
        url=settings.livekit_url,
        token=bot_token(settings, "call-0123456789ab"),
        room_name="call-0123456789ab",
        params=LiveKitParams(audio_in_enabled=True, audio_out_enabled=True),
    )
    task = RecordingTask()
    call = CallPipeline(
        task=task,
        context=LLMContext(messages=[]),
        gate=HandoffGate(),
        escalation=EscalationState("call-0123456789ab"),
    )
    wire_call_events(transport, call)
    return transport, call, task


async def test_caller_joins_greeted_supervisor_joins_bot_steps_back_caller_leaves_call_ends(
    settings,
):
    transport, call, task = make_call(settings)
    await fire(transport, "on_first_participant_joined", "caller-call-0123456789ab")
    assert [f.text for f in task.queued if isinstance(f, TTSSpeakFrame)] == [GREETING]
    await fire(transport, "on_participant_connected", "supervisor-1a2b3c4d")
    assert call.gate.stepped_back and task.queued[-1].text == HANDOFF_LINE
    await fire(transport, "on_participant_left", "supervisor-1a2b3c4d", "left")
    assert not task.cancelled  # the caller is still there
    assert not call.gate.stepped_back  # and the bot has the call back
    assert task.queued[-1].text == HANDBACK_LINE
    await fire(transport, "on_participant_left", "caller-call-0123456789ab", "disconnected")
    assert task.cancelled


def test_production_services_use_indian_english_polly_and_the_configured_model(
    settings, monkeypatch
):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    services = aws_services(settings)
    assert type(services.stt).__name__ == "AWSTranscribeSTTService"
    assert type(services.llm).__name__ == "AWSBedrockLLMService"
    assert type(services.tts).__name__ == "AWSPollyTTSService"
    assert type(services.vad).__name__ == "SileroVADAnalyzer"
    assert services.llm._settings.model == settings.model_id
    assert services.tts._settings.voice == "Kajal"
