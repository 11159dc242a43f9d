"""One simulated call: an aiortc WebRTC client that talks to the bot like a browser would.

It offers a microphone track that plays the script's lines (silence in between), listens to
the bot's track, and takes turns: it waits for the bot to finish (speech, then a pause), says
its next line, and measures the response latency from the end of its line to the first bot
audio. It also records everything it heard and every data message the bot sent.

After its last line (or right after the greeting, for a script with no lines) the caller can
stay on the line in silence (`silent_seconds`), and either hang up then or wait for the bot to
end the call (`hang_up: bot`): the caller notices the bot hanging up when the peer connection
closes or fails, or the bot's audio track ends, and reports when that happened.
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
from voice_agent.smallwebrtc_audio import inline_audio_encoding

FRAME = RATE // 50  # 20 ms, WebRTC's packet size
VOICE_RMS = 300.0  # int16 level above which the bot is speaking (Opus noise sits far below)
END_OF_TURN_SECS = 2.0  # the bot has finished a turn after this much silence
ANSWER_TIMEOUT = 20.0  # default wait for the bot to start an answer (or the greeting)
LONGEST_ANSWER_SECS = 90.0  # an answer longer than this, without a pause, is a failure
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
        self.voiced: list[float] = []  # monotonic times of loud frames
        self.last_voice = 0.0
        self._speaking = False
        self._task: asyncio.Task | None = None
        self.ended = False  # the bot's audio track ended
        self.ended_at: float | None = None  # when (monotonic)

    def attach(self, track: MediaStreamTrack) -> None:
        self._task = asyncio.ensure_future(self._consume(track))

    async def _consume(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                self.ended, self.ended_at = True, time.monotonic()
                return
            if not isinstance(frame, AudioFrame):  # an audio track yields audio frames
                continue
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
                self.voiced.append(now)
            elif now - self.last_voice > END_OF_TURN_SECS:
                self._speaking = False

    async def next_turn(
        self, after: float, timeout: float, longest_answer: float = LONGEST_ANSWER_SECS
    ) -> float:
        """Waits for the bot to start speaking after `after`, and to finish; returns the onset.

        `timeout` bounds the wait for the answer to start; the answer itself may then take as
        long as the bot speaks (a safety answer runs to 20 s), up to `longest_answer`.
        """
        deadline = time.monotonic() + timeout
        onset = None
        while onset is None:
            if self.ended:
                raise CallFailed("the bot's audio track ended")
            onset = next((t for t in self.onsets if t >= after), None)
            if onset is None and time.monotonic() >= deadline:
                heard = (
                    f"last heard {time.monotonic() - self.last_voice:.0f} s ago"
                    if self.last_voice
                    else "never heard"
                )
                raise CallFailed(f"the bot did not answer within {timeout:.0f} s ({heard})")
            await asyncio.sleep(0.05)
        while time.monotonic() - self.last_voice < END_OF_TURN_SECS:
            if self.ended:
                raise CallFailed("the bot's audio track ended")
            if time.monotonic() - onset > longest_answer:
                raise CallFailed(f"the bot spoke for over {longest_answer:.0f} s without a pause")
            await asyncio.sleep(0.05)
        return onset

    def speech(self, since: float) -> list[list[float]]:
        """The bot's runs of speech as [start, end] seconds after `since` (monotonic)."""
        runs = []
        for start, next_start in zip(self.onsets, [*self.onsets[1:], float("inf")], strict=False):
            end = max((t for t in self.voiced if start <= t < next_start), default=start)
            runs.append([round(start - since, 2), round(end + FRAME / RATE - since, 2)])
        return runs

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
    bot_speech: list[list[float]] = field(default_factory=list)  # [start, end] s from the call
    ended_by: str | None = None  # "caller" (it hung up) or "bot" (the bot ended the call)
    silent_from: float | None = None  # when the caller fell silent for good, s from the call
    goodbye_after: float | None = None  # from silent_from to the bot's next speech
    hung_up_after: float | None = None  # from silent_from to the bot ending the call

    def as_dict(self) -> dict:
        return self.__dict__.copy()


class HangUpWatch:
    """Notices the bot ending the call: the connection closes or fails, or its audio ends."""

    def __init__(self, pc: RTCPeerConnection, listener: BotListener) -> None:
        self._pc = pc
        self._listener = listener
        self.at: float | None = None  # monotonic time the call ended from the bot's side
        self._ended = asyncio.Event()
        self._closing = False  # the caller is hanging up itself

        @pc.on("connectionstatechange")
        def _state() -> None:
            if pc.connectionState in ("closed", "failed"):
                self._bot_ended()

    def _bot_ended(self, at: float | None = None) -> None:
        if not self._closing and self.at is None:
            self.at = at or time.monotonic()
            self._ended.set()

    def caller_hangs_up(self) -> None:
        self._closing = True

    async def wait(self, timeout: float) -> bool:
        """Whether the bot ended the call within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._listener.ended:
                self._bot_ended(self._listener.ended_at)
            if self._ended.is_set():
                return True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ended.wait(), 0.1)
        return self._ended.is_set()


def caller_lines(script: CallScript, audio_dir: Path) -> list[np.ndarray]:
    return [read_pcm(line_audio_file(text, audio_dir)) for text in script.lines]


async def place_call(
    bot_url: str,
    script: CallScript,
    call_id: str,
    *,
    audio_dir: Path,
    out_dir: Path,
    answer_timeout: float = ANSWER_TIMEOUT,
) -> CallResult:
    """Calls the bot at `bot_url` (Pipecat's runner), says the script, and ends the call.

    `answer_timeout` bounds the wait for each answer (and the greeting) to start; an answer
    may then go on as long as the bot speaks. After the last line the caller stays silent for
    `script.silent_seconds` and hangs up; with `script.hang_up == "bot"` it waits, silent,
    for the bot to end the call instead (at most `silent_seconds`) and fails if it does not.
    The result says who ended the call and, timed from the moment the caller fell silent for
    good (the end of the bot's last answer, or of the greeting), when the bot spoke next
    (`goodbye_after`) and when it hung up (`hung_up_after`).
    """
    result = CallResult(script=script.name, call_id=call_id)
    lines = await asyncio.to_thread(caller_lines, script, audio_dir)  # other calls go on
    inline_audio_encoding()  # the caller's own audio in real time, however many calls
    started = time.monotonic()
    pc = RTCPeerConnection()
    mic = ScriptedMicrophone()
    listener = BotListener()
    hang_up = HangUpWatch(pc, listener)
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
        silent_from = listener.last_voice
        result.silent_from = round(silent_from - started, 2)
        waits = script.hang_up == "bot" or script.silent_seconds > 0
        bot_ended = waits and await hang_up.wait(script.silent_seconds)
        if bot_ended and hang_up.at is not None:
            result.ended_by = "bot"
            result.hung_up_after = round(hang_up.at - silent_from, 2)
            goodbye = next((t for t in listener.onsets if t > silent_from), None)
            if goodbye is not None and goodbye <= hang_up.at:
                result.goodbye_after = round(goodbye - silent_from, 2)
            if script.hang_up != "bot":
                raise CallFailed(f"the bot hung up {result.hung_up_after:.0f} s into the silence")
        elif script.hang_up == "bot":
            raise CallFailed(
                f"the bot did not hang up within {script.silent_seconds:.0f} s of silence"
            )
        else:
            result.ended_by = "caller"
        result.completed = True
    except (CallFailed, httpx.HTTPError, TimeoutError, KeyError, ValueError) as exc:
        result.error = str(exc) or exc.__class__.__name__
    finally:
        if result.ended_by is None and (hang_up.at is not None or listener.ended):
            result.ended_by = "bot"  # it hung up mid-call
        hang_up.caller_hangs_up()
        await pc.close()
        await listener.stop()
        result.heard = str(listener.write(out_dir / f"{call_id}.heard.wav"))
        result.seconds = round(time.monotonic() - started, 2)
        result.bot_speech = listener.speech(started)
    return result
