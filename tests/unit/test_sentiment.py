"""Customer sentiment: VADER for English, the rubric lexicon for Hinglish and Hindi."""

from __future__ import annotations

import pytest

from qa_engine.sentiment import SentimentScorer
from tests.conftest import framed, transcribe_json


@pytest.fixture(scope="module")
def sentiment(rubric) -> SentimentScorer:
    return SentimentScorer(rubric)


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("Thank you, that's really good of you, I appreciate it.", 1),
        ("This is terrible service, I am very angry.", -1),
        ("Bahut badhiya, shukriya!", 1),
        ("Aapki service bekaar hai, main bahut pareshan hoon.", -1),
        ("बहुत बढ़िया, धन्यवाद।", 1),
        ("आपकी सर्विस बहुत घटिया है।", -1),
        ("No.", 0),  # answers "anything else?" and carries no feeling
        ("no thank you", 1),  # a polite decline, not a negated thanks
        ("Nine eight one zero five five.", 0),
    ],
)
def test_sign_of_sentiment_in_three_languages(sentiment, text, sign):
    score = sentiment.score(text)
    assert -1 <= score <= 1
    if sign == 0:
        assert score == 0
    else:
        assert score * sign > 0.2, score


def test_negation_flips_hindi_sentiment(sentiment):
    assert sentiment.score("Service acchi nahi hai") < 0
    assert sentiment.score("Service acchi hai") > 0


def test_start_end_and_trajectory_follow_the_spec(scorer):
    turns = framed(
        ("C", "I'm really upset, the battery died after ten kilometres."),
        ("A", "Sorry. I have credited a free swap."),
        ("C", "Okay."),
        ("A", "Anything more?"),
        ("C", "Thank you so much, that is wonderful."),
    )
    r = scorer.score_transcript(transcribe_json(turns), call_id="c", agent_id="a")
    assert r.sentiment_start < 0 < r.sentiment_end
    assert r.sentiment_trajectory == pytest.approx(r.sentiment_end - r.sentiment_start, abs=1e-3)


def test_angry_ending_sets_negative_end_risk(scorer):
    turns = framed(("C", "Your service is useless and I am furious, worst company ever."))
    turns[-2] = ("C", "No, this is the worst, horrible service.")
    r = scorer.score_transcript(transcribe_json(turns), call_id="c", agent_id="a")
    assert r.sentiment_end <= -0.5
    assert "NEGATIVE_END" in r.risk_reasons
