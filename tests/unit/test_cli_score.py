"""`autoqa score`, `results` and `show` as a user runs them, on Transcribe JSON files."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from autoqa.cli import main
from tests.conftest import PUBLIC_CASES, TRANSCRIBE_SAMPLES, framed, load_cases, transcribe_json


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def write_case(folder: Path, case: dict) -> Path:
    path = folder / f"{case['id']}.json"
    path.write_text(transcribe_json(case["turns"]), encoding="utf-8")
    return path


def test_score_prints_one_result_per_file_in_order_with_labelled_flags(tmp_path, home):
    cases = load_cases(PUBLIC_CASES)
    files = [write_case(tmp_path, c) for c in cases]
    code, out, _ = run("score", *map(str, files), "--agent-id", "agent-7")
    assert code == 0
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["call_id"] for r in results] == [c["id"] for c in cases]
    for result, case in zip(results, cases, strict=True):
        assert sorted(result["violation_flags"]) == sorted(case["violations"])
        assert result["risk_flag"] is case["risk"]
        assert result["agent_id"] == "agent-7"
        assert result["judge"] == "rules"
        assert result["timestamp"].endswith("Z")
        for key in ("transcript_text", "overall_score", "summary_insight", "rubric_version"):
            assert key in result


def test_bad_inputs_get_one_line_errors_and_do_not_stop_the_run(tmp_path, home):
    good = write_case(tmp_path, load_cases(PUBLIC_CASES)[0])
    (tmp_path / "notjson.json").write_text("{oops")
    (tmp_path / "other.json").write_text('{"some": "thing"}')
    (tmp_path / "empty.json").write_text(transcribe_json([("A", "Thank you for calling.")]))
    bad = ["notjson.json", "other.json", "empty.json", "missing.json"]
    code, out, err = run("score", *(str(tmp_path / b) for b in bad[:2]), str(good),
                         *(str(tmp_path / b) for b in bad[2:]))  # fmt: skip
    assert code == 1
    assert [json.loads(line)["call_id"] for line in out.splitlines()] == [good.stem]
    lines = err.strip().splitlines()
    assert len(lines) == 4
    for name, line in zip(bad, lines, strict=True):
        assert line.startswith(f"autoqa: {tmp_path / name}: ")
    assert "not JSON" in lines[0] and "file not found" in lines[3]
    assert "no speech from the customer" in lines[2]
    # Nothing half-written: only the good call is stored.
    _, table, _ = run("results")
    assert good.stem in table and "empty" not in table


def test_results_show_and_flagged(tmp_path, home):
    bad = tmp_path / "smoky.json"
    bad.write_text(transcribe_json(framed(("C", "Smoke from the battery!"), ("A", "Hmm."))))
    ok = tmp_path / "fine.json"
    ok.write_text(transcribe_json(framed()))
    run("score", str(bad), str(ok))
    _, table, _ = run("results")
    assert table.splitlines()[0].split()[:3] == ["CALL", "AGENT", "SCORE"]
    assert "smoky" in table and "fine" in table
    _, flagged, _ = run("results", "--flagged")
    assert "smoky" in flagged and "fine" not in flagged
    code, card, _ = run("show", "smoky")
    assert code == 0
    assert "S4 SAFETY_INSTRUCTIONS_MISSED" in card and "VIOLATED" in card
    assert 'CUSTOMER: "Smoke from the battery!"' in card
    code, _, err = run("show", "nope")
    assert code == 1 and "no scored call" in err


def test_rescoring_the_same_file_keeps_one_row(tmp_path, home):
    f = write_case(tmp_path, load_cases(PUBLIC_CASES)[3])
    run("score", str(f))
    run("score", str(f))
    _, table, _ = run("results")
    assert sum(1 for line in table.splitlines() if line.startswith(f.stem)) == 1


def test_call_id_option_needs_exactly_one_file(tmp_path, home):
    code, _, err = run("score", "a.json", "b.json", "--call-id", "x")
    assert code == 2 and "exactly one file" in err


def test_no_store_writes_nothing(tmp_path, home):
    f = write_case(tmp_path, load_cases(PUBLIC_CASES)[2])
    code, out, _ = run("score", str(f), "--no-store")
    assert code == 0 and out.strip()
    assert not (home / "results.sqlite3").exists()


def test_call_analytics_sample_scores(home):
    code, out, _ = run("score", str(TRANSCRIBE_SAMPLES / "example-call.json"), "--no-store")
    assert code == 0
    assert json.loads(out)["call_id"] == "example-call"


def test_installed_console_script(tmp_path, home):
    f = write_case(tmp_path, load_cases(PUBLIC_CASES)[0])
    script = Path(sys.executable).with_name("autoqa")
    done = subprocess.run(
        [str(script), "score", str(f), "--no-store"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["overall_score"] == 100
