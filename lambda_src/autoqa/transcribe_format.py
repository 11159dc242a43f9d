"""Writes the JSON that Amazon Transcribe writes, so everything downstream reads one format.

The local transcriber uses it for real recordings (channel identification, current item
shape); tests use it to turn labelled dialogues into every shape Transcribe produces.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any, Literal

Shape = Literal["current", "legacy"]
_TRAILING_PUNCT = re.compile(r"^(.*?)([.,?!;:\u0964]+)$")
SECONDS_PER_WORD = 0.32
PAUSE_BETWEEN_TURNS = 0.6


@dataclass
class Word:
    label: str  # ch_0 / ch_1 or spk_0 / spk_1 ...
    start: float
    end: float
    content: str
    confidence: float = 1.0
    punctuation: str = ""


def split_punctuation(token: str) -> tuple[str, str]:
    """'Smart,' -> ('Smart', ','): Transcribe keeps punctuation as separate items."""
    m = _TRAILING_PUNCT.match(token)
    return (m.group(1), m.group(2)[-1]) if m and m.group(1) else (token, "")


def _t(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") if value else "0.0"


class TranscribeJsonBuilder:
    def __init__(self, job_name: str, language_code: str = "en-IN") -> None:
        self.job_name = job_name
        self.language_code = language_code
        self.words: list[Word] = []

    def add(self, word: Word) -> None:
        self.words.append(word)

    def add_text(self, label: str, start: float, text: str) -> float:
        """Adds a sentence with evenly spaced word times; returns its end time."""
        t = start
        for token in text.split():
            content, punct = split_punctuation(token)
            self.add(Word(label, t, t + SECONDS_PER_WORD - 0.02, content, punctuation=punct))
            t += SECONDS_PER_WORD
        return t

    def _items(self, shape: Shape, label_key: str | None) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for w in sorted(self.words, key=lambda w: (w.start, w.end)):
            item: dict[str, Any] = {
                "start_time": _t(w.start),
                "end_time": _t(w.end),
                "alternatives": [{"confidence": f"{w.confidence:.4f}", "content": w.content}],
                "type": "pronunciation",
            }
            if shape == "current":
                item = {"id": len(items), **item}
                if label_key:
                    item[label_key] = w.label
            items.append(item)
            if w.punctuation:
                punct: dict[str, Any] = {
                    "alternatives": [{"confidence": "0.0", "content": w.punctuation}],
                    "type": "punctuation",
                }
                if shape == "current":
                    punct = {"id": len(items), **punct}
                    if label_key:
                        punct[label_key] = w.label
                items.append(punct)
        return items

    def _transcript(self) -> str:
        out = ""
        for w in sorted(self.words, key=lambda w: w.start):
            out += (" " if out else "") + w.content + w.punctuation
        return out

    def _audio_segments(self, label_key: str) -> list[dict[str, Any]]:
        """Each side's speech in segments of its own, split at its pauses, ordered by start."""
        ids: dict[int, list[int]] = {}
        item_id = 0
        ordered = sorted(self.words, key=lambda w: (w.start, w.end))
        for w in ordered:
            ids[id(w)] = [item_id] + ([item_id + 1] if w.punctuation else [])
            item_id += len(ids[id(w)])
        segments: list[dict[str, Any]] = []
        open_by_label: dict[str, dict[str, Any]] = {}
        for w in ordered:
            text = w.content + w.punctuation
            last = open_by_label.get(w.label)
            if last and w.start - float(last["end_time"]) < 1.0:
                last["transcript"] += " " + text
                last["end_time"] = _t(w.end)
                last["items"] += ids[id(w)]
            else:
                last = {
                    "transcript": text,
                    "start_time": _t(w.start),
                    "end_time": _t(w.end),
                    label_key: w.label,
                    "items": list(ids[id(w)]),
                }
                open_by_label[w.label] = last
                segments.append(last)
        return [{"id": n, **segment} for n, segment in enumerate(segments)]

    def _document(self, results: dict[str, Any]) -> dict[str, Any]:
        return {
            "jobName": self.job_name,
            "accountId": "000000000000",
            "status": "COMPLETED",
            "results": {
                "language_code": self.language_code,
                "transcripts": [{"transcript": self._transcript()}],
                **results,
            },
        }

    def channel_identification(self, shape: Shape = "current") -> dict[str, Any]:
        labels = sorted({w.label for w in self.words})
        channels = []
        for label in labels:
            own = TranscribeJsonBuilder(self.job_name)
            own.words = [w for w in self.words if w.label == label]
            channels.append({"channel_label": label, "items": own._items(shape, None)})
        results: dict[str, Any] = {
            "channel_labels": {"channels": channels, "number_of_channels": len(labels)},
            "items": self._items(shape, "channel_label"),
        }
        if shape == "current":
            results["audio_segments"] = self._audio_segments("channel_label")
        return self._document(results)

    def speaker_labels(self, shape: Shape = "current") -> dict[str, Any]:
        ordered = sorted(self.words, key=lambda w: (w.start, w.end))
        segments: list[dict[str, Any]] = []
        for w in ordered:
            entry = {"start_time": _t(w.start), "speaker_label": w.label, "end_time": _t(w.end)}
            if segments and segments[-1]["speaker_label"] == w.label:
                segments[-1]["items"].append(entry)
                segments[-1]["end_time"] = _t(w.end)
            else:
                segments.append(
                    {
                        "start_time": _t(w.start),
                        "speaker_label": w.label,
                        "end_time": _t(w.end),
                        "items": [entry],
                    }
                )
        speaker_labels: dict[str, Any] = {
            "speakers": len({w.label for w in self.words}),
            "segments": segments,
        }
        if shape == "current":
            speaker_labels["channel_label"] = "ch_0"
        results: dict[str, Any] = {
            "speaker_labels": speaker_labels,
            "items": self._items(shape, "speaker_label"),
        }
        if shape == "current":
            results["audio_segments"] = self._audio_segments("speaker_label")
        return self._document(results)


@dataclass(frozen=True)
class Crosstalk:
    """How two sides talk over each other in a synthetic call.

    Each reply starts `early` seconds (a range) before the other side stops, but never before
    the other side's last sentence began, and never so early that it is over before the other
    side stops: people answer the sentence they heard. Under every
    turn of at least `backchannel_words` words the listener says a short "haan ji" or "okay".
    """

    early: tuple[float, float] = (0.3, 1.5)
    backchannel_words: int = 12
    seed: int = 0


_BACKCHANNELS_LATIN = ("haan ji", "okay", "hmm", "ji", "right", "achha")
_BACKCHANNELS_DEVANAGARI = ("हां जी", "जी", "अच्छा", "हम्म")
_OWN_GAP = 0.25  # one side cannot start again before it has stopped
_REPLY_TAIL = 0.3  # an early reply still runs this long past the end of what it answers


def _last_sentence_offset(text: str) -> int:
    """Words before the last sentence of a turn."""
    tokens = text.split()
    for i in range(len(tokens) - 2, -1, -1):
        if tokens[i][-1:] in ".?!\u0964":
            return i + 1
    return 0


def _devanagari(text: str) -> bool:
    return any("\u0900" <= ch <= "\u097f" for ch in text)


def add_dialogue(
    builder: TranscribeJsonBuilder,
    turns: list[tuple[str, str]],
    labels: dict[str, str],
    crosstalk: Crosstalk | None = None,
) -> None:
    """Lays the turns out in time: one after another, or talking over each other."""
    if crosstalk is None:
        t = 0.5
        for role, text in turns:
            t = builder.add_text(labels[role], t, text) + PAUSE_BETWEEN_TURNS
        return
    rng = random.Random(crosstalk.seed)
    own_end = dict.fromkeys(labels.values(), 0.0)
    prev: tuple[str, float, float, str] | None = None  # label, start, end, text
    for role, text in turns:
        label = labels[role]
        if prev is None:
            start = 0.5
        elif prev[0] == label:
            start = prev[2] + PAUSE_BETWEEN_TURNS
        else:
            # A reply overlaps the end of what it answers; it cannot be over before that ends.
            duration = len(text.split()) * SECONDS_PER_WORD
            early = min(rng.uniform(*crosstalk.early), max(0.0, duration - _REPLY_TAIL))
            last_sentence = prev[1] + _last_sentence_offset(prev[3]) * SECONDS_PER_WORD
            start = max(prev[2] - early, last_sentence + 0.3)
        start = round(max(start, own_end[label] + _OWN_GAP), 3)
        end = builder.add_text(label, start, text)
        own_end[label] = end
        words = text.split()
        if len(words) >= crosstalk.backchannel_words:
            listener = next(v for v in labels.values() if v != label)
            choices = _BACKCHANNELS_DEVANAGARI if _devanagari(text) else _BACKCHANNELS_LATIN
            at = round(start + rng.uniform(0.35, 0.6) * (end - start), 3)
            if at > own_end[listener] + _OWN_GAP:
                own_end[listener] = builder.add_text(listener, at, rng.choice(choices))
        prev = (label, start, end, text)


def dialogue_to_transcribe(
    job_name: str,
    turns: list[tuple[str, str]],
    *,
    variant: Literal["channels", "speakers"] = "channels",
    shape: Shape = "current",
    agent_speaker: str = "spk_0",
    customer_speaker: str = "spk_1",
    crosstalk: Crosstalk | None = None,
) -> dict[str, Any]:
    """A dialogue of ("A" | "C", text) turns as Transcribe would have written it."""
    builder = TranscribeJsonBuilder(job_name)
    if variant == "channels":
        labels = {"A": "ch_0", "C": "ch_1"}
    else:
        labels = {"A": agent_speaker, "C": customer_speaker}
    add_dialogue(builder, turns, labels, crosstalk)
    if variant == "channels":
        return builder.channel_identification(shape)
    return builder.speaker_labels(shape)
