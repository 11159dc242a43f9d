"""The local SQLite store and the supervisor's HTML report."""

from __future__ import annotations

import io
import json

from autoqa.alert_log import JsonlAlertSink
from autoqa.report import render_report
from autoqa.store import SQLiteResultStore
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
