"""A transcript is judged as the version its event names; a late event never undoes a newer one.

The transcripts bucket is versioned (as in the stack). Each test writes versions in order and
delivers the events S3 sent for them, some of them late or again.
"""

from __future__ import annotations

import json

import pytest
from botocore.stub import Stubber

from autoqa.transcribe_format import dialogue_to_transcribe
from handlers import analyze_transcript
from qa_aws.s3_objects import ordering_key
from tests.aws_lambda.bedrock_stub import expect_converse, tool_use_response
from tests.aws_lambda.conftest import (
    MODEL_ID,
    TRANSCRIPTS,
    next_sequencer,
    put_object,
    s3_notification,
)
from tests.aws_lambda.test_qa_pipeline_e2e import (
    SMOKE_ANSWER,
    SMOKE_CALL,
    put_transcript,
    run_analyze,
)

KEY = "transcripts/agent-17/call-0042.json"
# The second version: the caller names another station; still smoke, still no safety advice.
SMOKE_CALL_V2 = [*SMOKE_CALL]
SMOKE_CALL_V2[3] = ("C", "The station at Saket, near the mall.")


def count_converse(client) -> list[dict]:
    calls: list[dict] = []
    client.meta.events.register(
        "provide-client-params.bedrock-runtime.Converse", lambda params, **_: calls.append(params)
    )
    return calls


def test_sequencers_order_after_padding():
    # AWS: compare the sequencers of one key after left-padding the shorter with zeros.
    assert ordering_key("0055AED6DCD90281E5") > ordering_key("55AED6DCD90281E4")
    assert ordering_key("FF") < ordering_key("0100")
    assert ordering_key("00ab") == ordering_key("AB")
    assert ordering_key(None) is None and ordering_key("") is None


def test_a_late_event_for_the_old_version_changes_nothing_and_alerts_no_one(account):
    bedrock = analyze_transcript.services().bedrock
    converse = count_converse(bedrock)
    v1 = put_transcript(account, SMOKE_CALL)
    stubber = Stubber(bedrock)
    expect_converse(stubber, tool_use_response(SMOKE_ANSWER), MODEL_ID)
    expect_converse(stubber, tool_use_response(SMOKE_ANSWER, "tooluse_2"), MODEL_ID)
    expect_converse(stubber, tool_use_response(SMOKE_ANSWER, "tooluse_3"), MODEL_ID)
    with stubber:
        assert run_analyze(v1) == {"batchItemFailures": []}
        first = account.row("call-0042")
        v2 = put_transcript(account, SMOKE_CALL_V2)  # the recording was uploaded again
        assert run_analyze(v2) == {"batchItemFailures": []}
        second = account.row("call-0042")
        assert run_analyze(v1) == {"batchItemFailures": []}  # v1's event, re-delivered late
        assert run_analyze(v2) == {"batchItemFailures": []}  # and v2's, once more
    stubber.assert_no_pending_responses()
    assert len(converse) == 3  # v1, v2, v2 again: the stale event was not even judged

    v1_version = v1["Records"][0]["s3"]["object"]["versionId"]
    v2_version = v2["Records"][0]["s3"]["object"]["versionId"]
    assert first["source_version"] == v1_version != v2_version
    row = account.row("call-0042")
    assert row == second
    assert row["source_version"] == v2_version
    assert row["transcript_sequencer"] == ordering_key(
        v2["Records"][0]["s3"]["object"]["sequencer"]
    )
    assert "CUSTOMER: The station at Saket, near the mall." in row["transcript_text"]
    assert "near the metro" not in row["transcript_text"]
    assert row["alerted"] is True
    assert len(account.alerts()) == 2  # one per version, none for the late event


def test_a_late_event_read_by_version_never_judges_the_newer_text(account, monkeypatch):
    monkeypatch.setenv("JUDGE", "rules")
    analyze_transcript.services.cache_clear()
    v1 = put_transcript(account, SMOKE_CALL)
    v2 = put_transcript(account, SMOKE_CALL_V2)
    # v1's event comes first, after v2 was written: it is judged on v1's own text.
    run_analyze(v1)
    row = account.row("call-0042")
    assert row["source_version"] == v1["Records"][0]["s3"]["object"]["versionId"]
    assert "near the metro" in row["transcript_text"]
    run_analyze(v2)
    row = account.row("call-0042")
    assert row["source_version"] == v2["Records"][0]["s3"]["object"]["versionId"]
    assert "near the mall" in row["transcript_text"]
    assert len(account.alerts()) == 2


def test_an_event_for_an_overwritten_object_without_version_id_is_ignored(account, monkeypatch):
    """An unversioned bucket: GetObject only if the ETag is still the event's (IfMatch)."""
    monkeypatch.setenv("JUDGE", "rules")
    analyze_transcript.services.cache_clear()
    bucket = "bs-transcripts-unversioned"
    account.s3.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ap-south-1"}
    )
    v1 = put_object(
        account, bucket, KEY, json.dumps(dialogue_to_transcribe("j", SMOKE_CALL)).encode()
    )
    v2 = put_object(
        account, bucket, KEY, json.dumps(dialogue_to_transcribe("j", SMOKE_CALL_V2)).encode()
    )
    assert "versionId" not in v1["Records"][0]["s3"]["object"]
    assert run_analyze(v1) == {"batchItemFailures": []}
    assert account.row("call-0042") is None  # v1 is gone; its event is stale
    run_analyze(v2)
    row = account.row("call-0042")
    assert "near the mall" in row["transcript_text"]
    assert row["source_version"] == v2["Records"][0]["s3"]["object"]["eTag"]
    assert len(account.alerts()) == 1


def test_a_late_event_does_not_replace_a_newer_failed_transcript(account, monkeypatch):
    monkeypatch.setenv("JUDGE", "rules")
    analyze_transcript.services.cache_clear()
    v1 = put_transcript(account, SMOKE_CALL)
    run_analyze(v1)
    account.table.delete_item(Key={"call_id": "call-0042"})  # say v1 was never stored
    v2 = put_transcript(account, [("A", "Thank you for calling Battery Smart.")])
    run_analyze(v2)
    assert account.row("call-0042")["status"] == "FAILED"
    assert len(account.alerts()) == 1  # v1's, before it was lost
    run_analyze(v1)
    row = account.row("call-0042")
    assert row["status"] == "FAILED" and "no speech from the customer" in row["failure_reason"]
    assert row["source_version"] == v2["Records"][0]["s3"]["object"]["versionId"]
    assert account.alerts() == []


def test_an_event_without_a_sequencer_never_replaces_an_ordered_row(account, monkeypatch):
    monkeypatch.setenv("JUDGE", "rules")
    analyze_transcript.services.cache_clear()
    v1 = put_transcript(account, SMOKE_CALL)
    run_analyze(v2 := put_transcript(account, SMOKE_CALL_V2))
    obj = v1["Records"][0]["s3"]["object"]
    unordered = s3_notification(TRANSCRIPTS, KEY, obj["size"], obj["eTag"], obj["versionId"], "")
    run_analyze(unordered)
    row = account.row("call-0042")
    assert row["source_version"] == v2["Records"][0]["s3"]["object"]["versionId"]
    assert len(account.alerts()) == 1


@pytest.mark.parametrize(
    ("mutate", "what"),
    [
        (lambda items: items[0].update(start_time="Infinity"), "non-finite time"),
        (lambda items: items.__setitem__(1, "hello"), "an item that is a plain string"),
        (lambda items: items[0].update(end_time=["1.0"]), "a time that is a list"),
        (lambda items: items[0].update(alternatives="x"), "alternatives that are a string"),
    ],
)
def test_a_malformed_transcript_is_a_failed_call_not_an_exception(
    account, monkeypatch, mutate, what
):
    monkeypatch.setenv("JUDGE", "rules")
    analyze_transcript.services.cache_clear()
    doc = dialogue_to_transcribe("job", SMOKE_CALL)
    mutate(doc["results"]["items"])
    event = put_object(account, TRANSCRIPTS, KEY, json.dumps(doc).encode())
    assert run_analyze(event) == {"batchItemFailures": []}, what
    row = account.row("call-0042")
    assert row["status"] == "FAILED", what
    assert row["failure_reason"]
    assert account.alerts() == []


def test_sequencer_helper_gives_growing_values():
    a, b = next_sequencer(), next_sequencer()
    assert ordering_key(a) < ordering_key(b)
