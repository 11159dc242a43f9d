"""Generates the bundled sample calls from dialogue text, reproducibly.

Each `dialogues/<name>.yaml` becomes `<name>.ogg`: a two-channel Ogg/Opus recording laid out
like LiveKit Egress writes one (agent on the left channel, customer on the right), voiced by
espeak-ng and resampled by sox. The audio is committed, so the demo needs neither tool.

    python samples/make_samples.py [NAME...] [--out DIR] [--dialogues DIR]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import av
import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
RATE = 48000  # what Egress records at
AGENT_VOICE = "en-us+m7"
CUSTOMER_VOICE = "en-us+f4"
WORDS_PER_MINUTE = "145"
LEAD_IN = 0.6
GAP = 0.7  # silence between turns, in seconds
OPUS_BITRATE = 64000


def require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        sys.exit(f"make_samples: {tool} is not installed (apt-get install espeak-ng sox)")
    return path


def speak(text: str, voice: str, workdir: Path) -> np.ndarray:
    raw, resampled = workdir / "raw.wav", workdir / "out.wav"
    subprocess.run(
        [require("espeak-ng"), "-v", voice, "-s", WORDS_PER_MINUTE, "-w", str(raw), text],
        check=True,
    )
    subprocess.run(
        [require("sox"), str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(resampled)],
        check=True,
    )
    with wave.open(str(resampled)) as w:
        frames = w.readframes(w.getnframes())
    return np.frombuffer(frames, dtype=np.int16).astype(np.float32) / 32768.0


def render(turns: list[list[str]], workdir: Path) -> np.ndarray:
    clips = []
    t = LEAD_IN
    for role, text in turns:
        if role not in ("A", "C"):
            raise ValueError(f"turn role must be A or C, got {role!r}")
        clip = speak(text, AGENT_VOICE if role == "A" else CUSTOMER_VOICE, workdir)
        clips.append((0 if role == "A" else 1, int(t * RATE), clip))
        t += len(clip) / RATE + GAP
    stereo = np.zeros((2, int(t * RATE)), dtype=np.float32)
    for channel, offset, clip in clips:
        stereo[channel, offset : offset + len(clip)] += clip
    return np.clip(stereo * 0.9, -1.0, 1.0)


def write_ogg_opus(stereo: np.ndarray, path: Path) -> None:
    with av.open(str(path), "w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=RATE, layout="stereo")
        stream.bit_rate = OPUS_BITRATE
        frame_size = 960
        pts = 0
        for start in range(0, stereo.shape[1], frame_size):
            chunk = np.ascontiguousarray(stereo[:, start : start + frame_size])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate = RATE
            frame.pts = pts
            pts += chunk.shape[1]
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def make(dialogue: Path, out_dir: Path) -> Path:
    spec = yaml.safe_load(dialogue.read_text(encoding="utf-8"))
    target = out_dir / f"{dialogue.stem}.ogg"
    with tempfile.TemporaryDirectory() as tmp:
        stereo = render(spec["turns"], Path(tmp))
    write_ogg_opus(stereo, target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="dialogue names (default: all)")
    parser.add_argument("--out", type=Path, default=HERE, help="output folder")
    parser.add_argument(
        "--dialogues", type=Path, default=HERE / "dialogues", help="folder of dialogue files"
    )
    args = parser.parse_args(argv)
    dialogues = sorted(args.dialogues.glob("*.yaml"))
    if not dialogues:
        sys.exit(f"make_samples: no dialogue files in {args.dialogues}")
    if args.names:
        dialogues = [d for d in dialogues if d.stem in args.names]
    args.out.mkdir(parents=True, exist_ok=True)
    for dialogue in dialogues:
        path = make(dialogue, args.out)
        print(f"{path} ({path.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
