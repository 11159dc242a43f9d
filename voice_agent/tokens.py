"""LiveKit access tokens for the caller, the bot and a supervisor, and the call's recording.

The caller's token carries the room configuration, so LiveKit creates the call room with
auto-egress: audio only, `DUAL_CHANNEL_AGENT` (agent-kind participants, the bot and any
supervisor, on the left channel; the caller on the right), OGG, uploaded to
`recordings/<agent_id>/<call_id>.ogg` with the instance's IAM role (no keys in the request).
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from livekit import api
from livekit.protocol import egress

from voice_agent.settings import AGENT_ID, VoiceSettings

CALLER_TTL = timedelta(minutes=15)  # long enough to join; the session outlives the token
BOT_TTL = timedelta(hours=2)
BOT_IDENTITY = "battery-smart-agent"
SUPERVISOR_PREFIX = "supervisor-"
_CALL_ID = re.compile(r"^call-[0-9a-f]{12}$")


def new_call_id() -> str:
    return f"call-{uuid.uuid4().hex[:12]}"


def is_call_id(value: str) -> bool:
    return bool(_CALL_ID.match(value))


def recording_key(call_id: str, agent_id: str = AGENT_ID) -> str:
    return f"recordings/{agent_id}/{call_id}.ogg"


def room_configuration(settings: VoiceSettings, call_id: str) -> api.RoomConfiguration:
    config = api.RoomConfiguration(name=call_id, empty_timeout=60, departure_timeout=20)
    if settings.recordings_bucket:
        config.egress.CopyFrom(
            api.RoomEgress(
                room=api.RoomCompositeEgressRequest(
                    audio_only=True,
                    audio_mixing=egress.AudioMixing.DUAL_CHANNEL_AGENT,
                    file_outputs=[
                        egress.EncodedFileOutput(
                            file_type=egress.EncodedFileType.OGG,
                            filepath=recording_key(call_id),
                            s3=egress.S3Upload(
                                bucket=settings.recordings_bucket, region=settings.region
                            ),
                        )
                    ],
                )
            )
        )
    return config


def _token(settings: VoiceSettings) -> api.AccessToken:
    return api.AccessToken(settings.livekit_api_key, settings.livekit_api_secret)


def caller_token(settings: VoiceSettings, call_id: str, caller_identity: str) -> str:
    grants = api.VideoGrants(
        room_join=True, room=call_id, can_publish=True, can_subscribe=True, can_publish_data=True
    )
    return (
        _token(settings)
        .with_identity(caller_identity)
        .with_name("Caller")
        .with_grants(grants)
        .with_room_config(room_configuration(settings, call_id))
        .with_ttl(CALLER_TTL)
        .to_jwt()
    )


def agent_token(
    settings: VoiceSettings, call_id: str, identity: str, name: str, ttl: timedelta
) -> str:
    """An agent-kind participant: the recording puts its voice on the agent channel."""
    grants = api.VideoGrants(
        room_join=True,
        room=call_id,
        can_publish=True,
        can_subscribe=True,
        can_publish_data=True,
        agent=True,
    )
    return (
        _token(settings)
        .with_identity(identity)
        .with_name(name)
        .with_grants(grants)
        .with_ttl(ttl)
        .to_jwt()
    )


def bot_token(settings: VoiceSettings, call_id: str) -> str:
    return agent_token(settings, call_id, BOT_IDENTITY, "Battery Smart assistant", BOT_TTL)


def supervisor_token(settings: VoiceSettings, call_id: str) -> str:
    identity = f"{SUPERVISOR_PREFIX}{uuid.uuid4().hex[:8]}"
    ttl = timedelta(minutes=settings.supervisor_token_minutes)
    return agent_token(settings, call_id, identity, "Battery Smart supervisor", ttl)
