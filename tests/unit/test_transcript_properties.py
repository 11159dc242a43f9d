"""No transcript, however malformed, produces a traceback: it is scored or refused in one line.

Hypothesis damages real Transcribe shapes (every field replaced by values of other types,
non-finite and negative times, missing parts, ids out of range) and throws arbitrary JSON at
the parser; each input must end as a result or a `QAInputError`, never another exception.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autoqa.transcribe_format import Crosstalk, dialogue_to_transcribe
from qa_engine.errors import QAInputError
from qa_engine.models import QAResult
from tests.conftest import GREETING, framed

TURNS = framed(
    ("C", "My battery is swollen and very hot, I want a manager."),
    ("A", "Please stop using it and keep away. Send a photo of the battery."),
)
SHAPES = [
    dialogue_to_transcribe("call", TURNS, variant="channels", shape="current"),
    dialogue_to_transcribe("call", TURNS, variant="channels", shape="legacy"),
    dialogue_to_transcribe("call", TURNS, variant="speakers", shape="current"),
    dialogue_to_transcribe("call", TURNS, variant="speakers", shape="legacy"),
    dialogue_to_transcribe("call", [GREETING, *TURNS[1:]], crosstalk=Crosstalk(seed=3)),
]
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["Infinity", "-Infinity", "NaN", "-1", "1e400", "", "ch_0", "spk_1", "12.5"]),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += paths(value, (*prefix, i))
    return found


def damaged(doc: dict, path: tuple, value: Any, delete: bool) -> dict:
    doc = copy.deepcopy(doc)
    if not path:
        return value
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return doc


def score_or_refuse(scorer, transcript) -> None:
    try:
        result = scorer.score_transcript(transcript, call_id="c", agent_id="a")
    except QAInputError as exc:
        assert "\n" not in str(exc)
        return
    assert isinstance(result, QAResult)
    times = [e.start_time for c in result.sop_checks for e in c.evidence]
    assert all(math.isfinite(t) and t >= 0 for t in times)
    QAResult.model_validate_json(result.model_dump_json())  # storable and readable back


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), shape=st.sampled_from(range(len(SHAPES))), delete=st.booleans())
def test_a_damaged_transcript_is_scored_or_refused_in_one_line(scorer, data, shape, delete):
    doc = SHAPES[shape]
    path = data.draw(st.sampled_from(paths(doc)))
    value = data.draw(ODD_VALUES)
    broken = damaged(doc, path, value, delete and bool(path))
    score_or_refuse(scorer, broken)  # as a parsed document (Lambda, tests)
    try:
        raw = json.dumps(broken)
    except (TypeError, ValueError):
        return
    score_or_refuse(scorer, raw)  # as the bytes of a file (`autoqa score`)


@settings(max_examples=300, deadline=None)
@given(value=JSON)
def test_any_json_at_all_is_scored_or_refused_in_one_line(scorer, value):
    score_or_refuse(scorer, json.dumps(value))
    score_or_refuse(scorer, json.dumps({"results": value}))
    score_or_refuse(scorer, json.dumps({"results": {"items": value, "channel_labels": value}}))


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(max_size=64))
def test_any_bytes_are_scored_or_refused_in_one_line(scorer, raw):
    score_or_refuse(scorer, raw)
