"""The dashboard's backend on a laptop: the SQLite store `autoqa` scores into, and the
recordings the calls were transcribed from (served by `autoqa serve`)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from autoqa.store import BOOL_FIELDS, JSON_FIELDS, SQLiteResultStore
from contracts.dashboard import Review, ReviewStatus, judge_kind
from dashboard.errors import BadRequest
from dashboard.ports import ReviewConflict, Row
from dashboard.query import CallFilter, iso

_JSON = ("violation_flags", "risk_reasons", "reviewed_flags")
_FULL_JSON = (*JSON_FIELDS, "reviewed_flags")
# Scored and failed calls as one list, each with its rank (0: urgent and unreviewed).
_CALLS = """
WITH calls AS (
    SELECT call_id, agent_id, timestamp, status, overall_score, violation_flags, risk_flag,
        risk_reasons, judge, needs_review, urgent_review, review_status, review_revision,
        reviewed_flags, NULL AS failure_reason,
        CASE WHEN (risk_flag = 1 OR urgent_review = 1) AND review_status = 'unreviewed'
            THEN 0 ELSE 1 END AS rank
    FROM call_qa_results
    UNION ALL
    SELECT call_id, agent_id, timestamp, 'FAILED', NULL, '[]', 0, '[]', NULL, 0, 0,
        'unreviewed', 0, NULL, failure_reason, 1
    FROM failed_calls
)
SELECT * FROM calls
"""
_ORDER = " ORDER BY rank, timestamp DESC, call_id DESC"


def _decode(row: sqlite3.Row, fields: tuple[str, ...] = _JSON) -> Row:
    data = dict(row)
    for name in fields:
        if isinstance(data.get(name), str):
            data[name] = json.loads(data[name])
    for name in BOOL_FIELDS:
        if name in data:
            data[name] = bool(data[name])
    data.pop("rank", None)
    return data


def _where(f: CallFilter) -> tuple[list[str], list[Any]]:
    """The filters as SQL (`CallFilter.matches` is their definition)."""
    has = "EXISTS (SELECT 1 FROM json_each({column}) WHERE value = ?)"
    clauses: list[tuple[bool, str, list[Any]]] = [
        (True, "timestamp >= ? AND timestamp < ?", [f.start_iso, f.end_iso]),
        (f.agent is not None, "agent_id = ?", [f.agent]),
        (
            f.flagged is not None,
            "(violation_flags != '[]' OR risk_flag = 1) = ?",
            [int(bool(f.flagged))],
        ),
        (f.flag is not None, has.format(column="violation_flags"), [f.flag]),
        (f.risk is not None, has.format(column="risk_reasons"), [f.risk]),
        (f.score_min is not None, "overall_score >= ?", [f.score_min]),
        (f.score_max is not None, "overall_score <= ?", [f.score_max]),
        (f.needs_review is not None, "needs_review = ?", [int(bool(f.needs_review))]),
        (f.review is not None, "review_status = ?", [f.review.value if f.review else None]),
        (f.judge is not None, "judge_kind(judge) = ?", [f.judge.value if f.judge else None]),
        (f.status is not None, "status = ?", [f.status]),
        (f.call_id is not None, "call_id = ?", [f.call_id]),
    ]
    sql = [clause for on, clause, _ in clauses if on]
    args = [arg for on, _, params in clauses if on for arg in params]
    return sql, args


def _position(position: Any) -> tuple[int, str, str]:
    """A page's position as this backend wrote it into the cursor, or BadRequest."""
    ok = (
        isinstance(position, list)
        and len(position) == 3
        and position[0] in (0, 1)
        and all(isinstance(p, str) for p in position[1:])
    )
    if not ok:
        raise BadRequest("cursor is not one this API issued")
    return position[0], position[1], position[2]


class SQLiteDashboardBackend:
    def __init__(
        self, store: SQLiteResultStore, media_url: Callable[[str, int], str] | None = None
    ) -> None:
        self.store = store
        self.media_url = media_url

    def _query(self, sql: str, args: list[Any]) -> list[sqlite3.Row]:
        with self.store.connect() as db:
            db.create_function(
                "judge_kind", 1, lambda j: judge_kind(j).value if j else None, deterministic=True
            )
            return db.execute(sql, args).fetchall()

    def page(self, f: CallFilter, limit: int, position: Any | None) -> tuple[list[Row], Any]:
        where, args = _where(f)
        if position is not None:
            rank, timestamp, call_id = _position(position)
            where.append(
                "(rank > ? OR (rank = ? AND (timestamp < ? OR (timestamp = ? AND call_id < ?))))"
            )
            args += [rank, rank, timestamp, timestamp, call_id]
        sql = _CALLS + " WHERE " + " AND ".join(where) + _ORDER + " LIMIT ?"
        rows = self._query(sql, [*args, limit + 1])
        more = len(rows) > limit
        rows = rows[:limit]
        last = rows[-1] if rows else None
        after = [last["rank"], last["timestamp"], last["call_id"]] if more and last else None
        return [_decode(r) for r in rows], after

    def call(self, call_id: str) -> Row | None:
        rows = self._query("SELECT * FROM call_qa_results WHERE call_id = ?", [call_id])
        if rows:
            return _decode(rows[0], _FULL_JSON)
        failed = self._query("SELECT * FROM failed_calls WHERE call_id = ?", [call_id])
        return {**dict(failed[0]), "status": "FAILED"} if failed else None

    def transcript(self, row: Row) -> str:
        return str(row.get("transcript_text") or "")

    def recording(self, row: Row) -> Path | None:
        uri = row.get("recording_uri")
        path = Path(uri) if isinstance(uri, str) and uri else None
        return path if path is not None and path.is_file() else None

    def audio_url(self, row: Row, seconds: int) -> str | None:
        if self.media_url is None or self.recording(row) is None:
            return None
        return self.media_url(str(row["call_id"]), seconds)

    def calls_between(self, start: datetime, end: datetime, agent: str | None) -> Iterator[Row]:
        sql = _CALLS + " WHERE timestamp >= ? AND timestamp < ?"
        args: list[Any] = [iso(start), iso(end)]
        if agent is not None:
            sql += " AND agent_id = ?"
            args.append(agent)
        for row in self._query(sql, args):
            yield _decode(row)

    def reviews(self, call_id: str) -> list[Review]:
        rows = self._query(
            "SELECT review FROM call_reviews WHERE call_id = ? ORDER BY revision", [call_id]
        )
        return [Review.model_validate_json(r["review"]) for r in rows]

    def save_review(self, review: Review, row: Row) -> None:
        try:
            with self.store.connect() as db:
                db.execute(
                    "INSERT INTO call_reviews (call_id, revision, review) VALUES (?, ?, ?)",
                    (review.call_id, review.revision, review.model_dump_json()),
                )
                updated = db.execute(
                    "UPDATE call_qa_results SET review_status = ?, review_revision = ?, "
                    "reviewed_by = ?, reviewed_at = ?, reviewed_flags = ? WHERE call_id = ? "
                    "AND timestamp = ? AND source_version IS ?",
                    (
                        ReviewStatus.REVIEWED.value,
                        review.revision,
                        review.reviewer,
                        review.reviewed_at,
                        json.dumps(review.flags_after),
                        review.call_id,
                        row.get("timestamp"),
                        row.get("source_version"),
                    ),
                )
                if updated.rowcount != 1:  # scored again since it was read: roll back
                    raise ReviewConflict(review.call_id)
        except sqlite3.IntegrityError:
            raise ReviewConflict(review.call_id) from None
