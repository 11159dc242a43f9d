"""What a `SupervisorAlerts` message carries, for QA scorecards and live escalations alike:
the SNS message attributes subscribers filter on (e.g. a filter policy on `severity` for an
on-call phone), and the subject's limits."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

# Attribute names
SEVERITY = "severity"  # URGENT | WARNING
KIND = "kind"  # QA_SCORECARD | LIVE_ESCALATION
CALL_ID = "call_id"
AGENT_ID = "agent_id"
SCORE = "score"  # Number: the call's overall score, 0-100
FLAGS = "flags"  # String.Array: the SOP violation flags
RISK = "risk"  # String.Array: the risk reasons

URGENT = "URGENT"
WARNING = "WARNING"
SEVERITIES = (URGENT, WARNING)
QA_SCORECARD = "QA_SCORECARD"  # a scored call that is due an alert (SOP_SPEC's rules)
LIVE_ESCALATION = "LIVE_ESCALATION"  # a caller on a live call asked for a supervisor
KINDS = (QA_SCORECARD, LIVE_ESCALATION)

MAX_SUBJECT_CHARS = 100  # SNS: ASCII, no line breaks, at most 100 characters


def subject(text: str) -> str:
    """`text` as a valid SNS subject."""
    ascii_only = text.encode("ascii", "replace").decode().replace("\r", " ").replace("\n", " ")
    return ascii_only[:MAX_SUBJECT_CHARS]


def message_attributes(
    *,
    severity: str,
    kind: str,
    call_id: str,
    agent_id: str | None = None,
    score: int | None = None,
    flags: Sequence[str] = (),
    risk: Sequence[str] = (),
) -> dict[str, dict[str, Any]]:
    """The SNS `MessageAttributes` of one alert; empty lists and unknown values are left out."""
    if severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {SEVERITIES}, not {severity!r}")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")

    def text(value: str) -> dict[str, str]:
        return {"DataType": "String", "StringValue": value}

    attributes = {SEVERITY: text(severity), KIND: text(kind), CALL_ID: text(call_id)}
    if agent_id is not None:
        attributes[AGENT_ID] = text(agent_id)
    if score is not None:
        attributes[SCORE] = {"DataType": "Number", "StringValue": str(score)}
    for name, values in ((FLAGS, flags), (RISK, risk)):
        if values:
            attributes[name] = {"DataType": "String.Array", "StringValue": json.dumps(list(values))}
    return attributes
