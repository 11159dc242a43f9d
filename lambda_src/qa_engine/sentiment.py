"""Customer sentiment per turn in [-1, 1], and the start/end/trajectory of SOP_SPEC.

English is scored by VADER, a lexicon and rule-based analyzer built for short conversational
text. Hinglish and Hindi words VADER does not know are scored with the rubric's own lexicon
(`prompts/sentiment_lexicon.yaml`), with intensifiers ("bahut") and negation ("nahi") applied,
then squashed with VADER's normalization so both halves live on one scale.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from qa_engine.models import Conversation, Speaker
from qa_engine.rubric import Rubric
from qa_engine.text import clauses, fold, fold_word, normalize, split_sentences

# A turn whose score is this close to zero carries no feeling and does not dilute the average.
NEUTRAL_BAND = 0.05
_VADER_ALPHA = 15.0
_INTENSIFIER_BOOST = 0.5
# "No thank you" declines politely; VADER would read "no" as negating the thanks.
# "gussa mat dilao" (don't make me angry) demands; it does not deny the anger.
_IMPERATIVE_NEGATORS = frozenset({"mat", "मत"})
_POLITE_DECLINE = re.compile(r"\b(no|nope|nah|nahi)\b[\s,]+(?=thank)", re.IGNORECASE)

_analyzer: SentimentIntensityAnalyzer | None = None


def _vader() -> SentimentIntensityAnalyzer:
    global _analyzer
    if _analyzer is None:
        _analyzer = SentimentIntensityAnalyzer()
    return _analyzer


@dataclass(frozen=True)
class SentimentSummary:
    per_turn: list[float]
    start: float
    end: float

    @property
    def trajectory(self) -> float:
        return round(self.end - self.start, 3)


class SentimentScorer:
    def __init__(self, rubric: Rubric) -> None:
        lexicon = rubric.sentiment
        self._words = {fold(k): v for k, v in lexicon.words.items()}
        self._phrases = {k: v for k, v in self._words.items() if " " in k}
        self._intensifiers = frozenset(fold_word(normalize(w)) for w in lexicon.intensifiers)
        self._negation = rubric.negation
        self._vader = _vader()
        self._vader_lexicon = dict(self._vader.lexicon)
        self._vader_lexicon.update(lexicon.english_overrides)
        self._neutral = (
            re.compile("|".join(re.escape(p) for p in lexicon.neutral_phrases), re.IGNORECASE)
            if lexicon.neutral_phrases
            else None
        )

    def score(self, text: str) -> float:
        """Sentiment of one utterance in [-1, 1]."""
        if self._neutral is not None:
            text = self._neutral.sub(" ", text)
        english = self._english(text)
        local = self._hindi(text)
        if english and local:
            return round(max(-1.0, min(1.0, (english + local) / 2)), 3)
        return round(english or local, 3)

    def _english(self, text: str) -> float:
        # VADER reads its lexicon from the instance; swap in the support-call corrections.
        analyzer = self._vader
        original = analyzer.lexicon
        analyzer.lexicon = self._vader_lexicon
        try:
            # Sentence by sentence: VADER's negation looks back three words whatever the
            # punctuation, so "Nothing. Worst service ever" would read "worst" as negated.
            sentences = split_sentences(_POLITE_DECLINE.sub(r"\1. ", text))
            total = sum(_raw(analyzer.polarity_scores(s)["compound"]) for s in sentences)
        finally:
            analyzer.lexicon = original
        return round(total / math.sqrt(total * total + _VADER_ALPHA), 4) if total else 0.0

    def _hindi(self, text: str) -> float:
        total = sum(self._clause_valence(tokens) for tokens in clauses(text))
        if total == 0:
            return 0.0
        return total / math.sqrt(total * total + _VADER_ALPHA)

    def _clause_valence(self, tokens: list[str]) -> float:
        total = 0.0
        joined = " " + " ".join(tokens) + " "
        for phrase, valence in self._phrases.items():
            if f" {phrase} " in joined:
                total += valence
        for i, token in enumerate(tokens):
            known = self._words.get(token)
            if known is None:
                continue
            valence = known
            if i > 0 and tokens[i - 1] in self._intensifiers:
                valence += math.copysign(_INTENSIFIER_BOOST, valence)
            # Hindi negates after the word ("accha nahi", "गुस्सा नहीं"); a "nahi" before it
            # ends the clause before ("koi sunta nahi, bahut gussa"), unpunctuated.
            following = [t for t in tokens[i + 1 : i + 3] if t not in _IMPERATIVE_NEGATORS]
            if self._negation.has_trailing_negator(following):
                valence *= -0.74  # VADER's damping for a negated word
            total += valence
        return total

    def summarize(self, conversation: Conversation) -> SentimentSummary:
        # Backchannels said under the agent's turns are listening, not feeling.
        scores = [self.score(t.text) for t in conversation.spoken_turns(Speaker.CUSTOMER)]
        if not scores:
            return SentimentSummary([], 0.0, 0.0)
        third = max(1, math.ceil(len(scores) / 3))
        return SentimentSummary(scores, _mean_felt(scores[:third]), _mean_felt(scores[-third:]))


def _raw(compound: float) -> float:
    """VADER's summed valence behind a compound score (the inverse of its normalization)."""
    c = max(-0.9999, min(0.9999, compound))
    return c * math.sqrt(_VADER_ALPHA) / math.sqrt(1 - c * c)


def _mean_felt(scores: list[float]) -> float:
    """Mean over turns that carry feeling; a bare "okay" or an ID number does not dilute it."""
    felt = [s for s in scores if abs(s) > NEUTRAL_BAND]
    return round(sum(felt) / len(felt), 3) if felt else 0.0
