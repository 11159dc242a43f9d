"""Who is the agent when speaker labels, not channels, separate the parties.

Decided by content: the agent is the speaker whose words sound like the agent's script
(greeting, "how can I help", "anything else"), weighted towards the opening of the call.
Label order means nothing: diarization numbers speakers as it meets them and often splits
one caller into two labels.
"""

from __future__ import annotations

from collections import defaultdict

from qa_engine.rubric import Rubric
from qa_engine.text import fold
from qa_engine.transcript import LabelledTurn

OPENING_TURNS = 3
OPENING_WEIGHT = 3.0


class ScriptAgentPicker:
    def __init__(self, rubric: Rubric) -> None:
        self._role = rubric.agent_role
        self._brand = rubric.cue("brand")
        self._greeting = rubric.cue("thanks_for_calling")
        self._offer = rubric.cue("offer_help")

    def __call__(self, turns: list[LabelledTurn]) -> str:
        scores: dict[str, float] = defaultdict(float)
        first_seen: dict[str, int] = {}
        for i, turn in enumerate(turns):
            first_seen.setdefault(turn.label, i)
            text = fold(turn.text)
            weight = OPENING_WEIGHT if i < OPENING_TURNS else 1.0
            hits = sum(
                len(regex.findall(text))
                for regex in (self._role, self._brand, self._greeting, self._offer)
            )
            scores[turn.label] += weight * hits
        # Ties (no script words at all) go to whoever spoke first: the agent answers the call.
        return max(first_seen, key=lambda label: (scores[label], -first_seen[label]))
