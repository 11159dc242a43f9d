"""StartQA never leaves a call TRANSCRIBING when its job cannot start, and any key gets a job.

Agent folders and file names with characters Transcribe refuses in an output key are
transcribed under safe ids; the row keeps the agent id as written. Two file names that differ
only in such characters stay two calls.
"""

from __future__ import annotations

import json
import re

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from botocore.stub import Stubber

from autoqa.transcribe_format import dialogue_to_transcribe
from handlers import analyze_transcript, start_qa
from tests.aws_lambda.conftest import RECORDINGS, TRANSCRIPTS, FakeContext, put_object, sqs_event
from tests.aws_lambda.test_faults import wav_bytes
from tests.aws_lambda.test_qa_pipeline_e2e import SMOKE_CALL, capture_jobs, run_analyze

OUTPUT_KEY = re.compile(r"^[a-zA-Z0-9\-_.!*'()/]{1,1024}$")
# Transcribe's tag values: letters, numbers, spaces and _.:/=+-@ (no combining signs).
TAG_VALUE = re.compile(r"^[\w\s.:/=+\-@]{0,256}$")
KEY = "recordings/agent-5/call-9.wav"


def start(notification: dict, receive_count: int = 1) -> dict:
    return start_qa.lambda_handler(
        sqs_event(notification, receive_count=receive_count), FakeContext(30)
    )


@pytest.mark.parametrize(
    ("code", "status", "message"),
    [
        ("AccessDeniedException", 403, "User is not authorized to perform: iam:PassRole"),
        ("BadRequestException", 400, "The S3 URI that you specified isn't valid."),
    ],
)
def test_a_refused_job_is_a_failed_call_with_the_reason_not_a_retry(account, code, status, message):
    notification = put_object(account, RECORDINGS, KEY, wav_bytes(2.0, 2))
    with Stubber(start_qa.services().transcribe) as stub:
        stub.add_client_error(
            "start_transcription_job",
            service_error_code=code,
            service_message=message,
            http_status_code=status,
        )
        assert start(notification) == {"batchItemFailures": []}  # not retried forever
    row = account.row("call-9")
    assert row["status"] == "FAILED"
    assert row["failure_reason"] == f"transcription job not started: {code}: {message}"
    assert row["agent_id"] == "agent-5"
    assert row["source"] == f"s3://{RECORDINGS}/{KEY}"


def test_a_busy_service_is_retried_then_the_last_delivery_records_the_failure(account):
    notification = put_object(account, RECORDINGS, KEY, wav_bytes(2.0, 2))
    transcribe = start_qa.services().transcribe

    def limit_exceeded(stub: Stubber) -> None:
        stub.add_client_error(
            "start_transcription_job",
            service_error_code="LimitExceededException",
            service_message="You have sent too many requests.",
            http_status_code=400,
        )

    # A batch whose every message failed fails the invocation: SQS delivers it again.
    for attempt in (1, 2):
        with Stubber(transcribe) as stub, pytest.raises(BatchProcessingError, match="too many"):
            limit_exceeded(stub)
            start(notification, receive_count=attempt)
        assert account.row("call-9")["status"] == "TRANSCRIBING"  # still on its way

    with Stubber(transcribe) as stub, pytest.raises(BatchProcessingError):
        limit_exceeded(stub)
        start(notification, receive_count=5)  # the queue's maxReceiveCount
    row = account.row("call-9")  # the message goes to the dead-letter queue; the row says why
    assert row["status"] == "FAILED"
    assert row["failure_reason"] == (
        "transcription job not started: LimitExceededException: You have sent too many "
        "requests. (gave up after 5 attempts)"
    )


def test_a_failed_row_from_a_refused_job_gives_way_to_a_later_score(account, monkeypatch):
    monkeypatch.setenv("JUDGE", "rules")
    analyze_transcript.services.cache_clear()
    notification = put_object(account, RECORDINGS, KEY, wav_bytes(2.0, 2))
    with Stubber(start_qa.services().transcribe) as stub:
        stub.add_client_error("start_transcription_job", "BadRequestException", "bad", 400)
        start(notification)
    assert account.row("call-9")["status"] == "FAILED"
    jobs = capture_jobs(start_qa.services().transcribe)
    assert start(notification) == {"batchItemFailures": []}  # redriven once fixed
    doc = dialogue_to_transcribe("job", SMOKE_CALL)
    run_analyze(put_object(account, TRANSCRIPTS, jobs[0]["OutputKey"], json.dumps(doc).encode()))
    assert account.row("call-9")["status"] == "SCORED"


@pytest.mark.parametrize(
    ("key", "agent_id", "call_id"),
    [
        ("recordings/ops@north = team/क्रम 1/call-9.ogg", "क्रम 1", "call-9"),
        ("recordings/ops@north = team/call-9.ogg", "ops@north = team", "call-9"),
        ("recordings/ops@north = team/कॉल 9 (retry).ogg", "ops@north = team", None),
    ],
)
def test_any_agent_folder_is_transcribed_and_the_row_keeps_the_agent_as_written(
    account, monkeypatch, key, agent_id, call_id
):
    monkeypatch.setenv("JUDGE", "rules")
    analyze_transcript.services.cache_clear()
    jobs = capture_jobs(start_qa.services().transcribe)
    assert start(put_object(account, RECORDINGS, key, wav_bytes(2.0, 2))) == {
        "batchItemFailures": []
    }
    (job,) = jobs
    assert OUTPUT_KEY.match(job["OutputKey"])
    assert all(TAG_VALUE.match(tag["Value"]) for tag in job["Tags"])
    assert job["Media"] == {"MediaFileUri": f"s3://{RECORDINGS}/{key}"}
    (row,) = account.table.scan()["Items"]
    assert row["status"] == "TRANSCRIBING"
    assert row["agent_id"] == agent_id
    assert row["call_id"] == call_id or call_id is None
    assert OUTPUT_KEY.match(row["call_id"])

    # Transcribe writes the transcript at the output key; the analyzer finds the call's row.
    doc = dialogue_to_transcribe("job", SMOKE_CALL)
    event = put_object(account, TRANSCRIPTS, job["OutputKey"], json.dumps(doc).encode())
    assert run_analyze(event) == {"batchItemFailures": []}
    scored = account.row(row["call_id"])
    assert scored["status"] == "SCORED"
    assert scored["agent_id"] == agent_id
    (alert,) = account.alerts()
    assert alert["MessageAttributes"]["agent_id"]["Value"] == agent_id


def test_two_file_names_that_differ_in_unsafe_characters_are_two_calls(account):
    jobs = capture_jobs(start_qa.services().transcribe)
    for name in ("call 7004.wav", "call-7004.wav"):
        start(put_object(account, RECORDINGS, f"recordings/agent-7/{name}", wav_bytes(2.0, 2)))
    rows = account.table.scan()["Items"]
    assert len(rows) == 2
    by_recording = {r["recording"].rsplit("/", 1)[1]: r for r in rows}
    assert by_recording["call-7004.wav"]["call_id"] == "call-7004"  # ordinary names stay plain
    assert by_recording["call 7004.wav"]["call_id"].startswith("call-7004-")
    assert len({j["OutputKey"] for j in jobs}) == 2
    assert len({j["TranscriptionJobName"] for j in jobs}) == 2


@pytest.mark.parametrize(
    ("metadata", "scored"),
    [
        ({"ended_by_limit": "not_joined", "escalated": False}, False),
        ({"ended_by_limit": "silence", "escalated": False}, True),
        ({"ended_by_limit": None}, True),
        (None, True),  # an uploaded recording: no metadata beside it
    ],
)
def test_a_room_nobody_joined_is_not_transcribed_or_scored(account, metadata, scored):
    key = "recordings/ai-agent/call-0123456789ab.wav"
    if metadata is not None:
        put_object(
            account,
            RECORDINGS,
            "recordings/ai-agent/call-0123456789ab.meta.json",
            json.dumps(metadata).encode(),
        )
    notification = put_object(account, RECORDINGS, key, wav_bytes(20.0, 2))
    jobs = capture_jobs(start_qa.services().transcribe)
    assert start(notification) == {"batchItemFailures": []}
    assert len(jobs) == (1 if scored else 0)
    row = account.row("call-0123456789ab")
    assert (row is not None) == scored  # no FAILED row for a call that never happened
