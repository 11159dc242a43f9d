"""EventBridge Scheduler starts the voice line's instance at opening time and stops it a little
after closing; each schedule's role may act on this one instance only."""

from __future__ import annotations

from aws_cdk import Duration, Stack, TimeZone
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from constructs import Construct

from contracts.line_hours import LineHours


def add_line_schedule(
    scope: Construct, *, instance: ec2.Instance, hours: LineHours, stop_after_close_minutes: int
) -> list[scheduler.Schedule]:
    """`OpenLine` and `CloseLine` in `scope` (their ids are the deployed schedules' names)."""
    instance_arn = Stack.of(scope).format_arn(
        service="ec2", resource="instance", resource_name=instance.instance_id
    )
    schedules = []
    for name, action, at in (
        ("Open", "startInstances", hours.open),
        ("Close", "stopInstances", hours.close_plus(stop_after_close_minutes)),
    ):
        schedules.append(
            scheduler.Schedule(
                scope,
                f"{name}Line",
                description=f"{name}s the voice line ({hours})",
                schedule=scheduler.ScheduleExpression.cron(
                    minute=str(at.minute), hour=str(at.hour), time_zone=TimeZone.of(hours.zone)
                ),
                target=scheduler_targets.Universal(
                    service="ec2",
                    action=action,
                    input=scheduler.ScheduleTargetInput.from_object(
                        {"InstanceIds": [instance.instance_id]}
                    ),
                    policy_statements=[
                        iam.PolicyStatement(
                            actions=[f"ec2:{action[0].upper()}{action[1:]}"],
                            resources=[instance_arn],
                        )
                    ],
                    max_event_age=Duration.hours(1),
                    retry_attempts=10,
                ),
            )
        )
    return schedules
