"""Reading two-channel call recordings (wav, ogg/opus, mp4/m4a, flac) with PyAV."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from qa_engine.errors import QAInputError

SAMPLE_RATE = 16000
# Below this RMS a channel is silence (or line noise), whatever the recording's length.
SILENCE_RMS = 1e-3
# Crosstalk: a frame more than 20 dB below the other channel is bleed (codec joint stereo,
# a headset's echo), not the speaker of this channel, and is muted before transcription.
CROSSTALK_RATIO = 0.1
FRAME = 480  # 30 ms at 16 kHz


@dataclass(frozen=True)
class AudioInfo:
    channels: int
    duration_seconds: float
    codec: str


def probe(path: Path) -> AudioInfo:
    if not path.is_file():
        raise QAInputError("file not found")
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise QAInputError("no audio stream in the file (is it a recording?)")
            stream = container.streams.audio[0]
            duration = float(container.duration or 0) / av.time_base
            if not duration and stream.duration and stream.time_base:
                duration = float(stream.duration * stream.time_base)
            return AudioInfo(stream.codec_context.channels, duration, stream.codec_context.name)
    except av.FFmpegError as exc:
        raise QAInputError(
            f"not an audio file this tool can read ({exc.__class__.__name__})"
        ) from None


def load_channels(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Agent (left) and customer (right) channels as 16 kHz float32 arrays."""
    info = probe(path)
    if info.channels < 2:
        raise QAInputError(
            "mono recording: with one channel the agent cannot be told from the customer; "
            "record with the agent on the left channel and the customer on the right "
            "(LiveKit Egress DUAL_CHANNEL_AGENT), or score a Transcribe JSON with speaker labels"
        )
    try:
        with av.open(str(path)) as container:
            resampler = av.AudioResampler(format="fltp", layout="stereo", rate=SAMPLE_RATE)
            chunks = []
            for frame in container.decode(audio=0):
                frame.pts = None
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray())
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray())
    except av.FFmpegError as exc:
        raise QAInputError(f"cannot decode the audio ({exc.__class__.__name__})") from None
    if not chunks:
        raise QAInputError("the recording contains no audio samples")
    stereo = np.concatenate(chunks, axis=1).astype(np.float32)
    left, right = stereo[0], stereo[1]
    if np.array_equal(left, right) and _rms(left) > SILENCE_RMS:
        raise QAInputError(
            "both channels carry the same audio (a mono recording saved as stereo): "
            "the agent cannot be told from the customer"
        )
    return suppress_crosstalk(left, right)


def suppress_crosstalk(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = min(len(left), len(right)) // FRAME * FRAME
    if n == 0:
        return left, right
    l_rms = np.sqrt(np.mean(np.square(left[:n].reshape(-1, FRAME)), axis=1))
    r_rms = np.sqrt(np.mean(np.square(right[:n].reshape(-1, FRAME)), axis=1))
    left, right = left.copy(), right.copy()
    mute_left = np.repeat(l_rms < r_rms * CROSSTALK_RATIO, FRAME)
    mute_right = np.repeat(r_rms < l_rms * CROSSTALK_RATIO, FRAME)
    left[:n][mute_left] = 0.0
    right[:n][mute_right] = 0.0
    return left, right


def _rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples)))) if samples.size else 0.0


def is_silent(samples: np.ndarray) -> bool:
    return _rms(samples) < SILENCE_RMS
