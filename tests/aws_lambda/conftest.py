"""An AWS account under moto (S3, DynamoDB, SNS, SQS, Transcribe) with the stack's resources.

Bedrock is not emulated by moto: tests stub `converse` with botocore's Stubber and real
Converse response shapes. S3 notifications are built in the shape AWS documents (moto's own
omit fields real S3 sends, such as userIdentity and requestParameters), with the object's
versionId (the transcripts bucket is versioned, as in the stack) and a sequencer that grows
with every write, as S3's does for the writes to one key.
"""

from __future__ import annotations

import itertools
import json
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

import boto3
import pytest
from moto import mock_aws

from handlers import analyze_transcript, start_qa
from qa_engine.rubric import RUBRIC_FILES
from tests.conftest import REPO
from tests.dynamo_tables import create_results_table

REGION = "ap-south-1"
RECORDINGS = "bs-recordings"
TRANSCRIPTS = "bs-transcripts"
CONFIG = "bs-config"
TABLE = "CallQA_Results"
MODEL_ID = "apac.anthropic.claude-haiku-4-5-20251001-v1:0"
TRANSCRIBE_ROLE = "arn:aws:iam::123456789012:role/TranscribeDataAccess"
_SEQUENCER = itertools.count(0x0055AED6DCD90281E5)


@dataclass
class Account:
    s3: Any
    table: Any
    sqs: Any
    transcribe: Any
    topic_arn: str
    alerts_queue: str

    def alerts(self) -> list[dict]:
        messages = self.sqs.receive_message(
            QueueUrl=self.alerts_queue, MaxNumberOfMessages=10, WaitTimeSeconds=0
        ).get("Messages", [])
        return [json.loads(m["Body"]) for m in messages]

    def row(self, call_id: str) -> dict | None:
        return self.table.get_item(Key={"call_id": call_id}, ConsistentRead=True).get("Item")


@pytest.fixture
def account(monkeypatch) -> Account:
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_SERVICE_NAME": "autoqa-test",
        "POWERTOOLS_METRICS_NAMESPACE": "BatterySmart/AutoQA",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        for bucket in (RECORDINGS, TRANSCRIPTS, CONFIG):
            s3.create_bucket(
                Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
            )
        s3.put_bucket_versioning(Bucket=TRANSCRIPTS, VersioningConfiguration={"Status": "Enabled"})
        for name in RUBRIC_FILES:
            s3.put_object(
                Bucket=CONFIG, Key=f"prompts/{name}", Body=(REPO / "prompts" / name).read_bytes()
            )
        dynamodb = boto3.resource("dynamodb", region_name=REGION)
        table = create_results_table(dynamodb, TABLE)
        sns = boto3.client("sns", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        topic_arn = sns.create_topic(Name="SupervisorAlerts")["TopicArn"]
        queue = sqs.create_queue(QueueName="supervisor-inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
        for name, value in {
            "TABLE_NAME": TABLE,
            "TOPIC_ARN": topic_arn,
            "CONFIG_BUCKET": CONFIG,
            "PROMPTS_PREFIX": "prompts/",
            "TRANSCRIPTS_BUCKET": TRANSCRIPTS,
            "TRANSCRIBE_ROLE_ARN": TRANSCRIBE_ROLE,
            "MODEL_ID": MODEL_ID,
            "JUDGE": "bedrock",
            "LANGUAGE_OPTIONS": "en-IN,hi-IN",
        }.items():
            monkeypatch.setenv(name, value)
        start_qa.services.cache_clear()
        analyze_transcript.services.cache_clear()
        yield Account(
            s3=s3,
            table=table,
            sqs=sqs,
            transcribe=boto3.client("transcribe", region_name=REGION),
            topic_arn=topic_arn,
            alerts_queue=queue,
        )
        start_qa.services.cache_clear()
        analyze_transcript.services.cache_clear()


def next_sequencer() -> str:
    return f"{next(_SEQUENCER):018X}"


def s3_notification(
    bucket: str,
    key: str,
    size: int,
    etag: str,
    version_id: str | None = None,
    sequencer: str = "0055AED6DCD90281E5",
) -> dict:
    """An S3 ObjectCreated event notification as S3 delivers it (AWS documentation's shape)."""
    obj: dict[str, Any] = {
        "key": quote_plus(key, safe="/"),
        "size": size,
        "eTag": etag,
        "sequencer": sequencer,
    }
    if version_id:
        obj["versionId"] = version_id
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": REGION,
                "eventTime": "2026-11-24T10:15:30.000Z",
                "eventName": "ObjectCreated:Put",
                "userIdentity": {"principalId": "AWS:AROAEXAMPLE:egress"},
                "requestParameters": {"sourceIPAddress": "10.0.1.23"},
                "responseElements": {
                    "x-amz-request-id": "C3D13FE58DE4C810",
                    "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5",
                },
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "recordings",
                    "bucket": {
                        "name": bucket,
                        "ownerIdentity": {"principalId": "A3NL1KOZZKExample"},
                        "arn": f"arn:aws:s3:::{bucket}",
                    },
                    "object": obj,
                },
            }
        ]
    }


def sqs_event(*bodies: dict, receive_count: int = 1) -> dict:
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": "AQEB" + uuid.uuid4().hex,
                "body": json.dumps(body),
                "attributes": {
                    "ApproximateReceiveCount": str(receive_count),
                    "SentTimestamp": "1764000000000",
                    "SenderId": "AIDAEXAMPLE",
                    "ApproximateFirstReceiveTimestamp": "1764000000001",
                },
                "messageAttributes": {},
                "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{REGION}:123456789012:qa-queue",
                "awsRegion": REGION,
            }
            for body in bodies
        ]
    }


def put_object(account: Account, bucket: str, key: str, body: bytes) -> dict:
    """Writes the object; returns the notification S3 sends for this write."""
    response = account.s3.put_object(Bucket=bucket, Key=key, Body=body)
    etag = response["ETag"].strip('"')
    return s3_notification(
        bucket, key, len(body), etag, response.get("VersionId"), next_sequencer()
    )


class FakeContext:
    """The Lambda context, with a clock tests can move."""

    function_name = "AnalyzeTranscript"
    memory_limit_in_mb = 1024
    invoked_function_arn = f"arn:aws:lambda:{REGION}:123456789012:function:AnalyzeTranscript"
    aws_request_id = "6f8c1f33-2f7c-4c5f-9a57-b4f9b6c0e001"

    def __init__(self, remaining_seconds: float = 120.0) -> None:
        self.remaining = remaining_seconds

    def get_remaining_time_in_millis(self) -> int:
        return int(self.remaining * 1000)
