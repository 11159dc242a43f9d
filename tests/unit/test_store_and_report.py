"""The local SQLite store and the supervisor's HTML report."""

from __future__ import annotations

import io
import json
import sqlite3

from autoqa.alert_log import JsonlAlertSink
from autoqa.report import render_report
from autoqa.store import SQLiteResultStore
from qa_engine.alerts import build_alert
from qa_engine.models import SecondOpinion
from qa_engine.pipeline import QAPipeline
from tests.conftest import framed, transcribe_json

SMOKE = framed(("C", "Smoke <b>is</b> coming from the battery!"), ("A", "Which station?"))


def test_rescoring_a_call_replaces_its_row(tmp_path, scorer):
    store = SQLiteResultStore(tmp_path / "r.sqlite3")
    first = scorer.score_transcript(transcribe_json(SMOKE), call_id="c1", agent_id="a")
    store.put(first)
    store.put(first.model_copy(update={"overall_score": 99}))
    rows = store.list()
    assert len(rows) == 1 and rows[0].overall_score == 99
    assert store.get("c1").sop_checks == first.sop_checks
    assert store.get("missing") is None


def test_flagged_listing(tmp_path, scorer):
    store = SQLiteResultStore(tmp_path / "r.sqlite3")
    store.put(scorer.score_transcript(transcribe_json(SMOKE), call_id="bad", agent_id="a"))
    store.put(scorer.score_transcript(transcribe_json(framed()), call_id="ok", agent_id="a"))
    assert [r.call_id for r in store.list(flagged_only=True)] == ["bad"]
    assert {r.call_id for r in store.list()} == {"bad", "ok"}


def test_pipeline_alerts_then_stores_with_alerted_set(tmp_path, scorer):
    store = SQLiteResultStore(tmp_path / "r.sqlite3")
    console = io.StringIO()
    pipeline = QAPipeline(scorer, store, JsonlAlertSink(tmp_path / "alerts.jsonl", console))
    pipeline.process(transcribe_json(SMOKE), call_id="c1", agent_id="a")
    pipeline.process(transcribe_json(framed()), call_id="c2", agent_id="a")
    alerts = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    assert [a["call_id"] for a in alerts] == ["c1"]
    assert alerts[0]["severity"] == "URGENT"
    assert store.get("c1").alerted and not store.get("c2").alerted
    assert "URGENT ALERT: call c1" in console.getvalue()


def test_report_shows_scores_flags_evidence_and_escapes_text(scorer):
    result = scorer.score_transcript(transcribe_json(SMOKE), call_id="c1", agent_id="a7")
    html = render_report([result])
    assert "SAFETY_INSTRUCTIONS_MISSED" in html
    assert "&lt;b&gt;is&lt;/b&gt;" in html and "<b>is</b>" not in html
    assert "[00:0" in html  # evidence time
    assert ">75</span>" in html
    assert "Customer sentiment" in html


def test_a_cross_checked_result_keeps_both_verdicts_in_the_store_and_the_report(tmp_path, scorer):
    result = scorer.score_transcript(transcribe_json(SMOKE), call_id="c1", agent_id="a7")
    rules = next(c for c in result.sop_checks if c.sop_id == "S4")
    checked = result.model_copy(
        update={
            "needs_review": True,
            "disputed_sops": ["S4"],
            "urgent_review": True,
            "second_opinion": SecondOpinion(
                judge="rules", sop_checks=[rules], risk_reasons=["SAFETY_HAZARD"], summary="x"
            ),
            "warnings": ["the recording ends mid-speech: the call may have been cut short"],
        }
    )
    store = SQLiteResultStore(tmp_path / "r.sqlite3")
    store.put(checked)
    assert store.get("c1") == checked
    html = render_report([checked])
    assert "Needs review: the judges disagree on S4." in html
    assert "Warning: the recording ends mid-speech" in html
    alert = build_alert(checked)
    assert alert.urgent and "Needs review" in alert.message and "cut short" in alert.message


def test_a_store_from_before_the_review_columns_is_upgraded_in_place(tmp_path, scorer):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        columns = [
            "call_id TEXT PRIMARY KEY",
            *(
                f"{name} TEXT NOT NULL"
                for name in [
                    "timestamp",
                    "agent_id",
                    "transcript_text",
                    "violation_flags",
                    "summary_insight",
                    "risk_reasons",
                    "sop_checks",
                    "rubric_version",
                    "judge",
                    "status",
                    "warnings",
                ]
            ),
            *(f"{name} INTEGER NOT NULL" for name in ("overall_score", "risk_flag", "alerted")),
            *(
                f"{name} REAL NOT NULL"
                for name in ("sentiment_start", "sentiment_end", "sentiment_trajectory")
            ),
        ]
        db.execute(f"CREATE TABLE call_qa_results ({', '.join(columns)})")
    store = SQLiteResultStore(path)
    result = scorer.score_transcript(transcribe_json(SMOKE), call_id="c1", agent_id="a")
    store.put(result)
    assert store.get("c1") == result
