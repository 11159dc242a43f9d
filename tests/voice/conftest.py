from __future__ import annotations

import pytest

from voice_agent.settings import VoiceSettings


@pytest.fixture
def settings() -> VoiceSettings:
    return VoiceSettings(
        livekit_url="wss://13-235-10-20.sslip.io",
        livekit_api_key="APIkey123",
        livekit_api_secret="s" * 40,
        region="ap-south-1",
        recordings_bucket="qa-recordings-bucket",
        alerts_topic_arn=None,
        web_origin="https://d111111abcdef8.cloudfront.net",
        max_calls=2,
        calls_per_minute_per_client=3,
    )
