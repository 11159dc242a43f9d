"""SNS `SupervisorAlerts`: encrypted with a rotating key, SSL only, optional e-mail subscriber."""

from __future__ import annotations

from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

TOPIC_NAME = "SupervisorAlerts"


class AlertsTopic(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, email: str | None) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self, "Key", enable_key_rotation=True, description="Encrypts SupervisorAlerts"
        )
        self.topic = sns.Topic(
            self,
            "Topic",
            topic_name=TOPIC_NAME,
            display_name="Battery Smart supervisor alerts",
            master_key=self.key,
            enforce_ssl=True,
        )
        if email:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
