"""StartQA's service: a new recording in S3 -> a Transcribe batch job (or a failed call with a
reason).

The call's row says TRANSCRIBING before the job starts, and FAILED with the reason when it
cannot start: at once when the request is refused (access, a bad request), on the message's
last delivery when the service stays busy (earlier deliveries fail the message, so SQS retries
it; the dead-letter queue keeps it after the last). A room nobody joined is not a call: the
bot's metadata beside the recording says so, and it is skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from application.telemetry import Telemetry
from contracts import qa_metrics, voice_line
from contracts.storage import ObjectKeyError, media_format, metadata_key, recording_ref
from qa_aws.dynamo_store import DynamoResultStore
from qa_aws.s3_objects import S3Object
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

HEADER_BYTES = 65536  # read from each end of a recording to check it is audio, and how long


@dataclass(frozen=True)
class StartService:
    settings: StartQASettings
    s3: Any
    transcribe: Any
    store: DynamoResultStore
    telemetry: Telemetry

    @property
    def max_receive_count(self) -> int:
        """The queue's deliveries of one message: the last one records a failed call."""
        return self.settings.max_receive_count

    def _record_failure(self, obj: S3Object, call_id: str, agent_id: str, reason: str) -> None:
        self.store.put_failure(
            FailedCall.now(call_id, agent_id, reason, f"s3://{obj.bucket}/{obj.key}")
        )

    def _reject(self, obj: S3Object, call_id: str, agent_id: str, reason: str) -> None:
        self.telemetry.log("warning", "recording rejected", key=obj.key, reason=reason)
        self._record_failure(obj, call_id, agent_id, reason)
        self.telemetry.count(qa_metrics.RECORDINGS_REJECTED)

    def _nobody_joined(self, obj: S3Object) -> bool:
        """What the voice bot wrote beside the recording says the caller never joined."""
        try:
            meta = self.s3.get_object(Bucket=obj.bucket, Key=metadata_key(obj.key))
            data = json.loads(meta["Body"].read())
        except ClientError as exc:
            # Missing (without s3:ListBucket S3 says AccessDenied for a missing key): a recording
            # uploaded by hand, or the metadata is not there yet. Scored like any other.
            if exc.response.get("Error", {}).get("Code") not in ("NoSuchKey", "AccessDenied"):
                self.telemetry.log(
                    "warning", "call metadata unreadable; scored anyway", reason=str(exc)
                )
            return False
        except ValueError as exc:
            self.telemetry.log(
                "warning", "call metadata is not JSON; scored anyway", reason=str(exc)
            )
            return False
        return (
            isinstance(data, dict) and data.get(voice_line.ENDED_BY_LIMIT) == voice_line.NOT_JOINED
        )

    def _job_not_started(
        self, obj: S3Object, call_id: str, agent_id: str, job: str, reason: str
    ) -> None:
        self.telemetry.log("error", "transcription job not started", job=job, reason=reason)
        self._record_failure(obj, call_id, agent_id, f"transcription job not started: {reason}")
        self.telemetry.count(qa_metrics.TRANSCRIPTION_JOBS_NOT_STARTED)

    def start_for_recording(self, obj: S3Object, *, last_attempt: bool = False) -> None:
        try:
            ref = recording_ref(obj.key)
            media_format(obj.key)
        except ObjectKeyError as exc:
            self.telemetry.log(
                "warning", "not a recording key; ignored", key=obj.key, reason=str(exc)
            )
            return
        self.telemetry.correlate(ref.call_id)
        if obj.size == 0:
            return self._reject(obj, ref.call_id, ref.agent_id, "empty recording (0 bytes)")
        if self._nobody_joined(obj):
            # The line opened a room that no caller entered: no call to transcribe or score.
            self.telemetry.log("info", "nobody joined this call; not scored", key=obj.key)
            self.telemetry.count(qa_metrics.RECORDINGS_SKIPPED)
            return None
        head = self.s3.get_object(
            Bucket=obj.bucket, Key=obj.key, Range=f"bytes=0-{HEADER_BYTES - 1}"
        )
        head_bytes = head["Body"].read()
        tail_bytes = b""
        if obj.size > HEADER_BYTES:
            tail = self.s3.get_object(
                Bucket=obj.bucket, Key=obj.key, Range=f"bytes=-{HEADER_BYTES}"
            )
            tail_bytes = tail["Body"].read()
        header = inspect_audio(head_bytes, tail_bytes, obj.size)
        if not header.is_audio:
            reason = f"not an audio file (the object starts with {head_bytes[:8]!r})"
            return self._reject(obj, ref.call_id, ref.agent_id, reason)
        minimum = self.settings.min_duration_seconds
        if header.duration_seconds is not None and header.duration_seconds < minimum:
            reason = (
                f"recording is {header.duration_seconds:.2f} s long, under the {minimum} s minimum"
            )
            return self._reject(obj, ref.call_id, ref.agent_id, reason)
        job = build_job(
            JobRequest(obj.bucket, obj.key, obj.version, ref, header.channels),
            output_bucket=self.settings.transcripts_bucket,
            data_access_role_arn=self.settings.transcribe_role_arn,
            language_options=self.settings.language_options,
        )
        name = job["TranscriptionJobName"]
        # The row keeps the agent id as written; the transcript's key has only its safe form.
        self.store.mark_transcribing(
            ref.call_id,
            ref.agent_id,
            utc_now_iso(),
            recording=f"s3://{obj.bucket}/{obj.key}",
            job_name=name,
        )
        try:
            started = start_job(self.transcribe, job)
        except PermanentJobError as exc:
            return self._job_not_started(obj, ref.call_id, ref.agent_id, name, str(exc))
        except TransientJobError as exc:
            if last_attempt:
                reason = f"{exc} (gave up after {self.max_receive_count} attempts)"
                self._job_not_started(obj, ref.call_id, ref.agent_id, name, reason)
            else:
                self.telemetry.log(
                    "warning", "transcription job not started; retried", reason=str(exc)
                )
                self.telemetry.count(qa_metrics.TRANSCRIPTION_JOBS_RETRIED)
            raise
        if started:
            self.telemetry.log("info", "transcription job started", job=job["TranscriptionJobName"])
            self.telemetry.count(qa_metrics.TRANSCRIPTION_JOBS_STARTED)
        else:
            self.telemetry.log(
                "info", "job exists already; duplicate event", job=job["TranscriptionJobName"]
            )
            self.telemetry.count(qa_metrics.DUPLICATE_EVENTS)
