"""`autoqa` on the inputs that used to crash it: each is one line on stderr, the rest is scored."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.conftest import PUBLIC_CASES, load_cases, transcribe_json
from tests.unit.test_cli_score import run, write_case

ESC = "\x1b"


def malformed(tmp_path, name: str, mutate) -> object:
    doc = json.loads(transcribe_json(load_cases(PUBLIC_CASES)[1]["turns"]))
    mutate(doc)
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _first_item(doc) -> dict:
    return doc["results"]["items"][0]


BROKEN = {
    "item_is_a_string.json": lambda d: d["results"]["items"].insert(1, "Thank"),
    "infinite_time.json": lambda d: _first_item(d).update(start_time="Infinity"),
    "negative_time.json": lambda d: _first_item(d).update(start_time="-3.5"),
    "time_is_a_list.json": lambda d: _first_item(d).update(end_time=[1, 2]),
    "alternatives_is_text.json": lambda d: _first_item(d).update(alternatives="Thank"),
    "segment_out_of_range.json": lambda d: d["results"]["audio_segments"][0]["items"].append(
        10_000
    ),
}


def test_each_malformed_file_is_one_line_and_the_others_are_still_scored(tmp_path, home):
    good = [write_case(tmp_path, c) for c in load_cases(PUBLIC_CASES)[:2]]
    broken = [malformed(tmp_path, name, mutate) for name, mutate in BROKEN.items()]
    code, out, err = run("score", str(good[0]), *map(str, broken), str(good[1]))
    assert code == 1
    assert [json.loads(line)["call_id"] for line in out.splitlines()] == [g.stem for g in good]
    lines = [line for line in err.splitlines() if line.startswith("autoqa:")]
    assert len(lines) == len(BROKEN)
    assert "Traceback" not in err
    for path, line in zip(broken, lines, strict=True):
        assert line.startswith(f"autoqa: {path}: ")
        assert "Traceback" not in line
    assert "finite, non-negative time" in lines[1] and "Infinity" in lines[1]
    assert "not in results.items" in lines[5]
    # Nothing of the broken files is stored, and the store stays readable for everyone.
    code, table, err = run("results")
    assert code == 0 and not err
    assert all(b.stem not in table for b in broken)
    assert run("report")[0] == 0


@pytest.mark.parametrize("call_id", ["../../x", "a/b", "..", "x\x1b[31m", "a\\b", " "])
def test_a_call_id_that_could_escape_the_store_or_the_terminal_is_refused(tmp_path, home, call_id):
    f = write_case(tmp_path, load_cases(PUBLIC_CASES)[0])
    code, out, err = run("score", str(f), "--call-id", call_id)
    assert code == 2 and not out
    assert ESC not in err
    assert not (home / "results.sqlite3").exists()
    assert not (tmp_path.parent / "x.json").exists()


def test_control_characters_in_names_and_words_are_shown_escaped(tmp_path, home):
    turns = [list(t) for t in load_cases(PUBLIC_CASES)[0]["turns"]]
    turns[1][1] = f"How much is a swap?{ESC}[2J{ESC}]0;owned\a"
    named = tmp_path / f"call{ESC}[31mred.json"
    named.write_text(transcribe_json(turns), encoding="utf-8")
    plain = tmp_path / "plain.json"
    plain.write_text(transcribe_json(turns), encoding="utf-8")
    code, _, err = run("score", str(named), str(plain))
    assert code == 1
    assert ESC not in err and "\\x1b[31m" in err
    assert "cannot name a call after this file" in err
    code, card, _ = run("show", "plain")
    assert code == 0
    assert ESC not in card and "\a" not in card
    assert "\\x1b[2J" in card
    _, table, _ = run("results")
    assert ESC not in table


def test_an_unreadable_stored_row_is_named_and_left_out(tmp_path, home):
    files = [write_case(tmp_path, c) for c in load_cases(PUBLIC_CASES)[:2]]
    run("score", *map(str, files))
    with sqlite3.connect(home / "results.sqlite3") as db:  # a row no valid result could make
        db.execute(
            "UPDATE call_qa_results SET sop_checks = '[{\"start_time\": Infinity}]' "
            "WHERE call_id = ?",
            (files[0].stem,),
        )
    code, table, err = run("results")
    assert code == 0
    assert files[1].stem in table and files[0].stem not in table
    assert "1 stored calls are unreadable" in err and files[0].stem in err
    code, out, err = run("report")
    assert code == 0 and "report of 1 calls" in out
    code, _, err = run("show", files[0].stem)
    assert code == 1 and "unreadable" in err and "Traceback" not in err


def test_eval_prints_per_sop_and_language_figures(tmp_path, home):
    code, out, _ = run("eval", str(PUBLIC_CASES), "--json")
    assert code == 0
    summary = json.loads(out)
    assert summary["calls"] == len(load_cases(PUBLIC_CASES))
    assert summary["scored_variants"] == 2 * summary["calls"]
    assert set(summary["f1_by_sop"]) == {"S1", "S2", "S3", "S4", "S5", "S6"}
    assert set(summary["f1_by_variant"]) == {"clean", "crosstalk"}
    code, out, _ = run("eval", str(PUBLIC_CASES), "--clean-only")
    assert code == 0 and "Risk flag accuracy" in out and "Flags by language" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "- id: x\n  violations: [NOT_A_FLAG]\n  risk: false\n  turns: [[A, hi], [C, yo]]"
    )
    code, _, err = run("eval", str(bad))
    assert code == 2 and "unknown flags" in err
