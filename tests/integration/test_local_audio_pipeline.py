"""The local pipeline on real recordings with the shipped speech model: `autoqa demo` and `run`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from autoqa.cli import main
from qa_engine.transcript import load_transcript
from tests.conftest import REPO
from tests.integration.audio_tools import RATE, decode_stereo, encode

pytestmark = pytest.mark.audio
SAMPLES = REPO / "samples"
DIALOGUES = sorted((SAMPLES / "dialogues").glob("*.yaml"))


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    home = tmp_path_factory.mktemp("autoqa-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AUTOQA_HOME", str(home))
        code, out, err = run("demo")
        _, results, _ = run("results")
    return home, code, out, err, results


def test_every_sample_recording_is_bundled():
    assert DIALOGUES
    for dialogue in DIALOGUES:
        assert (SAMPLES / f"{dialogue.stem}.ogg").is_file(), f"run `make samples` for {dialogue}"


def test_demo_prints_the_table_and_writes_the_report(demo):
    home, code, out, err, _ = demo
    assert code == 0, err
    header = out.splitlines()[0].split()
    assert header == ["CALL", "AGENT", "SCORE", "FLAGS", "RISK", "ALERT"]
    report = (home / "report.html").read_text(encoding="utf-8")
    for dialogue in DIALOGUES:
        assert dialogue.stem in out
        assert f'id="{dialogue.stem}"' in report
    assert f"Report: {(home / 'report.html').resolve()}" in out
    assert "[1/" in err and "transcribing the agent channel" in err  # progress


@pytest.mark.parametrize("dialogue", DIALOGUES, ids=[d.stem for d in DIALOGUES])
def test_each_sample_call_scores_as_its_dialogue_is_labelled(demo, dialogue):
    home = demo[0]
    expected = yaml.safe_load(dialogue.read_text(encoding="utf-8"))["expected"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AUTOQA_HOME", str(home))
        code, card, _ = run("show", dialogue.stem)
    assert code == 0
    result = _stored(home, dialogue.stem)
    assert sorted(result["violation_flags"]) == sorted(expected["violations"]), card
    assert result["risk_flag"] is expected["risk"], card


def _stored(home: Path, call_id: str) -> dict:
    import sqlite3

    with sqlite3.connect(home / "results.sqlite3") as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM call_qa_results WHERE call_id = ?", (call_id,)).fetchone()
    data = dict(row)
    data["violation_flags"] = json.loads(data["violation_flags"])
    data["risk_flag"] = bool(data["risk_flag"])
    return data


def test_local_transcripts_are_transcribe_channel_identification_json(demo):
    home = demo[0]
    doc = load_transcript((home / "transcripts" / "call_02_swollen_battery.json").read_bytes())
    channels = doc["results"]["channel_labels"]["channels"]
    assert [c["channel_label"] for c in channels] == ["ch_0", "ch_1"]
    first = channels[0]["items"][0]
    assert first["type"] == "pronunciation"
    assert 0.2 <= float(first["start_time"]) <= 1.2  # the agent starts after a 0.6 s lead-in
    assert "battery smart" in doc["results"]["transcripts"][0]["transcript"].lower()
    alerts = [json.loads(x) for x in (home / "alerts.jsonl").read_text().splitlines()]
    urgent = {a["call_id"] for a in alerts if a["severity"] == "URGENT"}
    assert "call_03_smoke_no_safety" in urgent
    assert "call_01_swap_price" not in {a["call_id"] for a in alerts}


@pytest.fixture(scope="module")
def smoke_call() -> np.ndarray:
    return decode_stereo(SAMPLES / "call_03_smoke_no_safety.ogg")


def test_every_recording_format_gives_the_same_scorecard(tmp_path, monkeypatch, smoke_call):
    monkeypatch.setenv("AUTOQA_HOME", str(tmp_path / "home"))
    files = [
        encode(smoke_call, tmp_path / "as_wav.wav", "pcm_s16le", "wav"),
        encode(smoke_call, tmp_path / "as_flac.flac", "flac", "flac"),
        encode(smoke_call, tmp_path / "as_m4a.m4a", "aac", "mp4"),
    ]
    code, out, err = run("run", *map(str, files), "--agent-id", "agent-9")
    assert code == 0, err
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["call_id"] for r in results] == ["as_wav", "as_flac", "as_m4a"]
    for r in results:
        assert r["violation_flags"] == ["SAFETY_INSTRUCTIONS_MISSED"]
        assert r["agent_id"] == "agent-9"


def test_bad_recordings_get_one_line_errors_and_the_rest_is_scored(
    tmp_path, monkeypatch, smoke_call
):
    monkeypatch.setenv("AUTOQA_HOME", str(tmp_path / "home"))
    mono = encode(smoke_call[:1], tmp_path / "mono.wav", "pcm_s16le", "wav")
    silent = smoke_call.copy()
    silent[1] = 0.0
    no_customer = encode(silent, tmp_path / "no_customer.wav", "pcm_s16le", "wav")
    not_audio = tmp_path / "notes.wav"
    not_audio.write_text("this is not audio")
    good = encode(smoke_call[:, : 12 * RATE], tmp_path / "good.flac", "flac", "flac")
    code, out, err = run("run", str(mono), str(no_customer), str(not_audio), str(good))
    assert code == 1
    assert [json.loads(line)["call_id"] for line in out.splitlines()] == ["good"]
    errors = [line for line in err.splitlines() if line.startswith("autoqa: ")]
    assert len(errors) == 3
    assert errors[0].startswith(f"autoqa: {mono}: mono recording")
    assert "agent cannot be told from the customer" in errors[0]
    assert errors[1] == f"autoqa: {no_customer}: no speech on the customer channel (ch_1)"
    assert errors[2].startswith(f"autoqa: {not_audio}: not an audio file")
    _, table, _ = run("results")
    assert "good" in table and "mono" not in table and "no_customer" not in table


def test_a_speech_model_that_cannot_load_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOQA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("AUTOQA_WHISPER_MODEL", str(tmp_path / "no-such-model"))
    code, out, err = run("run", str(SAMPLES / "call_01_swap_price.ogg"))
    assert code == 2 and out == ""
    last = err.strip().splitlines()[-1]
    assert last.startswith("autoqa: cannot load speech model")
    assert "AUTOQA_WHISPER_MODEL" in last
