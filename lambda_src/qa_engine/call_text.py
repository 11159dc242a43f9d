"""A call's words as the rules read them: sentences with cue hits computed once per group,
filters for negated, hypothetical and asked-about hits, and what a customer reports (hazards,
requests for a human). The rules judge and the live voice agent read callers with the same
functions, so the bot acts exactly when QA expects it to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from qa_engine.models import Conversation, Evidence, Speaker, Turn
from qa_engine.rubric import Rubric
from qa_engine.text import Hit, Segment, find_hits, segment_turn

WEATHER_SENSITIVE = frozenset({"hazard_hot", "hazard_burning", "hazard_symptom"})
HAZARD_GROUPS = (
    "hazard_swollen",
    "hazard_symptom",
    "hazard_burning",
    "hazard_leak",
    "hazard_smoke",
    "hazard_fire",
    "hazard_sparks",
    "hazard_burning_smell",
    "hazard_hot",
)


class CallText:
    """A conversation cut into matchable sentences, with cue hits computed once per group."""

    def __init__(self, conversation: Conversation, rubric: Rubric) -> None:
        self.conversation = conversation
        self.rubric = rubric
        self.segments: list[Segment] = []
        self.speaker_of: dict[int, Speaker] = {}
        self.turn_of: dict[int, Turn] = {}
        for turn in conversation.turns:
            self.speaker_of[turn.index] = turn.speaker
            self.turn_of[turn.index] = turn
            self.segments.extend(segment_turn(turn.index, turn.text, rubric.respellings))
        self._hits: dict[tuple[str, Speaker | None], list[Hit]] = {}
        self._by_segment: dict[tuple[str, int], list[Hit]] = {}

    def of(self, speaker: Speaker) -> list[Segment]:
        return [s for s in self.segments if self.speaker_of[s.turn_index] is speaker]

    def in_turns(self, turn_indices: Iterable[int]) -> list[Segment]:
        wanted = set(turn_indices)
        return [s for s in self.segments if s.turn_index in wanted]

    def hits(self, group: str, speaker: Speaker | None = None) -> list[Hit]:
        key = (group, speaker)
        if key not in self._hits:
            segments = self.segments if speaker is None else self.of(speaker)
            self._hits[key] = self.hits_in(group, segments)
        return self._hits[key]

    def hits_in(self, group: str, segments: Sequence[Segment]) -> list[Hit]:
        return [h for s in segments for h in self._segment_hits(group, s)]

    def _segment_hits(self, group: str, segment: Segment) -> list[Hit]:
        # Rules ask about the same sentence again and again (one question per cue hit).
        key = (group, id(segment))
        if key not in self._by_segment:
            self._by_segment[key] = find_hits(self.rubric.cue(group), segment)
        return self._by_segment[key]

    def evidence(self, hit_or_segment: Hit | Segment) -> Evidence:
        seg = hit_or_segment.segment if isinstance(hit_or_segment, Hit) else hit_or_segment
        return Evidence(
            turn_index=seg.turn_index,
            start_time=self.turn_of[seg.turn_index].time_at(seg.char_start),
            speaker=self.speaker_of[seg.turn_index],
            quote=seg.quote,
        )

    # --- filters ---------------------------------------------------------------------------

    def asks(self, hit: Hit) -> bool:
        """Whether the hit is in the question of its sentence: the clause the "?" ends.

        Unpunctuated speech runs statements and a question into one sentence ("... it will
        be back in your wallet tomorrow, anything else?"); only the last clause is asked.
        """
        seg = hit.segment
        return seg.is_question and hit.start_token >= max(seg.clause_starts, default=0)

    def asserted(self, hits: Iterable[Hit], *, allow_conditional: bool = False) -> list[Hit]:
        """Hits that are neither negated nor, unless allowed, hypothetical ("if ...")."""
        return [
            h
            for h in hits
            if not self.rubric.negation.is_negated(h)
            and (allow_conditional or not self.is_conditional(h))
        ]

    def is_conditional(self, hit: Hit) -> bool:
        tokens, clauses = hit.segment.tokens, hit.segment.clause_starts
        for i in range(hit.start_token - 1, -1, -1):
            if tokens[i] in self.rubric.conditional_words:
                return True
            if i in clauses:
                return False
        return False

    def negated_inside(self, hit: Hit) -> bool:
        inner = hit.segment.tokens[hit.start_token + 1 : hit.end_token]
        return self.rubric.negation.has_negator(inner)


def after(hits: Iterable[Hit], position: tuple[int, int]) -> list[Hit]:
    return [h for h in hits if h.segment.position > position]


def when(hit: Hit) -> tuple[int, int, int]:
    """Where in the call a hit was said: turn, sentence, word."""
    return (*hit.segment.position, hit.start_token)


def said_before(a: Hit, b: Hit) -> bool:
    return when(a) < when(b)


def first(hits: Sequence[Hit]) -> Hit | None:
    return min(hits, key=when, default=None)


def overlaps(a: Hit, b: Hit) -> bool:
    return a.segment is b.segment and a.start_token < b.end_token and b.start_token < a.end_token


# --- what a customer reports -------------------------------------------------------------


def hazard_reports(call: CallText, groups: Iterable[str]) -> list[Hit]:
    reports: list[Hit] = []
    for group in groups:
        hits = call.asserted(call.hits(group, Speaker.CUSTOMER))
        if group in WEATHER_SENSITIVE:  # "it's 46 degrees, I am melting" is the weather
            hits = [h for h in hits if not call.hits_in("hot_weather_context", [h.segment])]
        reports.extend(h for h in hits if not general_question(call, h.segment))
    return reports


def general_question(call: CallText, segment: Segment) -> bool:
    """'Can a swollen battery explode?' asks about batteries; it reports nothing."""
    return (
        segment.is_question
        and not call.hits_in("customer_first_person", [segment])
        and bool(call.hits_in("generic_question", [segment]))
    )


def escalation_requests(call: CallText) -> list[Hit]:
    mentions = call.hits("escalation_not_request", Speaker.CUSTOMER)
    return [
        h
        for h in call.asserted(call.hits("escalation_request", Speaker.CUSTOMER))
        if not call.negated_inside(h) and not any(overlaps(h, m) for m in mentions)
    ]
