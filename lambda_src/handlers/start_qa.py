"""StartQA: SQS messages of new recordings (S3 events) -> `qa_aws.start_service.StartService`.

The handler only translates: each S3 object of a message goes to the service, with whether
this is the message's last delivery. A message whose recording could not be handled fails
alone (partial batch response), so SQS retries it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from handlers.events import is_s3_test_event, message_body, s3_objects
from qa_aws.dynamo_store import DynamoResultStore
from qa_aws.observability import PowertoolsTelemetry, logger, metrics
from qa_aws.settings import StartQASettings
from qa_aws.start_service import StartService

processor = BatchProcessor(event_type=EventType.SQS)


@cache
def services() -> StartService:
    """Built once per execution environment, from the function's settings."""
    settings = StartQASettings.from_env()
    s3 = boto3.client("s3")
    table = boto3.resource("dynamodb").Table(settings.table_name)
    return StartService(
        settings=settings,
        s3=s3,
        transcribe=boto3.client("transcribe"),
        store=DynamoResultStore(table, s3, settings.transcripts_bucket),
        telemetry=PowertoolsTelemetry(),
    )


def record_handler(record: SQSRecord) -> None:
    body = message_body(record.body)
    if is_s3_test_event(body):
        return
    service = services()
    receive_count = int(record.attributes.approximate_receive_count or 1)
    for obj in s3_objects(body):
        service.start_for_recording(obj, last_attempt=receive_count >= service.max_receive_count)


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
