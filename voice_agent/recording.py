"""A local call's recording: bot on the left channel, caller on the right, as Egress writes.

`CallRecorder` sits after the output transport and puts each side's audio on the call's own
clock: the caller's as it arrives, the bot's as it is played out. Bot audio that arrives in
a burst (a whole sentence at once) still lands where it started, one frame after another,
so the two channels line up the way the caller heard the call.
"""

from __future__ import annotations

import time
import wave
from pathlib import Path

import numpy as np
from pipecat.audio.utils import create_stream_resampler
from pipecat.frames.frames import (
    CancelFrame,
    EndFrame,
    Frame,
    InputAudioRawFrame,
    OutputAudioRawFrame,
    StartFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

RECORDING_RATE = 16000


def write_two_channel_wav(path: Path, left: bytes, right: bytes, sample_rate: int) -> Path:
    """Interleaves two 16-bit mono tracks (padded to the same length) into a stereo WAV."""
    a = np.frombuffer(left, dtype=np.int16)
    b = np.frombuffer(right, dtype=np.int16)
    n = max(len(a), len(b))
    stereo = np.zeros((n, 2), dtype=np.int16)
    stereo[: len(a), 0] = a
    stereo[: len(b), 1] = b
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")
    with wave.open(str(partial), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(stereo.tobytes())
    partial.replace(path)  # a recording appears whole or not at all
    return path


class _Track:
    def __init__(self) -> None:
        self.audio = bytearray()
        self.resampler = create_stream_resampler()

    def place(self, pcm: bytes, at_sample: int) -> None:
        cursor = len(self.audio) // 2
        if at_sample > cursor:
            self.audio.extend(b"\x00\x00" * (at_sample - cursor))  # silence until it starts
        self.audio.extend(pcm)


class CallRecorder(FrameProcessor):
    def __init__(self, folder: Path, call_id: str, *, clock=time.monotonic) -> None:
        super().__init__()
        self.path = folder / f"{call_id}.wav"
        self.written: Path | None = None
        self._clock = clock
        self._t0: float | None = None
        self._bot = _Track()
        self._caller = _Track()

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, StartFrame):
            self._t0 = self._clock()
        elif direction is FrameDirection.DOWNSTREAM and self._t0 is not None:
            if isinstance(frame, InputAudioRawFrame):
                await self._place(self._caller, frame)
            elif isinstance(frame, OutputAudioRawFrame):
                await self._place(self._bot, frame)
        if isinstance(frame, (EndFrame, CancelFrame)) and self.written is None:
            self.written = write_two_channel_wav(
                self.path, bytes(self._bot.audio), bytes(self._caller.audio), RECORDING_RATE
            )
        await self.push_frame(frame, direction)

    async def _place(self, track: _Track, frame: InputAudioRawFrame | OutputAudioRawFrame) -> None:
        pcm = frame.audio
        if frame.num_channels > 1:
            samples = np.frombuffer(pcm, dtype=np.int16).reshape(-1, frame.num_channels)
            pcm = samples.mean(axis=1).astype(np.int16).tobytes()
        pcm = await track.resampler.resample(pcm, frame.sample_rate, RECORDING_RATE)
        ended = int((self._clock() - self._t0) * RECORDING_RATE)
        track.place(pcm, max(0, ended - len(pcm) // 2))
