"""QaPipelineStack: every requirement of the serverless QA pipeline, as invariants."""

from __future__ import annotations

import json

from aws_cdk.assertions import Match

from contracts.results_table import AGENT_INDEX, FLAGGED_INDEX
from contracts.storage import AUDIO_SUFFIXES
from tests.infra.conftest import BLOCK_ALL_PUBLIC_ACCESS, policy_statements, resources


def test_every_bucket_is_private_encrypted_ssl_only_and_logged(template):
    buckets = resources(template, "AWS::S3::Bucket")
    assert len(buckets) == 4  # recordings, transcripts, config, access logs
    policies = resources(template, "AWS::S3::BucketPolicy")
    for logical_id, bucket in buckets.items():
        props = bucket["Properties"]
        assert props["PublicAccessBlockConfiguration"] == BLOCK_ALL_PUBLIC_ACCESS
        sse = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
        assert sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
        assert bucket["DeletionPolicy"] == "Retain" or logical_id.startswith("AccessLogs")
        denies_http = [
            s
            for p in policies.values()
            if p["Properties"]["Bucket"] == {"Ref": logical_id}
            for s in p["Properties"]["PolicyDocument"]["Statement"]
            if s["Effect"] == "Deny"
            and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
        ]
        assert denies_http, f"{logical_id} does not enforce SSL"
        if not logical_id.startswith("AccessLogs"):
            assert "LoggingConfiguration" in props, f"{logical_id} has no access logs"


def test_raw_audio_expires_after_the_configured_retention(template, custom_template):
    for tmpl, days in ((template, 90), (custom_template, 30)):
        recordings = next(
            b for k, b in resources(tmpl, "AWS::S3::Bucket").items() if k.startswith("Recordings")
        )
        rules = recordings["Properties"]["LifecycleConfiguration"]["Rules"]
        expire = next(r for r in rules if r.get("Id") == "ExpireRawData")
        assert expire["Prefix"] == "recordings/"
        assert expire["ExpirationInDays"] == days


def test_transcripts_are_versioned_so_each_event_reads_its_own_version(template):
    buckets = resources(template, "AWS::S3::Bucket")
    transcripts = next(b for k, b in buckets.items() if k.startswith("Transcripts"))
    assert transcripts["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    rules = transcripts["Properties"]["LifecycleConfiguration"]["Rules"]
    expire = next(r for r in rules if r.get("Id") == "ExpireRawData")
    # Old versions outlive a dead-lettered event (14 days), so a redrive can still read one.
    assert expire["NoncurrentVersionExpiration"] == {"NoncurrentDays": 14}
    statements = policy_statements(template, "AnalyzeTranscriptRole")
    versioned = [s for s in statements if "s3:GetObjectVersion" in json.dumps(s["Action"])]
    assert len(versioned) == 1
    assert sorted(versioned[0]["Action"]) == ["s3:GetObject", "s3:GetObjectVersion"]
    assert "transcripts/*" in json.dumps(versioned[0]["Resource"])
    assert "prompts/*" not in json.dumps(versioned[0]["Resource"])


def test_functions_are_python311_arm64_with_their_handlers(template):
    functions = {
        f["Properties"]["Handler"]: f["Properties"]
        for f in resources(template, "AWS::Lambda::Function").values()
        if f["Properties"].get("Handler", "").startswith("handlers.")
    }
    assert set(functions) == {
        "handlers.start_qa.lambda_handler",
        "handlers.analyze_transcript.lambda_handler",
    }
    for props in functions.values():
        assert props["Runtime"] == "python3.11"
        assert props["Architectures"] == ["arm64"]
        assert "TracingConfig" not in props  # no tracer runs in them: no traces to pay for
    analyze = functions["handlers.analyze_transcript.lambda_handler"]["Environment"]["Variables"]
    assert analyze["MODEL_ID"] == "apac.anthropic.claude-haiku-4-5-20251001-v1:0"
    assert analyze["JUDGE"] == "bedrock"
    assert analyze["PROMPTS_PREFIX"] == "prompts/"
    start = functions["handlers.start_qa.lambda_handler"]["Environment"]["Variables"]
    assert start["LANGUAGE_OPTIONS"] == "en-IN,hi-IN"
    assert start["MAX_RECEIVE_COUNT"] == "5"  # the queue's: the last delivery records FAILED
    assert "TRANSCRIBE_ROLE_ARN" in start


def _notifications(template, bucket_prefix: str) -> list[dict]:
    (custom,) = [
        r
        for r in resources(template, "Custom::S3BucketNotifications").values()
        if r["Properties"]["BucketName"]["Ref"].startswith(bucket_prefix)
    ]
    return custom["Properties"]["NotificationConfiguration"]["QueueConfigurations"]


def test_recordings_and_transcripts_notify_their_queues(template):
    recordings = _notifications(template, "Recordings")
    filters = {
        tuple((r["Name"], r["Value"]) for r in n["Filter"]["Key"]["FilterRules"])
        for n in recordings
    }
    assert filters == {(("suffix", s), ("prefix", "recordings/")) for s in AUDIO_SUFFIXES} or (
        filters == {(("prefix", "recordings/"), ("suffix", s)) for s in AUDIO_SUFFIXES}
    )
    assert all(n["Events"] == ["s3:ObjectCreated:*"] for n in recordings)
    assert {json.dumps(n["QueueArn"]) for n in recordings} and len(
        {json.dumps(n["QueueArn"]) for n in recordings}
    ) == 1
    (transcripts,) = _notifications(template, "Transcripts")
    rules = {r["Name"]: r["Value"] for r in transcripts["Filter"]["Key"]["FilterRules"]}
    assert rules == {"prefix": "transcripts/", "suffix": ".json"}
    assert transcripts["QueueArn"] != recordings[0]["QueueArn"]


def test_queues_bound_concurrency_report_partial_failures_and_dead_letter(
    template, custom_template
):
    mappings = resources(template, "AWS::Lambda::EventSourceMapping").values()
    concurrency = sorted(m["Properties"]["ScalingConfig"]["MaximumConcurrency"] for m in mappings)
    assert concurrency == [5, 10]  # AnalyzeTranscript sized for Bedrock, StartQA for Transcribe
    for m in mappings:
        assert m["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    custom = resources(custom_template, "AWS::Lambda::EventSourceMapping").values()
    assert sorted(m["Properties"]["ScalingConfig"]["MaximumConcurrency"] for m in custom) == [
        2,
        10,
    ]
    queues = resources(template, "AWS::SQS::Queue")
    main = [q for q in queues.values() if "RedrivePolicy" in q["Properties"]]
    assert len(main) == 2
    for q in main:
        assert q["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 5
        assert q["Properties"]["SqsManagedSseEnabled"] is True
    alarms = resources(template, "AWS::CloudWatch::Alarm").values()
    dlq_alarms = [
        a
        for a in alarms
        if a["Properties"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
        and a["Properties"]["Threshold"] == 1
        and a["Properties"]["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    ]
    assert len(dlq_alarms) == 2


def test_results_table_keys_indexes_and_recovery(template):
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "TableName": "CallQA_Results",
            "KeySchema": [{"AttributeName": "call_id", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST",
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "GlobalSecondaryIndexes": Match.array_with(
                [
                    Match.object_like(
                        {
                            "IndexName": AGENT_INDEX,
                            "KeySchema": [
                                {"AttributeName": "agent_id", "KeyType": "HASH"},
                                {"AttributeName": "timestamp", "KeyType": "RANGE"},
                            ],
                        }
                    ),
                    Match.object_like(
                        {
                            "IndexName": FLAGGED_INDEX,
                            "KeySchema": [
                                {"AttributeName": "flagged_date", "KeyType": "HASH"},
                                {"AttributeName": "timestamp", "KeyType": "RANGE"},
                            ],
                        }
                    ),
                ]
            ),
        },
    )


def test_alerts_topic_is_encrypted_ssl_only_and_subscribes_the_configured_email(
    template, custom_template
):
    template.has_resource_properties(
        "AWS::SNS::Topic",
        {"TopicName": "SupervisorAlerts", "KmsMasterKeyId": Match.any_value()},
    )
    template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            }
        },
    )
    template.resource_count_is("AWS::SNS::Subscription", 0)
    custom_template.has_resource_properties(
        "AWS::SNS::Subscription",
        {"Protocol": "email", "Endpoint": "supervisors@batterysmart.example"},
    )
    template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})


def _actions(statements: list[dict]) -> set[str]:
    out: set[str] = set()
    for s in statements:
        actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
        out.update(actions)
    return out


def test_start_qa_may_only_read_recordings_start_jobs_and_write_its_row(template):
    statements = policy_statements(template, "StartQARole")
    assert _actions(statements) - {
        "sqs:ReceiveMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueUrl",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    } == {
        "s3:GetObject",
        "transcribe:StartTranscriptionJob",
        "transcribe:TagResource",
        "iam:PassRole",
        "dynamodb:PutItem",
    }
    passrole = next(s for s in statements if s["Action"] == "iam:PassRole")
    assert passrole["Condition"] == {
        "StringEquals": {"iam:PassedToService": "transcribe.amazonaws.com"}
    }
    assert all(s["Resource"] == "*" for s in statements if str(s["Action"]).startswith("['xray"))
    wildcard = [s for s in statements if s["Resource"] == "*"]
    assert all(a.startswith("xray:") for s in wildcard for a in s["Action"])


def test_analyzer_may_only_invoke_the_configured_model(template, custom_template):
    statements = policy_statements(template, "AnalyzeTranscriptRole")
    bedrock = [s for s in statements if "bedrock" in json.dumps(s["Action"])]
    # The APAC profile, then Claude Haiku 4.5 in the profile's regions, through it only.
    assert [s["Action"] for s in bedrock] == ["bedrock:InvokeModel"] * 2
    assert "inference-profile/apac.anthropic.claude-haiku-4-5-20251001-v1:0" in json.dumps(
        bedrock[0]["Resource"]
    )
    assert "bedrock:InferenceProfileArn" in json.dumps(bedrock[1]["Condition"])
    custom = [
        s
        for s in policy_statements(custom_template, "AnalyzeTranscriptRole")
        if s["Action"] == "bedrock:InvokeModel"
    ]
    text = json.dumps([s["Resource"] for s in custom])
    assert "inference-profile/global.anthropic.claude-haiku-4-5-20251001-v1:0" in text
    assert "bedrock:::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0" in text
    assert "apac." not in text
    assert "transcribe:StartTranscriptionJob" not in _actions(statements)
    assert _actions(statements) >= {
        "sns:Publish",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "s3:GetObject",
        "s3:PutObject",
    }
    assert "dynamodb:DeleteItem" not in _actions(statements)
    assert not any(a.endswith(":*") for a in _actions(statements))


def test_transcribe_queues_jobs_with_its_own_data_access_role(template):
    roles = resources(template, "AWS::IAM::Role")
    (role,) = [r for k, r in roles.items() if k.startswith("TranscribeDataAccess")]
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "transcribe.amazonaws.com"}
    assert "aws:SourceAccount" in trust["Condition"]["StringEquals"]
    actions = _actions(policy_statements(template, "TranscribeDataAccess"))
    assert actions == {"s3:GetObject", "s3:PutObject", "s3:ListBucket"}


def test_failed_transcription_jobs_reach_the_analyzer_queue(template):
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": {
                "source": ["aws.transcribe"],
                "detail-type": ["Transcribe Job State Change"],
                "detail": {
                    "TranscriptionJobStatus": ["FAILED"],
                    "TranscriptionJobName": [{"prefix": "qa-"}],
                },
            },
            "Targets": Match.array_with([Match.object_like({"Arn": Match.any_value()})]),
        },
    )


def test_prompts_are_deployed_to_the_config_bucket(template):
    template.has_resource_properties(
        "Custom::CDKBucketDeployment", {"DestinationBucketKeyPrefix": "prompts/"}
    )


def test_outputs_name_what_an_operator_needs(template):
    outputs = template.to_json()["Outputs"]
    for name in (
        "RecordingsBucketName",
        "TranscriptsBucketName",
        "ConfigBucketName",
        "ResultsTableName",
        "SupervisorAlertsTopicArn",
    ):
        assert name in outputs
