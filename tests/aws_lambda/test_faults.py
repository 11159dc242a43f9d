"""What happens to calls that cannot be scored, to prompt edits, and to transient failures."""

from __future__ import annotations

import hashlib
import io
import json
import wave

from botocore.stub import Stubber

from contracts.results_table import FLAGGED_INDEX
from handlers import analyze_transcript, start_qa
from qa_engine.rubric import RUBRIC_FILES, Rubric
from tests.aws_lambda.conftest import (
    CONFIG,
    RECORDINGS,
    TRANSCRIPTS,
    FakeContext,
    put_object,
    s3_notification,
    sqs_event,
)
from tests.aws_lambda.test_qa_pipeline_e2e import (
    SMOKE_CALL,
    capture_jobs,
    put_transcript,
    run_analyze,
    run_start_qa,
)
from tests.conftest import REPO


def wav_bytes(seconds: float, channels: int, rate: int = 16000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x01\x00" * int(seconds * rate) * channels)
    return buffer.getvalue()


def test_empty_corrupt_and_tiny_recordings_become_failed_calls_without_jobs(account):
    jobs = capture_jobs(start_qa.services().transcribe)
    cases = {
        "empty": (b"", "empty recording"),
        "corrupt": (b"\x00garbage that is not audio" * 50, "not an audio file"),
        "tiny": (wav_bytes(0.2, 2), "under the 0.5 s minimum"),
    }
    for name, (body, _) in cases.items():
        notification = put_object(account, RECORDINGS, f"recordings/agent-3/{name}.wav", body)
        assert run_start_qa(notification) == {"batchItemFailures": []}  # not retried forever
    assert jobs == []
    for name, (_, reason) in cases.items():
        row = account.row(name)
        assert row["status"] == "FAILED"
        assert reason in row["failure_reason"]
        assert row["agent_id"] == "agent-3"
        assert row["source"] == f"s3://{RECORDINGS}/recordings/agent-3/{name}.wav"


def test_mono_recording_uses_two_speaker_labels_and_a_key_without_agent(account):
    jobs = capture_jobs(start_qa.services().transcribe)
    run_start_qa(put_object(account, RECORDINGS, "recordings/call-77.wav", wav_bytes(2.0, 1)))
    (job,) = jobs
    assert job["Settings"] == {"ShowSpeakerLabels": True, "MaxSpeakerLabels": 2}
    assert job["MediaFormat"] == "wav"
    assert job["OutputKey"] == "transcripts/unknown/call-77.json"
    assert {"Key": "agent_id", "Value": "unknown"} in job["Tags"]


def test_transcript_with_no_speech_is_a_failed_call(account):
    with Stubber(analyze_transcript.services().bedrock):
        run_analyze(put_transcript(account, [("A", "Thank you for calling Battery Smart.")]))
    row = account.row("call-0042")
    assert row["status"] == "FAILED"
    assert "no speech from the customer" in row["failure_reason"]
    assert account.alerts() == []


def test_failed_transcription_job_is_recorded_with_its_reason(account):
    recording = (REPO / "samples" / "call_01_swap_price.ogg").read_bytes()
    jobs = capture_jobs(start_qa.services().transcribe)
    run_start_qa(put_object(account, RECORDINGS, "recordings/agent-5/call-9.ogg", recording))
    event = {
        "version": "0",
        "id": "0c9a8d2e-1111-2222-3333-444455556666",
        "detail-type": "Transcribe Job State Change",
        "source": "aws.transcribe",
        "account": "123456789012",
        "time": "2026-11-24T10:20:00Z",
        "region": "ap-south-1",
        "resources": [],
        "detail": {
            "TranscriptionJobName": jobs[0]["TranscriptionJobName"],
            "TranscriptionJobStatus": "FAILED",
        },
    }
    transcribe = analyze_transcript.services().transcribe
    real = transcribe.get_transcription_job(TranscriptionJobName=jobs[0]["TranscriptionJobName"])
    failed = json.loads(json.dumps(real, default=str))
    failed["TranscriptionJob"]["TranscriptionJobStatus"] = "FAILED"
    failed["TranscriptionJob"]["FailureReason"] = "The media format provided does not match."
    failed.pop("ResponseMetadata")
    for key in ("CreationTime", "StartTime"):
        failed["TranscriptionJob"].pop(key, None)
    with Stubber(transcribe) as stub:
        stub.add_response("get_transcription_job", failed)
        result = analyze_transcript.lambda_handler(sqs_event(event), FakeContext())
    assert result == {"batchItemFailures": []}
    row = account.row("call-9")
    assert row["status"] == "FAILED"
    assert row["failure_reason"] == (
        "transcription failed: The media format provided does not match."
    )


def test_editing_a_prompt_changes_the_next_judgement_without_redeploy(account, monkeypatch):
    monkeypatch.setenv("JUDGE", "rules")
    monkeypatch.setenv("PROMPTS_REFRESH_SECONDS", "0")
    analyze_transcript.services.cache_clear()
    run_analyze(put_transcript(account, SMOKE_CALL))
    before = account.row("call-0042")
    # A supervisor decides a missed safety instruction must weigh 45 and uploads the rubric.
    edited = (REPO / "prompts" / "rubric.yaml").read_text().replace("weight: 25", "weight: 45")
    account.s3.put_object(Bucket=CONFIG, Key="prompts/rubric.yaml", Body=edited.encode())
    run_analyze(put_transcript(account, SMOKE_CALL, "transcripts/agent-17/call-0043.json"))
    after = account.row("call-0043")
    assert before["overall_score"] == 75 and after["overall_score"] == 62
    files = {n: (REPO / "prompts" / n).read_bytes() for n in RUBRIC_FILES}
    files["rubric.yaml"] = edited.encode()
    assert after["rubric_version"] == Rubric(files).version != before["rubric_version"]


def test_a_transcript_too_big_for_an_item_goes_to_s3(account, monkeypatch):
    monkeypatch.setenv("JUDGE", "rules")
    analyze_transcript.services.cache_clear()
    long_turns = [*SMOKE_CALL[:2]]
    long_turns += [("A", "Let me check that for you. " * 700), ("C", "Okay. " * 400)] * 20
    long_turns += SMOKE_CALL[2:]
    run_analyze(put_transcript(account, long_turns))
    row = account.row("call-0042")
    uri = row["transcript_s3_uri"]
    version = hashlib.sha256(row["source_version"].encode()).hexdigest()[:16]  # one per version
    assert uri == f"s3://{TRANSCRIPTS}/results/agent-17/call-0042/{version}/transcript.txt"
    assert "[truncated; full text at" in row["transcript_text"]
    full = account.s3.get_object(Bucket=TRANSCRIPTS, Key=uri.split("/", 3)[3])["Body"].read()
    assert len(full) > 350_000 and full.decode().startswith("AGENT: Thank you for calling")


def test_flagged_calls_are_in_the_sparse_index_and_clean_calls_are_not(account, monkeypatch):
    monkeypatch.setenv("JUDGE", "rules")
    analyze_transcript.services.cache_clear()
    run_analyze(put_transcript(account, SMOKE_CALL, "transcripts/a1/smoky.json"))
    clean = [SMOKE_CALL[0], ("C", "Is Saket open?"), ("A", "Yes."), *SMOKE_CALL[4:]]
    run_analyze(put_transcript(account, clean, "transcripts/a1/clean.json"))
    items = account.table.scan(IndexName=FLAGGED_INDEX)["Items"]
    assert [i["call_id"] for i in items] == ["smoky"]
    assert "flagged_date" not in account.row("clean")


def test_a_transient_failure_fails_only_its_message(account, monkeypatch):
    monkeypatch.setenv("JUDGE", "rules")
    analyze_transcript.services.cache_clear()
    good = put_transcript(account, SMOKE_CALL)
    missing = s3_notification(TRANSCRIPTS, "transcripts/a1/gone.json", 10, "abc")
    event = sqs_event(good, missing)
    result = analyze_transcript.lambda_handler(event, FakeContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][1]["messageId"]}]}
    assert account.row("call-0042")["status"] == "SCORED"
