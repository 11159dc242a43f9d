"""Reading two-channel call recordings (wav, ogg/opus, mp4/m4a, flac) with PyAV.

Recordings are decoded as a stream of blocks (`CallReader.blocks`), never as a whole: an
hour-long call is held as at most one block of 16-bit samples per channel plus whatever the
transcriber keeps of the current window, so memory does not grow with the call's length.

A recording that ends early (a cut upload, a damaged file, a WAV whose header promises more
than it holds, a call cut mid-word) is not refused if any audio decodes; the reader says what
is wrong in `CallReader.warnings`, one line each, and the result carries them.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
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
BLOCK = 30 * SAMPLE_RATE  # decoded and gated 30 s at a time (a whole number of frames)
# Speech louder than this in the last moments of a channel means the call was cut mid-word.
TAIL_SECONDS = 0.2
TAIL_SPEECH_RMS = 0.01
# A header that promises this much more audio than decodes means the file was cut short.
MISSING_SECONDS = 1.0
WHO = ("agent", "customer")


@dataclass(frozen=True)
class AudioInfo:
    channels: int
    duration_seconds: float
    codec: str
    container: str = ""


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
            return AudioInfo(
                stream.codec_context.channels,
                duration,
                stream.codec_context.name,
                container.format.name,
            )
    except av.FFmpegError as exc:
        raise QAInputError(
            f"not an audio file this tool can read ({exc.__class__.__name__})"
        ) from None


class CallReader:
    """Streams a two-channel recording as gated 16 kHz float32 (agent, customer) blocks.

    After `blocks()` is exhausted, `seconds` is the decoded length and `warnings` says why
    the recording may not be the whole call.
    """

    def __init__(self, path: Path, block: int = BLOCK) -> None:
        self.path = path
        self.info = probe(path)
        if self.info.channels < 2:
            raise QAInputError(
                "mono recording: with one channel the agent cannot be told from the customer; "
                "record with the agent on the left channel and the customer on the right "
                "(LiveKit Egress DUAL_CHANNEL_AGENT), or score a Transcribe JSON with "
                "speaker labels"
            )
        self.block = block // FRAME * FRAME
        self.samples = 0
        self.warnings: list[str] = []
        self._tail = np.zeros((2, 0), dtype=np.float32)

    @property
    def seconds(self) -> float:
        return self.samples / SAMPLE_RATE

    def blocks(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        pending: list[np.ndarray] = []
        pending_n = 0
        failure: str | None = None
        try:
            with av.open(str(self.path)) as container:
                resampler = av.AudioResampler(format="s16p", layout="stereo", rate=SAMPLE_RATE)
                try:
                    for frame in container.decode(audio=0):
                        frame.pts = None
                        for out in resampler.resample(frame):
                            pending.append(out.to_ndarray())
                            pending_n += out.samples
                        while pending_n >= self.block:
                            chunk, pending, pending_n = _take(pending, self.block)
                            yield self._gate(chunk)
                except av.FFmpegError as exc:
                    failure = exc.__class__.__name__
                for out in resampler.resample(None):
                    pending.append(out.to_ndarray())
                    pending_n += out.samples
        except av.FFmpegError as exc:
            failure = exc.__class__.__name__
        if pending_n:
            chunk, _, _ = _take(pending, pending_n)
            yield self._gate(chunk)
        if not self.samples:
            if failure:
                raise QAInputError(f"cannot decode the audio ({failure})")
            raise QAInputError("the recording contains no audio samples")
        self._check_the_end(failure)

    def _gate(self, chunk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        left = chunk[0].astype(np.float32) / 32768.0
        right = chunk[1].astype(np.float32) / 32768.0
        if np.array_equal(chunk[0], chunk[1]) and _rms(left) > SILENCE_RMS:
            raise QAInputError(
                "both channels carry the same audio (a mono recording saved as stereo): "
                "the agent cannot be told from the customer"
            )
        self.samples += len(left)
        left, right = suppress_crosstalk(left, right, copy=False)
        keep = int(TAIL_SECONDS * SAMPLE_RATE)
        self._tail = np.concatenate([self._tail, np.stack([left, right])], axis=1)[:, -keep:]
        return left, right

    def _check_the_end(self, failure: str | None) -> None:
        decoded = self.seconds
        if failure:
            self.warnings.append(
                f"the audio stops decoding at {decoded:.1f} s ({failure}): the file is damaged "
                f"or cut short, and only the first {decoded:.1f} s were transcribed"
            )
        else:
            promised = self.info.duration_seconds
            if self.info.container == "wav":
                promised = max(promised, wav_promised_seconds(self.path))
            if promised - decoded > MISSING_SECONDS:
                self.warnings.append(
                    f"the file promises {promised:.1f} s of audio but only {decoded:.1f} s "
                    "could be read: the recording was cut short"
                )
        if self.info.container == "ogg" and not ogg_is_complete(self.path):
            self.warnings.append(
                f"the Ogg file ends without its end-of-stream mark after {decoded:.1f} s: "
                "the recording or its upload was cut short"
            )
        for who, tail in zip(WHO, self._tail, strict=True):
            if tail.size and _rms(tail) > TAIL_SPEECH_RMS:
                self.warnings.append(
                    f"the {who} is still speaking at the last moment of the recording "
                    f"({decoded:.1f} s): the call was probably cut off mid-sentence"
                )


def _take(chunks: list[np.ndarray], n: int) -> tuple[np.ndarray, list[np.ndarray], int]:
    """The first n samples of a list of (2, k) chunks, and what is left of it."""
    joined = chunks[0] if len(chunks) == 1 else np.concatenate(chunks, axis=1)
    head, rest = joined[:, :n], joined[:, n:]
    return head, ([rest] if rest.shape[1] else []), rest.shape[1]


def ogg_is_complete(path: Path) -> bool:
    """Whether every Ogg page is whole and the last one carries the end-of-stream flag."""
    last_flags = 0
    with path.open("rb") as f:
        size = f.seek(0, 2)
        position = 0
        while position < size:
            f.seek(position)
            header = f.read(27)
            if len(header) < 27 or header[:4] != b"OggS":
                return False
            last_flags = header[5]
            table = f.read(header[26])
            if len(table) < header[26]:
                return False
            position += 27 + len(table) + sum(table)
            if position > size:
                return False
    return bool(last_flags & 0x04)


def wav_promised_seconds(path: Path) -> float:
    """The length a WAV header's data chunk declares (0 when the header cannot say)."""
    with path.open("rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return 0.0
        byte_rate = 0
        while chunk := f.read(8):
            if len(chunk) < 8:
                return 0.0
            kind, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if kind == b"fmt ":
                fmt = f.read(size)
                byte_rate = struct.unpack("<I", fmt[8:12])[0] if len(fmt) >= 12 else 0
                f.seek(size % 2, 1)
            elif kind == b"data":
                return size / byte_rate if byte_rate and size < 0xFFFFFFFF else 0.0
            else:
                f.seek(size + size % 2, 1)
    return 0.0


def load_channels(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Agent (left) and customer (right) channels as whole 16 kHz float32 arrays (short files)."""
    reader = CallReader(path)
    parts = list(reader.blocks())
    left = np.concatenate([p[0] for p in parts])
    right = np.concatenate([p[1] for p in parts])
    return left, right


def suppress_crosstalk(
    left: np.ndarray, right: np.ndarray, *, copy: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    n = min(len(left), len(right)) // FRAME * FRAME
    if n == 0:
        return left, right
    l_rms = np.sqrt(np.mean(np.square(left[:n].reshape(-1, FRAME)), axis=1))
    r_rms = np.sqrt(np.mean(np.square(right[:n].reshape(-1, FRAME)), axis=1))
    if copy:
        left, right = left.copy(), right.copy()
    mute_left = np.repeat(l_rms < r_rms * CROSSTALK_RATIO, FRAME)
    mute_right = np.repeat(r_rms < l_rms * CROSSTALK_RATIO, FRAME)
    left[:n][mute_left] = 0.0
    right[:n][mute_right] = 0.0
    return left, right


def frame_rms(samples: np.ndarray) -> np.ndarray:
    """RMS of each whole 30 ms frame."""
    n = len(samples) // FRAME * FRAME
    return np.sqrt(np.mean(np.square(samples[:n].reshape(-1, FRAME)), axis=1))


def _rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples)))) if samples.size else 0.0


def is_silent(samples: np.ndarray) -> bool:
    return _rms(samples) < SILENCE_RMS
