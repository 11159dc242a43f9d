"""What the live voice agent hears in one caller utterance, read by the rules QA judges calls
with (`qa_engine.call_text`): a hazard, a request for a human, a money matter."""

from __future__ import annotations

from dataclasses import dataclass

from qa_engine.call_text import HAZARD_GROUPS, CallText, escalation_requests, hazard_reports
from qa_engine.models import Conversation, Speaker, Turn
from qa_engine.rubric import Rubric


@dataclass(frozen=True)
class CallerSignals:
    """What one caller utterance asserts, by the rules QA judges the SOPs with."""

    hazards: tuple[str, ...]  # hazard cue groups reported, e.g. ("hazard_smoke",)
    escalation: bool  # asks for a manager, supervisor or a human
    money_topic: bool  # raises their wallet, payments, refunds, fees or subscription

    @property
    def swollen(self) -> bool:
        return "hazard_swollen" in self.hazards


def _caller_turn(rubric: Rubric, utterance: str) -> CallText:
    conversation = Conversation(
        turns=[Turn(index=0, speaker=Speaker.CUSTOMER, text=utterance, start_time=0, end_time=0)],
        source_format="live",
    )
    return CallText(conversation, rubric)


def caller_signals(rubric: Rubric, utterance: str) -> CallerSignals:
    """The live voice agent's reading of a caller: it acts exactly when QA expects it to."""
    call = _caller_turn(rubric, utterance)
    return CallerSignals(
        hazards=tuple(group for group in HAZARD_GROUPS if hazard_reports(call, [group])),
        escalation=bool(escalation_requests(call)),
        money_topic=bool(call.hits("finance_topic", Speaker.CUSTOMER)),
    )


def escalation_requested(rubric: Rubric, utterance: str) -> bool:
    """Whether one caller utterance asks for a human, by the same rules QA judges S5 with."""
    return bool(escalation_requests(_caller_turn(rubric, utterance)))
