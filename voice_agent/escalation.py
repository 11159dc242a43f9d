"""Bringing a human supervisor into a call: an invite token, an urgent alert, a join link."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from qa_engine.rubric import Rubric
from qa_engine.rules_judge import escalation_requested
from voice_agent.settings import VoiceSettings
from voice_agent.tokens import supervisor_token


@dataclass(frozen=True)
class Invite:
    call_id: str
    join_url: str
    token: str


class EscalationDetector:
    """Hears a request for a human the way QA does (manager, supervisor, "insaan se baat"...)."""

    def __init__(self, rubric: Rubric) -> None:
        self.rubric = rubric

    def __call__(self, utterance: str) -> bool:
        return escalation_requested(self.rubric, utterance)


class SupervisorInviter:
    """Mints the supervisor's token and alerts `SupervisorAlerts` with the join link."""

    def __init__(
        self,
        settings: VoiceSettings,
        sns: Any | None,
        token: Callable[..., str] = supervisor_token,
        web_origin: Callable[[], str | None] | None = None,
    ) -> None:
        self.settings = settings
        self.sns = sns
        self._token = token
        self._web_origin = web_origin or (lambda: settings.web_origin)

    def invite(self, call_id: str, reason: str) -> Invite:
        token = self._token(self.settings, call_id)
        query = urlencode({"room": call_id, "token": token, "url": self.settings.livekit_url})
        page = self._web_origin()
        if page is None:  # the page is not deployed yet: the supervisor still gets the alert
            join_url = f"(the call page is not deployed yet; room {call_id})"
        else:
            join_url = f"{page}/join?{query}"
        invite = Invite(call_id, join_url, token)
        if self.sns is not None and self.settings.alerts_topic_arn:
            link = (
                f"Join the call now (link valid {self.settings.supervisor_token_minutes} "
                f"minutes):\n{invite.join_url}"
            )
            publish_live_escalation(self.sns, self.settings.alerts_topic_arn, call_id, reason, link)
        return invite


def publish_live_escalation(
    sns: Any, topic_arn: str, call_id: str, reason: str, join: str = ""
) -> None:
    """An urgent `SupervisorAlerts` message: a caller on a live call asked for a human."""
    body = (
        "A caller on the Battery Smart support line asked for a supervisor.\n"
        f"Call: {call_id}\nWhat they said: {reason}\n"
    )
    sns.publish(
        TopicArn=topic_arn,
        Subject=f"[URGENT] Live call {call_id}: caller asked for a supervisor",
        Message=f"{body}\n{join}" if join else body,
        MessageAttributes={
            "severity": {"DataType": "String", "StringValue": "URGENT"},
            "kind": {"DataType": "String", "StringValue": "LIVE_ESCALATION"},
            "call_id": {"DataType": "String", "StringValue": call_id},
        },
    )


class LocalEscalationLog:
    """Where a local call's request for a supervisor goes: a JSON-lines file and the console,
    and the `SupervisorAlerts` topic too when one is configured."""

    def __init__(self, path: Path, sns: Any | None = None, topic_arn: str | None = None) -> None:
        self.path = path
        self.sns = sns
        self.topic_arn = topic_arn

    @classmethod
    def in_folder(cls, home: Path, settings: VoiceSettings) -> LocalEscalationLog:
        sns = None
        if settings.alerts_topic_arn:
            import boto3

            sns = boto3.client("sns", region_name=settings.region)
        return cls(home / "escalations.jsonl", sns, settings.alerts_topic_arn)

    def record(self, call_id: str, reason: str) -> dict[str, Any]:
        entry = {
            "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
            "severity": "URGENT",
            "kind": "LIVE_ESCALATION",
            "call_id": call_id,
            "reason": reason,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as log:
            log.write(json.dumps(entry, ensure_ascii=False) + "\n")
        print(f"URGENT live call {call_id}: caller asked for a supervisor", file=sys.stderr)
        if self.sns is not None and self.topic_arn:
            publish_live_escalation(self.sns, self.topic_arn, call_id, reason)
        return entry


def escalation_message(call_id: str) -> dict[str, Any]:
    """The data message the call page turns into its "connecting you to a supervisor" state."""
    return {"type": "escalation", "status": "connecting", "call_id": call_id}
