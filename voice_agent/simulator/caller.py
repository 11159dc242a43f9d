"""One simulated call: an aiortc WebRTC client that talks to the bot like a browser would.

It offers a microphone track that plays the script's lines (silence in between), listens to
the bot's track, and takes turns: it waits for the bot to finish (speech, then a pause), says
its next line, and measures the response latency from the end of its line to the first bot
audio. It also records everything it heard and every data message the bot sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import json
import time
import wave
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame

from voice_agent.simulator.scripts import CallScript
from voice_agent.simulator.voice import RATE, line_audio_file, read_pcm

FRAME = RATE // 50  # 20 ms, WebRTC's packet size
VOICE_RMS = 300.0  # int16 level above which the bot is speaking (Opus noise sits far below)
END_OF_TURN_SECS = 1.2  # the bot has finished a turn after this much silence
HEARD_RATE = 16000


class CallFailed(RuntimeError):
    pass


class ScriptedMicrophone(MediaStreamTrack):
    """A microphone that says what it is given, in real time, and silence otherwise."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self._pending = np.zeros(0, dtype=np.int16)
        self._start: float | None = None
        self._sent = 0
        self.finished_speaking = asyncio.Event()
        self.finished_at = 0.0

    def say(self, samples: np.ndarray) -> None:
        self.finished_speaking.clear()
        self._pending = samples.astype(np.int16)

    async def recv(self) -> AudioFrame:
        if self._start is None:
            self._start = time.monotonic()
        wait = self._start + self._sent / RATE - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        speaking = len(self._pending) > 0
        chunk = self._pending[:FRAME]
        self._pending = self._pending[FRAME:]
        if len(chunk) < FRAME:
            chunk = np.concatenate([chunk, np.zeros(FRAME - len(chunk), dtype=np.int16)])
        if speaking and len(self._pending) == 0:
            self.finished_at = time.monotonic()
            self.finished_speaking.set()
        frame = AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = RATE
        frame.pts = self._sent
        frame.time_base = fractions.Fraction(1, RATE)
        self._sent += FRAME
        return frame


class BotListener:
    """Hears the bot's track: keeps the audio and when the bot last spoke."""

    def __init__(self) -> None:
        self.chunks: list[np.ndarray] = []
        self.onsets: list[float] = []  # monotonic times the bot started a run of speech
        self.last_voice = 0.0
        self._speaking = False
        self._task: asyncio.Task | None = None
        self.ended = False  # the bot's audio track ended

    def attach(self, track: MediaStreamTrack) -> None:
        self._task = asyncio.ensure_future(self._consume(track))

    async def _consume(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                self.ended = True
                return
            samples = frame.to_ndarray().reshape(-1, len(frame.layout.channels)).mean(axis=1)
            now = time.monotonic()
            step = max(1, frame.sample_rate // HEARD_RATE)
            self.chunks.append(samples[::step].astype(np.int16))
            loud = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) > VOICE_RMS
            if loud:
                if not self._speaking and now - self.last_voice > END_OF_TURN_SECS:
                    self.onsets.append(now)
                self._speaking = True
                self.last_voice = now
            elif now - self.last_voice > END_OF_TURN_SECS:
                self._speaking = False

    async def next_turn(self, after: float, timeout: float) -> float:
        """Waits for the bot to start speaking after `after` and to finish; returns the onset."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ended:
                raise CallFailed("the bot's audio track ended")
            onset = next((t for t in self.onsets if t >= after), None)
            if onset is not None and time.monotonic() - self.last_voice >= END_OF_TURN_SECS:
                return onset
            await asyncio.sleep(0.05)
        heard = (
            f"last heard {time.monotonic() - self.last_voice:.0f} s ago"
            if self.last_voice
            else "never heard"
        )
        raise CallFailed(f"the bot did not answer within {timeout:.0f} s ({heard})")

    def write(self, path: Path) -> Path:
        audio = np.concatenate(self.chunks) if self.chunks else np.zeros(0, dtype=np.int16)
        path.parent.mkdir(parents=True, exist_ok=True)
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(HEARD_RATE)
            w.writeframes(audio.tobytes())
        return path

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


@dataclass
class CallResult:
    script: str
    call_id: str
    completed: bool = False
    latencies: list[float] = field(default_factory=list)  # end of caller line -> bot audio
    messages: list[dict] = field(default_factory=list)  # data messages from the bot
    heard: str | None = None
    error: str | None = None
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return self.__dict__.copy()


async def place_call(
    bot_url: str,
    script: CallScript,
    call_id: str,
    *,
    audio_dir: Path,
    out_dir: Path,
    answer_timeout: float = 20.0,
) -> CallResult:
    """Calls the bot at `bot_url` (Pipecat's runner), says the script, hangs up."""
    result = CallResult(script=script.name, call_id=call_id)
    lines = [read_pcm(line_audio_file(text, audio_dir)) for text in script.lines]
    started = time.monotonic()
    pc = RTCPeerConnection()
    mic = ScriptedMicrophone()
    listener = BotListener()
    pc.addTrack(mic)
    channel = pc.createDataChannel("messages")

    @channel.on("message")
    def _message(message) -> None:
        with contextlib.suppress(TypeError, ValueError):
            result.messages.append(json.loads(message))

    @pc.on("track")
    def _track(track) -> None:
        if track.kind == "audio":
            listener.attach(track)

    try:
        await pc.setLocalDescription(await pc.createOffer())
        async with httpx.AsyncClient(timeout=30) as http:
            response = await http.post(
                f"{bot_url}/api/offer",
                json={
                    "sdp": pc.localDescription.sdp,
                    "type": pc.localDescription.type,
                    "request_data": {"call_id": call_id},
                },
            )
        if response.status_code != 200:
            raise CallFailed(f"the bot refused the call: HTTP {response.status_code}")
        answer = response.json()
        await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], answer["type"]))
        await listener.next_turn(started, answer_timeout)  # the greeting
        for samples in lines:
            mic.say(samples)
            await asyncio.wait_for(mic.finished_speaking.wait(), len(samples) / RATE + 5)
            onset = await listener.next_turn(mic.finished_at, answer_timeout)
            result.latencies.append(round(onset - mic.finished_at, 3))
        result.completed = True
    except (CallFailed, httpx.HTTPError, TimeoutError, KeyError, ValueError) as exc:
        result.error = str(exc) or exc.__class__.__name__
    finally:
        await pc.close()
        await listener.stop()
        result.heard = str(listener.write(out_dir / f"{call_id}.heard.wav"))
        result.seconds = round(time.monotonic() - started, 2)
    return result
