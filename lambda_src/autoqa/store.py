"""SQLite store with the `CallQA_Results` schema: one row per call, `call_id` the primary key."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from contracts.results_table import AGENT_INDEX
from qa_engine.models import FailedCall, QAResult

_SCHEMA = """
CREATE TABLE IF NOT EXISTS call_qa_results (
    call_id TEXT PRIMARY KEY,
    timestamp TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    transcript_text TEXT NOT NULL,
    overall_score INTEGER NOT NULL,
    violation_flags TEXT NOT NULL,
    summary_insight TEXT NOT NULL,
    risk_flag INTEGER NOT NULL,
    risk_reasons TEXT NOT NULL,
    sentiment_start REAL NOT NULL,
    sentiment_end REAL NOT NULL,
    sentiment_trajectory REAL NOT NULL,
    sop_checks TEXT NOT NULL,
    rubric_version TEXT NOT NULL,
    judge TEXT NOT NULL,
    alerted INTEGER NOT NULL,
    status TEXT NOT NULL,
    warnings TEXT NOT NULL,
    source_version TEXT,
    needs_review INTEGER NOT NULL DEFAULT 0,
    disputed_sops TEXT NOT NULL DEFAULT '[]',
    urgent_review INTEGER NOT NULL DEFAULT 0,
    second_opinion TEXT
);
CREATE INDEX IF NOT EXISTS {agent_index} ON call_qa_results (agent_id, timestamp);
CREATE INDEX IF NOT EXISTS call_qa_results_by_time ON call_qa_results (timestamp);
CREATE TABLE IF NOT EXISTS failed_calls (
    call_id TEXT PRIMARY KEY,
    timestamp TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    failure_reason TEXT NOT NULL,
    source TEXT NOT NULL,
    recording_uri TEXT
);
CREATE TABLE IF NOT EXISTS call_reviews (
    call_id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    review TEXT NOT NULL,
    PRIMARY KEY (call_id, revision)
);
"""
# The results table's JSON-encoded and boolean columns (the dashboard's store reads them too).
JSON_FIELDS = (
    "violation_flags",
    "risk_reasons",
    "sop_checks",
    "warnings",
    "disputed_sops",
    "second_opinion",
    "turn_times",
    "sentiment_by_turn",
)
BOOL_FIELDS = ("risk_flag", "alerted", "needs_review", "urgent_review")
# Columns added after the first stores were created, with how to add them to an old store.
_LATER_COLUMNS = {
    "source_version": "TEXT",
    "needs_review": "INTEGER NOT NULL DEFAULT 0",
    "disputed_sops": "TEXT NOT NULL DEFAULT '[]'",
    "urgent_review": "INTEGER NOT NULL DEFAULT 0",
    "second_opinion": "TEXT",
    "turn_times": "TEXT NOT NULL DEFAULT '[]'",
    "sentiment_by_turn": "TEXT NOT NULL DEFAULT '[]'",
    "recording_uri": "TEXT",
    # A supervisor's review of the scorecard (autoqa.dashboard_store); scoring resets them.
    "review_status": "TEXT NOT NULL DEFAULT 'unreviewed'",
    "review_revision": "INTEGER NOT NULL DEFAULT 0",
    "reviewed_by": "TEXT",
    "reviewed_at": "TEXT",
    "reviewed_flags": "TEXT",
}


class SQLiteResultStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.unreadable: list[str] = []
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as db:
            db.executescript(_SCHEMA.format(agent_index=AGENT_INDEX))
            columns = {row["name"] for row in db.execute("PRAGMA table_info(call_qa_results)")}
            for name, kind in _LATER_COLUMNS.items():
                if name not in columns:
                    db.execute(f"ALTER TABLE call_qa_results ADD COLUMN {name} {kind}")

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """One transaction on the store (also for readers beside this class: the dashboard)."""
        with closing(sqlite3.connect(self.path)) as db:
            db.row_factory = sqlite3.Row
            with db:  # one transaction: committed whole or rolled back
                yield db

    def put(self, result: QAResult) -> None:
        """Insert or replace the call's row: re-scoring a call never duplicates it.

        A new scorecard is unreviewed; the review history and its revision count stay."""
        row = result.model_dump(mode="json")
        for name in JSON_FIELDS:
            row[name] = json.dumps(row[name], ensure_ascii=False)
        for name in BOOL_FIELDS:
            row[name] = int(row[name])
        columns = ", ".join(row)
        placeholders = ", ".join(f":{c}" for c in row)
        updates = ", ".join(f"{c} = excluded.{c}" for c in row if c != "call_id")
        with self.connect() as db:
            db.execute(
                f"INSERT INTO call_qa_results ({columns}) VALUES ({placeholders}) "
                f"ON CONFLICT (call_id) DO UPDATE SET {updates}, review_status = 'unreviewed', "
                "reviewed_by = NULL, reviewed_at = NULL, reviewed_flags = NULL",
                row,
            )
            db.execute("DELETE FROM failed_calls WHERE call_id = ?", (result.call_id,))

    def put_failure(self, failure: FailedCall) -> bool:
        """Record a call that could not be scored; never replaces a scored call's row."""
        with self.connect() as db:
            if db.execute(
                "SELECT 1 FROM call_qa_results WHERE call_id = ?", (failure.call_id,)
            ).fetchone():
                return False
            db.execute(
                "INSERT OR REPLACE INTO failed_calls (call_id, timestamp, agent_id, "
                "failure_reason, source, recording_uri) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    failure.call_id,
                    failure.timestamp,
                    failure.agent_id,
                    failure.failure_reason,
                    failure.source,
                    failure.recording_uri,
                ),
            )
        return True

    def claim_alert(self, result: QAResult) -> bool:
        with self.connect() as db:
            cursor = db.execute(
                "UPDATE call_qa_results SET alerted = 1 WHERE call_id = ? AND alerted = 0",
                (result.call_id,),
            )
            return cursor.rowcount == 1

    def release_alert(self, result: QAResult) -> None:
        with self.connect() as db:
            db.execute(
                "UPDATE call_qa_results SET alerted = 0 WHERE call_id = ?", (result.call_id,)
            )

    def get(self, call_id: str) -> QAResult | None:
        """The stored call; raises UnreadableRow for a row this version cannot read."""
        with self.connect() as db:
            row = db.execute(
                "SELECT * FROM call_qa_results WHERE call_id = ?", (call_id,)
            ).fetchone()
        return _to_result(row) if row else None

    def list(self, *, flagged_only: bool = False) -> list[QAResult]:
        """Every readable stored call; unreadable rows are named in `self.unreadable`."""
        query = "SELECT * FROM call_qa_results"
        if flagged_only:
            query += " WHERE violation_flags != '[]' OR risk_flag = 1"
        query += " ORDER BY timestamp, call_id"
        with self.connect() as db:
            rows = db.execute(query).fetchall()
        results, self.unreadable = [], []
        for row in rows:
            try:
                results.append(_to_result(row))
            except UnreadableRow:
                self.unreadable.append(str(row["call_id"]))
        return results


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file whole or not at all: a crash leaves the old file, never half of a new one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class UnreadableRow(ValueError):
    """A stored row that does not hold a valid result (written by hand or by a broken tool)."""


def _to_result(row: sqlite3.Row) -> QAResult:
    data = dict(row)
    try:
        for name in JSON_FIELDS:
            if data.get(name) is not None:
                data[name] = json.loads(data[name])
        for name in BOOL_FIELDS:
            data[name] = bool(data[name])
        return QAResult.model_validate(data)
    except (ValueError, TypeError, RecursionError) as exc:
        reason = str(exc).splitlines()[0]
        raise UnreadableRow(f"stored row {data.get('call_id')!r} is unreadable: {reason}") from None
