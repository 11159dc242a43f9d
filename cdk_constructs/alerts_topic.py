"""An encrypted SNS topic (rotating key, SSL only) with an optional e-mail subscriber.

`SupervisorAlerts` carries QA alerts and live escalations to supervisors; `OpsAlerts` carries
the alarms to whoever runs the deployment, so its key lets CloudWatch alarms publish.
"""

from __future__ import annotations

from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct, IConstruct

from cdk_constructs.nag import acknowledge

TOPIC_NAME = "SupervisorAlerts"
OPS_TOPIC_NAME = "OpsAlerts"


class AlertsTopic(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        email: str | None,
        topic_name: str = TOPIC_NAME,
        display_name: str = "Battery Smart supervisor alerts",
        for_alarms: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self, "Key", enable_key_rotation=True, description=f"Encrypts {topic_name}"
        )
        self.topic = sns.Topic(
            self,
            "Topic",
            topic_name=topic_name,
            display_name=display_name,
            master_key=self.key,
            enforce_ssl=True,
        )
        if for_alarms:
            # CloudWatch publishes alarm notifications with its own principal, through the key.
            self.key.add_to_resource_policy(
                iam.PolicyStatement(
                    principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                    actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                    resources=["*"],  # in a key policy, "*" is this key
                )
            )
        if email:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))

    def grant_publish(self, grantee: IConstruct, principal: iam.IGrantable) -> None:
        """Publish to the topic (and encrypt with its key: GenerateDataKey* on this key only)."""
        self.topic.grant_publish(principal)
        acknowledge(
            grantee,
            "IAM5[Action::kms:GenerateDataKey*]",
            "Publishing to the encrypted topic needs GenerateDataKey* on its key only",
        )

    def notify(self, *alarms: cloudwatch.Alarm) -> None:
        """Each alarm tells this topic when it fires and when it recovers."""
        action = actions.SnsAction(self.topic)
        for alarm in alarms:
            alarm.add_alarm_action(action)
            alarm.add_ok_action(action)
