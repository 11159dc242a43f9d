"""AnalyzeTranscript: SQS messages of new transcripts (S3 events) and failed transcription jobs
(EventBridge) -> `qa_aws.analyze_service.AnalyzeService`.

The handler only translates: a transcript's S3 object, with the time this invocation has
left (Bedrock is not called when too little is left), or a job's event detail.
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
from botocore.config import Config

from handlers.events import is_s3_test_event, message_body, s3_objects
from qa_aws.analyze_service import AnalyzeService
from qa_aws.dynamo_store import DynamoResultStore
from qa_aws.observability import PowertoolsTelemetry, logger, metrics
from qa_aws.prompts import S3PromptStore
from qa_aws.settings import AnalyzeSettings
from qa_aws.sns_alerts import SnsAlertSink

processor = BatchProcessor(event_type=EventType.SQS)
# tenacity does the retrying, bounded by the function's remaining time.
BEDROCK_CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=60)
NO_CONTEXT_SECONDS = 900.0  # called without a Lambda context (tests, a local run)


@cache
def services() -> AnalyzeService:
    """Built once per execution environment, from the function's settings."""
    settings = AnalyzeSettings.from_env()
    s3 = boto3.client("s3")
    table = boto3.resource("dynamodb").Table(settings.table_name)
    return AnalyzeService(
        settings=settings,
        s3=s3,
        bedrock=boto3.client("bedrock-runtime", config=BEDROCK_CONFIG),
        transcribe=boto3.client("transcribe"),
        prompts=S3PromptStore(
            s3, settings.config_bucket, settings.prompts_prefix, settings.prompts_refresh_seconds
        ),
        store=DynamoResultStore(table, s3, settings.overflow_bucket),
        alerts=SnsAlertSink(boto3.client("sns"), settings.topic_arn),
        telemetry=PowertoolsTelemetry(),
    )


def record_handler(record: SQSRecord, lambda_context: Any = None) -> None:
    body = message_body(record.body)
    if is_s3_test_event(body):
        return
    service = services()
    if body.get("source") == "aws.transcribe":
        return service.transcription_failed(body.get("detail", {}))

    def remaining_seconds() -> float:
        if lambda_context is None:
            return NO_CONTEXT_SECONDS
        return lambda_context.get_remaining_time_in_millis() / 1000

    for obj in s3_objects(body):
        service.transcript_created(obj, remaining_seconds)


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
