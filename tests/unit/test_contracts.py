"""The contracts module's layouts: a key built from ids parses back to the same ids, for any
names callers and agents may have; the formats, job names and alert attributes hold their
rules."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import alerts, sops, storage
from contracts.storage import (
    ObjectKeyError,
    job_name,
    metadata_key,
    recording_key,
    recording_ref,
    safe_id,
    transcript_ref,
)

# Ids as they come: any printable name without a slash (which would be a folder).
names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/"),
    min_size=1,
    max_size=150,
).filter(lambda n: n == n.strip() and n.strip("."))


@given(agent=names, call=names, suffix=st.sampled_from(storage.AUDIO_SUFFIXES))
def test_a_recording_key_parses_back_to_its_ids(agent, call, suffix):
    key = recording_key(agent, call, suffix)
    ref = recording_ref(key)
    assert ref.agent_id == agent
    assert ref.call_id == safe_id(call)
    assert storage.media_format(key) == storage.AUDIO_FORMATS[suffix]
    # The transcript of that recording names the same call and agent.
    assert transcript_ref(ref.transcript_key) == storage.CallRef(ref.call_id, ref.agent_key)


@given(call=names)
def test_a_call_id_is_safe_for_transcribe_and_s3_and_stable(call):
    call_id = safe_id(call)
    assert safe_id(call_id) == call_id
    assert len(call_id) <= storage.MAX_ID_CHARS
    assert all(c.isascii() and (c.isalnum() or c in "._-") for c in call_id)


def test_two_names_never_share_an_id():
    assert safe_id("call 7004") != safe_id("call-7004")
    assert recording_ref(recording_key("a", "call 7004")) != recording_ref(
        recording_key("a", "call-7004")
    )


def test_egress_layout_and_the_metadata_beside_it():
    key = recording_key("ai-agent", "call-0123456789ab")
    assert key == "recordings/ai-agent/call-0123456789ab.ogg"
    assert metadata_key(key) == "recordings/ai-agent/call-0123456789ab.meta.json"


@pytest.mark.parametrize(
    ("agent", "call", "suffix"),
    [("a/b", "c", ".ogg"), ("", "c", ".ogg"), ("a", "", ".ogg"), ("a", "c", ".txt")],
)
def test_a_key_that_would_not_parse_back_is_refused(agent, call, suffix):
    with pytest.raises(ObjectKeyError):
        recording_key(agent, call, suffix)


def test_job_names_are_valid_for_transcribe_and_scoped_to_qa():
    ref = recording_ref(recording_key("x" * 200, "y" * 200))
    name = job_name(ref, "bucket", recording_key("x" * 200, "y" * 200), "v1")
    assert name.startswith(storage.JOB_PREFIX)
    assert len(name) <= 200
    assert all(c.isascii() and (c.isalnum() or c in "._-") for c in name)
    assert job_name(ref, "bucket", "k", "v2") != job_name(ref, "bucket", "k", "v1")


def test_the_sops_and_flags_are_the_specs():
    assert sops.SOP_IDS == ("S1", "S2", "S3", "S4", "S5", "S6")
    assert set(sops.FLAGS) == set(sops.SOP_IDS)
    assert {sops.SOP_OF_FLAG[f] for f in sops.FLAGS.values()} == set(sops.SOP_IDS)
    assert set(sops.SAFETY_SOPS) <= set(sops.URGENT_DISPUTE_SOPS)


def test_alert_attributes_leave_out_what_is_empty_and_refuse_unknown_values():
    attributes = alerts.message_attributes(
        severity=alerts.URGENT, kind=alerts.QA_SCORECARD, call_id="c", score=42, flags=["F"]
    )
    assert attributes[alerts.SCORE] == {"DataType": "Number", "StringValue": "42"}
    assert json.loads(attributes[alerts.FLAGS]["StringValue"]) == ["F"]
    assert alerts.RISK not in attributes and alerts.AGENT_ID not in attributes
    with pytest.raises(ValueError, match="severity"):
        alerts.message_attributes(severity="LOW", kind=alerts.QA_SCORECARD, call_id="c")
    assert alerts.subject("é\nline" * 50) == ("? line" * 50)[: alerts.MAX_SUBJECT_CHARS]
