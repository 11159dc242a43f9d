"""A local call's recording: bot left, caller right, each where it happened on the call."""

from __future__ import annotations

import wave

import numpy as np
from pipecat.frames.frames import (
    InputAudioRawFrame,
    OutputAudioRawFrame,
)
from pipecat.tests.utils import run_test

from voice_agent.recording import RECORDING_RATE, CallRecorder


def tone(seconds: float, level: int, rate: int = 16000) -> bytes:
    return (np.full(int(seconds * rate), level, dtype=np.int16)).tobytes()


async def test_two_channels_bot_left_caller_right_on_the_calls_clock(tmp_path):
    # The clock as each frame is seen: the call starts at 100 s; the caller's one second of
    # speech has arrived by 101 s; after a second of silence the bot's 1.5 s answer arrives
    # in one burst at 102 s.
    readings = iter([100.0, 101.0, 102.0, 102.0, 102.0])
    recorder = CallRecorder(tmp_path, "call-0123456789ab", clock=lambda: next(readings))
    await run_test(
        recorder,
        frames_to_send=[
            InputAudioRawFrame(tone(1.0, 1000), 16000, 1),
            *[OutputAudioRawFrame(tone(0.5, 2000, 24000), 24000, 1) for _ in range(3)],
        ],
        expected_down_frames=[InputAudioRawFrame, *[OutputAudioRawFrame] * 3],
    )  # the call's end (EndFrame) writes the file

    with wave.open(str(tmp_path / "call-0123456789ab.wav")) as w:
        assert (w.getnchannels(), w.getframerate(), w.getsampwidth()) == (2, RECORDING_RATE, 2)
        stereo = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).reshape(-1, 2)
    bot, caller = stereo[:, 0], stereo[:, 1]
    second = RECORDING_RATE
    assert abs(np.abs(caller[: second - 100]).mean() - 1000) < 50  # caller: first second
    assert np.abs(caller[second + 100 :]).max() == 0
    speaking = np.flatnonzero(np.abs(bot) > 500)
    # The burst starts where it began (within 30 ms: the resampler's start-up delay).
    assert abs(speaking[0] - int(1.5 * second)) < 0.03 * second
    # All 1.5 s of it, but for what the streaming resampler still holds (< 60 ms).
    assert abs(len(speaking) - int(1.5 * second)) < 0.06 * second
    assert np.abs(bot[: int(1.4 * second)]).max() == 0
