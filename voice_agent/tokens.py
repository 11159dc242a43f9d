"""LiveKit access tokens for the caller, the bot and a supervisor, and the call's room.

The connect API creates the call's room itself (`room_request`), with its auto-egress: audio
only, `DUAL_CHANNEL_AGENT` (agent-kind participants, the bot and any supervisor, on the left
channel; the caller on the right), OGG, uploaded to `recordings/<agent_id>/<call_id>.ogg`
with the instance's IAM role (no keys in the request). The caller's token only joins that
room and publishes a microphone: it names no bucket or account, and cannot send data,
video or a screen share.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from livekit import api
from livekit.protocol import egress

from contracts import voice_line
from contracts.storage import recording_key
from voice_agent.settings import VoiceSettings

CALLER_TTL = timedelta(minutes=2)  # to join now; the session outlives the token
BOT_TTL = timedelta(hours=2)
SUPERVISOR_TTL = timedelta(seconds=voice_line.SUPERVISOR_TOKEN_TTL_SECONDS)
MICROPHONE = "microphone"  # LiveKit's TrackSource name in grants
BOT_IDENTITY = "battery-smart-agent"
SUPERVISOR_PREFIX = "supervisor-"
_CALL_ID = re.compile(r"^call-[0-9a-f]{12}$")


def new_call_id() -> str:
    return f"call-{uuid.uuid4().hex[:12]}"


def is_call_id(value: str) -> bool:
    return bool(_CALL_ID.match(value))


def room_request(settings: VoiceSettings, call_id: str) -> api.CreateRoomRequest:
    """The call's room, created by the connect API before anyone holds a token for it."""
    request = api.CreateRoomRequest(
        name=call_id,
        empty_timeout=int(settings.join_timeout_secs),
        departure_timeout=20,
    )
    if settings.recordings_bucket:
        request.egress.CopyFrom(
            api.RoomEgress(
                room=api.RoomCompositeEgressRequest(
                    audio_only=True,
                    audio_mixing=egress.AudioMixing.DUAL_CHANNEL_AGENT,
                    file_outputs=[
                        egress.EncodedFileOutput(
                            file_type=egress.EncodedFileType.OGG,
                            filepath=recording_key(voice_line.BOT_AGENT_ID, call_id),
                            s3=egress.S3Upload(
                                bucket=settings.recordings_bucket, region=settings.region
                            ),
                        )
                    ],
                )
            )
        )
    return request


def _token(settings: VoiceSettings) -> api.AccessToken:
    return api.AccessToken(settings.livekit_api_key, settings.livekit_api_secret)


def caller_token(settings: VoiceSettings, call_id: str, caller_identity: str) -> str:
    """Joins this call's room (which must exist: no room creation) with a microphone only."""
    grants = api.VideoGrants(
        room_join=True,
        room=call_id,
        room_create=False,
        can_publish=True,
        can_publish_sources=[MICROPHONE],
        can_subscribe=True,
        can_publish_data=False,
        can_update_own_metadata=False,
    )
    return (
        _token(settings)
        .with_identity(caller_identity)
        .with_name("Caller")
        .with_grants(grants)
        .with_ttl(CALLER_TTL)
        .to_jwt()
    )


def agent_token(
    settings: VoiceSettings,
    call_id: str,
    identity: str,
    name: str,
    ttl: timedelta,
    *,
    can_publish_data: bool,
) -> str:
    """An agent-kind participant: the recording puts its voice on the agent channel."""
    grants = api.VideoGrants(
        room_join=True,
        room=call_id,
        can_publish=True,
        can_publish_sources=[MICROPHONE],
        can_subscribe=True,
        can_publish_data=can_publish_data,
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
    # The bot tells the page when a supervisor is on the way: it may send data.
    return agent_token(
        settings, call_id, BOT_IDENTITY, "Battery Smart assistant", BOT_TTL, can_publish_data=True
    )


def supervisor_token(settings: VoiceSettings, call_id: str) -> str:
    """Minted only when a supervisor redeems a single-use invite, and short-lived."""
    identity = f"{SUPERVISOR_PREFIX}{uuid.uuid4().hex[:8]}"
    return agent_token(
        settings,
        call_id,
        identity,
        "Battery Smart supervisor",
        SUPERVISOR_TTL,
        can_publish_data=False,
    )
