"""What the pipeline needs from the world; Lambda and the local CLI plug in their adapters."""

from __future__ import annotations

from typing import Protocol

from qa_engine.alerts import Alert
from qa_engine.models import Conversation, QAResult, Verdict


class Judge(Protocol):
    @property
    def name(self) -> str: ...

    def judge(self, conversation: Conversation) -> Verdict: ...


class ResultStore(Protocol):
    def put(self, result: QAResult) -> object:
        """Store the result; storing the same `source_version` again changes nothing."""

    def claim_alert(self, result: QAResult) -> bool:
        """Mark the stored result alerted; False if it already was (a re-delivered event)."""

    def release_alert(self, result: QAResult) -> None:
        """Undo a claim whose alert could not be sent, so a retry sends it."""


class AlertSink(Protocol):
    def publish(self, alert: Alert) -> None: ...
