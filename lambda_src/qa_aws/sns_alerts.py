"""Supervisor alerts on the SNS topic, with attributes subscribers can filter on."""

from __future__ import annotations

import json
from typing import Any

from qa_engine.alerts import Alert


def _subject(text: str) -> str:
    # SNS subjects: ASCII, no line breaks, at most 100 characters.
    ascii_only = text.encode("ascii", "replace").decode().replace("\n", " ")
    return ascii_only[:100]


class SnsAlertSink:
    def __init__(self, sns: Any, topic_arn: str) -> None:
        self.sns = sns
        self.topic_arn = topic_arn

    def publish(self, alert: Alert) -> None:
        attributes = {
            "severity": {"DataType": "String", "StringValue": alert.severity},
            "agent_id": {"DataType": "String", "StringValue": alert.agent_id},
            "call_id": {"DataType": "String", "StringValue": alert.call_id},
            "score": {"DataType": "Number", "StringValue": str(alert.overall_score)},
        }
        if alert.violation_flags:
            attributes["flags"] = {
                "DataType": "String.Array",
                "StringValue": json.dumps(alert.violation_flags),
            }
        if alert.risk_reasons:
            attributes["risk"] = {
                "DataType": "String.Array",
                "StringValue": json.dumps(alert.risk_reasons),
            }
        self.sns.publish(
            TopicArn=self.topic_arn,
            Subject=_subject(alert.subject),
            Message=alert.message,
            MessageAttributes=attributes,
        )
