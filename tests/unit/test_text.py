"""Normalization, spelling folds and negation: what lets one cue match many spellings."""

from __future__ import annotations

import pytest

from qa_engine.text import NegationScope, compile_cues, find_hits, fold, segment_turn


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("dhanyavaad", "dhanyawad"),
        ("phool gayi", "fool gayi"),
        ("dhuaan", "dhuan"),
        ("zyada", "jyada"),
        ("धुआं", "धुआँ"),
        ("ज़्यादा", "ज्यादा"),  # nukta
        ("बैटरी फूली", "बैटरि फुली"),  # vowel length
    ],
)
def test_spelling_variants_fold_to_one_form(a, b):
    assert fold(a) == fold(b)


def test_normalize_drops_punctuation_and_keeps_devanagari_words_whole():
    assert fold("Thank you, Battery-Smart!") == "tank you batery smart"
    assert fold("बैटरी फूल गई है।").split() == ["बैटरि", "फुल", "गइ", "है"]


def test_gap_and_word_edge_syntax():
    regex = compile_cues([r"thank ~ calling", r"aag\b"])
    seg = segment_turn(0, "Thank you for calling. Agar aag lagi to?")
    hits = [h for s in seg for h in find_hits(regex, s)]
    assert [h.segment.sentence_index for h in hits] == [0, 1]
    assert not find_hits(regex, segment_turn(0, "thank one two three four calling")[0])
    assert not find_hits(regex, segment_turn(0, "Agar hum chalein")[0])  # 'agar' is not 'aag'


def test_negation_looks_back_in_english_and_forward_in_hindi_within_the_clause():
    scope = NegationScope(before=["not", "no"], after=["nahi", "नहीं"])
    regex = compile_cues(["swollen", "phool", "धुआ"])

    def negated(text: str) -> bool:
        seg = segment_turn(0, text)[0]
        return scope.is_negated(find_hits(regex, seg)[0])

    assert negated("It is not swollen")
    assert negated("battery phool nahi rahi")
    assert negated("धुआं नहीं निकल रहा")
    assert not negated("No, it is swollen")  # the "no" belongs to another clause
    assert not negated("It is swollen, not charging")


def test_questions_are_marked():
    assert segment_turn(0, "Is it swollen? Yes.")[0].is_question
    assert not segment_turn(0, "Is it swollen? Yes.")[1].is_question
