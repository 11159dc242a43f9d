"""Peak memory of `autoqa run --no-store` on a one-hour two-channel recording.

The hour is generated in a temporary folder as Ogg/Opus at 48 kHz (as LiveKit Egress records):
silence with one of the sample calls every four minutes, so it has about four minutes of
speech and the measurement stays quick. `autoqa run` is the only child of this process, so
the children's max RSS is its peak memory. Prints one JSON object.

    python -m bench.long_call [--minutes 60]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np

from contracts import environment as variables

REPO = Path(__file__).resolve().parents[1]
RATE = 48000
EVERY_SECONDS = 240
FRAME = 960


def _decode(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=RATE)
        chunks = [o.to_ndarray() for f in container.decode(audio=0) for o in resampler.resample(f)]
    return np.concatenate(chunks, axis=1)


def write_long_call(path: Path, minutes: float) -> float:
    calls = [_decode(p) for p in sorted((REPO / "samples").glob("*.ogg"))]
    total = int(minutes * 60 * RATE) // FRAME * FRAME
    speech = 0
    with av.open(str(path), "w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=RATE, layout="stereo")
        stream.bit_rate = 48000
        block = 10 * RATE
        for start in range(0, total, block):
            chunk = np.zeros((2, min(block, total - start)), dtype=np.float32)
            for k, at in enumerate(range(5 * RATE, total, EVERY_SECONDS * RATE)):
                call = calls[k % len(calls)]
                lo, hi = max(start, at), min(start + chunk.shape[1], at + call.shape[1])
                if lo < hi:
                    chunk[:, lo - start : hi - start] = call[:, lo - at : hi - at]
                    speech += hi - lo
            for i in range(0, chunk.shape[1], FRAME):
                frame = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(chunk[:, i : i + FRAME]), format="fltp", layout="stereo"
                )
                frame.sample_rate = RATE
                frame.pts = start + i
                container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return speech / RATE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    args = parser.parse_args(argv)
    autoqa = Path(sys.executable).with_name("autoqa")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "one_hour_call.ogg"
        started = time.perf_counter()
        speech_s = write_long_call(path, args.minutes)
        generate_s = time.perf_counter() - started
        env = {**os.environ, variables.AUTOQA_HOME: str(Path(tmp) / "home")}
        started = time.perf_counter()
        run = subprocess.run(
            [str(autoqa), "run", "--no-store", str(path)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        run_s = time.perf_counter() - started
        size_mb = path.stat().st_size / 2**20
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result = json.loads(run.stdout.splitlines()[-1]) if run.returncode == 0 else {}
    print(
        json.dumps(
            {
                "audio_minutes": args.minutes,
                "speech_seconds": round(speech_s, 1),
                "file_mb": round(size_mb, 1),
                "exit_code": run.returncode,
                "error": run.stderr.strip().splitlines()[-1] if run.returncode else None,
                "peak_rss_mb": round(peak_mb, 1),
                "run_seconds": round(run_s, 1),
                "real_time_factor": round(run_s / (args.minutes * 60), 4),
                "generate_seconds": round(generate_s, 1),
                "transcript_words": len(result.get("transcript_text", "").split()) if result else 0,
                "warnings": result.get("warnings", []),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
