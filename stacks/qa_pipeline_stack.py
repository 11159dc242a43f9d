"""QaPipelineStack: every recording in S3 ends as a scored row in DynamoDB and, if due, an alert.

recordings/ --S3 event--> SQS --> StartQA --> Transcribe (deferred execution)
transcripts/ --S3 event--> SQS --> AnalyzeTranscript --> CallQA_Results + SupervisorAlerts
Transcribe "job failed" --EventBridge--> the same SQS queue --> a failed-call row
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Annotations, CfnOutput, Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from aws_cdk import aws_s3_notifications as s3n
from constructs import Construct

from cdk_constructs.alerts_topic import OPS_TOPIC_NAME, AlertsTopic
from cdk_constructs.bedrock_access import (
    INVOKE,
    acknowledge_model_grant,
    configured_model_id,
    model_statements,
)
from cdk_constructs.log_bucket import LogBucket
from cdk_constructs.nag import acknowledge, acknowledge_cdk_handlers, nag_arn
from cdk_constructs.python_function import PythonFunction
from cdk_constructs.queued_function import QueuedFunction
from cdk_constructs.results_table import ResultsTable
from cdk_constructs.secure_bucket import SecureBucket
from contracts.bedrock_models import default_model_id

REPO = Path(__file__).resolve().parents[1]
LAMBDA_SRC = REPO / "lambda_src"
AUDIO_SUFFIXES = (".ogg", ".opus", ".oga", ".wav", ".flac", ".mp4", ".m4a", ".mp3", ".webm")
RUNTIME_PACKAGES = ["handlers", "qa_aws", "qa_engine", "contracts"]
JOB_PREFIX = "qa-"
TRANSCRIPT_VERSIONS_KEPT_DAYS = 14  # the dead-letter queues' retention


def recordings_bucket_name(stack: Stack) -> str:
    """Known to the voice line too: Egress on its instance writes the recordings here."""
    return f"battery-smart-recordings-{stack.account}-{stack.region}"


@dataclass(frozen=True)
class QaPipelineSettings:
    """Context values (cdk.json `qa:*`), with the defaults documented in the README."""

    model_id: str = default_model_id()
    judge: str = "bedrock"
    alert_email: str | None = None
    ops_email: str | None = None
    recording_retention_days: int = 90
    transcript_retention_days: int = 365
    language_options: str = "en-IN,hi-IN"
    analyze_max_concurrency: int = 5
    start_max_concurrency: int = 10

    @classmethod
    def from_context(cls, scope: Construct) -> QaPipelineSettings:
        def ctx(name: str, default):
            value = scope.node.try_get_context(f"qa:{name}")
            return default if value in (None, "") else value

        defaults = cls()
        ops_email = scope.node.try_get_context("ops:alert_email")
        return cls(
            model_id=configured_model_id(scope),
            judge=str(ctx("judge", defaults.judge)),
            alert_email=ctx("alert_email", None),
            ops_email=ops_email or None,
            recording_retention_days=int(
                ctx("recording_retention_days", defaults.recording_retention_days)
            ),
            transcript_retention_days=int(
                ctx("transcript_retention_days", defaults.transcript_retention_days)
            ),
            language_options=str(ctx("language_options", defaults.language_options)),
            analyze_max_concurrency=int(
                ctx("analyze_max_concurrency", defaults.analyze_max_concurrency)
            ),
            start_max_concurrency=int(ctx("start_max_concurrency", defaults.start_max_concurrency)),
        )


class QaPipelineStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        settings = QaPipelineSettings.from_context(self)

        access_logs = LogBucket(self, "AccessLogs").bucket
        acknowledge(
            access_logs, "S1", "This is the server access log bucket; logging into itself loops."
        )
        recordings = SecureBucket(
            self,
            "Recordings",
            access_logs=access_logs,
            expire_prefix="recordings/",
            expire_after_days=settings.recording_retention_days,
            bucket_name=recordings_bucket_name(self),
        ).bucket
        # Versioned: the analyzer reads the very version an event names, so a late event for an
        # older transcript is recognised and never judged with a newer one's text. Old versions
        # are kept as long as a dead-lettered event may still be redriven.
        transcripts = SecureBucket(
            self,
            "Transcripts",
            access_logs=access_logs,
            expire_after_days=settings.transcript_retention_days,
            versioned=True,
            noncurrent_expire_after_days=TRANSCRIPT_VERSIONS_KEPT_DAYS,
        ).bucket
        config = SecureBucket(self, "Config", access_logs=access_logs).bucket
        table = ResultsTable(self, "Results").table
        alerts = AlertsTopic(self, "Alerts", email=settings.alert_email)
        ops = AlertsTopic(
            self,
            "Ops",
            email=settings.ops_email,
            topic_name=OPS_TOPIC_NAME,
            display_name="Battery Smart operations alarms",
            for_alarms=True,
        )
        if not settings.ops_email:
            Annotations.of(self).add_warning_v2(
                "ops:alert-email",
                "ops:alert_email is not set: alarms go to the OpsAlerts topic, which nobody "
                "is subscribed to until you add a subscriber",
            )

        s3deploy.BucketDeployment(
            self,
            "Prompts",
            sources=[s3deploy.Source.asset(str(REPO / "prompts"))],
            destination_bucket=config,
            destination_key_prefix="prompts/",
        )

        transcribe_role = iam.Role(
            self,
            "TranscribeDataAccess",
            description="Assumed by Transcribe to read recordings and write transcripts",
            assumed_by=iam.ServicePrincipal(
                "transcribe.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": self.account}},
            ),
        )
        transcribe_role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"], resources=[recordings.arn_for_objects("recordings/*")]
            )
        )
        transcribe_role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject"],
                resources=[transcripts.arn_for_objects("transcripts/*")],
            )
        )
        transcribe_role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[recordings.bucket_arn, transcripts.bucket_arn],
            )
        )
        job_arn = self.format_arn(
            service="transcribe", resource="transcription-job", resource_name=f"{JOB_PREFIX}*"
        )

        common_env = {
            "TABLE_NAME": table.table_name,
            "TRANSCRIPTS_BUCKET": transcripts.bucket_name,
            "POWERTOOLS_METRICS_NAMESPACE": "BatterySmart/AutoQA",
            "LOG_LEVEL": "INFO",
        }
        start_fn = PythonFunction(
            self,
            "StartQA",
            source_dir=LAMBDA_SRC,
            packages=RUNTIME_PACKAGES,
            requirements=LAMBDA_SRC / "requirements.txt",
            handler="handlers.start_qa.lambda_handler",
            description="Starts a Transcribe job for each new call recording",
            memory_size=256,
            timeout=Duration.seconds(30),
            environment={
                **common_env,
                "POWERTOOLS_SERVICE_NAME": "start-qa",
                "TRANSCRIBE_ROLE_ARN": transcribe_role.role_arn,
                "LANGUAGE_OPTIONS": settings.language_options,
            },
        )
        start = start_fn.function
        analyze_fn = PythonFunction(
            self,
            "AnalyzeTranscript",
            source_dir=LAMBDA_SRC,
            packages=RUNTIME_PACKAGES,
            requirements=LAMBDA_SRC / "requirements.txt",
            handler="handlers.analyze_transcript.lambda_handler",
            description="Judges a call transcript against the SOPs, stores it and alerts",
            memory_size=1024,
            timeout=Duration.seconds(120),
            environment={
                **common_env,
                "POWERTOOLS_SERVICE_NAME": "analyze-transcript",
                "TOPIC_ARN": alerts.topic.topic_arn,
                "CONFIG_BUCKET": config.bucket_name,
                "PROMPTS_PREFIX": "prompts/",
                "JUDGE": settings.judge,
                "MODEL_ID": settings.model_id,
            },
        )
        analyze = analyze_fn.function

        start_queue = QueuedFunction(
            self, "StartQAQueue", function=start, max_concurrency=settings.start_max_concurrency
        )
        analyze_queue = QueuedFunction(
            self,
            "AnalyzeQueue",
            function=analyze,
            max_concurrency=settings.analyze_max_concurrency,
            batch_size=1,
        )
        # StartQA records a FAILED row on a message's last delivery if the job never started.
        start.add_environment("MAX_RECEIVE_COUNT", str(start_queue.max_receive_count))
        for suffix in AUDIO_SUFFIXES:
            recordings.add_event_notification(
                s3.EventType.OBJECT_CREATED,
                s3n.SqsDestination(start_queue.queue),
                s3.NotificationKeyFilter(prefix="recordings/", suffix=suffix),
            )
        transcripts.add_event_notification(
            s3.EventType.OBJECT_CREATED,
            s3n.SqsDestination(analyze_queue.queue),
            s3.NotificationKeyFilter(prefix="transcripts/", suffix=".json"),
        )
        events.Rule(
            self,
            "TranscriptionFailed",
            description="Failed QA transcription jobs become failed-call rows",
            event_pattern=events.EventPattern(
                source=["aws.transcribe"],
                detail_type=["Transcribe Job State Change"],
                detail={
                    "TranscriptionJobStatus": ["FAILED"],
                    "TranscriptionJobName": [{"prefix": JOB_PREFIX}],
                },
            ),
            targets=[targets.SqsQueue(analyze_queue.queue)],
        )

        # StartQA: read recording headers, start jobs, record the call's state.
        start.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"], resources=[recordings.arn_for_objects("recordings/*")]
            )
        )
        start.add_to_role_policy(
            iam.PolicyStatement(
                actions=["transcribe:StartTranscriptionJob", "transcribe:TagResource"],
                resources=[job_arn],
            )
        )
        start.add_to_role_policy(
            iam.PolicyStatement(
                actions=["iam:PassRole"],
                resources=[transcribe_role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": "transcribe.amazonaws.com"}},
            )
        )
        start.add_to_role_policy(
            iam.PolicyStatement(actions=["dynamodb:PutItem"], resources=[table.table_arn])
        )

        # AnalyzeTranscript: read transcripts and prompts, judge, store, alert.
        analyze.add_to_role_policy(
            iam.PolicyStatement(
                # GetObjectVersion: the transcript version the S3 event names.
                actions=["s3:GetObject", "s3:GetObjectVersion"],
                resources=[transcripts.arn_for_objects("transcripts/*")],
            )
        )
        analyze.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"], resources=[config.arn_for_objects("prompts/*")]
            )
        )
        analyze.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[config.bucket_arn],
                conditions={"StringLike": {"s3:prefix": ["prompts/*"]}},
            )
        )
        analyze.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject"], resources=[transcripts.arn_for_objects("results/*")]
            )
        )
        analyze.add_to_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem"],
                resources=[table.table_arn],
            )
        )
        for statement in model_statements(self, settings.model_id, INVOKE):
            analyze.add_to_role_policy(statement)
        acknowledge_model_grant(analyze_fn, settings.model_id)
        analyze.add_to_role_policy(
            iam.PolicyStatement(actions=["transcribe:GetTranscriptionJob"], resources=[job_arn])
        )
        alerts.topic.grant_publish(analyze)
        ops.notify(
            start_queue.alarm, analyze_queue.alarm, start_fn.errors_alarm, analyze_fn.errors_alarm
        )

        self.recordings = recordings
        self.transcripts = transcripts
        self.config_bucket = config
        self.table = table
        self.topic = alerts.topic
        self.ops = ops
        self.start_qa = start
        self.analyze_transcript = analyze
        self.queues = (start_queue, analyze_queue)
        self._acknowledge(transcribe_role, start_fn, analyze_fn, recordings, transcripts, config)
        for name, value in {
            "RecordingsBucketName": recordings.bucket_name,
            "TranscriptsBucketName": transcripts.bucket_name,
            "ConfigBucketName": config.bucket_name,
            "ResultsTableName": table.table_name,
            "SupervisorAlertsTopicArn": alerts.topic.topic_arn,
            "OpsAlertsTopicArn": ops.topic.topic_arn,
        }.items():
            CfnOutput(self, name, value=value)

    def _acknowledge(self, transcribe_role, start, analyze, recordings, transcripts, config):
        prefix_reason = (
            "Object access is limited to the key prefix this role owns; keys are per call, "
            "so they cannot be listed in the policy in advance"
        )
        rec, tra, cfg = (nag_arn(b) for b in (recordings, transcripts, config))
        findings = {
            transcribe_role: [f"{rec}/recordings/*", f"{tra}/transcripts/*"],
            start: [f"{rec}/recordings/*"],
            analyze: [f"{tra}/transcripts/*", f"{tra}/results/*", f"{cfg}/prompts/*"],
        }
        for scope, resources in findings.items():
            for resource in resources:
                acknowledge(scope, f"IAM5[Resource::{resource}]", prefix_reason)
        job = (
            f"arn:<AWS::Partition>:transcribe:{self.region}:<AWS::AccountId>:"
            f"transcription-job/{JOB_PREFIX}*"
        )
        for function in (start, analyze):
            acknowledge(
                function,
                f"IAM5[Resource::{job}]",
                "Transcription job names are per call; access is limited to the qa- prefix",
            )
            acknowledge(
                function,
                "IAM5[Resource::*]",
                "X-Ray trace segments have no resource-level permissions (active tracing)",
            )
            acknowledge(
                function,
                "L1",
                "Python 3.11 is the project's pinned runtime, the same locally and in Lambda",
            )
        acknowledge(
            analyze,
            "IAM5[Action::kms:GenerateDataKey*]",
            "Publishing to the encrypted alerts topic needs GenerateDataKey* on its key only",
        )
        acknowledge_cdk_handlers(self, deployed_to=cfg)
