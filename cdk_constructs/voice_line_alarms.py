"""What tells operations the voice line is in trouble, each added to the stack that calls it:
the instance's status checks (EC2 recovers or reboots it), the line seen from outside (a
health check every 5 minutes, over HTTPS, as a caller would), and escalations that reached
no supervisor. Alarms treat missing data as fine: there is none while the line is closed."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as event_targets
from constructs import Construct

from cdk_constructs.python_function import PythonFunction
from contracts import environment as env
from contracts.health_metrics import (
    CERTIFICATE_DAYS_LEFT,
    CERTIFICATE_VALID,
    ESCALATION_FAILED,
    HEALTHY,
    NAMESPACE,
)
from contracts.line_hours import LineHours

AT_LEAST = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
BELOW = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD
NOT_BREACHING = cloudwatch.TreatMissingData.NOT_BREACHING


def instance_alarms(scope: Construct, instance_id: str) -> list[cloudwatch.Alarm]:
    """EC2 recovers the instance when its host fails, and reboots it when it hangs."""

    def status(metric: str) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace="AWS/EC2",
            metric_name=metric,
            dimensions_map={"InstanceId": instance_id},
            statistic="Maximum",
            period=Duration.minutes(1),
        )

    system = cloudwatch.Alarm(
        scope,
        "SystemStatusAlarm",
        alarm_description="The voice line's host failed its system status check: EC2 "
        "recovers the instance",
        metric=status("StatusCheckFailed_System"),
        threshold=1,
        evaluation_periods=2,
        comparison_operator=AT_LEAST,
        treat_missing_data=NOT_BREACHING,
    )
    system.add_alarm_action(cw_actions.Ec2Action(cw_actions.Ec2InstanceAction.RECOVER))
    instance = cloudwatch.Alarm(
        scope,
        "InstanceStatusAlarm",
        alarm_description="The voice line's instance failed its status check: EC2 reboots it",
        metric=status("StatusCheckFailed_Instance"),
        threshold=1,
        evaluation_periods=3,
        comparison_operator=AT_LEAST,
        treat_missing_data=NOT_BREACHING,
    )
    instance.add_alarm_action(cw_actions.Ec2Action(cw_actions.Ec2InstanceAction.REBOOT))
    return [system, instance]


def health_check(
    scope: Construct, *, hostname: str, hours: LineHours | None, source_dir: Path
) -> PythonFunction:
    """The `HealthCheck` function, run every 5 minutes; it publishes the line's metrics."""
    probe = PythonFunction(
        scope,
        "HealthCheck",
        source_dir=source_dir,
        packages=["handlers", "contracts", "qa_aws"],
        requirements=source_dir / "requirements-probe.txt",
        handler="handlers.voice_health.lambda_handler",
        description="Calls the voice line's health check over HTTPS, as a caller would",
        memory_size=128,
        timeout=Duration.seconds(30),
        environment={env.VOICE_HOSTNAME: hostname, env.VOICE_HOURS: str(hours or "")},
    )
    events.Rule(
        scope,
        "HealthCheckEvery5Minutes",
        description="The voice line's health seen from outside",
        schedule=events.Schedule.rate(Duration.minutes(5)),
        targets=[event_targets.LambdaFunction(probe.function, retry_attempts=0)],
    )
    return probe


def line_alarms(scope: Construct) -> list[cloudwatch.Alarm]:
    """On the metrics the health check and the connect API publish."""

    def alarm(construct_id: str, why: str, metric: str, threshold: float, **kwargs):
        statistic = kwargs.pop("statistic", "Minimum")
        return cloudwatch.Alarm(
            scope,
            construct_id,
            alarm_description=why,
            metric=cloudwatch.Metric(
                namespace=NAMESPACE,
                metric_name=metric,
                statistic=statistic,
                period=Duration.minutes(5),
            ),
            threshold=threshold,
            treat_missing_data=NOT_BREACHING,
            **kwargs,
        )

    return [
        alarm(
            "LineDownAlarm",
            "Callers cannot reach the voice line: https://<host>/healthz failed twice in a row "
            "(see the HealthCheck function's log for why)",
            HEALTHY, 1, evaluation_periods=2, comparison_operator=BELOW,
        ),
        alarm(
            "CertificateAlarm",
            "The voice line's certificate is not trusted (not issued yet, expired or for "
            "another name): browsers cannot open wss:// and no call connects",
            CERTIFICATE_VALID, 1, evaluation_periods=2, comparison_operator=BELOW,
        ),
        alarm(
            "CertificateExpiringAlarm",
            "The voice line's certificate expires within 2 days: Caddy's renewals are failing "
            "(short-lived IP certificates renew with 3 days left)",
            CERTIFICATE_DAYS_LEFT, 2, evaluation_periods=1, comparison_operator=BELOW,
        ),
        # Published by the connect API when a supervisor's alert could not be sent after its
        # retries: a caller asked for a person and nobody was told.
        alarm(
            "EscalationFailedAlarm",
            "A caller asked for a supervisor and the alert could not be published to "
            "SupervisorAlerts after retries: no supervisor was told (see the agent's log on "
            "the instance)",
            ESCALATION_FAILED, 1, evaluation_periods=1, comparison_operator=AT_LEAST,
            statistic="Sum",
        ),
    ]  # fmt: skip
