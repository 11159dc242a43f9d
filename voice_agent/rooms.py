"""The call's room, created on the LiveKit server by the connect API before the caller joins.

Recording is started here, on the server side: the room is created with its auto-egress
(`tokens.room_request`), so nothing about the recording travels in the caller's token.
"""

from __future__ import annotations

import aiohttp
from livekit import api

from voice_agent.settings import VoiceSettings
from voice_agent.tokens import room_request

CREATE_TIMEOUT_SECONDS = 5.0


class RoomError(RuntimeError):
    """LiveKit did not create the call's room."""


class LiveKitRooms:
    def __init__(self, settings: VoiceSettings) -> None:
        self.settings = settings

    async def create(self, call_id: str) -> None:
        timeout = aiohttp.ClientTimeout(total=CREATE_TIMEOUT_SECONDS)
        # A self-hosted server: no regional failover, one attempt, a short timeout.
        lkapi = api.LiveKitAPI(
            self.settings.livekit_api_url or self.settings.livekit_url,
            self.settings.livekit_api_key,
            self.settings.livekit_api_secret,
            timeout=timeout,
            failover=False,
        )
        try:
            await lkapi.room.create_room(room_request(self.settings, call_id))
        except (api.ServerError, aiohttp.ClientError, TimeoutError) as exc:
            raise RoomError(f"LiveKit did not create room {call_id}: {exc}") from exc
        finally:
            await lkapi.aclose()
