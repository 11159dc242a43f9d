"""Text normalization and cue matching that tolerate speech-recognition noise.

Calls arrive in English, Hinglish (Hindi in Latin letters, spelled many ways) and Hindi in
Devanagari. Every text and every cue pattern goes through the same `fold`, so "dhanyavaad",
"dhanyawad" and "dhanyvad" meet in one spelling, as do "धुआं" and "धुआँ". Matching works on
space-separated tokens because Python's `\\b` splits Devanagari words at their vowel signs.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

_NUKTA = "\u093c"
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"), None)
_IDENTIFIER = re.compile(r"\w+(?:_\w+)+")
_APOSTROPHES = re.compile(r"['\u2019\u2018`]")
_CLAUSE_BREAK = re.compile(r"[,;:\u2014\u2013]|\s-\s")
_SENTENCE_END = re.compile(r"(?<=[.!?\u0964])\s+")

# Hinglish has no fixed spelling: fold the common variants into one.
_LATIN_FOLDS = (
    (re.compile(r"ph"), "f"),
    (re.compile(r"w"), "v"),
    (re.compile(r"z"), "j"),
    (re.compile(r"q"), "k"),
    (re.compile(r"ee"), "i"),
    (re.compile(r"oo"), "u"),
    (re.compile(r"([a-z])\1+"), r"\1"),
    (re.compile(r"([bcdgkpst])h"), r"\1"),
    (re.compile(r"([a-z])\1+"), r"\1"),
)
# Devanagari spelling variants seen in ASR output: vowel length, nasalization, candra o.
_DEVANAGARI_FOLDS = str.maketrans(
    {
        "\u0940": "\u093f",  # ी -> ि
        "\u0942": "\u0941",  # ू -> ु
        "\u0908": "\u0907",  # ई -> इ
        "\u090a": "\u0909",  # ऊ -> उ
        "\u0949": "\u093e",  # ॉ -> ा
        "\u0911": "\u0906",  # ऑ -> आ
        "\u0901": None,  # ँ
        "\u0902": None,  # ं
    }
)
_LOWER_RUN = re.compile(r"(?<!\\)[a-z]+")
_GAP_LONG = r"\S*?(?:\s\S+){0,8}?\s"
_GAP_SHORT = r"\S*?(?:\s\S+){0,3}?\s"
_WORD_EDGE = r"(?:(?<!\S)|(?!\S))"


def _keep(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN"


def normalize(text: str) -> str:
    """Lower-case, strip punctuation and nukta, keep letters, marks and digits of any script.

    Identifiers written with underscores ("ESCALATION_NOT_OFFERED") are never speech: a
    transcript that holds them is someone typing at the judge, and they are dropped.
    """
    text = _IDENTIFIER.sub(" ", text)
    text = unicodedata.normalize("NFD", text).replace(_NUKTA, "")
    text = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH).lower()
    text = _APOSTROPHES.sub("", text)
    return " ".join("".join(ch if _keep(ch) else " " for ch in text).split())


@lru_cache(maxsize=65536)
def fold_word(word: str) -> str:
    for pattern, replacement in _LATIN_FOLDS:
        word = pattern.sub(replacement, word)
    return word.translate(_DEVANAGARI_FOLDS)


def fold(text: str) -> str:
    """Normalize, then fold spelling variants word by word."""
    return " ".join(fold_word(w) for w in normalize(text).split())


def fold_pattern(pattern: str) -> str:
    """Fold the literal letters of a regex pattern the way `fold` folds text.

    Escapes (`\\s`, `\\S`) are left alone; `~` is a gap of up to three words, `~~` of up to
    eight, and `\\b` an edge between space-separated words (which works for Devanagari too).
    """
    pattern = unicodedata.normalize("NFD", pattern).replace(_NUKTA, "")
    pattern = unicodedata.normalize("NFC", pattern)
    pattern = pattern.replace(" ~~ ", "\x01").replace(" ~ ", "\x02")
    pattern = _LOWER_RUN.sub(lambda m: fold_word(m.group()), pattern)
    pattern = pattern.translate(_DEVANAGARI_FOLDS)
    pattern = pattern.replace("\\b", _WORD_EDGE)
    return pattern.replace("\x01", _GAP_LONG).replace("\x02", _GAP_SHORT)


def compile_cues(patterns: Iterable[str]) -> re.Pattern[str]:
    """One regex for a list of cue patterns; every match starts at the start of a word."""
    body = "|".join(f"(?:{fold_pattern(p)})" for p in patterns)
    return re.compile(f"(?<!\\S)(?:{body})")


@dataclass(frozen=True, slots=True)
class Segment:
    """A sentence of one turn, ready for matching; `quote` is the verbatim original text."""

    turn_index: int
    sentence_index: int
    quote: str
    folded: str
    tokens: tuple[str, ...]
    clause_starts: frozenset[int]
    is_question: bool
    char_start: int = 0  # where the sentence starts in its turn's text

    @property
    def position(self) -> tuple[int, int]:
        return (self.turn_index, self.sentence_index)

    def clause_spans(self) -> list[tuple[int, int]]:
        """(first, end) token indexes of each clause."""
        bounds = sorted({0, *self.clause_starts, len(self.tokens)})
        return list(itertools.pairwise(bounds))


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def clauses(text: str) -> list[list[str]]:
    """Folded tokens of each clause (split at sentence ends, commas, semicolons and dashes)."""
    out = []
    for sentence in split_sentences(text):
        for clause in _CLAUSE_BREAK.split(sentence):
            tokens = fold(clause).split()
            if tokens:
                out.append(tokens)
    return out


def segment_turn(
    turn_index: int, text: str, respell: Mapping[str, str] | None = None
) -> list[Segment]:
    """A turn's sentences, folded; `respell` maps ASR spellings ("btaiye") to the usual one."""
    segments = []
    cursor = 0
    for sentence_index, sentence in enumerate(split_sentences(text)):
        found = text.find(sentence, cursor)
        char_start = found if found >= 0 else cursor
        cursor = char_start + len(sentence)
        clause_starts: set[int] = set()
        words: list[str] = []
        for clause in _CLAUSE_BREAK.split(sentence):
            plain = normalize(clause).split()
            if respell:  # before folding: "full" (charge) and "phool" (swollen) fold alike
                plain = [w for t in plain for w in respell.get(t, t).split()]
            folded_clause = [fold_word(w) for w in plain]
            if folded_clause:
                clause_starts.add(len(words))
                words.extend(folded_clause)
        if not words:
            continue
        segments.append(
            Segment(
                turn_index=turn_index,
                sentence_index=sentence_index,
                quote=sentence,
                folded=" ".join(words),
                tokens=tuple(words),
                clause_starts=frozenset(clause_starts),
                is_question=sentence.rstrip().endswith(("?", "\uff1f")),
                char_start=char_start,
            )
        )
    return segments


@dataclass(frozen=True, slots=True)
class Hit:
    segment: Segment
    start_token: int
    end_token: int  # exclusive
    text: str


def find_hits(regex: re.Pattern[str], segment: Segment) -> list[Hit]:
    """Cue matches, each within one clause: "drive slowly, don't touch it" is no "don't drive"."""
    hits = []
    tokens = segment.tokens
    for lo, hi in segment.clause_spans():
        clause = " ".join(tokens[lo:hi])
        word_starts = list(
            itertools.accumulate((len(t) + 1 for t in tokens[lo : hi - 1]), initial=0)
        )
        for m in regex.finditer(clause):
            first = lo + bisect.bisect_right(word_starts, m.start()) - 1
            last = lo + bisect.bisect_right(word_starts, max(m.start(), m.end() - 1))
            hits.append(Hit(segment, first, last, m.group()))
    return hits


class NegationScope:
    """Decides whether a cue is negated: "not swollen", "no smoke", "dhuan nahi", "फूली नहीं"."""

    def __init__(
        self,
        before: Sequence[str],
        after: Sequence[str],
        window: int = 3,
        adjacent: Sequence[str] = (),
    ) -> None:
        self._before = frozenset(fold_word(normalize(w)) for w in before)
        self._adjacent = frozenset(fold_word(normalize(w)) for w in adjacent)
        self._after = frozenset(fold_word(normalize(w)) for w in after)
        self._window = window

    def has_negator(self, tokens: Iterable[str]) -> bool:
        """Whether any token negates what follows it ("not", "no", "नहीं")."""
        return any(t in self._before or t in self._adjacent for t in tokens)

    def has_trailing_negator(self, tokens: Iterable[str]) -> bool:
        """Whether any token negates what precedes it (Hindi order: "accha nahi")."""
        return any(t in self._after for t in tokens)

    def is_negated(self, hit: Hit) -> bool:
        tokens, clauses = hit.segment.tokens, hit.segment.clause_starts
        for i in range(hit.start_token - 1, max(-1, hit.start_token - 1 - self._window), -1):
            if i + 1 in clauses:
                break
            if tokens[i] in self._before or (
                i == hit.start_token - 1 and tokens[i] in self._adjacent
            ):
                return True
        stop = min(len(tokens), hit.end_token + self._window)
        for i in range(hit.end_token, stop):
            if i in clauses:
                break
            if tokens[i] in self._after:
                return True
        return False
