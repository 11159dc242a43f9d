"""Placing calls, one after another or several at once, and running a bot to place them to."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import httpx

from contracts import environment as variables
from contracts.storage import metadata_key
from voice_agent.simulator.caller import ANSWER_TIMEOUT, CallResult, place_call
from voice_agent.simulator.scripts import CallScript

REPO = Path(__file__).resolve().parents[2]


async def run_calls(
    url: str,
    scripts: Sequence[CallScript],
    out: Path,
    *,
    concurrency: int = 1,
    answer_timeout: float = ANSWER_TIMEOUT,
) -> list[CallResult]:
    """Each script once, at most `concurrency` calls at a time; results in script order.

    `answer_timeout` bounds each wait for the bot to start an answer (see `place_call`).
    """
    gate = asyncio.Semaphore(concurrency)
    batch = uuid.uuid4().hex[:6]

    async def one(n: int, script: CallScript) -> CallResult:
        async with gate:
            call_id = f"sim-{batch}-{n:02d}-{script.name}"
            return await place_call(
                url,
                script,
                call_id,
                audio_dir=out / "voice",
                out_dir=out / "heard",
                answer_timeout=answer_timeout,
            )

    return list(await asyncio.gather(*(one(n, s) for n, s in enumerate(scripts))))


async def place_silent_call(
    url: str,
    out: Path,
    *,
    wait_for_hangup: float,
    answer_timeout: float = ANSWER_TIMEOUT,
) -> CallResult:
    """A caller who hears the greeting, says nothing, and waits for the bot to hang up.

    It fails unless the bot ends the call within `wait_for_hangup` seconds of the end of the
    greeting. On success the result has `ended_by == "bot"`, `goodbye_after` (seconds from the
    end of the greeting to the start of the bot's next speech, its goodbye) and
    `hung_up_after` (to the bot ending the call: the peer connection closing or failing, or
    the bot's audio track ending); `bot_speech` lists every run of the bot's speech and
    `heard` the audio. Start the bot with `SILENCE_TIMEOUT_SECONDS` in `OfflineBot`'s
    `extra_env` to make it say goodbye sooner than the default minute.
    """
    script = CallScript(name="silent_caller", silent_seconds=wait_for_hangup, hang_up="bot")
    [result] = await run_calls(url, [script], out, answer_timeout=answer_timeout)
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OfflineBot:
    """The bot with offline services, as a child process on loopback, for demos and tests."""

    def __init__(self, home: Path, *, extra_env: dict[str, str] | None = None) -> None:
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = home / "bot.log"
        self._extra_env = extra_env or {}
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> OfflineBot:
        self.home.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            variables.VOICE_SERVICES: "offline",
            variables.VOICE_ICE_LOOPBACK: "1",
            variables.AUTOQA_HOME: str(self.home),
            "PYTHONPATH": os.pathsep.join([str(REPO / "lambda_src"), str(REPO)]),
            **self._extra_env,
        }
        log = self.log_path.open("wb")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "voice_agent.local_bot", "--host", "127.0.0.1",
             "--port", str(self.port)],
            env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self._wait_until_up()
        return self

    @property
    def process(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            raise RuntimeError("the bot is not started: use OfflineBot as a context manager")
        return self._process

    def _wait_until_up(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the bot exited at start; see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/status", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the bot did not come up in {timeout:.0f} s; see {self.log_path}")

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_for_recording(self, call_id: str, timeout: float = 15.0) -> Path:
        path = self.home / "recordings" / metadata_key(call_id)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if path.is_file():
                return path.with_suffix("").with_suffix(".wav")
            time.sleep(0.2)
        raise RuntimeError(f"no recording of {call_id} after {timeout:.0f} s")

    def __exit__(self, *exc) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
