"""One contract, two backends: every test here runs against SQLite (`autoqa serve`) and DynamoDB
(the DashboardApi function under moto) and expects the same answers.

The expected lists are computed from the seeded calls with the contract's own definitions
(`CallFilter.matches` and triage order), never copied from a backend's output.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from contracts import sops
from contracts.dashboard import DEFAULT_LIMIT, LABELS_MAX_LIMIT, MAX_LIMIT, JudgeKind
from dashboard.query import CallFilter, iso
from dashboard.service import summary_of
from qa_engine.models import FailedCall, QAResult
from tests.dashboard.conftest import NOW, WIDE


def row_of(call: QAResult | FailedCall) -> dict:
    return call.model_dump(mode="json")


def expected(api, **filters) -> list[str]:
    """The calls a list should return, in triage order: urgent unreviewed first, then newest."""
    f = CallFilter(start=NOW - timedelta(days=60), end=NOW + timedelta(hours=1), **filters)
    summaries = [summary_of(row_of(c)) for c in api.calls]
    matching = [s for s in summaries if f.matches(s)]
    urgent = [s for s in matching if s.urgent and s.review_status.value == "unreviewed"]
    rest = [s for s in matching if s not in urgent]

    def newest_first(calls):
        return [
            c.call_id for c in sorted(calls, key=lambda c: (c.timestamp, c.call_id), reverse=True)
        ]

    return newest_first(urgent) + newest_first(rest)


def ids(items: list[dict]) -> list[str]:
    return [i["call_id"] for i in items]


def test_the_first_page_puts_urgent_unreviewed_calls_first_then_newest(api):
    everything = api.get("/api/calls")  # the defaults: the last 30 days, 25 a page
    assert everything.status == 200
    assert ids(everything.body["items"]) == expected(api)[:DEFAULT_LIMIT]
    reply = api.get("/api/calls", limit=10)
    assert ids(reply.body["items"]) == expected(api)[:10]
    urgent = [i["urgent"] for i in reply.body["items"]]
    assert urgent == sorted(urgent, reverse=True) and urgent[0]
    assert reply.body["next_cursor"]


def test_pages_walk_every_call_once_in_order(api):
    items = api.all_pages(limit=7, **WIDE)
    assert ids(items) == expected(api)
    urgent = [i["urgent"] for i in items]
    assert urgent == sorted(urgent, reverse=True) and urgent[0] and not urgent[-1]
    assert len(set(ids(items))) == len(api.calls)


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 8])
def test_any_page_size_gives_the_same_calls(api, limit):
    assert ids(api.all_pages(limit=limit, flagged=True, **WIDE)) == expected(api, flagged=True)


def test_later_pages_of_the_default_range_continue_the_first_pages_range(api):
    # Without from/to the range ends "now"; the next page, asked a second later, must not
    # become a different list (or a refused cursor).
    assert ids(api.all_pages(limit=10, pause=1.1)) == expected(api)


def test_the_last_page_says_there_is_no_next(api):
    reply = api.get("/api/calls", limit=len(api.calls), **WIDE)
    assert len(reply.body["items"]) == len(api.calls)
    assert reply.body["next_cursor"] is None


FILTERS = [
    ({"agent": "agent-ravi"}, {"agent": "agent-ravi"}),
    ({"flagged": True}, {"flagged": True}),
    ({"flagged": False}, {"flagged": False}),
    (
        {"flag": sops.FLAGS[sops.SAFETY]},
        {"flag": sops.FLAGS[sops.SAFETY]},
    ),
    ({"risk": sops.SAFETY_HAZARD}, {"risk": sops.SAFETY_HAZARD}),
    ({"score_min": 90}, {"score_min": 90}),
    ({"score_max": 80}, {"score_max": 80}),
    ({"score_min": 70, "score_max": 90}, {"score_min": 70, "score_max": 90}),
    ({"needs_review": True}, {"needs_review": True}),
    ({"needs_review": False}, {"needs_review": False}),
    ({"judge": "bedrock"}, {"judge": JudgeKind.BEDROCK}),
    ({"judge": "rules"}, {"judge": JudgeKind.RULES}),
    ({"judge": "fallback"}, {"judge": JudgeKind.FALLBACK}),
    ({"status": "FAILED"}, {"status": "FAILED"}),
    ({"agent": "agent-asha", "flagged": True}, {"agent": "agent-asha", "flagged": True}),
]


@pytest.mark.parametrize(("query", "definition"), FILTERS, ids=[str(q) for q, _ in FILTERS])
def test_each_filter_returns_exactly_the_matching_calls(api, query, definition):
    want = expected(api, **definition)
    assert want, "the seeded calls must hold some matches, or the test proves nothing"
    assert len(want) < len(api.calls) or query == {"needs_review": False}
    assert ids(api.all_pages(limit=6, **WIDE, **query)) == want


def test_a_date_range_keeps_calls_from_its_start_up_to_its_end(api):
    newest = sorted(c.timestamp for c in api.calls)
    start, end = newest[5], newest[20]
    reply = api.get("/api/calls", limit=MAX_LIMIT, **{"from": start, "to": end})
    stamps = sorted(i["timestamp"] for i in reply.body["items"])
    assert stamps == newest[5:20]


def test_search_by_call_id_finds_the_one_call(api):
    target = api.calls[9]
    reply = api.get("/api/calls", call_id=target.call_id, **WIDE)
    assert ids(reply.body["items"]) == [target.call_id]
    assert api.get("/api/calls", call_id="no-such-call", **WIDE).body["items"] == []


def test_the_review_queue_is_disputed_calls_nobody_reviewed(api):
    queue = api.all_pages(needs_review=True, review="unreviewed", **WIDE)
    assert ids(queue) == expected(api, needs_review=True)
    first = queue[0]
    api.review(first["call_id"], {"base_revision": 0, "decisions": []})
    after = api.all_pages(needs_review=True, review="unreviewed", **WIDE)
    assert first["call_id"] not in ids(after) and len(after) == len(queue) - 1
    reviewed = api.all_pages(review="reviewed", **WIDE)
    assert ids(reviewed) == [first["call_id"]]


def test_a_cursor_only_works_with_the_filters_it_came_from(api):
    cursor = api.get("/api/calls", limit=5, **WIDE).body["next_cursor"]
    reply = api.get("/api/calls", limit=5, cursor=cursor, flagged=True, **WIDE)
    assert reply.status == 400 and "cursor" in reply.body["error"]["message"]
    assert api.get("/api/calls", cursor="not-a-cursor").status == 400


def _forge(position, days=30, fingerprint_of=None):
    import base64
    import json

    from dashboard.query import CallFilter

    end = NOW
    start = end - timedelta(days=days)
    f = fingerprint_of or CallFilter(start=start, end=end)
    data = {"f": f.fingerprint(), "r": [iso(start), iso(end)], "p": position}
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "position",
    ["x", [0, {"call_id": 5}], [99, None], [0, {"call_id": "a"}], [1, "x", "y", "z"], None, {}],
)
def test_a_forged_cursor_is_a_400_not_an_error(api, position):
    reply = api.get("/api/calls", cursor=_forge(position))
    assert reply.status == 400 and "cursor" in reply.body["error"]["message"]


def test_a_cursor_cannot_stretch_the_range_past_the_limit(api):
    from dashboard.query import CallFilter

    end, start = NOW, NOW - timedelta(days=2000)
    cursor = _forge([0, None], days=2000, fingerprint_of=CallFilter(start=start, end=end))
    assert api.get("/api/calls", cursor=cursor).status == 400


BAD = [
    ({"limit": 0}, "limit"),
    ({"limit": MAX_LIMIT + 1}, "limit"),
    ({"limit": "ten"}, "limit"),
    ({"score_min": "high"}, "score_min"),
    ({"score_min": 101}, "score_min"),
    ({"score_min": 90, "score_max": 10}, "score_min"),
    ({"flag": "RUDE_AGENT"}, "flag"),
    ({"risk": "BORED"}, "risk"),
    ({"judge": "gpt"}, "judge"),
    ({"review": "maybe"}, "review"),
    ({"status": "LOST"}, "status"),
    ({"flagged": "perhaps"}, "flagged"),
    ({"from": "last tuesday"}, "from"),
    ({"from": "2026-12-02", "to": "2026-12-01"}, "before"),
    ({"from": "2024-01-01", "to": "2026-01-01"}, "366"),
]


@pytest.mark.parametrize(("query", "named"), BAD, ids=[str(q) for q, _ in BAD])
def test_bad_parameters_are_a_400_that_names_the_problem(api, query, named):
    reply = api.get("/api/calls", **query)
    assert reply.status == 400
    assert reply.code == "bad_request"
    assert named in reply.body["error"]["message"]


def test_a_call_has_its_checks_evidence_timed_transcript_and_sentiment(api):
    call = next(c for c in api.calls if isinstance(c, QAResult) and c.violation_flags)
    reply = api.get(f"/api/calls/{call.call_id}")
    assert reply.status == 200
    detail = reply.body
    assert detail["overall_score"] == call.overall_score
    assert detail["summary_insight"] == call.summary_insight
    assert [c["flag"] for c in detail["sop_checks"]] == [c.flag for c in call.sop_checks]
    violated = {c["flag"] for c in detail["sop_checks"] if c["violated"]}
    assert violated == set(call.violation_flags)
    turns = detail["turns"]
    assert len(turns) == len(call.transcript_text.splitlines())
    assert all(t["start_time"] is not None and t["end_time"] >= t["start_time"] for t in turns)
    assert [t["start_time"] for t in turns] == sorted(t["start_time"] for t in turns)
    for check in detail["sop_checks"]:
        for quote in check["evidence"]:
            turn = turns[quote["turn_index"]]
            assert quote["quote"] in turn["text"] and turn["speaker"] == quote["speaker"]
    customer = [t for t in turns if t["speaker"] == "CUSTOMER"]
    assert [p["turn_index"] for p in detail["sentiment"]] == [t["index"] for t in customer]
    assert all(-1 <= p["score"] <= 1 for p in detail["sentiment"])
    assert detail["has_recording"] is True


def test_a_failed_call_shows_why(api):
    failed = next(c for c in api.calls if isinstance(c, FailedCall))
    detail = api.get(f"/api/calls/{failed.call_id}").body
    assert detail["status"] == "FAILED"
    assert detail["failure_reason"] == failed.failure_reason
    assert detail["overall_score"] is None


def test_a_missing_call_is_a_404_on_every_call_route(api):
    for path in ("", "/audio", "/reviews"):
        reply = api.get(f"/api/calls/no-such-call{path}")
        assert reply.status == 404 and reply.code == "call_not_found", path
    reply = api.review("no-such-call", {"base_revision": 0, "decisions": [], "scorecard": "x"})
    assert reply.status == 404


def test_an_unknown_route_is_a_404(api):
    assert api.get("/api/nothing-here").status == 404


def _override(flag: str, note: str = "the agent did this at 0:42") -> dict:
    return {"flag": flag, "decision": "override", "note": note}


def test_a_review_keeps_who_when_and_what_changed_and_is_never_overwritten(api):
    call = next(c for c in api.calls if isinstance(c, QAResult) and c.violation_flags)
    judged = call.violation_flags[0]
    missed = next(f for f in sops.FLAGS.values() if f not in call.violation_flags)
    path = f"/api/calls/{call.call_id}/reviews"

    first = api.review(
        call.call_id, {"base_revision": 0, "decisions": [_override(judged)], "note": "ok"}
    )
    assert first.status == 201, first.body
    assert first.body["revision"] == 1 and first.body["reviewer"]
    assert first.body["removed"] == [judged] and judged not in first.body["flags_after"]

    stale = api.review(call.call_id, {"base_revision": 0, "decisions": []})
    assert stale.status == 409 and stale.code == "stale_revision"

    second = api.review(
        call.call_id,
        {
            "base_revision": 1,
            "decisions": [{"flag": judged, "decision": "agree"}, _override(missed)],
        },
    )
    assert second.status == 201, second.body
    assert second.body["flags_before"] == first.body["flags_after"]
    assert judged in second.body["flags_after"] and missed in second.body["flags_after"]
    assert set(second.body["added"]) == {judged, missed}

    history = api.get(path).body["items"]
    assert [h["revision"] for h in history] == [1, 2]
    assert history[0] == first.body and history[1] == second.body
    detail = api.get(f"/api/calls/{call.call_id}").body
    assert detail["review_status"] == "reviewed" and detail["review_revision"] == 2
    assert detail["reviewed_flags"] == second.body["flags_after"]
    assert detail["violation_flags"] == call.violation_flags  # the judge's verdict is kept


def test_a_review_of_a_scorecard_since_replaced_is_refused(api):
    call = next(c for c in api.calls if isinstance(c, QAResult) and c.violation_flags)
    shown = api.get(f"/api/calls/{call.call_id}").body
    judged = call.violation_flags[0]
    # Meanwhile a new transcript is scored, and the judge no longer raises the flag.
    checks = [c.model_copy(update={"followed": True}) for c in call.sop_checks]
    api.rescore(
        call.model_copy(
            update={
                "violation_flags": call.violation_flags[1:],
                "sop_checks": checks,
                "timestamp": iso(NOW),
            }
        )
    )
    body = {"base_revision": 0, "scorecard": shown["scorecard"], "decisions": [_override(judged)]}
    reply = api.review(call.call_id, body)
    assert reply.status == 409 and reply.code == "scorecard_changed"
    assert api.get(f"/api/calls/{call.call_id}/reviews").body["items"] == []
    fresh = api.get(f"/api/calls/{call.call_id}").body
    assert fresh["scorecard"] != shown["scorecard"]


def test_a_reviewed_urgent_call_leaves_the_top_of_the_list(api):
    top = api.get("/api/calls", limit=1, **WIDE).body["items"][0]
    assert top["urgent"]
    api.review(top["call_id"], {"base_revision": 0, "decisions": []})
    items = api.all_pages(limit=50, **WIDE)
    position = ids(items).index(top["call_id"])
    assert not any(i["urgent"] and i["review_status"] == "unreviewed" for i in items[position:])


BAD_REVIEWS = [
    ({"base_revision": 0, "decisions": [_override(sops.FLAGS[sops.GREETING], note="  ")]}, "note"),
    ({"base_revision": 0, "decisions": [_override("RUDE_AGENT")]}, "RUDE_AGENT"),
    (
        {
            "base_revision": 0,
            "decisions": [
                _override(sops.FLAGS[sops.GREETING]),
                _override(sops.FLAGS[sops.GREETING]),
            ],
        },
        "twice",
    ),
    ({"base_revision": -1, "decisions": []}, "base_revision"),
    ({"decisions": []}, "base_revision"),
    ({"base_revision": 0, "decisions": [{"flag": "X", "decision": "shrug"}]}, "decision"),
    ({"base_revision": 0, "decisions": [], "extra": 1}, "extra"),
    ("not json", ""),
]


@pytest.mark.parametrize(("body", "named"), BAD_REVIEWS, ids=range(len(BAD_REVIEWS)))
def test_a_bad_review_is_a_400_and_changes_nothing(api, body, named):
    call = next(c for c in api.calls if isinstance(c, QAResult))
    reply = api.review(call.call_id, body)
    assert reply.status == 400, reply.body
    assert named in reply.body["error"]["message"]
    assert api.get(f"/api/calls/{call.call_id}/reviews").body["items"] == []


def test_a_failed_call_cannot_be_reviewed(api):
    failed = next(c for c in api.calls if isinstance(c, FailedCall))
    reply = api.review(failed.call_id, {"base_revision": 0, "decisions": []})
    assert reply.status == 409 and reply.code == "not_scored"


def test_scoring_a_call_again_asks_for_a_new_review_and_keeps_the_history(api):
    call = next(c for c in api.calls if isinstance(c, QAResult))
    path = f"/api/calls/{call.call_id}/reviews"
    assert api.review(call.call_id, {"base_revision": 0, "decisions": []}).status == 201
    api.rescore(call)
    detail = api.get(f"/api/calls/{call.call_id}").body
    assert detail["review_status"] == "unreviewed" and detail["review_revision"] == 1
    again = api.review(call.call_id, {"base_revision": 1, "decisions": []})
    assert again.status == 201 and again.body["revision"] == 2
    assert [h["revision"] for h in api.get(path).body["items"]] == [1, 2]


def test_agents_totals_add_up_to_their_calls(api):
    reply = api.get("/api/agents", **WIDE)
    assert reply.status == 200
    rows = {a["agent_id"]: a for a in reply.body["items"]}
    for agent, row in rows.items():
        mine = [summary_of(row_of(c)) for c in api.calls if c.agent_id == agent]
        scores = [c.overall_score for c in mine if c.overall_score is not None]
        assert row["calls"] == len(mine)
        assert row["average_score"] == pytest.approx(sum(scores) / len(scores), abs=0.05)
        assert row["flagged_calls"] == sum(1 for c in mine if c.violation_flags or c.risk_flag)
        flags = [f for c in mine for f in c.violation_flags]
        assert sum(row["violations"].values()) == len(flags)
    assert sum(r["calls"] for r in rows.values()) == len(api.calls)


def test_an_agents_weeks_and_worst_calls(api):
    reply = api.get("/api/agents/agent-meera", weeks=4, to=WIDE["to"])
    assert reply.status == 200
    weeks = reply.body["weeks"]
    assert len(weeks) == 4
    assert [w["week_start"] for w in weeks] == sorted(w["week_start"] for w in weeks)
    mine = [c for c in api.calls if c.agent_id == "agent-meera"]
    assert sum(w["calls"] for w in weeks) == len(mine)  # the seeded calls span under 4 weeks
    worst = reply.body["worst_calls"]
    scores = [w["overall_score"] for w in worst]
    assert scores == sorted(scores) and len(worst) == 5
    lowest = min(c.overall_score for c in mine if isinstance(c, QAResult))
    assert scores[0] == lowest
    assert api.get("/api/agents/agent-meera", weeks=0).status == 400


def test_weeks_up_to_a_monday_midnight_end_with_the_week_before_it(api):
    monday = (NOW - timedelta(days=NOW.weekday())).replace(hour=0, minute=0, second=0)
    weeks = api.get("/api/agents/agent-meera", weeks=2, to=iso(monday)).body["weeks"]
    assert [w["week_start"] for w in weeks] == [
        (monday - timedelta(days=14)).date().isoformat(),
        (monday - timedelta(days=7)).date().isoformat(),
    ]


def test_reviewed_calls_export_as_labelled_cases(api):
    call = next(c for c in api.calls if isinstance(c, QAResult) and c.violation_flags)
    flag = call.violation_flags[0]
    api.review(
        call.call_id,
        {"base_revision": 0, "decisions": [_override(flag, "said at the start")]},
    )
    cases = api.get("/api/labels", **WIDE).body["cases"]
    assert [c["id"] for c in cases] == [call.call_id]
    case = cases[0]
    assert flag not in case["violations"]
    assert case["risk"] == call.risk_flag
    assert [t[1] for t in case["turns"]] == [
        line.split(": ", 1)[1] for line in call.transcript_text.splitlines()
    ]
    assert {t[0] for t in case["turns"]} == {"A", "C"}


@pytest.mark.parametrize("limit", [1, 2, 4])
def test_labelled_cases_come_a_page_at_a_time_and_none_is_lost(api, limit):
    scored = [c for c in api.calls if isinstance(c, QAResult)][:5]
    for call in scored:
        assert api.review(call.call_id, {"base_revision": 0, "decisions": []}).status == 201
    cases = api.all_pages(limit=limit, path="/api/labels", key="cases", **WIDE)
    assert sorted(c["id"] for c in cases) == sorted(c.call_id for c in scored)
    first = api.get("/api/labels", limit=limit, **WIDE).body
    assert (first["next_cursor"] is None) == (limit >= len(scored))


def test_a_labels_page_has_a_bounded_size(api):
    assert api.get("/api/labels", limit=LABELS_MAX_LIMIT + 1).status == 400
    assert api.get("/api/labels", limit=0).status == 400
    calls_cursor = api.get("/api/calls", limit=1, **WIDE).body["next_cursor"]
    assert api.get("/api/labels", cursor=calls_cursor, **WIDE).status == 400


def test_who_is_asking(api):
    me = api.get("/api/me").body
    assert me["supervisor"] is True and me["user"]
