"""Local speech-to-text with faster-whisper, written as Amazon Transcribe JSON.

Each channel of the recording is transcribed on its own (agent left = `ch_0`, customer right
= `ch_1`), with word timestamps, so the output is what a Transcribe job with channel
identification writes and the rest of the pipeline cannot tell the two apart.

Long recordings are read block by block and each channel is transcribed in windows of at most
five minutes, cut in silences, with word times offset to the call's clock; long silences are
never sent to the model. Decoding is guarded against Whisper's loops and invented words: the
compression-ratio and log-probability checks re-decode only the segments that fail them (at a
fixed random seed, so the same file always gives the same transcript), speech-free and
hallucinated-in-silence segments are dropped, and `clean_words` collapses any run of a
repeated word or phrase and of repeated punctuation that still gets through.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from autoqa.audio import FRAME, SAMPLE_RATE, SILENCE_RMS, CallReader, frame_rms
from autoqa.transcribe_format import TranscribeJsonBuilder, Word, split_punctuation
from qa_engine.errors import EmptyTranscriptError
from speech import BRAND_HOTWORDS, bundled_model_path

CHANNELS = (("ch_0", "agent"), ("ch_1", "customer"))
# Windows: a channel is cut after this much silence, or at its quietest moment near this length.
# On a two-channel call a side quiet for 3 s is listening: each turn gets a window of its own.
# Joined across the other side's turn, Whisper's VAD glues both turns into one stretch and
# tiny.en drops words at the seam and puts the later turn's first words before the pause (a
# closing "Thank you for calling" landed before the customer's last line).
WINDOW_SECONDS = 300.0
CUT_SEARCH_SECONDS = 60.0
SILENCE_CUT_SECONDS = 3.0
PAD_SECONDS = 0.5
# Decoding guards (faster-whisper's names); temperatures above 0 only re-decode failed segments.
DECODE_OPTIONS: dict[str, Any] = {
    "beam_size": 1,
    "best_of": 1,
    "temperature": (0.0, 0.2, 0.4, 0.6),
    "compression_ratio_threshold": 2.0,
    "log_prob_threshold": -1.0,
    "no_speech_threshold": 0.6,
    "condition_on_previous_text": False,
    "word_timestamps": True,
    "hallucination_silence_threshold": 1.0,
    "vad_filter": True,
    "hotwords": BRAND_HOTWORDS,
}
SEED = 7
# Post-decoding guard: a word said this many times in a row, or a phrase of 2..6 words said
# this many times in a row, is a decoding loop and is kept once.
MAX_WORD_REPEATS = 3
MAX_PHRASE_REPEATS = 2
MAX_PHRASE = 6

Progress = Callable[[str], None]
RawWord = tuple[float, float, str, float]
_PUNCT_RUN = re.compile(r"([^\w\s'])[^\w\s']*")
_KEY = re.compile(r"[^\w']+")


class SpeechModelError(RuntimeError):
    """The speech model could not be loaded; the message says which and what to do."""


@dataclass
class LocalTranscript:
    """A recording's transcript as Transcribe JSON, and why it may not be the whole call."""

    document: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    audio_seconds: float = 0.0


class WhisperTranscriber:
    """Loads the model once; transcribes any number of recordings."""

    def __init__(self, model: str | None = None, *, cpu_threads: int = 0) -> None:
        from faster_whisper import WhisperModel

        self.model_name = model or bundled_model_path()
        try:
            self._model = WhisperModel(
                self.model_name, device="cpu", compute_type="int8", cpu_threads=cpu_threads
            )
        except Exception as exc:  # faster-whisper raises hub, OS and runtime errors alike
            reason = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
            raise SpeechModelError(
                f"cannot load speech model {self.model_name!r} ({reason}); set "
                "AUTOQA_WHISPER_MODEL to a local faster-whisper model folder, or unset it "
                "to use the bundled tiny.en"
            ) from None
        self._english_only = self._model.model.is_multilingual is False

    def transcribe_file(self, path: Path, *, progress: Progress | None = None) -> LocalTranscript:
        reader = CallReader(path)
        channels = [_Channel(label, who, self._words, progress) for label, who in CHANNELS]
        for block in reader.blocks():
            for channel, samples in zip(channels, block, strict=True):
                channel.feed(samples)
        for channel in channels:
            channel.finish()
        return LocalTranscript(
            self._document(path.stem, channels), list(reader.warnings), reader.seconds
        )

    def transcribe_channels(
        self,
        job_name: str,
        agent: np.ndarray,
        customer: np.ndarray,
        *,
        progress: Progress | None = None,
    ) -> dict[str, Any]:
        channels = [_Channel(label, who, self._words, progress) for label, who in CHANNELS]
        for channel, samples in zip(channels, (agent, customer), strict=True):
            channel.feed(np.asarray(samples, dtype=np.float32))
            channel.finish()
        return self._document(job_name, channels)

    @staticmethod
    def _document(job_name: str, channels: list[_Channel]) -> dict[str, Any]:
        builder = TranscribeJsonBuilder(job_name, language_code="en-IN")
        for channel in channels:
            if not channel.words:
                raise EmptyTranscriptError(
                    f"no speech on the {channel.who} channel ({channel.label})"
                )
            for start, end, text, probability in channel.words:
                content, punct = split_punctuation(text)
                if content:
                    builder.add(Word(channel.label, start, end, content, probability, punct))
        return builder.channel_identification("current")

    def _words(self, samples: np.ndarray, offset: float) -> list[RawWord]:
        import ctranslate2

        ctranslate2.set_random_seed(SEED)  # temperature fallback samples: same file, same text
        segments, _info = self._model.transcribe(
            samples, language=None if not self._english_only else "en", **DECODE_OPTIONS
        )
        words = [
            (
                round(offset + w.start, 3),
                round(offset + max(w.end, w.start), 3),
                w.word.strip(),
                float(w.probability),
            )
            for segment in segments
            for w in segment.words or []
            if w.word.strip()
        ]
        return clean_words(words)


class _Channel:
    """One channel's audio, fed block by block and transcribed a window at a time."""

    def __init__(
        self,
        label: str,
        who: str,
        transcribe: Callable[[np.ndarray, float], list[RawWord]],
        progress: Progress | None,
    ) -> None:
        self.label, self.who = label, who
        self._transcribe, self._progress = transcribe, progress
        self.words: list[RawWord] = []
        self._buffer = np.zeros(0, dtype=np.float32)
        self._active = np.zeros(0, dtype=bool)
        self._start = 0  # the buffer's first sample on the call's clock

    def feed(self, samples: np.ndarray) -> None:
        self._buffer = np.concatenate([self._buffer, samples])
        frames = len(self._buffer) // FRAME
        if frames > len(self._active):
            rms = frame_rms(self._buffer[len(self._active) * FRAME : frames * FRAME])
            self._active = np.concatenate([self._active, rms > SILENCE_RMS])
        self._cut(final=False)

    def finish(self) -> None:
        self._cut(final=True)

    def _cut(self, *, final: bool) -> None:
        pad = int(PAD_SECONDS * SAMPLE_RATE / FRAME)
        while True:
            active = np.flatnonzero(self._active)
            if not active.size:  # silence is never sent to the model
                self._drop(max(0, len(self._active) - pad) * FRAME if not final else None)
                return
            first, last = int(active[0]), int(active[-1])
            begin = max(0, first - pad)
            if begin:
                self._drop(begin * FRAME)
                continue
            silent_tail = (len(self._active) - 1 - last) * FRAME / SAMPLE_RATE
            length = len(self._buffer) / SAMPLE_RATE
            if final:
                self._emit(len(self._buffer))
                return
            if silent_tail >= SILENCE_CUT_SECONDS:
                self._emit(min(len(self._buffer), (last + 1 + pad) * FRAME))
            elif length >= WINDOW_SECONDS:
                self._emit(self._quietest_cut())
            else:
                return

    def _quietest_cut(self) -> int:
        """A cut point in the last minute of a full window, where the channel is quietest."""
        lo = int((WINDOW_SECONDS - CUT_SEARCH_SECONDS) * SAMPLE_RATE / FRAME)
        hi = int(WINDOW_SECONDS * SAMPLE_RATE / FRAME)
        rms = frame_rms(self._buffer[lo * FRAME : hi * FRAME])
        smooth = np.convolve(rms, np.ones(17) / 17, mode="same")  # half a second
        return (lo + int(np.argmin(smooth))) * FRAME

    def _emit(self, end: int) -> None:
        window = self._buffer[:end]
        offset = self._start / SAMPLE_RATE
        if self._progress:
            self._progress(
                f"transcribing the {self.who} channel "
                f"({_clock(offset)}-{_clock(offset + len(window) / SAMPLE_RATE)})"
            )
        self.words.extend(self._transcribe(window, offset))
        self._drop(end)

    def _drop(self, n: int | None) -> None:
        if n is None:
            n = len(self._buffer)
        n = n // FRAME * FRAME if n < len(self._buffer) else len(self._buffer)
        self._buffer = self._buffer[n:].copy()
        self._active = self._active[n // FRAME :]
        self._start += n


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def clean_words(words: list[RawWord]) -> list[RawWord]:
    """Strips punctuation runs ("No............." -> "No.") and decoding loops: a word repeated
    more than MAX_WORD_REPEATS times in a row, or a phrase more than MAX_PHRASE_REPEATS times,
    is kept once."""
    cleaned: list[RawWord] = []
    for start, end, text, probability in words:
        text = _PUNCT_RUN.sub(r"\1", text).strip()
        if _key(text):
            cleaned.append((start, end, text, probability))
    keys = [_key(w[2]) for w in cleaned]
    out: list[RawWord] = []
    i = 0
    while i < len(cleaned):
        step = 0
        for n in range(1, MAX_PHRASE + 1):
            phrase = keys[i : i + n]
            if len(phrase) < n:
                break
            repeats = 1
            while keys[i + repeats * n : i + (repeats + 1) * n] == phrase:
                repeats += 1
            if repeats > (MAX_WORD_REPEATS if n == 1 else MAX_PHRASE_REPEATS):
                out.extend(cleaned[i : i + n])
                step = repeats * n
                break
        if not step:
            out.append(cleaned[i])
            step = 1
        i += step
    return out


def _key(text: str) -> str:
    return _KEY.sub("", text.lower())
