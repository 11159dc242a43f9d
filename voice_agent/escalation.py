"""Bringing a human supervisor into a call: a single-use invite, an urgent alert, a join link.

An escalation is done only once the alert is out: the publish is retried with backoff, and
if it still fails `EscalationFailed` is raised, so the bot tells the caller the truth (no
supervisor could be reached; here is the phone number) and counts it for the alarm.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from tenacity import (
    Retrying,
    nap,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from contracts import alerts as alert_contract
from contracts import voice_line
from qa_engine.caller_signals import escalation_requested
from qa_engine.rubric import Rubric
from voice_agent.invites import InviteBook, join_url
from voice_agent.settings import VoiceSettings

logger = logging.getLogger(__name__)
PUBLISH_ATTEMPTS = 4  # 3.5 s of backoff in all; the pipeline gives the whole escalation 10 s
Sleep = Callable[[float], None]


class EscalationFailed(RuntimeError):
    """No supervisor was alerted: the alert could not be published."""


@dataclass(frozen=True)
class Invite:
    call_id: str
    join_url: str


class EscalationDetector:
    """Hears a request for a human the way QA does (manager, supervisor, "insaan se baat"...)."""

    def __init__(self, rubric: Rubric) -> None:
        self.rubric = rubric

    def __call__(self, utterance: str) -> bool:
        return escalation_requested(self.rubric, utterance)


def alerts_client(settings: VoiceSettings) -> Any:
    """SNS with short timeouts and no retries of its own: `publish_with_retries` retries, and
    the whole escalation must fit in the few seconds a caller waits."""
    import boto3
    from botocore.config import Config

    config = Config(connect_timeout=2, read_timeout=3, retries={"max_attempts": 1})
    return boto3.client("sns", region_name=settings.region, config=config)


def publish_with_retries(publish: Callable[[], Any], sleep: Sleep | None = None) -> None:
    """Calls `publish` until it succeeds, with backoff; EscalationFailed after the last try."""
    retrying = Retrying(
        stop=stop_after_attempt(PUBLISH_ATTEMPTS),
        wait=wait_exponential(multiplier=0.5, max=2),
        retry=retry_if_exception_type((ClientError, BotoCoreError, ConnectionError)),
        reraise=True,
        sleep=sleep if sleep is not None else nap.sleep,
    )
    try:
        retrying(publish)
    except (ClientError, BotoCoreError, ConnectionError) as exc:
        logger.error("supervisor alert not published after %d tries: %s", PUBLISH_ATTEMPTS, exc)
        raise EscalationFailed(str(exc)) from exc


class SupervisorInviter:
    """Issues the call's invite code and alerts `SupervisorAlerts` with the join link."""

    def __init__(
        self,
        settings: VoiceSettings,
        sns: Any | None,
        invites: InviteBook,
        web_origin: Callable[[], str | None] | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        self.settings = settings
        self.sns = sns
        self.invites = invites
        self._web_origin = web_origin or (lambda: settings.web_origin)
        self._sleep = sleep

    def invite(self, call_id: str, reason: str) -> Invite:
        if self.sns is None or not self.settings.alerts_topic_arn:
            raise EscalationFailed("no SupervisorAlerts topic is configured")
        page = self._web_origin()
        topic = self.settings.alerts_topic_arn
        if page is None:
            # No page to join from: supervisors still learn of the caller, but nobody can join,
            # so the caller is told the truth (and the phone number).
            text = f"(the call page is not deployed yet: nobody can join room {call_id})"
            publish_with_retries(
                lambda: publish_live_escalation(self.sns, topic, call_id, reason, text),
                self._sleep,
            )
            raise EscalationFailed("the call page is not deployed: there is no join link")
        link = join_url(page, self.invites.issue(call_id))
        minutes = voice_line.INVITE_TTL_SECONDS // 60
        text = f"Join the call now (the link works once, within {minutes} minutes):\n{link}"
        publish_with_retries(
            lambda: publish_live_escalation(self.sns, topic, call_id, reason, text), self._sleep
        )
        return Invite(call_id, link)


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
        Subject=alert_contract.subject(
            f"[URGENT] Live call {call_id}: caller asked for a supervisor"
        ),
        Message=f"{body}\n{join}" if join else body,
        MessageAttributes=alert_contract.message_attributes(
            severity=alert_contract.URGENT,
            kind=alert_contract.LIVE_ESCALATION,
            call_id=call_id,
        ),
    )


class LocalEscalationLog:
    """Where a local call's request for a supervisor goes: a JSON-lines file and the console,
    and the `SupervisorAlerts` topic too when one is configured."""

    def __init__(
        self,
        path: Path,
        sns: Any | None = None,
        topic_arn: str | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        self.path = path
        self.sns = sns
        self.topic_arn = topic_arn
        self._sleep = sleep

    @classmethod
    def in_folder(cls, home: Path, settings: VoiceSettings) -> LocalEscalationLog:
        sns = alerts_client(settings) if settings.alerts_topic_arn else None
        return cls(home / "escalations.jsonl", sns, settings.alerts_topic_arn)

    def record(self, call_id: str, reason: str) -> dict[str, Any]:
        """Alerts first (EscalationFailed if the topic cannot be reached), then logs it."""
        sns, topic = self.sns, self.topic_arn
        if sns is not None and topic:
            publish_with_retries(
                lambda: publish_live_escalation(sns, topic, call_id, reason), self._sleep
            )
        entry = {
            "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
            alert_contract.SEVERITY: alert_contract.URGENT,
            alert_contract.KIND: alert_contract.LIVE_ESCALATION,
            "call_id": call_id,
            "reason": reason,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as log:
            log.write(json.dumps(entry, ensure_ascii=False) + "\n")
        print(f"URGENT live call {call_id}: caller asked for a supervisor", file=sys.stderr)
        return entry


def escalation_message(call_id: str) -> dict[str, Any]:
    """The data message the call page turns into its "connecting you to a supervisor" state."""
    return {"type": "escalation", "status": "connecting", "call_id": call_id}
