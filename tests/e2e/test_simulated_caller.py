"""The simulated caller against a fake bot on loopback: a real aiortc peer that plays tones.

The fake bot answers the caller's offer, plays its plan (tones for speech, silence between)
and may hang up by closing its peer connection. These tests pin down what the caller reports
for the e2e tests built on it: how long it waits for an answer, and what it notices when the
bot ends the call. The plans leave seconds between events, so a loaded machine that stalls the
process for a moment does not merge two of them.
"""

from __future__ import annotations

import asyncio
import fractions
import json
import time

import httpx
import numpy as np
import pytest
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription
from av import AudioFrame

from voice_agent.loopback import loopback_addresses
from voice_agent.simulator import caller
from voice_agent.simulator.caller import place_call
from voice_agent.simulator.scripts import CallScript

# Real aiortc peers on loopback: with the whole calls, not in make test-fast.
pytestmark = pytest.mark.e2e

RATE = 48000
FRAME = RATE // 50


class PlannedSpeech(MediaStreamTrack):
    """The fake bot's voice: a loud tone during each (start, end) span, silence otherwise."""

    kind = "audio"

    def __init__(self, spans: list[tuple[float, float]]) -> None:
        super().__init__()
        self._spans = spans
        self._start: float | None = None
        self._sent = 0
        tone = 8000 * np.sin(2 * np.pi * 440 * np.arange(FRAME) / RATE)
        self._tone = tone.astype(np.int16).reshape(1, -1)
        self._quiet = np.zeros((1, FRAME), dtype=np.int16)

    async def recv(self) -> AudioFrame:
        if self._start is None:
            self._start = time.monotonic()
        at = self._sent / RATE
        wait = self._start + at - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        loud = any(start <= at < end for start, end in self._spans)
        frame = AudioFrame.from_ndarray(self._tone if loud else self._quiet, layout="mono")
        frame.sample_rate = RATE
        frame.pts = self._sent
        frame.time_base = fractions.Fraction(1, RATE)
        self._sent += FRAME
        return frame


class FakeBot:
    """Answers `/api/offer` in process; speaks `spans`, and hangs up at `hang_up_at` if set."""

    def __init__(self, spans: list[tuple[float, float]], hang_up_at: float | None = None):
        self.spans = spans
        self.hang_up_at = hang_up_at
        self.pcs: list[RTCPeerConnection] = []
        self._tasks: set[asyncio.Task] = set()

    async def handle(self, request: httpx.Request) -> httpx.Response:
        offer = json.loads(request.content)
        pc = RTCPeerConnection()
        self.pcs.append(pc)
        pc.addTrack(PlannedSpeech(self.spans))
        await pc.setRemoteDescription(RTCSessionDescription(offer["sdp"], offer["type"]))
        await pc.setLocalDescription(await pc.createAnswer())
        if self.hang_up_at is not None:
            task = asyncio.ensure_future(self._hang_up(pc, self.hang_up_at))
            self._tasks.add(task)
        answer = {"sdp": pc.localDescription.sdp, "type": pc.localDescription.type}
        return httpx.Response(200, json=answer)

    async def _hang_up(self, pc: RTCPeerConnection, after: float) -> None:
        await asyncio.sleep(after)
        await pc.close()

    async def close(self) -> None:
        for pc in self.pcs:
            await pc.close()


@pytest.fixture(autouse=True)
def _loopback(monkeypatch):
    monkeypatch.setattr("aioice.ice.get_host_addresses", loopback_addresses)


async def call(bot: FakeBot, script: CallScript, tmp_path, monkeypatch, **kwargs):
    real_client = httpx.AsyncClient
    transport = httpx.MockTransport(bot.handle)
    monkeypatch.setattr(
        caller.httpx, "AsyncClient", lambda **kw: real_client(transport=transport, **kw)
    )
    try:
        return await place_call(
            "http://fake-bot",
            script,
            "sim-test",
            audio_dir=tmp_path / "voice",
            out_dir=tmp_path / "heard",
            **kwargs,
        )
    finally:
        await bot.close()


async def test_a_silent_caller_reports_the_goodbye_and_the_bot_hanging_up(tmp_path, monkeypatch):
    # Greeting 0-0.6 s, then 4 s of silence, a goodbye 4.6-5.2 s, and the bot hangs up.
    bot = FakeBot(spans=[(0.0, 0.6), (4.6, 5.2)], hang_up_at=5.6)
    script = CallScript(name="silent", silent_seconds=20, hang_up="bot")
    result = await call(bot, script, tmp_path, monkeypatch)
    assert result.completed, result.error
    assert result.ended_by == "bot"
    assert 3.0 <= result.goodbye_after <= 5.0  # 4 s of silence after the greeting
    assert result.goodbye_after < result.hung_up_after <= result.goodbye_after + 3
    assert result.seconds < 15  # it stopped waiting when the bot hung up
    assert len(result.bot_speech) == 2  # the greeting and the goodbye
    assert result.bot_speech[1][0] - result.silent_from == pytest.approx(
        result.goodbye_after, abs=0.05
    )


async def test_a_bot_that_never_hangs_up_fails_a_call_that_waits_for_it(tmp_path, monkeypatch):
    bot = FakeBot(spans=[(0.0, 0.6)])
    script = CallScript(name="silent", silent_seconds=2, hang_up="bot")
    result = await call(bot, script, tmp_path, monkeypatch)
    assert not result.completed
    assert result.error == "the bot did not hang up within 2 s of silence"
    assert result.ended_by is None


async def test_the_bot_hanging_up_on_a_caller_who_means_to_stay_is_a_failure(tmp_path, monkeypatch):
    bot = FakeBot(spans=[(0.0, 0.6)], hang_up_at=5.0)
    script = CallScript(name="stays", silent_seconds=20)
    result = await call(bot, script, tmp_path, monkeypatch)
    assert not result.completed
    assert result.ended_by == "bot"
    assert "the bot hung up" in result.error


async def test_an_answer_may_last_longer_than_the_wait_for_it_to_start(tmp_path, monkeypatch):
    # The timeout bounds the wait for the bot to start talking, not how long it talks.
    bot = FakeBot(spans=[(0.2, 6.0)])
    script = CallScript(name="long_greeting")
    result = await call(bot, script, tmp_path, monkeypatch, answer_timeout=3.0)
    assert result.completed, result.error
    assert result.ended_by == "caller"
    assert result.bot_speech[0][1] - result.bot_speech[0][0] > 5


async def test_a_bot_that_stays_silent_fails_within_the_answer_timeout(tmp_path, monkeypatch):
    bot = FakeBot(spans=[])
    result = await call(bot, CallScript(name="no_greeting"), tmp_path, monkeypatch,
                        answer_timeout=3.0)  # fmt: skip
    assert not result.completed
    assert result.error == "the bot did not answer within 3 s (never heard)"
    assert result.seconds < 12


def test_a_script_may_have_no_lines_and_wait_for_the_bot_to_hang_up():
    script = CallScript.model_validate({"name": "silent", "silent_seconds": 70, "hang_up": "bot"})
    assert script.lines == [] and script.hang_up == "bot"
    with pytest.raises(ValueError):
        CallScript.model_validate({"name": "x", "hang_up": "nobody"})
    with pytest.raises(ValueError):
        CallScript.model_validate({"name": "x", "silent_seconds": -1})
