"""A conversation of chat messages, as the bot holds it, judged by QA's rules judge."""

from __future__ import annotations

from qa_engine.models import Conversation, Speaker, Turn
from qa_engine.rules_judge import RulesJudge


def judged(rubric, messages: list[dict]):
    turns = [
        Turn(
            index=i,
            speaker=Speaker.AGENT if m["role"] == "assistant" else Speaker.CUSTOMER,
            text=m["content"],
            start_time=float(i),
            end_time=i + 0.5,
        )
        for i, m in enumerate(messages)
    ]
    return RulesJudge(rubric).judge(Conversation(turns=turns, source_format="live"))
