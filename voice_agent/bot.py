"""One bot per call: joins the LiveKit room as an agent-kind participant and runs the pipeline."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

import boto3
from pipecat.pipeline.runner import PipelineRunner
from pipecat.transports.livekit.transport import LiveKitParams, LiveKitTransport

from contracts import health_metrics, voice_line
from contracts.storage import metadata_key, recording_key
from qa_engine.rubric import Rubric
from voice_agent.call_limits import Limits
from voice_agent.call_metrics import CallMetrics
from voice_agent.escalation import EscalationFailed, SupervisorInviter, alerts_client
from voice_agent.invites import InviteBook
from voice_agent.pipeline import CallPipeline, VoiceServices, build_call_pipeline
from voice_agent.policy import SopPolicy
from voice_agent.settings import VoiceSettings
from voice_agent.tokens import BOT_IDENTITY, SUPERVISOR_PREFIX, bot_token

logger = logging.getLogger(__name__)


def wire_call_events(transport: Any, call: CallPipeline) -> None:
    """Greet the caller, step back for a supervisor, end when the caller leaves."""

    @transport.event_handler("on_first_participant_joined")
    async def _greet(_transport, participant_id: str) -> None:
        if not participant_id.startswith(SUPERVISOR_PREFIX):
            await call.greet()

    @transport.event_handler("on_participant_connected")
    async def _maybe_human(_transport, participant_id: str) -> None:
        if participant_id.startswith(SUPERVISOR_PREFIX):
            await call.human_joined()

    @transport.event_handler("on_participant_left")
    async def _someone_left(_transport, participant_id: str, _reason: str) -> None:
        if participant_id.startswith(SUPERVISOR_PREFIX):
            if call.gate.stepped_back and not _supervisors(transport):
                await call.human_left()
        elif not participant_id.startswith(BOT_IDENTITY):
            await call.task.cancel()


def _supervisors(transport: Any) -> list[str]:
    """Supervisors still in the room (a second may have joined on a new invite)."""
    try:
        participants = transport.get_participants()
    except Exception:  # not connected: nobody is left
        return []
    return [p for p in participants if str(p).startswith(SUPERVISOR_PREFIX)]


def store_call_metadata(s3, settings: VoiceSettings, call_id: str, metadata: dict) -> None:
    """Beside the recording: which brain answered the call, its fallbacks, its escalation."""
    key = metadata_key(recording_key(voice_line.BOT_AGENT_ID, call_id))
    s3.put_object(
        Bucket=settings.recordings_bucket,
        Key=key,
        Body=json.dumps(metadata).encode(),
        ContentType="application/json",
    )


async def run_bot(
    settings: VoiceSettings,
    call_id: str,
    rubric: Rubric,
    services: VoiceServices,
    web_origin: Callable[[], str | None] | None = None,
    *,
    invites: InviteBook,
    metrics: CallMetrics | None = None,
) -> None:
    transport = LiveKitTransport(
        url=settings.livekit_url,
        token=bot_token(settings, call_id),
        room_name=call_id,
        params=LiveKitParams(audio_in_enabled=True, audio_out_enabled=True),
    )
    sns = alerts_client(settings) if settings.alerts_topic_arn else None
    inviter = SupervisorInviter(settings, sns, invites, web_origin=web_origin)

    def count(name: str, reason: str | None = None) -> None:
        if metrics is not None:
            metrics.count(name, reason)

    async def escalate(reason: str) -> None:
        try:
            await asyncio.to_thread(inviter.invite, call_id, reason)
        except EscalationFailed:
            count(health_metrics.ESCALATION_FAILED)
            raise
        count(health_metrics.ESCALATIONS)

    call = build_call_pipeline(
        transport=transport,
        services=services,
        rubric=rubric,
        call_id=call_id,
        escalate=escalate,
        # Answers whenever Bedrock fails or is too slow.
        policy=SopPolicy.load(rubric, settings.prompts_dir),
        llm_name=f"bedrock:{settings.model_id}",
        limits=Limits.from_settings(settings),
        support_phone=settings.support_phone,
        on_event=count,
    )
    wire_call_events(transport, call)
    try:
        await PipelineRunner(handle_sigint=False).run(call.task)
    finally:
        metadata = call.finished_metadata()
        logger.info("call %s ended: %s", call_id, json.dumps(metadata))
        if settings.recordings_bucket and metadata:
            s3 = boto3.client("s3", region_name=settings.region)
            await asyncio.to_thread(store_call_metadata, s3, settings, call_id, metadata)
