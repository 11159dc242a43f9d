"""The call limits in a whole offline call over WebRTC: a caller who says nothing hears the
bot's goodbye after the silence timeout, the bot hangs up, and the goodbye is in the
recording (bot left) and its metadata."""

from __future__ import annotations

import asyncio
import json
import wave

import numpy as np
import pytest

from voice_agent.loopback import loopback_addresses
from voice_agent.simulator.runner import OfflineBot, run_calls
from voice_agent.simulator.scripts import CallScript

pytestmark = pytest.mark.e2e
SILENCE = 6  # seconds, for the test (the line's default is 60)


def test_a_silent_caller_hears_a_goodbye_and_the_bot_hangs_up(tmp_path):
    script = CallScript(name="silent_caller", lines=[], silent_seconds=60, hang_up="bot")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("aioice.ice.get_host_addresses", loopback_addresses)  # as the bot does
        with OfflineBot(tmp_path, extra_env={"SILENCE_TIMEOUT_SECONDS": str(SILENCE)}) as bot:
            (call,) = asyncio.run(run_calls(bot.url, [script], tmp_path / "sim"))
            recording = bot.wait_for_recording(call.call_id)
    assert call.completed, call.error
    assert call.ended_by == "bot"  # the caller never hung up
    assert call.goodbye_after is not None and call.goodbye_after >= SILENCE - 1
    assert call.hung_up_after is not None and call.hung_up_after > call.goodbye_after
    metadata = json.loads(recording.with_suffix(".meta.json").read_text())
    assert metadata["ended_by_limit"] == "silence"
    with wave.open(str(recording)) as w:
        rate = w.getframerate()
        stereo = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).reshape(-1, 2)
    # On the recording's own clock: the bot's speech on the left is the greeting, a silence
    # it waited out, then the goodbye at the end.
    spoken = speech_segments(stereo[:, 0], rate)
    assert len(spoken) >= 2, spoken
    silence = spoken[-1][0] - spoken[-2][1]
    assert SILENCE - 1.5 <= silence <= SILENCE + 5, spoken
    assert spoken[-1][1] - spoken[-1][0] > 2  # a whole goodbye, not a click
    assert np.abs(stereo[:, 1]).max() < 1000  # the caller said nothing


def speech_segments(channel: np.ndarray, rate: int, window: float = 0.1, gap: float = 1.0):
    """(start, end) seconds of stretches with sound, pauses shorter than `gap` joined."""
    size = int(rate * window)
    frames = channel[: len(channel) // size * size].astype(np.float64).reshape(-1, size)
    loud = np.sqrt(np.mean(frames**2, axis=1)) > 300
    segments: list[list[float]] = []
    for i, on in enumerate(loud):
        if not on:
            continue
        t = i * window
        if segments and t - segments[-1][1] <= gap:
            segments[-1][1] = t + window
        else:
            segments.append([t, t + window])
    return segments
