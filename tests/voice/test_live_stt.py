"""The offline bot's speech recognition: a turn's own window, the bundled tiny.en, real speech.

Lines are spoken by espeak-ng (the simulated caller's voice) and heard by `GreedyWhisper` on
the bundled model, as the local bot hears a caller.
"""

from __future__ import annotations

import numpy as np
import pytest
import soxr

from speech import DOMAIN_HOTWORDS
from voice_agent.offline_services import (
    FULL_WINDOW_FRAMES,
    GreedyWhisper,
    shared_whisper_model,
    warm_up,
)
from voice_agent.simulator.voice import RATE, line_audio_file, read_pcm

pytestmark = pytest.mark.audio


class CountingEncoder:
    """The shared model, noting the width of every window its encoder is given."""

    def __init__(self, model) -> None:
        self._model = model
        self.windows: list[int] = []
        self.full_transcriptions = 0

    def encode(self, features):
        self.windows.append(features.shape[-1])
        return self._model.encode(features)

    def transcribe(self, *args, **kwargs):
        self.full_transcriptions += 1
        return self._model.transcribe(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._model, name)


@pytest.fixture(scope="module")
def model():
    warm_up()
    from speech import bundled_model_path

    return shared_whisper_model(bundled_model_path())


def spoken(text: str, folder) -> np.ndarray:
    pcm = read_pcm(line_audio_file(text, folder)).astype(np.float32) / 32768
    return soxr.resample(pcm, RATE, 16000).astype(np.float32)


def heard(whisper: GreedyWhisper, audio: np.ndarray) -> str:
    segments, _ = whisper.transcribe(audio, language="en", hotwords=DOMAIN_HOTWORDS)
    return " ".join(s.text for s in segments if s.no_speech_prob < 0.4).lower()


def test_a_short_turn_is_heard_through_a_ten_second_window(model, tmp_path):
    counting = CountingEncoder(model)
    text = heard(GreedyWhisper(counting), spoken("I want to talk to your manager", tmp_path))
    assert "manager" in text and "talk" in text
    assert counting.windows == [1000]  # 10 s of mel frames, not Whisper's 30
    assert counting.full_transcriptions == 0


def test_a_turn_of_twelve_seconds_gets_a_twenty_second_window(model, tmp_path):
    counting = CountingEncoder(model)
    line = spoken("My battery is swollen and there is smoke coming out of it.", tmp_path)
    pause = np.zeros(16000 * 12 - len(line), dtype=np.float32)
    text = heard(GreedyWhisper(counting), np.concatenate([line, pause]))
    assert "smoke" in text
    assert counting.windows == [2000]


def test_a_turn_too_long_for_a_short_window_is_transcribed_whole(model, tmp_path):
    counting = CountingEncoder(model)
    line = spoken("Please send a photo of the battery.", tmp_path)
    long_turn = np.concatenate([line, np.zeros(16000 * 30, dtype=np.float32), line])
    text = heard(GreedyWhisper(counting), long_turn)
    assert counting.full_transcriptions == 1
    assert counting.windows == []  # faster-whisper's own 30 s windows, not ours
    assert text.count("photo") == 2
    assert FULL_WINDOW_FRAMES == 3000


def test_silence_is_heard_as_nothing(model):
    counting = CountingEncoder(model)
    assert heard(GreedyWhisper(counting), np.zeros(16000 * 2, dtype=np.float32)) == ""


def test_the_short_window_hears_what_the_full_window_hears(model, tmp_path):
    lines = [
        "Hi, my swap failed yesterday and I want a refund to my wallet.",
        "How much does a battery swap cost?",
        "Okay, I have switched it off. When do the stations open?",
    ]
    short, full = GreedyWhisper(model), GreedyWhisper(model, short_window=False)
    for line in lines:
        audio = spoken(line, tmp_path)
        words_short, words_full = set(heard(short, audio).split()), set(heard(full, audio).split())
        assert len(words_short & words_full) >= 0.7 * len(words_full), (line, words_short)
