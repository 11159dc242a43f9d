"""QaPipelineStack: every recording in S3 ends as a scored row in DynamoDB and, if due, an alert.

recordings/ --S3 event--> SQS --> StartQA --> Transcribe (deferred execution)
transcripts/ --S3 event--> SQS --> AnalyzeTranscript --> CallQA_Results + SupervisorAlerts
Transcribe "job failed" --EventBridge--> the same SQS queue --> a failed-call row
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Annotations, CfnOutput, Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from aws_cdk import aws_s3_notifications as s3n
from constructs import Construct

from cdk_constructs.alerts_topic import OPS_TOPIC_NAME, AlertsTopic
from cdk_constructs.bedrock_access import INVOKE, grant_model
from cdk_constructs.grants import grant_listing, grant_objects
from cdk_constructs.log_bucket import LogBucket
from cdk_constructs.nag import acknowledge_cdk_handlers, nag_arn
from cdk_constructs.python_function import PythonFunction
from cdk_constructs.queued_function import QueuedFunction
from cdk_constructs.results_table import ResultsTable, ReviewsTable
from cdk_constructs.secure_bucket import SecureBucket
from cdk_constructs.transcribe_access import TranscribeAccess
from contracts import environment as env
from contracts.storage import (
    AUDIO_SUFFIXES,
    JOB_PREFIX,
    PROMPTS_PREFIX,
    RECORDINGS_PREFIX,
    RESULTS_PREFIX,
    TRANSCRIPT_SUFFIX,
    TRANSCRIPTS_PREFIX,
)
from stacks.settings import QaSettings

REPO = Path(__file__).resolve().parents[1]
LAMBDA_SRC = REPO / "lambda_src"
RUNTIME_PACKAGES = ["handlers", "application", "qa_aws", "qa_engine", "contracts"]
TRANSCRIPT_VERSIONS_KEPT_DAYS = 14  # the dead-letter queues' retention


def recordings_bucket_name(stack: Stack) -> str:
    """Known to the voice line too: Egress on its instance writes the recordings here."""
    return f"battery-smart-recordings-{stack.account}-{stack.region}"


class QaPipelineStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: QaSettings,
        model_id: str,
        ops_email: str | None,
        **kwargs,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.settings = settings
        self.model_id = model_id
        recordings, transcripts, config = self._buckets()
        table = ResultsTable(self, "Results").table
        # Supervisors' reviews, written by the dashboard's API (WebStack) beside the calls' rows.
        self.reviews = ReviewsTable(self, "Reviews").table
        alerts = AlertsTopic(self, "Alerts", email=settings.alert_email)
        ops = AlertsTopic(
            self,
            "Ops",
            email=ops_email,
            topic_name=OPS_TOPIC_NAME,
            display_name="Battery Smart operations alarms",
            for_alarms=True,
        )
        if not ops_email:
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
            destination_key_prefix=PROMPTS_PREFIX,
        )
        transcribe = TranscribeAccess(self, recordings=recordings, transcripts=transcripts)
        start = self._start_qa(recordings, transcripts, table, transcribe)
        analyze = self._analyze_transcript(transcripts, config, table, alerts, transcribe)
        start_queue, analyze_queue = self._route_events(start, analyze, recordings, transcripts)
        ops.notify(start_queue.alarm, analyze_queue.alarm, start.errors_alarm, analyze.errors_alarm)
        acknowledge_cdk_handlers(self, deployed_to=nag_arn(config))

        self.recordings = recordings
        self.transcripts = transcripts
        self.config_bucket = config
        self.table = table
        self.topic = alerts.topic
        self.alerts = alerts
        self.ops = ops
        self.start_qa = start.function
        self.analyze_transcript = analyze.function
        self.queues = (start_queue, analyze_queue)
        self._outputs()

    def _buckets(self) -> tuple[s3.IBucket, s3.IBucket, s3.IBucket]:
        """Recordings (kept for `qa:recording_retention_days`), transcripts, the rubric."""
        settings = self.settings
        access_logs = LogBucket(self, "AccessLogs").bucket
        recordings = SecureBucket(
            self,
            "Recordings",
            access_logs=access_logs,
            expire_prefix=RECORDINGS_PREFIX,
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
        return recordings, transcripts, config

    def _outputs(self) -> None:
        for name, value in {
            "RecordingsBucketName": self.recordings.bucket_name,
            "TranscriptsBucketName": self.transcripts.bucket_name,
            "ConfigBucketName": self.config_bucket.bucket_name,
            "ResultsTableName": self.table.table_name,
            "ReviewsTableName": self.reviews.table_name,
            "SupervisorAlertsTopicArn": self.alerts.topic.topic_arn,
            "OpsAlertsTopicArn": self.ops.topic.topic_arn,
        }.items():
            CfnOutput(self, name, value=value)

    def _function(self, construct_id: str, **kwargs) -> PythonFunction:
        return PythonFunction(
            self,
            construct_id,
            source_dir=LAMBDA_SRC,
            packages=RUNTIME_PACKAGES,
            requirements=LAMBDA_SRC / "requirements.txt",
            **kwargs,
        )

    def _start_qa(
        self,
        recordings: s3.IBucket,
        transcripts: s3.IBucket,
        table: dynamodb.ITable,
        transcribe: TranscribeAccess,
    ) -> PythonFunction:
        """StartQA: reads a recording's header, starts its job, records the call's state."""
        start = self._function(
            "StartQA",
            handler="handlers.start_qa.lambda_handler",
            description="Starts a Transcribe job for each new call recording",
            memory_size=256,
            timeout=Duration.seconds(30),
            environment={
                env.TABLE_NAME: table.table_name,
                env.TRANSCRIPTS_BUCKET: transcripts.bucket_name,
                env.TRANSCRIBE_ROLE_ARN: transcribe.role.role_arn,
                env.LANGUAGE_OPTIONS: self.settings.language_options,
                env.POWERTOOLS_SERVICE_NAME: "start-qa",
                env.LOG_LEVEL: "INFO",
            },
        )
        grant_objects(start, start.function, recordings, RECORDINGS_PREFIX, "s3:GetObject")
        transcribe.grant_start(start, start.function)
        start.function.add_to_role_policy(
            iam.PolicyStatement(actions=["dynamodb:PutItem"], resources=[table.table_arn])
        )
        return start

    def _analyze_transcript(
        self,
        transcripts: s3.IBucket,
        config: s3.IBucket,
        table: dynamodb.ITable,
        alerts: AlertsTopic,
        transcribe: TranscribeAccess,
    ) -> PythonFunction:
        """AnalyzeTranscript: reads a transcript and the rubric, judges, stores, alerts."""
        analyze = self._function(
            "AnalyzeTranscript",
            handler="handlers.analyze_transcript.lambda_handler",
            description="Judges a call transcript against the SOPs, stores it and alerts",
            memory_size=1024,
            timeout=Duration.seconds(120),
            environment={
                env.TABLE_NAME: table.table_name,
                env.TRANSCRIPTS_BUCKET: transcripts.bucket_name,
                env.TOPIC_ARN: alerts.topic.topic_arn,
                env.CONFIG_BUCKET: config.bucket_name,
                env.PROMPTS_PREFIX: PROMPTS_PREFIX,
                env.JUDGE: self.settings.judge,
                env.MODEL_ID: self.model_id,
                env.POWERTOOLS_SERVICE_NAME: "analyze-transcript",
                env.LOG_LEVEL: "INFO",
            },
        )
        function = analyze.function
        # GetObjectVersion: the transcript version the S3 event names.
        grant_objects(
            analyze,
            function,
            transcripts,
            TRANSCRIPTS_PREFIX,
            "s3:GetObject",
            "s3:GetObjectVersion",
        )
        grant_objects(analyze, function, config, PROMPTS_PREFIX, "s3:GetObject")
        grant_listing(function, config, PROMPTS_PREFIX)
        grant_objects(analyze, function, transcripts, RESULTS_PREFIX, "s3:PutObject")
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem"],
                resources=[table.table_arn],
            )
        )
        grant_model(analyze, function, self.model_id, INVOKE)
        transcribe.grant_read(analyze, function)
        alerts.grant_publish(analyze, function)
        return analyze

    def _route_events(
        self,
        start: PythonFunction,
        analyze: PythonFunction,
        recordings: s3.IBucket,
        transcripts: s3.IBucket,
    ) -> tuple[QueuedFunction, QueuedFunction]:
        """New recordings to StartQA; new transcripts and failed jobs to AnalyzeTranscript."""
        start_queue = QueuedFunction(
            self,
            "StartQAQueue",
            function=start.function,
            max_concurrency=self.settings.start_max_concurrency,
        )
        analyze_queue = QueuedFunction(
            self,
            "AnalyzeQueue",
            function=analyze.function,
            max_concurrency=self.settings.analyze_max_concurrency,
            batch_size=1,
        )
        # StartQA records a FAILED row on a message's last delivery if the job never started.
        start.function.add_environment(env.MAX_RECEIVE_COUNT, str(start_queue.max_receive_count))
        for suffix in AUDIO_SUFFIXES:
            recordings.add_event_notification(
                s3.EventType.OBJECT_CREATED,
                s3n.SqsDestination(start_queue.queue),
                s3.NotificationKeyFilter(prefix=RECORDINGS_PREFIX, suffix=suffix),
            )
        transcripts.add_event_notification(
            s3.EventType.OBJECT_CREATED,
            s3n.SqsDestination(analyze_queue.queue),
            s3.NotificationKeyFilter(prefix=TRANSCRIPTS_PREFIX, suffix=TRANSCRIPT_SUFFIX),
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
        return start_queue, analyze_queue
