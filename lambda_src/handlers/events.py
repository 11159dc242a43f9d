"""Reading the SQS messages the functions receive: S3 notifications and Transcribe job events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.parser.models import S3Model

from qa_aws.s3_objects import S3Object, ordering_key


def message_body(body: str) -> dict[str, Any]:
    parsed = json.loads(body)
    return parsed if isinstance(parsed, dict) else {}


def is_s3_test_event(body: dict[str, Any]) -> bool:
    return body.get("Event") == "s3:TestEvent"


def s3_objects(body: dict[str, Any]) -> Iterator[S3Object]:
    for record in S3Model.model_validate(body).Records:
        obj = record.s3.object
        if obj is None:  # not an object event
            continue
        version_id = obj.versionId if obj.versionId and obj.versionId != "null" else None
        yield S3Object(
            bucket=record.s3.bucket.name,
            key=unquote_plus(obj.key),
            etag=obj.eTag or "",
            size=int(obj.size or 0),
            version_id=version_id,
            sequencer=ordering_key(obj.sequencer),
        )
