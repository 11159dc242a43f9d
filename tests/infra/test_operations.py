"""Operations: every alarm reaches OpsAlerts (the pipeline's, the line's, the dashboard API's),
the instance recovers itself, the line is watched from outside, and opening hours start and
stop it."""

from __future__ import annotations

import json

import pytest

from contracts.health_metrics import ESCALATION_FAILED, NAMESPACE
from tests.infra.conftest import (
    cdk_context,
    function_by_handler,
    policy_statements,
    resources,
    synth,
)

HOURS = "06:00-23:00 Asia/Kolkata"


@pytest.fixture(scope="module")
def scheduled():
    """The line on opening hours, the page beside it (one app)."""
    context = cdk_context(**{"voice:hours": HOURS, "web:support_phone": "+918000000000"})
    voice = synth(context, "VoiceStack")[1]
    web = synth(context, "WebStack")[0]
    return voice, web


def _ops_topic_ref(template) -> dict:
    (logical,) = [
        name
        for name, topic in resources(template, "AWS::SNS::Topic").items()
        if topic["Properties"].get("TopicName") == "OpsAlerts"
    ]
    return {"Ref": logical}


def test_ops_alerts_is_an_encrypted_topic_cloudwatch_can_publish_to(template):
    ops = _ops_topic_ref(template)["Ref"]
    topic = resources(template, "AWS::SNS::Topic")[ops]["Properties"]
    key = topic["KmsMasterKeyId"]["Fn::GetAtt"][0]
    policy = resources(template, "AWS::KMS::Key")[key]["Properties"]["KeyPolicy"]["Statement"]
    cloudwatch = [s for s in policy if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}]
    (grant,) = cloudwatch
    assert set(grant["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}


def test_every_pipeline_alarm_notifies_ops_when_it_fires_and_recovers(template):
    ops = _ops_topic_ref(template)
    alarms = resources(template, "AWS::CloudWatch::Alarm")
    # Two dead-letter queues and two functions' errors.
    assert len(alarms) == 4
    for name, alarm in alarms.items():
        props = alarm["Properties"]
        assert ops in props["AlarmActions"], name
        assert ops in props["OKActions"], name
    metrics = sorted(a["Properties"]["MetricName"] for a in alarms.values())
    assert metrics == ["ApproximateNumberOfMessagesVisible"] * 2 + ["Errors"] * 2


def test_every_voice_line_alarm_reaches_ops_by_an_imported_topic(voice_template):
    alarms = resources(voice_template, "AWS::CloudWatch::Alarm")
    by_metric = {a["Properties"]["MetricName"]: a["Properties"] for a in alarms.values()}
    assert len(by_metric) == len(alarms)
    assert set(by_metric) == {
        "StatusCheckFailed_System",
        "StatusCheckFailed_Instance",
        "Healthy",
        "CertificateValid",
        "CertificateDaysLeft",
        ESCALATION_FAILED,
        "Errors",
    }
    for metric, props in by_metric.items():
        # Ops hears when an alarm fires and when it recovers.
        for actions in ("AlarmActions", "OKActions"):
            topics = [a for a in props[actions] if "Fn::ImportValue" in json.dumps(a)]
            assert topics and "OpsTopic" in json.dumps(topics), (metric, actions)
        # Stopped by the schedule means no data, which is not a failure.
        assert props["TreatMissingData"] == "notBreaching", metric
    assert "ec2:recover" in json.dumps(by_metric["StatusCheckFailed_System"]["AlarmActions"])
    assert "ec2:reboot" in json.dumps(by_metric["StatusCheckFailed_Instance"]["AlarmActions"])
    for metric in ("Healthy", "CertificateValid", "CertificateDaysLeft"):
        assert by_metric[metric]["Namespace"] == "BatterySmart/VoiceLine"
        assert by_metric[metric]["ComparisonOperator"] == "LessThanThreshold"


def test_the_dashboard_apis_failures_reach_ops_by_an_imported_topic(web_template):
    (alarm,) = [a["Properties"] for a in resources(web_template, "AWS::CloudWatch::Alarm").values()]
    assert alarm["MetricName"] == "Errors" and alarm["Namespace"] == "AWS/Lambda"
    for actions in ("AlarmActions", "OKActions"):
        assert "OpsTopic" in json.dumps(alarm[actions]), actions
        assert "Fn::ImportValue" in json.dumps(alarm[actions]), actions


def test_an_escalation_that_reached_no_supervisor_alarms_at_once(voice_template):
    """The connect API counts alerts it could not publish after retries: one is a caller who
    asked for a person and was not heard, so a single one in five minutes fires."""
    (props,) = [
        a["Properties"]
        for a in resources(voice_template, "AWS::CloudWatch::Alarm").values()
        if a["Properties"]["MetricName"] == ESCALATION_FAILED
    ]
    assert props["Namespace"] == NAMESPACE
    assert props["Statistic"] == "Sum" and props["Period"] == 300
    assert props["Threshold"] == 1 and props["EvaluationPeriods"] == 1
    assert props["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert props["TreatMissingData"] == "notBreaching"  # no escalations: nothing to say
    assert "Dimensions" not in props  # counted without a reason


def test_the_health_check_calls_the_line_from_outside_every_five_minutes(voice_template):
    functions = {
        f["Properties"]["Handler"]: f["Properties"]
        for f in resources(voice_template, "AWS::Lambda::Function").values()
        if "Handler" in f["Properties"]
    }
    probe = functions["handlers.voice_health.lambda_handler"]
    env = probe["Environment"]["Variables"]
    assert "Address" in json.dumps(env["VOICE_HOSTNAME"])  # the Elastic IP
    assert env["VOICE_HOURS"] == ""
    (rule,) = resources(voice_template, "AWS::Events::Rule").values()
    assert rule["Properties"]["ScheduleExpression"] == "rate(5 minutes)"
    # It needs no AWS permission beyond its own log group (and trace segments).
    actions = {
        a
        for s in policy_statements(voice_template, "HealthCheckRole")
        for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    }
    assert actions <= {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
    }


def test_without_hours_the_line_has_no_schedule(voice_template):
    voice_template.resource_count_is("AWS::Scheduler::Schedule", 0)


def test_opening_hours_start_the_instance_and_stop_it_after_the_last_calls(scheduled):
    voice, _ = scheduled
    schedules = {
        json.dumps(s["Properties"]["Target"]["Arn"]).split(":")[-1].strip('"]}'): s["Properties"]
        for s in resources(voice, "AWS::Scheduler::Schedule").values()
    }
    assert set(schedules) == {"startInstances", "stopInstances"}
    start, stop = schedules["startInstances"], schedules["stopInstances"]
    assert start["ScheduleExpression"] == "cron(0 6 * * ? *)"
    assert stop["ScheduleExpression"] == "cron(15 23 * * ? *)"  # 15 minutes for calls to end
    assert start["ScheduleExpressionTimezone"] == "Asia/Kolkata"
    assert stop["ScheduleExpressionTimezone"] == "Asia/Kolkata"
    assert "InstanceIds" in json.dumps(start["Target"]["Input"])
    _, health = function_by_handler(voice, "handlers.voice_health.lambda_handler")
    assert health["Environment"]["Variables"]["VOICE_HOURS"] == HOURS


def test_the_scheduler_may_start_and_stop_this_instance_and_nothing_else(scheduled):
    voice, _ = scheduled
    statements = [
        s
        for policy in resources(voice, "AWS::IAM::Policy").values()
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if "ec2:" in json.dumps(s["Action"])
    ]
    assert sorted(s["Action"] for s in statements) == ["ec2:StartInstances", "ec2:StopInstances"]
    for statement in statements:
        resource = json.dumps(statement["Resource"])
        assert ":instance/" in resource and "HostInstance" in resource and "*" not in resource


def test_the_page_is_told_the_hours_and_the_instance_refuses_calls_outside_them(scheduled):
    voice, web = scheduled
    (instance,) = resources(voice, "AWS::EC2::Instance").values()
    assert "--hours '06:00-23:00 Asia/Kolkata'" in json.dumps(instance["Properties"]["UserData"])
    assert web.page_config["hours"] == {
        "open": "06:00",
        "close": "23:00",
        "timeZone": "Asia/Kolkata",
    }
    assert web.page_config["supportPhone"] == "+918000000000"


def test_overnight_hours_stop_the_instance_the_next_morning():
    voice = synth(cdk_context(**{"voice:hours": "22:00-06:00 Asia/Kolkata"}), "VoiceStack")[1]
    expressions = sorted(
        s["Properties"]["ScheduleExpression"]
        for s in resources(voice, "AWS::Scheduler::Schedule").values()
    )
    assert expressions == ["cron(0 22 * * ? *)", "cron(15 6 * * ? *)"]
