"""Two sides talking over each other: turns come from each side's own words, then are ordered."""

from __future__ import annotations

import pytest

from autoqa.transcribe_format import TranscribeJsonBuilder, Word
from qa_engine.models import Speaker


def lay_out(*spoken: tuple[str, float, str], punctuate: bool = True) -> TranscribeJsonBuilder:
    """(channel, start, text) runs of words, 0.3 s a word, as a two-channel recording gives."""
    builder = TranscribeJsonBuilder("call")
    for label, start, text in spoken:
        t = start
        for token in text.split():
            content, punct = token, ""
            if token[-1] in ".,?!":
                content, punct = token[:-1], token[-1] if punctuate else ""
            builder.add(Word(label, t, t + 0.28, content, punctuation=punct))
            t += 0.3
    return builder


SHAPES = ["current", "legacy"]


def lines(scorer, builder: TranscribeJsonBuilder, shape: str = "current") -> list[str]:
    conversation = scorer.parse(builder.channel_identification(shape))
    return [f"{t.speaker.value}: {t.text}" for t in conversation.turns]


@pytest.mark.parametrize("shape", SHAPES)
def test_a_goodbye_spoken_over_the_closing_never_cuts_it(scorer, shape):
    # The caller says "no thank you" while the agent is still thanking them.
    builder = lay_out(
        ("ch_0", 0.0, "Is there anything else I can help you with?"),
        ("ch_1", 2.9, "No thank you."),
        ("ch_0", 3.2, "Thank you for calling Battery Smart."),
    )
    assert lines(scorer, builder, shape) == [
        "AGENT: Is there anything else I can help you with?",
        "CUSTOMER: No thank you.",
        "AGENT: Thank you for calling Battery Smart.",
    ]


@pytest.mark.parametrize("shape", SHAPES)
def test_a_backchannel_under_a_long_turn_is_its_own_turn_after_it(scorer, shape):
    builder = lay_out(
        ("ch_0", 0.0, "Thank you for calling Battery Smart, this is Aman."),
        ("ch_1", 1.2, "haan ji"),
        ("ch_0", 2.7, "How can I help you today?"),
        ("ch_1", 4.4, "My battery is very hot."),
    )
    assert lines(scorer, builder, shape) == [
        "AGENT: Thank you for calling Battery Smart, this is Aman. How can I help you today?",
        "CUSTOMER: haan ji",
        "CUSTOMER: My battery is very hot.",
    ]
    conversation = scorer.parse(builder.channel_identification(shape))
    assert [t.backchannel for t in conversation.turns] == [False, True, False]


def test_an_early_reply_comes_after_the_sentence_it_answers_and_before_the_next(scorer):
    # The caller reports smoke 0.8 s before the agent's question ends; the agent answers.
    builder = lay_out(
        ("ch_0", 0.0, "Thank you for calling Battery Smart, this is Aman. How can I help?"),
        ("ch_1", 2.9, "Smoke is coming from the battery!"),
        ("ch_0", 4.5, "Please stop the rickshaw and keep away from the battery."),
    )
    assert lines(scorer, builder) == [
        "AGENT: Thank you for calling Battery Smart, this is Aman. How can I help?",
        "CUSTOMER: Smoke is coming from the battery!",
        "AGENT: Please stop the rickshaw and keep away from the battery.",
    ]


def test_without_punctuation_the_other_side_talking_marks_the_turn_end(scorer):
    builder = lay_out(
        ("ch_0", 0.0, "thank you for calling battery smart this is aman how can i help"),
        ("ch_1", 3.0, "there is smoke coming from my battery"),
        ("ch_0", 4.9, "please stop the rickshaw and keep away from it"),
        punctuate=False,
    )
    assert lines(scorer, builder) == [
        "AGENT: thank you for calling battery smart this is aman how can i help",
        "CUSTOMER: there is smoke coming from my battery",
        "AGENT: please stop the rickshaw and keep away from it",
    ]


def test_an_interruption_never_splits_a_sentence(scorer):
    builder = lay_out(
        ("ch_0", 0.0, "Please stop using the battery and keep well away from it."),
        ("ch_1", 1.0, "What, why?"),
    )
    assert lines(scorer, builder) == [
        "AGENT: Please stop using the battery and keep well away from it.",
        "CUSTOMER: What, why?",
    ]


def test_evidence_is_timed_at_its_sentence_not_at_the_start_of_the_turn(scorer):
    builder = lay_out(
        ("ch_0", 0.0, "Thank you for calling Battery Smart, this is Aman. How can I help?"),
        ("ch_1", 4.0, "My battery has swollen up."),
        ("ch_0", 6.0, "I see. Please stop driving now. Keep away from the battery."),
        ("ch_1", 10.0, "Okay."),
        ("ch_0", 11.0, "Anything else? Thank you for calling Battery Smart."),
    )
    result = scorer.score_conversation(
        scorer.parse(builder.channel_identification()), call_id="c", agent_id="a"
    )
    s4 = next(c for c in result.sop_checks if c.sop_id == "S4")
    assert s4.followed
    times = {ev.quote: ev.start_time for ev in s4.evidence}
    assert times["Please stop driving now."] == pytest.approx(6.6)
    assert times["Keep away from the battery."] == pytest.approx(7.8)


def test_speaker_labelled_calls_with_overlap_still_find_the_agent(scorer):
    builder = TranscribeJsonBuilder("call")
    spoken = lay_out(
        ("spk_1", 0.0, "Thank you for calling Battery Smart, this is Aman. How can I help?"),
        ("spk_0", 2.9, "I want to talk to your manager."),
        ("spk_1", 5.0, "Sure, I am connecting you to my manager now."),
    )
    builder.words = spoken.words
    conversation = scorer.parse(builder.speaker_labels("current"))
    assert [t.speaker for t in conversation.turns] == [
        Speaker.AGENT,
        Speaker.CUSTOMER,
        Speaker.AGENT,
    ]
