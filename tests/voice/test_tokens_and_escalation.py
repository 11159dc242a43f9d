"""Tokens decode with the right grants; the call's room records it; an escalation alerts a
supervisor with a single-use invite, retries a failing topic, and says when it failed."""

from __future__ import annotations

import json
import time
from urllib.parse import urlparse

import boto3
import jwt
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from livekit import api
from livekit.protocol import egress
from moto import mock_aws

from voice_agent.escalation import EscalationFailed, LocalEscalationLog, SupervisorInviter
from voice_agent.invites import InviteBook
from voice_agent.tokens import (
    bot_token,
    caller_token,
    is_call_id,
    new_call_id,
    room_request,
    supervisor_token,
)


def decode(settings, token: str) -> api.access_token.Claims:
    return api.TokenVerifier(settings.livekit_api_key, settings.livekit_api_secret).verify(token)


def test_the_call_room_records_dual_channel_to_the_recordings_bucket(settings):
    call_id = new_call_id()
    assert is_call_id(call_id)
    request = room_request(settings, call_id)
    assert request.name == call_id
    assert request.empty_timeout == 20  # nobody joined: LiveKit closes the room as well
    composite = request.egress.room
    assert composite.audio_only is True
    assert composite.audio_mixing == egress.AudioMixing.DUAL_CHANNEL_AGENT
    (output,) = composite.file_outputs
    assert output.file_type == egress.EncodedFileType.OGG
    assert output.filepath == f"recordings/ai-agent/{call_id}.ogg"
    assert output.s3.bucket == "qa-recordings-bucket" and output.s3.region == "ap-south-1"
    # The instance role uploads: no credentials travel in the request.
    assert output.s3.access_key == "" and output.s3.secret == "" and output.s3.session_token == ""


def test_the_caller_token_joins_one_room_with_a_microphone_and_nothing_else(settings):
    call_id = new_call_id()
    token = caller_token(settings, call_id, f"caller-{call_id}")
    claims = decode(settings, token)
    assert claims.identity == f"caller-{call_id}"
    video = claims.video
    assert video.room == call_id and video.room_join
    assert video.can_publish_sources == ["microphone"]  # no camera, no screen share
    assert not video.can_publish_data and not video.room_create and not video.agent
    assert claims.room_config is None
    assert "qa-recordings-bucket" not in json.dumps(
        jwt.decode(token, options={"verify_signature": False})
    )


def test_bot_and_supervisor_join_as_agents_on_the_agent_channel(settings):
    call_id = new_call_id()
    bot = decode(settings, bot_token(settings, call_id))
    supervisor = decode(settings, supervisor_token(settings, call_id))
    for claims in (bot, supervisor):
        assert claims.video.agent is True
        assert claims.video.room == call_id and claims.video.can_publish
        assert claims.video.can_publish_sources == ["microphone"]
    assert bot.video.can_publish_data  # the page's "supervisor on the way" message
    assert not supervisor.video.can_publish_data


def test_a_supervisor_token_lives_five_minutes(settings):
    token = supervisor_token(settings, "call-0123456789ab")
    payload = jwt.decode(token, options={"verify_signature": False})
    lifetime = payload["exp"] - int(time.time())
    assert 4 * 60 <= lifetime <= 5 * 60 + 5
    assert payload["sub"].startswith("supervisor-")


def configured(settings, topic: str | None):
    return type(settings)(**{**settings.__dict__, "alerts_topic_arn": topic})


def test_escalation_alerts_with_a_single_use_invite_in_the_link_fragment(settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    invites = InviteBook()
    with mock_aws():
        sns = boto3.client("sns", region_name="ap-south-1")
        sqs = boto3.client("sqs", region_name="ap-south-1")
        topic = sns.create_topic(Name="SupervisorAlerts")["TopicArn"]
        queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
        invite = SupervisorInviter(configured(settings, topic), sns, invites).invite(
            "call-0123456789ab", "I want your manager"
        )
        (message,) = sqs.receive_message(QueueUrl=queue)["Messages"]
    body = json.loads(message["Body"])
    assert body["Subject"].startswith("[URGENT] Live call call-0123456789ab")
    assert body["MessageAttributes"]["severity"]["Value"] == "URGENT"
    assert invite.join_url in body["Message"] and "works once" in body["Message"]
    link = urlparse(invite.join_url)
    assert f"{link.scheme}://{link.netloc}" == settings.web_origin and link.path == "/join"
    assert link.query == ""  # nothing for CloudFront's logs or the browser's history
    assert link.fragment.startswith("invite=")
    code = link.fragment.removeprefix("invite=")
    assert "eyJ" not in body["Message"]  # no token (a JWT) anywhere in the alert
    assert invites.redeem(code, lambda call_id: True) == "call-0123456789ab"


class FailingSns:
    """A topic that refuses the first `failures` publishes (or every one)."""

    def __init__(self, failures: int = 1000) -> None:
        self.failures = failures
        self.attempts = 0
        self.published: list[dict] = []

    def publish(self, **kwargs):
        self.attempts += 1
        if self.attempts <= self.failures:
            raise ClientError(
                {"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}, "Publish"
            )
        self.published.append(kwargs)
        return {"MessageId": "1"}


def test_a_flaky_topic_is_retried_with_backoff_until_the_alert_is_out(settings):
    sns, waits = FailingSns(failures=2), []
    inviter = SupervisorInviter(
        configured(settings, "arn:topic"), sns, InviteBook(), sleep=waits.append
    )
    inviter.invite("call-0123456789ab", "manager please")
    assert sns.attempts == 3 and len(sns.published) == 1
    assert waits == sorted(waits) and waits[0] > 0  # backing off


def test_when_the_topic_keeps_failing_the_escalation_fails_loudly(settings):
    sns, waits = FailingSns(), []
    inviter = SupervisorInviter(
        configured(settings, "arn:topic"), sns, InviteBook(), sleep=waits.append
    )
    with pytest.raises(EscalationFailed):
        inviter.invite("call-0123456789ab", "manager please")
    assert sns.attempts == 4 and sns.published == []
    assert 0 < sum(waits) < 5  # the caller is waiting: a few seconds at most


def test_no_topic_configured_is_a_failed_escalation_not_a_silent_one(settings):
    with pytest.raises(EscalationFailed):
        SupervisorInviter(configured(settings, None), None, InviteBook()).invite(
            "call-0123456789ab", "manager please"
        )


def test_before_the_page_is_deployed_supervisors_hear_of_it_but_the_caller_is_told_the_truth(
    settings,
):
    sns, invites = FailingSns(failures=0), InviteBook()
    inviter = SupervisorInviter(
        configured(settings, "arn:topic"), sns, invites, web_origin=lambda: None
    )
    with pytest.raises(EscalationFailed, match="not deployed"):
        inviter.invite("call-0123456789ab", "manager please")  # nobody could join
    (alert,) = sns.published
    assert "call-0123456789ab" in alert["Message"] and "not deployed yet" in alert["Message"]
    assert "/join" not in alert["Message"] and len(invites) == 0


def test_a_local_escalation_is_logged_only_once_the_topic_took_it(tmp_path):
    log = tmp_path / "escalations.jsonl"
    failing = LocalEscalationLog(log, FailingSns(), "arn:topic", sleep=lambda _s: None)
    with pytest.raises(EscalationFailed):
        failing.record("call-0123456789ab", "manager")
    assert not log.exists()
    unreachable = EndpointConnectionError(endpoint_url="https://sns.ap-south-1.amazonaws.com")

    class Offline:
        def publish(self, **_kwargs):
            raise unreachable

    with pytest.raises(EscalationFailed):
        LocalEscalationLog(log, Offline(), "arn:topic", sleep=lambda _s: None).record(
            "call-0123456789ab", "manager"
        )
    entry = LocalEscalationLog(log).record("call-0123456789ab", "manager")
    assert json.loads(log.read_text()) == entry


@pytest.mark.parametrize(
    ("recording", "metadata"),
    [
        (
            "recordings/ai-agent/call-0123456789ab.ogg",
            "recordings/ai-agent/call-0123456789ab.meta.json",
        ),
        ("recordings/agent.v2/call-1.wav", "recordings/agent.v2/call-1.meta.json"),
        ("call-1.wav", "call-1.meta.json"),
    ],
)
def test_the_metadata_beside_a_recording_is_found_from_its_key(recording, metadata):
    from contracts.storage import metadata_key

    assert metadata_key(recording) == metadata
