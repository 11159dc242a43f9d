"""Starting the Transcribe batch job for a recording, once per recording version."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from qa_aws.keys import CallRef, job_name, media_format


@dataclass(frozen=True)
class JobRequest:
    bucket: str
    key: str
    etag: str
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
        "TranscriptionJobName": job_name(request.ref, request.bucket, request.key, request.etag),
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
        "Tags": [
            {"Key": "call_id", "Value": request.ref.call_id},
            {"Key": "agent_id", "Value": request.ref.agent_id},
        ],
    }
    if len(language_options) > 1:
        job["IdentifyLanguage"] = True
        job["LanguageOptions"] = list(language_options)
    else:
        job["LanguageCode"] = language_options[0]
    return job


def start_job(transcribe: Any, job: dict[str, Any]) -> bool:
    """Starts the job; False when a job of that name exists already (a duplicate event)."""
    try:
        transcribe.start_transcription_job(**job)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConflictException":
            return False
        raise
    return True
