"""Bringing a human supervisor into a call: an invite token, an urgent alert, a join link."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
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
        self, settings: VoiceSettings, sns: Any | None, token: Callable[..., str] = supervisor_token
    ) -> None:
        self.settings = settings
        self.sns = sns
        self._token = token

    def invite(self, call_id: str, reason: str) -> Invite:
        token = self._token(self.settings, call_id)
        query = urlencode({"room": call_id, "token": token, "url": self.settings.livekit_url})
        invite = Invite(call_id, f"{self.settings.web_origin}/join?{query}", token)
        if self.sns is not None and self.settings.alerts_topic_arn:
            self.sns.publish(
                TopicArn=self.settings.alerts_topic_arn,
                Subject=f"[URGENT] Live call {call_id}: caller asked for a supervisor",
                Message=(
                    f"A caller on the Battery Smart support line asked for a supervisor.\n"
                    f"Call: {call_id}\nWhat they said: {reason}\n\n"
                    f"Join the call now (link valid {self.settings.supervisor_token_minutes} "
                    f"minutes):\n{invite.join_url}"
                ),
                MessageAttributes={
                    "severity": {"DataType": "String", "StringValue": "URGENT"},
                    "kind": {"DataType": "String", "StringValue": "LIVE_ESCALATION"},
                    "call_id": {"DataType": "String", "StringValue": call_id},
                },
            )
        return invite


def escalation_message(call_id: str) -> dict[str, Any]:
    """The data message the call page turns into its "connecting you to a supervisor" state."""
    return {"type": "escalation", "status": "connecting", "call_id": call_id}


def encode_message(message: dict[str, Any]) -> str:
    return json.dumps(message)
