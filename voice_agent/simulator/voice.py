"""The caller's voice: each scripted line spoken by espeak-ng into an audio file, then read."""

from __future__ import annotations

import hashlib
import subprocess
import uuid
import wave
from pathlib import Path

import numpy as np

CALLER_VOICE = "en-us+m3"  # not the bot's voice: the recording's two sides sound apart
RATE = 48000  # WebRTC's Opus rate: frames go out as they are


def line_audio_file(text: str, folder: Path, voice: str = CALLER_VOICE) -> Path:
    """The line as a 48 kHz mono WAV, made once and reused (named by its text and voice)."""
    digest = hashlib.sha256(f"{voice}\0{text}".encode()).hexdigest()[:16]
    path = folder / f"{digest}.wav"
    if path.is_file():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    raw = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", "160", "--stdout", text],
        check=True,
        capture_output=True,
    ).stdout
    part = path.with_suffix(f".{uuid.uuid4().hex}.part")  # calls at once may make the same line
    subprocess.run(
        ["sox", "-t", "wav", "-", "-r", str(RATE), "-c", "1", "-b", "16", "-t", "wav", str(part)],
        input=raw,
        check=True,
        capture_output=True,
    )
    part.replace(path)
    return path


def read_pcm(path: Path) -> np.ndarray:
    """A mono 16-bit WAV at 48 kHz as int16 samples."""
    with wave.open(str(path)) as w:
        if w.getframerate() != RATE or w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise ValueError(f"{path}: expected 48 kHz mono 16-bit audio")
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
