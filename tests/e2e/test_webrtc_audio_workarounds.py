"""The local bot's WebRTC audio workarounds still fit the installed aiortc and Pipecat, and work.

An upgrade that changes the code they replace turns them off (with a warning); these tests
then fail, so the upgrade is checked against scripts/repro_webrtc_audio_pacing.py.
"""

from __future__ import annotations

import pytest

from scripts.repro_webrtc_audio_pacing import measure
from voice_agent import smallwebrtc_audio
from voice_agent.loopback import loopback_addresses

# Real WebRTC audio on loopback, timed: with the whole calls, not in make test-fast.
pytestmark = pytest.mark.e2e


def test_each_workaround_applies_to_the_installed_versions():
    assert smallwebrtc_audio.inline_audio_encoding()
    assert smallwebrtc_audio.audio_lookahead()
    assert smallwebrtc_audio.lean_input_reads()
    smallwebrtc_audio.install()  # again: nothing changes


async def test_audio_keeps_real_time_on_a_busy_event_loop(monkeypatch):
    # Every turn of the loop takes 8 ms, as with several calls on two cores: aiortc's own
    # sender gets about 60% of real time through; encoded on the loop, all of it.
    monkeypatch.setattr("aioice.ice.get_host_addresses", loopback_addresses)
    smallwebrtc_audio.inline_audio_encoding()
    assert await measure(busy_ms=8, seconds=3) > 0.85
