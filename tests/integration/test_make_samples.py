"""The sample-call generator makes Egress-shaped recordings from dialogue text."""

from __future__ import annotations

import numpy as np

from samples.make_samples import main
from tests.integration.audio_tools import RATE, decode_stereo


def test_dialogue_becomes_two_channel_ogg_with_agent_left_customer_right(tmp_path):
    dialogues = tmp_path / "dialogues"
    dialogues.mkdir()
    (dialogues / "tiny.yaml").write_text(
        "expected: {violations: [], risk: false}\n"
        'turns:\n  - [A, "Hello, Battery Smart."]\n  - [C, "Hi there."]\n',
        encoding="utf-8",
    )
    assert main(["--dialogues", str(dialogues), "--out", str(tmp_path)]) == 0
    audio = decode_stereo(tmp_path / "tiny.ogg")
    assert audio.shape[0] == 2
    rms = lambda x: float(np.sqrt(np.mean(np.square(x))))  # noqa: E731
    first_second = slice(int(0.7 * RATE), int(1.5 * RATE))
    assert rms(audio[0, first_second]) > 10 * rms(audio[1, first_second])  # agent speaks, left
    tail = slice(audio.shape[1] - int(1.2 * RATE), audio.shape[1] - int(0.8 * RATE))
    assert rms(audio[1, tail]) > 10 * rms(audio[0, tail])  # customer answers, right
