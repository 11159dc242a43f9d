"""The live bot's speech recognition with a short encoder window against Whisper's full 30 s.

Every English turn of the simulator's scripts, the held-out dialogues and the labelled English
calls in tests/data (both sides, up to `--lines`, a seeded sample) is spoken by
espeak-ng in the simulated caller's voice and transcribed twice by the bot's `GreedyWhisper`
on one thread: with the window cut to the turn (what the bot runs) and padded to 30 s. The
summary gives the word error rate of each against the line's text, how many lines were heard
differently, and the seconds per turn (mean and p95).

    PYTHONPATH=lambda_src:. .venv/bin/python -m bench.stt_window
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import soxr
import yaml

from bench.transcription import edit_distance
from bench.transcription import normalize as words
from speech import DOMAIN_HOTWORDS, bundled_model_path
from voice_agent.offline_services import GreedyWhisper
from voice_agent.simulator.scripts import load_scripts
from voice_agent.simulator.voice import RATE, line_audio_file, read_pcm

REPO = Path(__file__).resolve().parent.parent
LINES = 150
SEED = 11


def english_lines(count: int = LINES) -> list[str]:
    lines = [line for script in load_scripts().values() for line in script.lines]
    sources = sorted((REPO / "bench/heldout/dialogues").glob("*.yaml"))
    sources += sorted((REPO / "tests/data").glob("*_en.yaml"))
    for path in sources:
        loaded = yaml.safe_load(path.read_text("utf-8"))
        for call in loaded if isinstance(loaded, list) else [loaded]:
            if call.get("lang") == "en":
                lines += [turn[1] for turn in call["turns"] if len(turn[1].split()) >= 2]
    unique = sorted(set(lines))
    random.Random(SEED).shuffle(unique)
    return unique[:count]


def transcribe(model: GreedyWhisper, audio: np.ndarray) -> tuple[str, float]:
    started = time.perf_counter()
    segments, _ = model.transcribe(audio, language="en", hotwords=DOMAIN_HOTWORDS)
    text = "".join(s.text for s in segments if s.no_speech_prob < 0.4)
    return text.strip(), time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    from faster_whisper import WhisperModel

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=LINES, help="how many lines to speak")
    args = parser.parse_args(argv)

    model = WhisperModel(bundled_model_path(), device="cpu", compute_type="int8", cpu_threads=1)
    ways = {
        "short_window": GreedyWhisper(model),
        "full_window": GreedyWhisper(model, short_window=False),
    }
    errors = {name: 0 for name in ways}
    seconds: dict[str, list[float]] = {name: [] for name in ways}
    reference_words = differ = 0
    lines = english_lines(args.lines)
    with tempfile.TemporaryDirectory() as folder:
        for n, line in enumerate(lines, 1):
            pcm = read_pcm(line_audio_file(line, Path(folder)))
            audio = soxr.resample(pcm.astype(np.float32) / 32768, RATE, 16000)
            audio = audio.astype(np.float32)
            reference = words(line)
            reference_words += len(reference)
            heard = {}
            for name, way in ways.items():
                heard[name], took = transcribe(way, audio)
                seconds[name].append(took)
                errors[name] += edit_distance(reference, words(heard[name]))
            differ += words(heard["short_window"]) != words(heard["full_window"])
            if n % 25 == 0:
                print(f"stt-window: {n}/{len(lines)} lines", file=sys.stderr)
    summary: dict[str, Any] = {
        "lines": len(lines),
        "reference_words": reference_words,
        "lines_heard_differently": differ,
    }
    for name in ways:
        ordered = sorted(seconds[name])
        summary[name] = {
            "word_error_rate": round(errors[name] / reference_words, 4),
            "mean_seconds_per_turn": round(statistics.mean(ordered), 3),
            "p95_seconds_per_turn": round(ordered[int(0.95 * (len(ordered) - 1))], 3),
        }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
