"""The dashboard's use cases over any backend: the calls list, a call with its evidence and
transcript timed for playback, reviews, agents' weeks, and reviewed calls as labelled cases."""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from contracts import sops
from contracts.dashboard import (
    AUDIO_URL_SECONDS,
    LABELS_MAX_LIMIT,
    WORST_CALLS,
    AgentDetail,
    AgentList,
    AgentTotals,
    AgentWeek,
    AudioLink,
    CallDetail,
    CallPage,
    CallSummary,
    Decision,
    LabelExport,
    LabelledCase,
    Review,
    ReviewHistory,
    ReviewIn,
    ReviewStatus,
    SentimentPoint,
    SopCheckOut,
    TurnOut,
    judge_kind,
)
from contracts.results_table import recording_of
from dashboard.errors import BadRequest, Conflict, NotFound
from dashboard.ports import Backend, Caller, ReviewConflict, Row
from dashboard.query import CallFilter, decode_cursor, encode_cursor, iso

_LINE = re.compile(r"^(AGENT|CUSTOMER): ?(.*)$")
_DEVANAGARI = re.compile(r"[\u0900-\u097F]")
FLAG_ORDER = {flag: n for n, flag in enumerate(sops.FLAGS.values())}


def summary_of(row: Row) -> CallSummary:
    status = row.get("status") or "SCORED"
    judge = row.get("judge")
    flags = list(row.get("violation_flags") or [])
    reviewed = row.get("review_status") == ReviewStatus.REVIEWED.value
    urgent = bool(row.get("risk_flag")) or bool(row.get("urgent_review"))
    reviewed_flags = row.get("reviewed_flags")
    return CallSummary(
        call_id=str(row["call_id"]),
        agent_id=str(row.get("agent_id") or ""),
        timestamp=str(row.get("timestamp") or ""),
        status=status,  # type: ignore[arg-type]  # checked by the model
        overall_score=row.get("overall_score") if status == "SCORED" else None,
        violation_flags=flags,
        risk_flag=bool(row.get("risk_flag")),
        risk_reasons=list(row.get("risk_reasons") or []),
        judge=judge,
        judge_kind=judge_kind(judge) if judge else None,
        needs_review=bool(row.get("needs_review")),
        urgent=urgent,
        review_status=ReviewStatus.REVIEWED if reviewed else ReviewStatus.UNREVIEWED,
        review_revision=int(row.get("review_revision") or 0),
        reviewed_flags=list(reviewed_flags) if reviewed and reviewed_flags is not None else None,
        failure_reason=row.get("failure_reason"),
    )


def scorecard_of(row: Row) -> str:
    """Identifies one scorecard of a call: a new transcript or a new scoring gives another."""
    parts = [str(row.get(k) or "") for k in ("timestamp", "source_version", "judge")]
    parts.append(",".join(row.get("violation_flags") or []))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def turns_of(text: str, times: list[Any]) -> list[TurnOut]:
    """The transcript's lines as turns, timed when the scorecard kept each line's times."""
    lines = [line for line in text.splitlines() if _LINE.match(line)]
    timed = len(times) == len(lines)
    turns = []
    for n, line in enumerate(lines):
        match = _LINE.match(line)
        assert match is not None
        start, end = (float(times[n][0]), float(times[n][1])) if timed else (None, None)
        turns.append(
            TurnOut(
                index=n,
                speaker=match.group(1),  # type: ignore[arg-type]
                text=match.group(2),
                start_time=start,
                end_time=end,
            )
        )
    return turns


def _sorted_flags(flags: Iterable[str]) -> list[str]:
    return sorted(set(flags), key=lambda f: FLAG_ORDER.get(f, len(FLAG_ORDER)))


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


class DashboardService:
    def __init__(self, backend: Backend, now: Callable[[], datetime] | None = None) -> None:
        self.backend = backend
        self.now = now or (lambda: datetime.now(UTC))

    # --- calls --------------------------------------------------------------------------
    def _page(self, f: CallFilter, limit: int, cursor: str | None) -> tuple[list[Row], str | None]:
        """A page of rows passing `f` from `cursor`, and the next page's cursor."""
        position = decode_cursor(f, cursor) if cursor else None
        rows, after = self.backend.page(f, limit, position)
        return rows, encode_cursor(f, after) if after is not None else None

    def list_calls(self, f: CallFilter, limit: int, cursor: str | None) -> CallPage:
        rows, next_cursor = self._page(f, limit, cursor)
        return CallPage(items=[summary_of(r) for r in rows], next_cursor=next_cursor)

    def _row(self, call_id: str) -> Row:
        row = self.backend.call(call_id)
        if row is None:
            raise NotFound(f"no call {call_id!r}", "call_not_found")
        return row

    def call(self, call_id: str) -> CallDetail:
        row = self._row(call_id)
        history = self.backend.reviews(call_id)
        summary = summary_of(row).model_dump()
        summary["review_revision"] = history[-1].revision if history else 0
        text = self.backend.transcript(row) if row.get("transcript_text") else ""
        turns = turns_of(text, list(row.get("turn_times") or []))
        times = {t.index: t.start_time for t in turns}
        checks = [
            SopCheckOut(
                sop_id=c["sop_id"],
                flag=c["flag"],
                triggered=c["triggered"],
                followed=c["followed"],
                violated=c["triggered"] and not c["followed"],
                evidence=c.get("evidence") or [],
                note=c.get("note") or "",
            )
            for c in row.get("sop_checks") or []
        ]
        return CallDetail(
            **summary,
            scorecard=scorecard_of(row),
            summary_insight=row.get("summary_insight") or "",
            sop_checks=checks,
            turns=turns,
            sentiment=[
                SentimentPoint(turn_index=int(i), time=times.get(int(i)), score=float(s))
                for i, s in row.get("sentiment_by_turn") or []
            ],
            sentiment_start=row.get("sentiment_start"),
            sentiment_end=row.get("sentiment_end"),
            disputed_sops=list(row.get("disputed_sops") or []),
            warnings=list(row.get("warnings") or []),
            rubric_version=row.get("rubric_version"),
            has_recording=recording_of(row) is not None,
            reviewed_by=row.get("reviewed_by") if summary["review_status"] == "reviewed" else None,
            reviewed_at=row.get("reviewed_at") if summary["review_status"] == "reviewed" else None,
        )

    def audio(self, call_id: str) -> AudioLink:
        row = self._row(call_id)
        url = self.backend.audio_url(row, AUDIO_URL_SECONDS)
        if url is None:
            raise NotFound(f"call {call_id!r} has no recording", "no_recording")
        expires = self.now() + timedelta(seconds=AUDIO_URL_SECONDS)
        return AudioLink(url=url, expires_at=iso(expires))

    # --- reviews ------------------------------------------------------------------------
    def reviews(self, call_id: str) -> ReviewHistory:
        self._row(call_id)
        return ReviewHistory(items=self.backend.reviews(call_id))

    def review(self, call_id: str, body: ReviewIn, caller: Caller) -> Review:
        row = self._row(call_id)
        if (row.get("status") or "SCORED") != "SCORED":
            raise Conflict("only a scored call can be reviewed", "not_scored")
        if body.scorecard != scorecard_of(row):
            raise Conflict(
                "the call was scored again since you opened it: reload it and review the new "
                "scorecard",
                "scorecard_changed",
            )
        history = self.backend.reviews(call_id)
        latest = history[-1].revision if history else 0
        if body.base_revision != latest:
            raise Conflict(
                f"the call was reviewed meanwhile (revision {latest}, not "
                f"{body.base_revision}): reload it and review again",
                "stale_revision",
            )
        judged = set(row.get("violation_flags") or [])
        after = set(judged)
        seen: set[str] = set()
        for d in body.decisions:
            if d.flag not in sops.SOP_OF_FLAG:
                raise BadRequest(f"{d.flag!r} is not a violation flag")
            if d.flag in seen:
                raise BadRequest(f"{d.flag} is decided twice")
            seen.add(d.flag)
            if d.decision is Decision.OVERRIDE:
                if not d.note.strip():
                    raise BadRequest(f"overriding {d.flag} needs a note saying why")
                after ^= {d.flag}
        reviewed = row.get("review_status") == ReviewStatus.REVIEWED.value
        before = set(row.get("reviewed_flags") or []) if reviewed else judged
        review = Review(
            call_id=call_id,
            revision=latest + 1,
            reviewer=caller.user,
            reviewed_at=iso(self.now()),
            decisions=body.decisions,
            note=body.note,
            flags_before=_sorted_flags(before),
            flags_after=_sorted_flags(after),
            added=_sorted_flags(after - before),
            removed=_sorted_flags(before - after),
        )
        try:
            self.backend.save_review(review, row)
        except ReviewConflict:
            raise Conflict(
                "another review of this call was saved first: reload it and review again",
                "stale_revision",
            ) from None
        return review

    # --- agents -------------------------------------------------------------------------
    def agents(self, start: datetime, end: datetime) -> AgentList:
        by_agent: dict[str, list[CallSummary]] = defaultdict(list)
        for row in self.backend.calls_between(start, end, None):
            call = summary_of(row)
            by_agent[call.agent_id].append(call)
        return AgentList(items=[_totals(a, calls) for a, calls in sorted(by_agent.items())])

    def agent(self, agent_id: str, weeks: int, end: datetime) -> AgentDetail:
        last_day = (end.astimezone(UTC) - timedelta(microseconds=1)).date()  # `end` is exclusive
        first = week_start(last_day) - timedelta(weeks=weeks - 1)
        start = datetime(first.year, first.month, first.day, tzinfo=UTC)
        calls = [summary_of(r) for r in self.backend.calls_between(start, end, agent_id)]
        buckets: dict[date, list[CallSummary]] = {
            first + timedelta(weeks=n): [] for n in range(weeks)
        }
        for call in calls:
            day = datetime.fromisoformat(call.timestamp.replace("Z", "+00:00")).date()
            buckets.setdefault(week_start(day), []).append(call)
        scored = [c for c in calls if c.overall_score is not None]
        worst = sorted(scored, key=lambda c: (c.overall_score, c.timestamp))[:WORST_CALLS]
        return AgentDetail(
            agent_id=agent_id,
            weeks=[
                AgentWeek(
                    week_start=monday.isoformat(),
                    calls=len(week),
                    average_score=_average(week),
                    violations=_violations(week),
                )
                for monday, week in sorted(buckets.items())
            ],
            worst_calls=worst,
        )

    # --- labels -------------------------------------------------------------------------
    def labels(self, start: datetime, end: datetime, limit: int, cursor: str | None) -> LabelExport:
        """A page of reviewed calls as labelled cases, newest call first."""
        rows, next_cursor = self._page(_reviewed(start, end), limit, cursor)
        return LabelExport(cases=[self._labelled(row) for row in rows], next_cursor=next_cursor)

    def all_labels(self, start: datetime, end: datetime) -> Iterator[LabelledCase]:
        """Every reviewed call of [start, end) as a labelled case, a page at a time."""
        f = _reviewed(start, end)
        position = None
        while True:
            rows, position = self.backend.page(f, LABELS_MAX_LIMIT, position)
            yield from (self._labelled(row) for row in rows)
            if position is None:
                return

    def _labelled(self, listed: Row) -> LabelledCase:
        """The flags a supervisor settled on are the violations a correct judge raises.
        `risk` is the scorecard's (reviews do not cover risk); `lang` is `hi` for Devanagari
        and otherwise unknown."""
        row = self.backend.call(str(listed["call_id"])) or listed
        text = self.backend.transcript(row)
        turns = [("A" if t.speaker == "AGENT" else "C", t.text) for t in turns_of(text, [])]
        return LabelledCase(
            id=str(row["call_id"]),
            lang="hi" if _DEVANAGARI.search(text) else "unknown",
            violations=_sorted_flags(row.get("reviewed_flags") or []),
            risk=bool(row.get("risk_flag")),
            turns=turns,  # type: ignore[arg-type]
            reviewed_by=str(row.get("reviewed_by") or ""),
            reviewed_at=str(row.get("reviewed_at") or ""),
        )


def _reviewed(start: datetime, end: datetime) -> CallFilter:
    return CallFilter(start=start, end=end, review=ReviewStatus.REVIEWED)


def _average(calls: list[CallSummary]) -> float | None:
    scores = [c.overall_score for c in calls if c.overall_score is not None]
    return round(sum(scores) / len(scores), 1) if scores else None


def _violations(calls: list[CallSummary]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for call in calls:
        counts.update(sops.SOP_OF_FLAG[f] for f in call.violation_flags if f in sops.SOP_OF_FLAG)
    return {sop: counts[sop] for sop in sops.SOP_IDS if counts[sop]}


def _totals(agent_id: str, calls: list[CallSummary]) -> AgentTotals:
    return AgentTotals(
        agent_id=agent_id,
        calls=len(calls),
        scored_calls=sum(1 for c in calls if c.overall_score is not None),
        average_score=_average(calls),
        flagged_calls=sum(1 for c in calls if c.violation_flags or c.risk_flag),
        violations=_violations(calls),
    )


def check_range(name: str, value: int, maximum: int) -> int:
    if not 1 <= value <= maximum:
        raise BadRequest(f"{name} must be between 1 and {maximum}")
    return value
