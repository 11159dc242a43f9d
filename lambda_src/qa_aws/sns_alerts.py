"""Supervisor alerts on the SNS topic, with attributes subscribers can filter on."""

from __future__ import annotations

from typing import Any

from contracts import alerts as contract
from qa_engine.alerts import Alert


class SnsAlertSink:
    def __init__(self, sns: Any, topic_arn: str) -> None:
        self.sns = sns
        self.topic_arn = topic_arn

    def publish(self, alert: Alert) -> None:
        self.sns.publish(
            TopicArn=self.topic_arn,
            Subject=contract.subject(alert.subject),
            Message=alert.message,
            MessageAttributes=contract.message_attributes(
                severity=alert.severity,
                kind=contract.QA_SCORECARD,
                call_id=alert.call_id,
                agent_id=alert.agent_id,
                score=alert.overall_score,
                flags=alert.violation_flags,
                risk=alert.risk_reasons,
            ),
        )
