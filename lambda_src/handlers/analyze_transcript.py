"""AnalyzeTranscript: a Transcribe JSON in S3 -> a scored row in DynamoDB and, if due, an alert.

Also takes Transcribe's "job failed" events, so a recording whose transcription failed ends
as a failed call with the reason instead of disappearing.
"""

from __future__ import annotations

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
from botocore.config import Config

from contracts.storage import ObjectKeyError, recording_ref, transcript_ref
from handlers.events import (
    ObjectChangedError,
    S3Object,
    is_s3_test_event,
    message_body,
    read_object,
    s3_objects,
)
from qa_aws.bedrock_judge import BedrockJudge, FallbackJudge
from qa_aws.dynamo_store import DynamoResultStore, newer_version_stored, original_agent_id
from qa_aws.observability import logger, metrics
from qa_aws.prompts import S3PromptStore
from qa_aws.settings import AnalyzeSettings
from qa_aws.sns_alerts import SnsAlertSink
from qa_engine.cross_check import CrossCheckedJudge
from qa_engine.errors import QAInputError
from qa_engine.models import FailedCall, utc_now_iso
from qa_engine.pipeline import QAPipeline, Scorer
from qa_engine.rules_judge import RulesJudge

processor = BatchProcessor(event_type=EventType.SQS)
# tenacity does the retrying, bounded by the function's remaining time.
BEDROCK_CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=60)


@dataclass(frozen=True)
class Services:
    settings: AnalyzeSettings
    s3: Any
    bedrock: Any
    transcribe: Any
    prompts: S3PromptStore
    store: DynamoResultStore
    alerts: SnsAlertSink


@cache
def services() -> Services:
    settings = AnalyzeSettings.from_env()
    s3 = boto3.client("s3")
    table = boto3.resource("dynamodb").Table(settings.table_name)
    return Services(
        settings=settings,
        s3=s3,
        bedrock=boto3.client("bedrock-runtime", config=BEDROCK_CONFIG),
        transcribe=boto3.client("transcribe"),
        prompts=S3PromptStore(
            s3, settings.config_bucket, settings.prompts_prefix, settings.prompts_refresh_seconds
        ),
        store=DynamoResultStore(table, s3, settings.overflow_bucket),
        alerts=SnsAlertSink(boto3.client("sns"), settings.topic_arn),
    )


def _record_failure(
    svc: Services,
    call_id: str,
    agent_id: str,
    reason: str,
    source: str,
    obj: S3Object | None = None,
) -> None:
    logger.warning("call not scored", extra={"reason": reason, "source": source})
    svc.store.put_failure(
        FailedCall(
            call_id=call_id,
            agent_id=agent_id,
            timestamp=utc_now_iso(),
            failure_reason=reason,
            source=source,
        ),
        version=obj.version if obj else None,
        sequencer=obj.sequencer if obj else None,
    )
    metrics.add_metric(name="FailedCalls", unit=MetricUnit.Count, value=1)


def _ignore_stale(obj: S3Object, reason: str) -> None:
    """An event for an older transcript version than the one stored: no row, no alert."""
    logger.warning(
        "stale event ignored",
        extra={
            "key": obj.key,
            "version": obj.version,
            "sequencer": obj.sequencer,
            "reason": reason,
        },
    )
    metrics.add_metric(name="StaleEventsIgnored", unit=MetricUnit.Count, value=1)


def analyze(svc: Services, obj: S3Object, remaining_seconds) -> None:
    try:
        ref = transcript_ref(obj.key)
    except ObjectKeyError as exc:
        logger.warning("not a transcript key; ignored", extra={"key": obj.key, "reason": str(exc)})
        return
    logger.set_correlation_id(ref.call_id)
    source = f"s3://{obj.bucket}/{obj.key}"
    row = svc.store.get(ref.call_id)
    if newer_version_stored(row, obj.sequencer):
        return _ignore_stale(obj, "a newer transcript version is stored")
    agent_id = original_agent_id(row, ref)
    try:
        raw = read_object(svc.s3, obj)
    except ObjectChangedError as exc:
        return _ignore_stale(obj, str(exc))
    rubric = svc.prompts.rubric()
    rules = RulesJudge(rubric)
    judge: Any = rules
    bedrock = None
    if svc.settings.judge == "bedrock":
        bedrock = BedrockJudge(
            rubric,
            svc.bedrock,
            svc.settings.model_id,
            remaining_seconds,
            reserve_seconds=svc.settings.min_seconds_for_bedrock,
        )
        # The rules judge runs beside Bedrock on every call: a model cannot clear what the
        # rules saw, and a disagreement goes to a supervisor for review.
        judge = CrossCheckedJudge(
            FallbackJudge(
                bedrock,
                rules,
                on_fallback=lambda reason: (
                    logger.error(
                        "Bedrock judge unavailable; rules judge used", extra={"reason": reason}
                    ),
                    metrics.add_metric(name="JudgeFallbacks", unit=MetricUnit.Count, value=1),
                ),
            ),
            rules,
        )
    scorer = Scorer(rubric, judge)
    try:
        result = scorer.score_transcript(raw, call_id=ref.call_id, agent_id=agent_id)
    except QAInputError as exc:
        return _record_failure(svc, ref.call_id, agent_id, str(exc), source, obj)
    result = result.model_copy(update={"source_version": obj.version or None})
    store = svc.store.for_transcript(obj.sequencer)
    result = QAPipeline(scorer, store, svc.alerts).finish(result)
    if not store.stored and newer_version_stored(svc.store.get(ref.call_id), obj.sequencer):
        return _ignore_stale(obj, "a newer transcript version was stored meanwhile")
    logger.info(
        "call scored",
        extra={
            "score": result.overall_score,
            "flags": result.violation_flags,
            "risk": result.risk_reasons,
            "judge": result.judge,
            "rubric_version": result.rubric_version,
            "alerted": result.alerted,
            "disputed_sops": result.disputed_sops,
        },
    )
    metrics.add_metric(name="CallsScored", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="JudgeDisputes", unit=MetricUnit.Count, value=int(result.needs_review))
    metrics.add_metric(name="Violations", unit=MetricUnit.Count, value=len(result.violation_flags))
    metrics.add_metric(name="AlertsSent", unit=MetricUnit.Count, value=int(result.alerted))
    if bedrock is not None and bedrock.usage.calls:
        metrics.add_metric(
            name="JudgeLatency", unit=MetricUnit.Milliseconds, value=bedrock.usage.latency_ms
        )
        metrics.add_metric(
            name="InputTokens", unit=MetricUnit.Count, value=bedrock.usage.input_tokens
        )
        metrics.add_metric(
            name="OutputTokens", unit=MetricUnit.Count, value=bedrock.usage.output_tokens
        )


def transcription_failed(svc: Services, event: dict[str, Any]) -> None:
    detail = event.get("detail", {})
    if detail.get("TranscriptionJobStatus") != "FAILED":
        return
    name = detail.get("TranscriptionJobName", "")
    job = svc.transcribe.get_transcription_job(TranscriptionJobName=name)["TranscriptionJob"]
    uri = job.get("Media", {}).get("MediaFileUri", "")
    key = uri.split("/", 3)[3] if uri.count("/") >= 3 else ""
    try:
        ref = recording_ref(key)
    except ObjectKeyError:
        logger.warning("failed job for an unknown recording", extra={"job": name, "uri": uri})
        return
    logger.set_correlation_id(ref.call_id)
    reason = f"transcription failed: {job.get('FailureReason', 'no reason given')}"
    _record_failure(svc, ref.call_id, ref.agent_id, reason, uri)


def record_handler(record: SQSRecord, lambda_context: Any = None) -> None:
    body = message_body(record.body)
    if is_s3_test_event(body):
        return
    svc = services()
    if body.get("source") == "aws.transcribe":
        return transcription_failed(svc, body)

    def remaining_seconds() -> float:
        if lambda_context is None:
            return 900.0
        return lambda_context.get_remaining_time_in_millis() / 1000

    for obj in s3_objects(body):
        analyze(svc, obj, remaining_seconds)


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict, context: Any) -> dict:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
