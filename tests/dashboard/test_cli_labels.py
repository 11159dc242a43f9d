"""`autoqa export-labels`: reviewed calls become labelled cases `autoqa eval` reads."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import yaml

from autoqa.cli import main
from autoqa.dashboard_store import SQLiteDashboardBackend
from autoqa.evaluation import load_labelled
from autoqa.store import SQLiteResultStore
from contracts.dashboard import Decision, FlagDecision, ReviewIn
from dashboard.ports import Caller
from dashboard.service import DashboardService
from scripts.dashboard_fixture import seed


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), out, err), out.getvalue(), err.getvalue()


def test_reviewed_calls_export_as_cases_the_evaluation_reads(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOQA_HOME", str(tmp_path))
    seed(tmp_path, 12, datetime.now(UTC))
    store = SQLiteResultStore(tmp_path / "results.sqlite3")
    service = DashboardService(SQLiteDashboardBackend(store))
    flagged = next(r for r in store.list() if r.violation_flags)
    clean = next(r for r in store.list() if not r.violation_flags)
    supervisor = Caller("asha", supervisor=True)
    flag = flagged.violation_flags[0]
    service.review(
        flagged.call_id,
        ReviewIn(
            base_revision=0,
            scorecard=service.call(flagged.call_id).scorecard,
            decisions=[FlagDecision(flag=flag, decision=Decision.OVERRIDE, note="it was said")],
        ),
        supervisor,
    )
    shown = service.call(clean.call_id).scorecard
    service.review(clean.call_id, ReviewIn(base_revision=0, scorecard=shown), supervisor)

    target = tmp_path / "reviewed.yaml"
    code, _, err = run("export-labels", "-o", str(target))
    assert code == 0 and "2 reviewed calls" in err
    cases = {c.id: c for c in load_labelled([target])}
    assert set(cases) == {flagged.call_id, clean.call_id}
    assert flag not in cases[flagged.call_id].violations
    assert cases[clean.call_id].violations == []
    raw = yaml.safe_load(target.read_text("utf-8"))
    assert {c["reviewed_by"] for c in raw} == {"asha"}

    code, out, _ = run("eval", str(target), "--json", "--clean-only")
    assert code == 0
    assert json.loads(out)["calls"] == 2


def test_nothing_reviewed_exports_an_empty_list_and_bad_dates_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOQA_HOME", str(tmp_path))
    seed(tmp_path, 3, datetime.now(UTC))
    code, out, _ = run("export-labels")
    assert code == 0 and yaml.safe_load(out) == []
    code, _, err = run("export-labels", "--from", "yesterday-ish")
    assert code == 2 and "--from" in err
