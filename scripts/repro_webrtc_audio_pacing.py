"""Reproduces a busy bot's audio falling behind real time: aiortc's per-frame thread round trip.

    .venv/bin/python -m scripts.repro_webrtc_audio_pacing [--busy-ms 8] [--seconds 6]
        [--inline]

Two aiortc peers on loopback in one process, as the local bot and its caller. The sender plays
a 10 ms-frame track paced like Pipecat's `RawAudioTrack` (it catches up when late); the
receiver counts the audio it gets. A background task keeps the event loop busy for
`--busy-ms` of every turn, as several calls' pipelines do on a small machine. aiortc encodes
each frame in the loop's default thread pool and waits for it, so every 10 ms of audio needs
at least two turns of the loop: with 8 ms turns the audio arrives at well under real time
(about 60%). With `--inline` (voice_agent.smallwebrtc_audio.inline_audio_encoding) the frame
is encoded on the loop, and the audio keeps up.
"""

from __future__ import annotations

import argparse
import asyncio
import fractions
import sys
import time

import numpy as np
from aiortc import MediaStreamTrack, RTCPeerConnection
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame

from voice_agent.loopback import restrict_ice_to_loopback
from voice_agent.smallwebrtc_audio import inline_audio_encoding

RATE = 24000
SAMPLES = RATE // 100  # 10 ms, as Pipecat's RawAudioTrack


class TenMsTone(MediaStreamTrack):
    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self._start = time.time()
        self._sent = 0
        self._tone = (3000 * np.sin(np.arange(SAMPLES) / 4)).astype(np.int16).reshape(1, -1)

    async def recv(self) -> AudioFrame:
        wait = self._start + self._sent / RATE - time.time()
        if wait > 0:
            await asyncio.sleep(wait)
        frame = AudioFrame.from_ndarray(self._tone, layout="mono")
        frame.sample_rate = RATE
        frame.pts = self._sent
        frame.time_base = fractions.Fraction(1, RATE)
        self._sent += SAMPLES
        return frame


async def measure(busy_ms: float, seconds: float) -> float:
    sender, receiver = RTCPeerConnection(), RTCPeerConnection()
    sender.addTrack(TenMsTone())
    heard = [0.0]
    done = asyncio.Event()
    counting: list[asyncio.Future] = []

    @receiver.on("track")
    def _track(track) -> None:
        async def count() -> None:
            while not done.is_set():
                try:
                    frame = await track.recv()
                except MediaStreamError:
                    return
                heard[0] += frame.samples / frame.sample_rate

        counting.append(asyncio.ensure_future(count()))

    await sender.setLocalDescription(await sender.createOffer())
    await receiver.setRemoteDescription(sender.localDescription)
    await receiver.setLocalDescription(await receiver.createAnswer())
    await sender.setRemoteDescription(receiver.localDescription)

    async def busy() -> None:
        while not done.is_set():
            time.sleep(busy_ms / 1000)  # a turn of the loop spent on other calls' work
            await asyncio.sleep(0)

    await asyncio.sleep(1)  # connected, and past the first frames
    start_heard, started = heard[0], time.monotonic()
    load = asyncio.ensure_future(busy())
    await asyncio.sleep(seconds)
    ratio = (heard[0] - start_heard) / (time.monotonic() - started)
    done.set()
    await load
    await sender.close()
    await receiver.close()
    return ratio


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--busy-ms", type=float, default=8.0)
    p.add_argument("--seconds", type=float, default=6.0)
    p.add_argument("--inline", action="store_true", help="encode audio on the event loop")
    args = p.parse_args(argv)
    restrict_ice_to_loopback()
    if args.inline:
        inline_audio_encoding()
    ratio = asyncio.run(measure(args.busy_ms, args.seconds))
    how = "on the loop" if args.inline else "in the thread pool (aiortc)"
    print(f"audio encoded {how}, loop busy {args.busy_ms:.0f} ms a turn: "
          f"{ratio:.0%} of real time")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
