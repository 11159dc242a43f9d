"""Whole calls with no cloud: a simulated caller phones the offline bot over WebRTC on
loopback, the bot records the call, and `autoqa run` scores the recording.

Each scripted call must complete with an answer to every line, leave a two-channel recording
(bot left, caller right) and score with no violation flag; the manager call must reach a
supervisor (the live escalation log and the page's data message). With Bedrock unreachable
mid-call, the policy answers and the call still scores clean.

These tests assert what the bot does, not how fast: response latency is `make bench-voice`'s.
The simulated caller waits up to ANSWER_TIMEOUT for each answer to start (a loaded machine
answers slower; a bot that does not answer at all still fails), then as long as the bot speaks.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import REPO
from voice_agent.loopback import loopback_addresses
from voice_agent.simulator.runner import OfflineBot, free_port, run_calls
from voice_agent.simulator.scripts import load_scripts

pytestmark = pytest.mark.e2e
SCRIPTS = load_scripts()
ANSWER_TIMEOUT = 30.0  # seconds for an answer to start; how fast it starts is bench-voice's
RECORDING_TIMEOUT = 60.0  # seconds for the bot to write a recording once the call has ended


def place(home: Path, names: list[str], *, env: dict[str, str] | None = None, concurrency=1):
    scripts = [SCRIPTS[n] for n in names]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("aioice.ice.get_host_addresses", loopback_addresses)  # as the bot does
        with OfflineBot(home, extra_env=env) as bot:
            calls = run_calls(
                bot.url,
                scripts,
                home / "sim",
                concurrency=concurrency,
                answer_timeout=ANSWER_TIMEOUT,
            )
            results = asyncio.run(calls)
            recordings = {
                r.script: bot.wait_for_recording(r.call_id, timeout=RECORDING_TIMEOUT)
                for r in results
                if r.completed
            }
    return {r.script: r for r in results}, recordings


def autoqa_run(home: Path, recordings: list[Path]) -> dict[str, dict]:
    command = [sys.executable, "-m", "autoqa.cli", "run", "--agent-id", "ai-agent"]
    done = subprocess.run(
        [*command, *map(str, recordings)],
        capture_output=True,
        text=True,
        env={"AUTOQA_HOME": str(home), "PYTHONPATH": str(REPO / "lambda_src")},
        cwd=REPO,
        timeout=300,
    )
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert len(results) == len(recordings), done.stderr
    return {r["call_id"]: r for r in results}


def meta(recording: Path) -> dict:
    return json.loads(recording.with_suffix(".meta.json").read_text())


@pytest.fixture(scope="module")
def scripted_calls(tmp_path_factory):
    home = tmp_path_factory.mktemp("offline-calls")
    calls, recordings = place(home, sorted(SCRIPTS))  # one after another: load is bench-voice's
    scores = autoqa_run(home, list(recordings.values()))
    return home, calls, recordings, scores


def test_there_are_scripts_for_the_four_support_situations():
    assert {"swollen_battery", "smoking_battery", "wallet_refund", "manager_request"} <= set(
        SCRIPTS
    )


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_each_scripted_call_completes_with_an_answer_to_every_line(scripted_calls, name):
    _, calls, recordings, _ = scripted_calls
    call = calls[name]
    assert call.completed, call.error
    assert len(call.latencies) == len(SCRIPTS[name].lines)  # the bot answered every line
    with wave.open(call.heard) as heard:
        assert heard.getnframes() / heard.getframerate() > 10  # it heard the bot talk
    assert recordings[name].is_file()


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_each_recording_has_the_bot_left_and_the_caller_right(scripted_calls, name):
    _, _, recordings, _ = scripted_calls
    with wave.open(str(recordings[name])) as w:
        assert w.getnchannels() == 2
        rate = w.getframerate()
        stereo = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).reshape(-1, 2)
    greeting = stereo[: 3 * rate].astype(np.float64)
    assert np.sqrt(np.mean(greeting[:, 0] ** 2)) > 300  # the bot greets first, on the left
    assert np.sqrt(np.mean(greeting[:, 1] ** 2)) < 50  # while the caller listens
    assert np.abs(stereo[:, 1]).max() > 3000  # and the caller's speech is on the right


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_qa_scores_each_call_with_no_violation_flag(scripted_calls, name):
    _, calls, _, scores = scripted_calls
    result = scores[calls[name].call_id]
    assert result["violation_flags"] == [], result["transcript_text"]
    assert result["overall_score"] == 100
    assert result["transcript_text"].startswith("AGENT: ")


def test_the_manager_call_escalates_to_a_supervisor(scripted_calls):
    home, calls, recordings, scores = scripted_calls
    call = calls["manager_request"]
    log = [json.loads(line) for line in (home / "escalations.jsonl").read_text().splitlines()]
    assert [e["call_id"] for e in log] == [call.call_id]  # once, and only for this call
    assert log[0]["severity"] == "URGENT" and "manager" in log[0]["reason"].lower()
    assert {"type": "escalation", "status": "connecting", "call_id": call.call_id} in call.messages
    assert meta(recordings["manager_request"])["escalated"] is True
    assert "ESCALATION_REQUESTED" in scores[call.call_id]["risk_reasons"]
    others = [meta(r)["escalated"] for n, r in recordings.items() if n != "manager_request"]
    assert others == [False] * len(others)


def test_with_bedrock_unreachable_mid_call_the_policy_answers_and_the_call_scores_clean(
    tmp_path,
):
    # The bot is configured for Bedrock, which refuses every request (a closed port on
    # loopback): each turn the LLM raises, and the policy answers instead.
    unreachable = {
        "VOICE_LLM": "bedrock",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": f"http://127.0.0.1:{free_port()}",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    calls, recordings = place(tmp_path, ["wallet_refund"], env=unreachable)
    call = calls["wallet_refund"]
    assert call.completed, call.error
    metadata = meta(recordings["wallet_refund"])
    assert metadata["llm"].startswith("bedrock:") and metadata["llm_fallback"] is True
    assert metadata["fallback_turns"] >= len(SCRIPTS["wallet_refund"].lines)  # every turn
    failed_or_slow = {"the LLM answered nothing (error)", "the LLM did not answer within 4.0 s"}
    assert set(metadata["fallback_reasons"]) <= failed_or_slow
    result = autoqa_run(tmp_path, [recordings["wallet_refund"]])[call.call_id]
    assert result["violation_flags"] == [], result["transcript_text"]
