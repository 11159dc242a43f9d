"""Tokens decode with the right grants; the escalation invites a supervisor and alerts."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlparse

import boto3
from livekit import api
from livekit.protocol import egress
from moto import mock_aws

from voice_agent.escalation import SupervisorInviter
from voice_agent.tokens import (
    bot_token,
    caller_token,
    is_call_id,
    new_call_id,
    supervisor_token,
)


def decode(settings, token: str) -> api.access_token.Claims:
    return api.TokenVerifier(settings.livekit_api_key, settings.livekit_api_secret).verify(token)


def test_caller_token_records_the_call_dual_channel_to_the_recordings_bucket(settings):
    call_id = new_call_id()
    assert is_call_id(call_id)
    claims = decode(settings, caller_token(settings, call_id, f"caller-{call_id}"))
    assert claims.identity == f"caller-{call_id}"
    assert claims.video.room == call_id and claims.video.room_join
    assert claims.video.agent is False or claims.video.agent is None
    room = claims.room_config
    assert room.name == call_id
    composite = room.egress.room
    assert composite.audio_only is True
    assert composite.audio_mixing == egress.AudioMixing.DUAL_CHANNEL_AGENT
    (output,) = composite.file_outputs
    assert output.file_type == egress.EncodedFileType.OGG
    assert output.filepath == f"recordings/ai-agent/{call_id}.ogg"
    assert output.s3.bucket == "qa-recordings-bucket" and output.s3.region == "ap-south-1"
    # The instance role uploads: no credentials travel in the token.
    assert output.s3.access_key == "" and output.s3.secret == "" and output.s3.session_token == ""


def test_bot_and_supervisor_join_as_agents_on_the_agent_channel(settings):
    call_id = new_call_id()
    for token in (bot_token(settings, call_id), supervisor_token(settings, call_id)):
        claims = decode(settings, token)
        assert claims.video.agent is True
        assert claims.video.room == call_id and claims.video.can_publish


def test_supervisor_token_expires_within_its_window(settings):
    import jwt

    token = supervisor_token(settings, "call-0123456789ab")
    payload = jwt.decode(token, options={"verify_signature": False})
    lifetime = payload["exp"] - int(time.time())
    assert 29 * 60 <= lifetime <= 30 * 60 + 5
    assert payload["sub"].startswith("supervisor-")


def test_escalation_publishes_an_urgent_alert_with_a_working_join_link(settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        sns = boto3.client("sns", region_name="ap-south-1")
        sqs = boto3.client("sqs", region_name="ap-south-1")
        topic = sns.create_topic(Name="SupervisorAlerts")["TopicArn"]
        queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
        configured = type(settings)(**{**settings.__dict__, "alerts_topic_arn": topic})
        invite = SupervisorInviter(configured, sns).invite(
            "call-0123456789ab", "I want your manager"
        )
        (message,) = sqs.receive_message(QueueUrl=queue)["Messages"]
    body = json.loads(message["Body"])
    assert body["Subject"].startswith("[URGENT] Live call call-0123456789ab")
    assert body["MessageAttributes"]["severity"]["Value"] == "URGENT"
    assert invite.join_url in body["Message"]
    link = urlparse(invite.join_url)
    assert f"{link.scheme}://{link.netloc}" == settings.web_origin and link.path == "/join"
    query = parse_qs(link.query)
    assert query["room"] == ["call-0123456789ab"]
    assert query["url"] == [settings.livekit_url]
    claims = decode(settings, query["token"][0])
    assert claims.video.agent is True and claims.video.room == "call-0123456789ab"


def test_before_the_page_is_deployed_the_supervisor_is_still_alerted(settings):
    published = []

    class Sns:
        def publish(self, **kwargs):
            published.append(kwargs)

    configured = type(settings)(**{**settings.__dict__, "alerts_topic_arn": "arn:topic"})
    invite = SupervisorInviter(configured, Sns(), web_origin=lambda: None).invite(
        "call-0123456789ab", "manager please"
    )
    (alert,) = published
    assert "call-0123456789ab" in alert["Message"] and "not deployed yet" in alert["Message"]
    assert "/join?" not in invite.join_url
