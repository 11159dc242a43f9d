"""The local transcriber: loop guards, same file same transcript, and calls that end early."""

from __future__ import annotations

import io
import json
import sqlite3
import struct
from pathlib import Path

import numpy as np
import pytest

from autoqa.audio import CallReader, ogg_is_complete
from autoqa.cli import main
from autoqa.transcriber import WhisperTranscriber, clean_words
from tests.conftest import REPO
from tests.integration.audio_tools import RATE, decode_stereo, encode

SAMPLES = REPO / "samples"
HELDOUT = REPO / "bench" / "heldout"
LONG_CALL = SAMPLES / "call_02_swollen_battery.ogg"  # 44 s
# An offline bot call (espeak-ng voices, 52 s) whose agent answer and closing sit either side
# of the caller's last line, 6 s apart on the agent's channel.
SEAM_CALL = Path(__file__).parent / "recordings" / "offline_smoke_call.flac"


def _words(text: str) -> list[tuple[float, float, str, float]]:
    return [(i * 0.3, i * 0.3 + 0.2, w, 0.9) for i, w in enumerate(text.split())]


def _texts(words) -> str:
    return " ".join(w[2] for w in words)


def test_a_decoding_loop_is_kept_once():
    looped = "I use a smartphone, " + "smartphone, " * 40 + "for the app."
    assert _texts(clean_words(_words(looped))) == "I use a smartphone, for the app."
    phrase = "please hold " + "the line " * 6 + "thank you"
    assert _texts(clean_words(_words(phrase))) == "please hold the line thank you"


def test_speech_that_repeats_a_little_is_kept():
    text = "no no, the number is seven seven one, thank you thank you"
    assert _texts(clean_words(_words(text))) == text


def test_punctuation_runs_are_stripped():
    cleaned = clean_words(_words("No............. really?!?! ... -- okay,,"))
    assert _texts(cleaned) == "No. really? okay,"


def test_ogg_end_of_stream_mark(tmp_path):
    assert ogg_is_complete(LONG_CALL)
    data = LONG_CALL.read_bytes()
    cut = tmp_path / "cut.ogg"
    cut.write_bytes(data[: len(data) // 2])
    assert not ogg_is_complete(cut)


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def _stored_warnings(home: Path, call_id: str) -> list[str]:
    with sqlite3.connect(home / "results.sqlite3") as db:
        row = db.execute(
            "SELECT warnings FROM call_qa_results WHERE call_id = ?", (call_id,)
        ).fetchone()
    return json.loads(row[0])


@pytest.fixture(scope="module")
def transcriber() -> WhisperTranscriber:
    return WhisperTranscriber()


@pytest.mark.audio
def test_the_same_recording_gives_the_same_transcript(transcriber):
    path = HELDOUT / "h07_escalation_ignored.ogg"
    first = transcriber.transcribe_file(path)
    second = transcriber.transcribe_file(path)
    assert json.dumps(first.document) == json.dumps(second.document)
    assert first.warnings == [] and 25 < first.audio_seconds < 35


@pytest.mark.audio
def test_turns_either_side_of_the_other_sides_line_keep_their_words_and_order(transcriber, scorer):
    # Decoded in one window, Whisper's VAD glued the answer to the closing: "I can help you
    # with?" was lost and "Thank" came before the caller's "No nothing else".
    document = transcriber.transcribe_file(SEAM_CALL).document
    result = scorer.score_transcript(document, call_id="seam", agent_id="ai-agent")
    lines = result.transcript_text.lower().splitlines()
    assert lines[-2].startswith("customer: no nothing else")
    assert lines[-1].startswith("agent: thank you for calling battery smart")
    assert "anything else i can help you with" in lines[-3]
    assert result.violation_flags == []


@pytest.mark.audio
def test_a_whole_recording_has_no_warning(transcriber):
    assert transcriber.transcribe_file(LONG_CALL).warnings == []


@pytest.mark.audio
def test_a_call_cut_short_is_scored_with_warnings_never_as_a_whole_call(tmp_path, monkeypatch):
    """The first 20 s of a 44 s call: cut at the byte level, cut cleanly mid-speech, and a WAV
    whose header still promises the whole call."""
    home = tmp_path / "home"
    monkeypatch.setenv("AUTOQA_HOME", str(home))
    data = LONG_CALL.read_bytes()
    byte_cut = tmp_path / "byte_cut.ogg"
    byte_cut.write_bytes(data[: int(len(data) * 20 / 44)])

    stereo = decode_stereo(LONG_CALL)
    rms = np.sqrt(np.mean(np.square(stereo[:, : 30 * RATE].reshape(2, -1, 160)), axis=2))
    speaking = np.flatnonzero(rms.max(axis=0)[18 * 100 : 22 * 100] > 0.05)
    assert speaking.size, "the sample has speech around 20 s"
    at = (18 * 100 + int(speaking[len(speaking) // 2])) * 160  # in the middle of a word
    clean_cut = encode(stereo[:, :at], tmp_path / "clean_cut.ogg", "libopus", "ogg")

    whole_wav = encode(stereo, tmp_path / "short_wav.wav", "pcm_s16le", "wav")
    wav = whole_wav.read_bytes()
    whole_wav.write_bytes(wav[: 44 + 20 * RATE * 4])  # the header still says 44 s

    code, out, err = _cli("run", str(byte_cut), str(clean_cut), str(whole_wav))
    assert code == 0, err
    results = {json.loads(line)["call_id"]: json.loads(line) for line in out.splitlines()}
    assert set(results) == {"byte_cut", "clean_cut", "short_wav"}
    for call_id, result in results.items():
        assert result["warnings"], call_id
        assert result["warnings"] == _stored_warnings(home, call_id)
    assert any("end-of-stream" in w for w in results["byte_cut"]["warnings"])
    assert any("mid-sentence" in w for w in results["clean_cut"]["warnings"])
    assert any("promises 4" in w for w in results["short_wav"]["warnings"])
    assert "warning: " in err
    _, card, _ = _cli("show", "clean_cut")
    assert "mid-sentence" in card


@pytest.mark.audio
def test_a_recording_that_does_not_decode_at_all_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOQA_HOME", str(tmp_path / "home"))
    header_only = tmp_path / "header_only.wav"
    header_only.write_bytes(
        b"RIFF"
        + struct.pack("<I", 36 + 64000)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 2, RATE, RATE * 4, 4, 16)
        + b"data"
        + struct.pack("<I", 64000)
    )
    code, out, err = _cli("run", str(header_only))
    assert code == 1 and out == ""
    line = err.strip().splitlines()[-1]
    assert line.startswith(f"autoqa: {header_only}: ") and "\n" not in line


def test_blocks_carry_the_crosstalk_gate_and_the_whole_length(tmp_path):
    t = np.arange(3 * RATE) / RATE
    agent = 0.3 * np.sin(2 * np.pi * 220 * t)
    bleed = 0.005 * np.sin(2 * np.pi * 220 * t)  # 35 dB down: echo, not the customer
    path = encode(np.stack([agent, bleed]), tmp_path / "tone.wav", "pcm_s16le", "wav")
    reader = CallReader(path, block=RATE)
    blocks = list(reader.blocks())
    assert len(blocks) == 4 and sum(len(left) for left, _ in blocks) == 3 * RATE
    assert reader.seconds == pytest.approx(3.0)
    assert all(not right.any() for _, right in blocks)
    assert any("agent is still speaking" in w for w in reader.warnings)
