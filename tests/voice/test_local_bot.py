"""`make voice-local`: a one-line refusal without AWS, and escalations recorded locally."""

from __future__ import annotations

import json

import boto3
from moto import mock_aws

from voice_agent import local_bot
from voice_agent.escalation import LocalEscalationLog
from voice_agent.settings import VoiceSettings


def test_without_aws_credentials_it_says_what_to_set_and_starts_nothing(
    monkeypatch, tmp_path, capsys
):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    started = []
    monkeypatch.setattr("pipecat.runner.run.main", lambda: started.append(True))

    assert local_bot.main([]) == 2
    err = capsys.readouterr().err
    (line,) = [x for x in err.splitlines() if x.startswith("voice-local:")]
    assert "no AWS credentials" in line and "AWS_PROFILE" in line
    assert "Traceback" not in err
    assert started == []


def test_with_credentials_it_serves_the_prebuilt_client_over_smallwebrtc(monkeypatch, capsys):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    argv = []
    monkeypatch.setattr("pipecat.runner.run.main", lambda: argv.extend(local_bot.sys.argv[1:]))
    with mock_aws():
        assert local_bot.main([]) == 0
    assert argv == ["--port", "7860", "-t", "webrtc"]
    assert "http://localhost:7860/client/" in capsys.readouterr().out


def test_local_escalation_is_logged_and_published_when_a_topic_is_set(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AUTOQA_HOME", str(tmp_path))
    with mock_aws():
        sns = boto3.client("sns", region_name="ap-south-1")
        sqs = boto3.client("sqs", region_name="ap-south-1")
        topic = sns.create_topic(Name="SupervisorAlerts")["TopicArn"]
        queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn["Attributes"]["QueueArn"])
        monkeypatch.setenv("ALERTS_TOPIC_ARN", topic)
        settings = VoiceSettings.for_local()
        LocalEscalationLog.in_folder(settings.home, settings).record(
            "call-0123456789ab", "manager se baat karao"
        )
        (message,) = sqs.receive_message(QueueUrl=queue)["Messages"]
    (line,) = (tmp_path / "escalations.jsonl").read_text().splitlines()
    entry = json.loads(line)
    assert entry["call_id"] == "call-0123456789ab" and entry["severity"] == "URGENT"
    body = json.loads(message["Body"])
    assert "manager se baat karao" in body["Message"]
    assert body["MessageAttributes"]["kind"]["Value"] == "LIVE_ESCALATION"
