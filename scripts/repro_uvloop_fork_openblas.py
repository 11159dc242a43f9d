"""Reproduces the freeze of the offline bot: a subprocess spawned on uvloop while numpy multiplies.

    .venv/bin/python -m scripts.repro_uvloop_fork_openblas [--loop uvloop|asyncio]
        [--spawn loop|thread] [--seconds 60]

The offline bot speaks with espeak-ng, one subprocess per sentence, and transcribes with
faster-whisper in worker threads; faster-whisper computes its mel spectrogram with a numpy
matrix product, which OpenBLAS runs on its own thread pool. Pipecat's runner serves the bot
with uvicorn, which runs the event loop on uvloop when it is installed, and uvloop (libuv's
`uv_spawn`) starts a subprocess with `fork()`. `fork()` runs the `pthread_atfork` handlers;
numpy's OpenBLAS registers one, `blas_thread_shutdown_`, which joins OpenBLAS's threads. When
another thread is inside a BLAS call at that moment, the join never returns: the event-loop
thread stops inside `fork()` holding the GIL, and the whole process freezes, every call's audio
and the HTTP server with it (seen in the bot: main thread in `create_subprocess_exec` ->
`uv_spawn` -> `__libc_fork` -> `__run_prefork_handlers` -> `blas_thread_shutdown_` ->
`pthread_join`; a whisper worker in `mel_filters @ magnitudes`).

This script does the same with nothing else: one thread multiplies matrices of the
spectrogram's shape, the event loop spawns `true` over and over. When a spawn has not come
back within 10 s the process is frozen (no Python thread can run: the frozen thread holds the
GIL), and faulthandler's own C watchdog prints every thread's stack and exits with status 1.

- `--loop uvloop --spawn loop`: freezes, usually within seconds (exit status 1).
- `--loop asyncio --spawn loop`: asyncio starts subprocesses with `subprocess`, which uses
  `vfork()` (no atfork handlers): no freeze.
- `--loop uvloop --spawn thread`: the subprocess is started by `subprocess.run` in a worker
  thread (vfork as well), the offline bot's fix: no freeze.
"""

from __future__ import annotations

import argparse
import asyncio
import faulthandler
import subprocess
import sys
import threading
import time

import numpy as np

WATCHDOG_SECS = 10


def multiply_forever(stop: threading.Event) -> None:
    """What faster-whisper does for each turn: an (80 x 201) by (201 x 3000) float product."""
    filters = np.random.rand(80, 201).astype(np.float32)
    magnitudes = np.random.rand(201, 3000).astype(np.float32)
    while not stop.is_set():
        filters @ magnitudes


async def spawn_forever(spawn: str, deadline: float) -> int:
    spawned = 0
    while time.monotonic() < deadline:
        # Re-armed after every spawn: fires only when one takes over WATCHDOG_SECS.
        faulthandler.dump_traceback_later(WATCHDOG_SECS, exit=True)
        if spawn == "loop":
            process = await asyncio.create_subprocess_exec(
                "true", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
            )
            await process.communicate()
        else:
            await asyncio.to_thread(subprocess.run, ["true"], capture_output=True, check=True)
        spawned += 1
    faulthandler.cancel_dump_traceback_later()
    return spawned


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--loop", choices=["uvloop", "asyncio"], default="uvloop")
    p.add_argument("--spawn", choices=["loop", "thread"], default="loop")
    p.add_argument("--seconds", type=float, default=60.0)
    args = p.parse_args(argv)

    stop = threading.Event()
    threading.Thread(target=multiply_forever, args=(stop,), daemon=True).start()
    print(f"spawning for {args.seconds:.0f} s (loop={args.loop}, spawn={args.spawn}) ...",
          file=sys.stderr, flush=True)  # fmt: skip
    deadline = time.monotonic() + args.seconds
    coroutine = spawn_forever(args.spawn, deadline)
    if args.loop == "uvloop":
        import uvloop

        spawned = uvloop.run(coroutine)
    else:
        spawned = asyncio.run(coroutine)
    stop.set()
    print(f"ok: {spawned} subprocesses in {args.seconds:.0f} s (loop={args.loop}, "
          f"spawn={args.spawn}), no freeze")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
