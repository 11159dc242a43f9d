"""StartQA: a new recording in S3 -> a Transcribe batch job (or a failed call with a reason).

The call's row says TRANSCRIBING before the job starts, and FAILED with the reason when it
cannot start: at once when the request is refused (access, a bad request), on the message's
last delivery when the service stays busy (earlier deliveries fail the message, so SQS retries
it; the dead-letter queue keeps it after the last).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from botocore.exceptions import ClientError

from contracts import voice_line
from contracts.storage import ObjectKeyError, media_format, metadata_key, recording_ref
from handlers.events import S3Object, is_s3_test_event, message_body, s3_objects
from qa_aws.dynamo_store import DynamoResultStore
from qa_aws.observability import logger, metrics
from qa_aws.settings import StartQASettings
from qa_aws.transcribe_jobs import (
    JobRequest,
    PermanentJobError,
    TransientJobError,
    build_job,
    start_job,
)
from qa_engine.audio_header import inspect_audio
from qa_engine.models import FailedCall, utc_now_iso

HEADER_BYTES = 65536
processor = BatchProcessor(event_type=EventType.SQS)


@dataclass(frozen=True)
class Services:
    settings: StartQASettings
    s3: Any
    transcribe: Any
    store: DynamoResultStore

    @property
    def max_receive_count(self) -> int:
        return self.settings.max_receive_count


@cache
def services() -> Services:
    settings = StartQASettings.from_env()
    s3 = boto3.client("s3")
    table = boto3.resource("dynamodb").Table(settings.table_name)
    return Services(
        settings=settings,
        s3=s3,
        transcribe=boto3.client("transcribe"),
        store=DynamoResultStore(table, s3, settings.transcripts_bucket),
    )


def _record_failure(svc: Services, obj: S3Object, call_id: str, agent_id: str, reason: str) -> None:
    svc.store.put_failure(
        FailedCall(
            call_id=call_id,
            agent_id=agent_id,
            timestamp=utc_now_iso(),
            failure_reason=reason,
            source=f"s3://{obj.bucket}/{obj.key}",
        )
    )


def _reject(svc: Services, obj: S3Object, call_id: str, agent_id: str, reason: str) -> None:
    logger.warning("recording rejected", extra={"key": obj.key, "reason": reason})
    _record_failure(svc, obj, call_id, agent_id, reason)
    metrics.add_metric(name="RecordingsRejected", unit=MetricUnit.Count, value=1)


def _nobody_joined(svc: Services, obj: S3Object) -> bool:
    """What the voice bot wrote beside the recording says the caller never joined."""
    try:
        meta = svc.s3.get_object(Bucket=obj.bucket, Key=metadata_key(obj.key))
        data = json.loads(meta["Body"].read())
    except ClientError as exc:
        # Missing (without s3:ListBucket S3 says AccessDenied for a missing key): a recording
        # uploaded by hand, or the metadata is not there yet. Scored like any other.
        if exc.response.get("Error", {}).get("Code") not in ("NoSuchKey", "AccessDenied"):
            logger.warning("call metadata unreadable; scored anyway", extra={"reason": str(exc)})
        return False
    except ValueError as exc:
        logger.warning("call metadata is not JSON; scored anyway", extra={"reason": str(exc)})
        return False
    return isinstance(data, dict) and data.get(voice_line.ENDED_BY_LIMIT) == voice_line.NOT_JOINED


def _job_not_started(
    svc: Services, obj: S3Object, call_id: str, agent_id: str, job: str, reason: str
) -> None:
    logger.error("transcription job not started", extra={"job": job, "reason": reason})
    _record_failure(svc, obj, call_id, agent_id, f"transcription job not started: {reason}")
    metrics.add_metric(name="TranscriptionJobsNotStarted", unit=MetricUnit.Count, value=1)


def start_for_recording(svc: Services, obj: S3Object, *, last_attempt: bool = False) -> None:
    try:
        ref = recording_ref(obj.key)
        media_format(obj.key)
    except ObjectKeyError as exc:
        logger.warning("not a recording key; ignored", extra={"key": obj.key, "reason": str(exc)})
        return
    logger.set_correlation_id(ref.call_id)
    if obj.size == 0:
        return _reject(svc, obj, ref.call_id, ref.agent_id, "empty recording (0 bytes)")
    if _nobody_joined(svc, obj):
        # The line opened a room that no caller entered: no call to transcribe or score.
        logger.info("nobody joined this call; not scored", extra={"key": obj.key})
        metrics.add_metric(name="RecordingsSkipped", unit=MetricUnit.Count, value=1)
        return None
    head = svc.s3.get_object(Bucket=obj.bucket, Key=obj.key, Range=f"bytes=0-{HEADER_BYTES - 1}")
    head_bytes = head["Body"].read()
    tail_bytes = b""
    if obj.size > HEADER_BYTES:
        tail = svc.s3.get_object(Bucket=obj.bucket, Key=obj.key, Range=f"bytes=-{HEADER_BYTES}")
        tail_bytes = tail["Body"].read()
    header = inspect_audio(head_bytes, tail_bytes, obj.size)
    if not header.is_audio:
        reason = f"not an audio file (the object starts with {head_bytes[:8]!r})"
        return _reject(svc, obj, ref.call_id, ref.agent_id, reason)
    minimum = svc.settings.min_duration_seconds
    if header.duration_seconds is not None and header.duration_seconds < minimum:
        reason = f"recording is {header.duration_seconds:.2f} s long, under the {minimum} s minimum"
        return _reject(svc, obj, ref.call_id, ref.agent_id, reason)
    job = build_job(
        JobRequest(obj.bucket, obj.key, obj.version, ref, header.channels),
        output_bucket=svc.settings.transcripts_bucket,
        data_access_role_arn=svc.settings.transcribe_role_arn,
        language_options=svc.settings.language_options,
    )
    name = job["TranscriptionJobName"]
    # The row keeps the agent id as written; the transcript's key has only its safe form.
    svc.store.mark_transcribing(
        ref.call_id,
        ref.agent_id,
        utc_now_iso(),
        recording=f"s3://{obj.bucket}/{obj.key}",
        job_name=name,
    )
    try:
        started = start_job(svc.transcribe, job)
    except PermanentJobError as exc:
        return _job_not_started(svc, obj, ref.call_id, ref.agent_id, name, str(exc))
    except TransientJobError as exc:
        if last_attempt:
            reason = f"{exc} (gave up after {svc.max_receive_count} attempts)"
            _job_not_started(svc, obj, ref.call_id, ref.agent_id, name, reason)
        else:
            logger.warning("transcription job not started; retried", extra={"reason": str(exc)})
            metrics.add_metric(name="TranscriptionJobsRetried", unit=MetricUnit.Count, value=1)
        raise
    if started:
        logger.info("transcription job started", extra={"job": job["TranscriptionJobName"]})
        metrics.add_metric(name="TranscriptionJobsStarted", unit=MetricUnit.Count, value=1)
    else:
        logger.info(
            "job exists already; duplicate event", extra={"job": job["TranscriptionJobName"]}
        )
        metrics.add_metric(name="DuplicateEvents", unit=MetricUnit.Count, value=1)


def record_handler(record: SQSRecord) -> None:
    body = message_body(record.body)
    if is_s3_test_event(body):
        return
    svc = services()
    receive_count = int(record.attributes.approximate_receive_count or 1)
    for obj in s3_objects(body):
        start_for_recording(svc, obj, last_attempt=receive_count >= svc.max_receive_count)


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict, context: Any) -> dict:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
