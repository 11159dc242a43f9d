"""Starting the Transcribe batch job for a recording, once per recording version.

A job that cannot start ends one of three ways: it exists already (a duplicate event: done),
the service is busy or failing (`TransientJobError`: SQS retries the message, the dead-letter
queue is the end), or the request can never succeed (`PermanentJobError`: a FAILED row).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from contracts.storage import CallRef, job_name, media_format


@dataclass(frozen=True)
class JobRequest:
    bucket: str
    key: str
    version: str  # the recording's version id, else its ETag
    ref: CallRef
    channels: int | None


def build_job(
    request: JobRequest,
    *,
    output_bucket: str,
    data_access_role_arn: str,
    language_options: tuple[str, ...],
) -> dict[str, Any]:
    # Two channels: the agent is ch_0 (left). Anything else: diarize into two speakers.
    if request.channels == 2:
        settings: dict[str, Any] = {"ChannelIdentification": True}
    else:
        settings = {"ShowSpeakerLabels": True, "MaxSpeakerLabels": 2}
    job: dict[str, Any] = {
        "TranscriptionJobName": job_name(request.ref, request.bucket, request.key, request.version),
        "Media": {"MediaFileUri": f"s3://{request.bucket}/{request.key}"},
        "MediaFormat": media_format(request.key),
        "OutputBucketName": output_bucket,
        "OutputKey": request.ref.transcript_key,
        "Settings": settings,
        # Queue jobs beyond the concurrent-job quota instead of failing them.
        "JobExecutionSettings": {
            "AllowDeferredExecution": True,
            "DataAccessRoleArn": data_access_role_arn,
        },
        # Safe ids only: tag values refuse some characters of agent folders (Devanagari signs).
        "Tags": [
            {"Key": "call_id", "Value": request.ref.call_id},
            {"Key": "agent_id", "Value": request.ref.agent_key},
        ],
    }
    if len(language_options) > 1:
        job["IdentifyLanguage"] = True
        job["LanguageOptions"] = list(language_options)
    else:
        job["LanguageCode"] = language_options[0]
    return job


# Worth another try later: throttling and quotas (botocore has retried them already), and
# the service's own failures.
TRANSIENT_CODES = frozenset(
    {
        "LimitExceededException",
        "ThrottlingException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "InternalFailureException",
        "ServiceUnavailableException",
        "ServiceUnavailable",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)


class JobStartError(RuntimeError):
    """The job did not start; the message says why, fit for a row's failure_reason."""


class TransientJobError(JobStartError):
    """Busy or failing service: try the message again."""


class PermanentJobError(JobStartError):
    """The request is refused and would be refused again (access, bad request, quota)."""


def _reason(exc: ClientError) -> str:
    error = exc.response.get("Error", {})
    message = error.get("Message") or str(exc)
    return f"{error.get('Code', 'Error')}: {message}"


def start_job(transcribe: Any, job: dict[str, Any]) -> bool:
    """Starts the job; False when a job of that name exists already (a duplicate event).

    Raises TransientJobError or PermanentJobError when the job did not start.
    """
    try:
        transcribe.start_transcription_job(**job)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code == "ConflictException":
            return False
        if code in TRANSIENT_CODES or status >= 500:
            raise TransientJobError(_reason(exc)) from exc
        raise PermanentJobError(_reason(exc)) from exc
    except ParamValidationError as exc:
        raise PermanentJobError(f"invalid job request: {exc}") from exc
    except BotoCoreError as exc:  # connection errors and timeouts, after botocore's retries
        raise TransientJobError(f"{type(exc).__name__}: {exc}") from exc
    return True
