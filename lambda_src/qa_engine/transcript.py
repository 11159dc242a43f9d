"""Amazon Transcribe output -> a Conversation of agent and customer turns.

Reads every shape Transcribe writes for a two-party call:
- batch jobs with channel identification (`channel_labels`), where the agent is `ch_0`
  (LiveKit Egress puts agent-kind participants on the left channel);
- batch jobs with speaker labels (`speaker_labels`), where the agent is whoever speaks the
  agent's script, never decided by label order (diarization often over-splits a caller);
- both the legacy item shape (no ids, labels only in the label sections) and the current one
  (`id` and `channel_label`/`speaker_label` on each item, `audio_segments`);
- Call Analytics output (`Transcript` with `ParticipantRole`).

Turns are built per channel first, then ordered. On a real two-channel call the sides talk
over each other and Transcribe lists both channels' items in time order, so a turn builder
that walks the merged list cuts both speakers' sentences apart. Here each side's words are
cut into pieces at its own sentence ends, segment ends and pauses; the pieces of both sides
are ordered by when they start, and a backchannel ("haan ji", "okay") spoken under the other
side's turn is set after that turn instead of splitting it.

Every field is checked before use: a malformed document is one `TranscriptFormatError` line
naming the field and the problem, never a traceback.
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from qa_engine.errors import EmptyTranscriptError, TranscriptFormatError
from qa_engine.models import Conversation, Speaker, Turn
from qa_engine.text import fold, fold_word, normalize

AGENT_CHANNEL = "ch_0"
# A pause this long inside one speaker's speech starts a new turn.
TURN_PAUSE_SECONDS = 2.0
# Without punctuation, a pause this long still ends a piece of one side's speech.
PIECE_PAUSE_SECONDS = 1.0
# An unpunctuated pause this long ends a piece when the other side speaks around it.
CROSSTALK_PAUSE_SECONDS = 0.15
# How far before a pause the other side may have started and still be answering.
EARLY_REPLY_SECONDS = 1.6
# ... or how soon after this side starts again, when the reply runs on under it.
OVERLAPPED_REPLY_SECONDS = 0.8
# Words of the other side, started around a pause, that make it a turn end in a punctuated
# transcript (in an unpunctuated one, one word does).
REPLY_MIN_WORDS = 3
# A backchannel is at most this many words, all of them listening sounds.
BACKCHANNEL_MAX_WORDS = 4
OVERLAP_TOLERANCE_SECONDS = 0.25
# A pause at least this long, filled by the other side's "ji", was a pause for an answer.
ANSWERED_PAUSE_SECONDS = 0.2
# Resuming this soon after a pause, a speaker had not heard what the other side began in it.
RESUME_SECONDS = 0.6
# Longer than any call; a time beyond it is a corrupt file, not a long call.
MAX_SECONDS = 48 * 3600
# A time as Transcribe writes it: "12.345", also "1e2" or "Infinity" (refused after parsing).
_DECIMAL = re.compile(
    r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:inf|infinity|nan)", re.IGNORECASE
)
MAX_MILLIS = MAX_SECONDS * 1000
SENTENCE_END = frozenset(".?!\u0964")
_NO_SPACE_BEFORE = set(".,?!;:%)\u0964")


@dataclass
class _Word:
    label: str
    start: float
    end: float
    content: str
    punctuation: list[str] = field(default_factory=list)
    segment: int | None = None  # the audio segment the word belongs to, when known

    @property
    def token(self) -> str:
        return self.content + "".join(self.punctuation)

    @property
    def ends_sentence(self) -> bool:
        return any(p[-1:] in SENTENCE_END for p in self.punctuation) or (
            self.content[-1:] in SENTENCE_END
        )


@dataclass
class LabelledTurn:
    """A turn before roles are known: `label` is the channel or speaker label."""

    label: str
    start: float
    end: float
    words: list[str]
    times: list[float] = field(default_factory=list)  # start time of each word
    backchannel: bool = False

    @property
    def text(self) -> str:
        return _join(self.words)[0]

    def absorb(self, other: LabelledTurn) -> None:
        self.words += other.words
        self.times += other.times
        self.end = max(self.end, other.end)
        self.backchannel = self.backchannel and other.backchannel


AgentPicker = Callable[[list[LabelledTurn]], str]


def _join(words: list[str]) -> tuple[str, list[int]]:
    """The text of a run of tokens and the character offset where each token starts."""
    out = ""
    offsets = []
    for w in words:
        if out and w[:1] not in _NO_SPACE_BEFORE:
            out += " "
        offsets.append(len(out))
        out += w
    return out, offsets


def load_transcript(raw: bytes | str) -> dict[str, Any]:
    if not isinstance(raw, bytes | bytearray | str):
        raise TranscriptFormatError("not an Amazon Transcribe output (not JSON text)")
    try:
        data = json.loads(raw, parse_constant=_reject_constant)
    # ValueError covers JSONDecodeError and integers past Python's digit limit.
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        reason = f"{exc.__class__.__name__}: {exc}" if str(exc) else exc.__class__.__name__
        raise TranscriptFormatError(f"not JSON ({reason})") from None
    if not isinstance(data, dict):
        raise TranscriptFormatError("not an Amazon Transcribe output (top level is not an object)")
    return data


def _reject_constant(name: str) -> float:
    raise TranscriptFormatError(f"not valid JSON: {name} is not a number JSON allows")


# --- field checks -------------------------------------------------------------------------


def _require(value: Any, kind: type | tuple[type, ...], where: str, what: str) -> Any:
    if not isinstance(value, kind) or isinstance(value, bool):
        raise TranscriptFormatError(f"{where} is not {what} (got {_shown(value)})")
    return value


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=True, default=str) if value is not None else "null"
    return text if len(text) <= 40 else text[:37] + "..."


def _time(value: Any, where: str, limit: float = MAX_SECONDS) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, str | int | float)
        or (isinstance(value, str) and not _DECIMAL.fullmatch(value.strip()))
    ):
        raise TranscriptFormatError(f"{where} is not a time in seconds (got {_shown(value)})")
    try:
        seconds = float(value)
    except (ValueError, OverflowError):
        raise TranscriptFormatError(
            f"{where} is not a time in seconds (got {_shown(value)})"
        ) from None
    if not math.isfinite(seconds) or seconds < 0 or seconds > limit:
        raise TranscriptFormatError(
            f"{where} must be a finite, non-negative time in seconds (got {_shown(value)})"
        )
    return seconds


def _content(item: dict[str, Any], where: str) -> str:
    alternatives = item.get("alternatives")
    if alternatives is None:
        raise TranscriptFormatError(f"{where} has no alternatives")
    _require(alternatives, list, f"{where}.alternatives", "a list")
    if not alternatives:
        return ""
    first = _require(alternatives[0], dict, f"{where}.alternatives[0]", "an object")
    content: str = _require(
        first.get("content", ""), str, f"{where}.alternatives[0].content", "text"
    )
    return content.strip()


def _label(value: Any, where: str) -> str | None:
    if value is None:
        return None
    label: str = _require(value, str, where, "a label (text)")
    return label


# --- words --------------------------------------------------------------------------------


def _words_from_items(
    items: Any,
    where: str,
    label_of: Callable[[dict[str, Any], str], str | None],
    segment_of: dict[Any, int] | None = None,
) -> list[_Word]:
    """Pronunciation items become words; punctuation attaches to the word before it."""
    _require(items, list, where, "a list")
    words: list[_Word] = []
    last_by_label: dict[str, _Word] = {}
    last: _Word | None = None
    for n, item in enumerate(items):
        at = f"{where}[{n}]"
        _require(item, dict, at, "an object")
        kind = item.get("type", "pronunciation")
        if kind not in ("pronunciation", "punctuation"):
            raise TranscriptFormatError(f"{at}.type is {_shown(kind)}, not pronunciation")
        content = _content(item, at)
        if not content:
            continue
        if kind == "punctuation":
            own = _label(item.get("channel_label") or item.get("speaker_label"), f"{at} label")
            target = last_by_label.get(own) if own else last
            if target is not None:
                target.punctuation.append(content)
            continue
        label = label_of(item, at)
        if label is None:
            raise TranscriptFormatError(
                "items carry no speaker or channel label: run the job with channel "
                "identification or speaker labels"
            )
        start = _time(item.get("start_time"), f"{at}.start_time")
        end = _time(item.get("end_time"), f"{at}.end_time")
        if end < start:
            raise TranscriptFormatError(f"{at} ends ({end}) before it starts ({start})")
        segment = segment_of.get(_item_id(item, n)) if segment_of is not None else None
        word = _Word(label, start, end, content, segment=segment)
        words.append(word)
        last_by_label[label] = last = word
    return words


def _segment_index(results: dict[str, Any], items: list[Any]) -> dict[Any, int] | None:
    """Item id -> audio segment number, from `audio_segments` when the file has them."""
    segments = results.get("audio_segments")
    if segments is None:
        return None
    _require(segments, list, "results.audio_segments", "a list")
    ids = {_item_id(item, n) for n, item in enumerate(items)}
    index: dict[Any, int] = {}
    for s, segment in enumerate(segments):
        at = f"results.audio_segments[{s}]"
        _require(segment, dict, at, "an object")
        members = _require(segment.get("items", []), list, f"{at}.items", "a list of item ids")
        for m in members:
            if isinstance(m, bool) or not isinstance(m, int | str) or m not in ids:
                raise TranscriptFormatError(
                    f"{at}.items names item {_shown(m)}, which is not in results.items"
                )
            index[m] = s
    return index


def _item_id(item: Any, position: int) -> Any:
    """An item's `id` when it has a usable one (current shape), else its position."""
    value = item.get("id", position) if isinstance(item, dict) else position
    return value if isinstance(value, int | str) and not isinstance(value, bool) else position


def _fixed(label: str) -> Callable[[dict[str, Any], str], str | None]:
    """Every item of a channel has the channel's label."""
    return lambda _item, _at: label


def _item_label(key: str) -> Callable[[dict[str, Any], str], str | None]:
    return lambda item, at: _label(item.get(key), f"{at}.{key}")


def _channel_words(results: dict[str, Any]) -> list[_Word]:
    channel_labels = _require(
        results["channel_labels"], dict, "results.channel_labels", "an object"
    )
    channels = _require(
        channel_labels.get("channels") or [], list, "results.channel_labels.channels", "a list"
    )
    items = results["items"]
    segments = _segment_index(results, items)
    labelled_items = any(isinstance(i, dict) and "channel_label" in i for i in items)
    if segments is not None and labelled_items:
        return _words_from_items(items, "results.items", _item_label("channel_label"), segments)
    if any(isinstance(ch, dict) and ch.get("items") for ch in channels):
        words: list[_Word] = []
        for c, channel in enumerate(channels):
            at = f"results.channel_labels.channels[{c}]"
            _require(channel, dict, at, "an object")
            label = _label(channel.get("channel_label"), f"{at}.channel_label")
            if label is None:
                raise TranscriptFormatError(f"{at} has no channel_label")
            words += _words_from_items(channel.get("items", []), f"{at}.items", _fixed(label))
        return words
    return _words_from_items(items, "results.items", _item_label("channel_label"))


def _speaker_words(results: dict[str, Any]) -> list[_Word]:
    items = results["items"]
    if any(isinstance(i, dict) and "speaker_label" in i for i in items):
        segments = _segment_index(results, items)
        return _words_from_items(items, "results.items", _item_label("speaker_label"), segments)
    speaker_labels = results.get("speaker_labels") or {}
    _require(speaker_labels, dict, "results.speaker_labels", "an object")
    segments = speaker_labels.get("segments")
    if not segments:
        raise TranscriptFormatError(
            "the transcript has neither channel_labels nor speaker_labels: run the Transcribe "
            "job with ChannelIdentification or ShowSpeakerLabels"
        )
    _require(segments, list, "results.speaker_labels.segments", "a list")
    by_time: dict[tuple[float, float], str] = {}
    by_start: dict[float, str] = {}
    for s, segment in enumerate(segments):
        at = f"results.speaker_labels.segments[{s}]"
        _require(segment, dict, at, "an object")
        own = _label(segment.get("speaker_label"), f"{at}.speaker_label")
        members = _require(segment.get("items", []), list, f"{at}.items", "a list")
        for m, entry in enumerate(members):
            where = f"{at}.items[{m}]"
            _require(entry, dict, where, "an object")
            label = _label(entry.get("speaker_label"), f"{where}.speaker_label") or own
            if label is None:
                raise TranscriptFormatError(f"{where} has no speaker_label")
            start = _time(entry.get("start_time"), f"{where}.start_time")
            end = _time(entry.get("end_time"), f"{where}.end_time")
            by_time[(start, end)] = label
            by_start[start] = label

    def label_of(item: dict[str, Any], at: str) -> str | None:
        start = _time(item.get("start_time"), f"{at}.start_time")
        end = _time(item.get("end_time"), f"{at}.end_time")
        return by_time.get((start, end)) or by_start.get(start)

    return _words_from_items(items, "results.items", label_of)


# --- turns --------------------------------------------------------------------------------


def _pieces(
    words: list[_Word], others: list[_Word], fillers: Collection[str], heard: _Heard
) -> list[LabelledTurn]:
    """One side's words cut at its sentence ends, segment ends and pauses.

    A short pause also ends a piece when the other side started saying something in it (or
    just before it): that is a reply overlapping the end of a turn. Where the side writes
    punctuation, that takes a reply of a few words, so a word or two of interruption never
    cuts a sentence. A short pause after nothing but listening sounds ("haan ji ... the
    battery is hot") ends a piece too, so the backchannel stays apart from the reply.
    """
    if not words:
        return []
    punctuated = any(w.punctuation or w.content[-1:] in SENTENCE_END for w in words)
    reply_words = 1 if not punctuated else REPLY_MIN_WORDS
    other_starts = sorted(w.start for w in others)
    pieces = [LabelledTurn(words[0].label, words[0].start, words[0].end, [], [])]
    for prev, word in zip([None, *words], words, strict=False):
        if prev is not None:
            gap = word.start - prev.end
            piece = pieces[-1]
            cut = (
                gap >= PIECE_PAUSE_SECONDS
                or prev.ends_sentence
                or (word.segment is not None and word.segment != prev.segment)
                or (
                    gap >= CROSSTALK_PAUSE_SECONDS
                    and len(piece.words) <= BACKCHANNEL_MAX_WORDS
                    and all(fold(w) in fillers for w in piece.words)
                    and fold(word.content) not in fillers
                )
                or (
                    gap >= CROSSTALK_PAUSE_SECONDS
                    and _started(
                        other_starts,
                        prev.end - EARLY_REPLY_SECONDS,
                        word.start + OVERLAPPED_REPLY_SECONDS,
                    )
                    >= reply_words
                )
                # The other side spoke right through a pause ("... ho jaati hai [theek
                # hai] okay sir ..."): they answered, and the speaker went on to a new turn.
                or (gap >= ANSWERED_PAUSE_SECONDS and heard.covers(prev.end, word.start))
            )
            if cut:
                pieces.append(LabelledTurn(word.label, word.start, word.end, [], []))
        piece = pieces[-1]
        piece.words.append(word.token)
        piece.times.append(word.start)
        piece.end = max(piece.end, word.end)
    return pieces


def _started(starts: list[float], lo: float, hi: float) -> int:
    """How many of the other side's words start in [lo, hi)."""
    return bisect.bisect_left(starts, hi) - bisect.bisect_left(starts, lo)


class _Heard:
    """Everything the other side said, listening sounds too, to ask what filled a pause."""

    def __init__(self, words: list[_Word]) -> None:
        self.words = sorted(words, key=lambda w: w.start)
        self.starts = [w.start for w in self.words]

    def covers(self, lo: float, hi: float) -> bool:
        """Whether the other side was speaking for most of [lo, hi]."""
        spoken = 0.0
        n = bisect.bisect_left(self.starts, hi)
        for w in reversed(self.words[max(0, n - 8) : n]):
            spoken += max(0.0, min(w.end, hi) - max(w.start, lo))
        return spoken >= (hi - lo) / 2


class _Spans:
    """The other side's pieces, for asking quickly whether any overlaps a stretch of time."""

    def __init__(self, pieces: list[LabelledTurn]) -> None:
        ordered = sorted(pieces, key=lambda p: p.start)
        self.starts = [p.start for p in ordered]
        self.latest_end = list(itertools.accumulate((p.end for p in ordered), max))

    def overlaps(self, lo: float, hi: float) -> bool:
        """Whether a piece starts before `hi` and ends after `lo`."""
        n = bisect.bisect_left(self.starts, hi)
        return n > 0 and self.latest_end[n - 1] > lo


def _is_backchannel(piece: LabelledTurn, fillers: Collection[str], others: _Spans) -> bool:
    if len(piece.words) > BACKCHANNEL_MAX_WORDS:
        return False
    tokens = [fold_word(t) for w in piece.words for t in normalize(w).split()]
    if not tokens or not all(t in fillers for t in tokens):
        return False
    return others.overlaps(
        piece.start - OVERLAP_TOLERANCE_SECONDS, piece.end + OVERLAP_TOLERANCE_SECONDS
    )


def build_turns(words: list[_Word], fillers: Collection[str] = ()) -> list[LabelledTurn]:
    """Per-side pieces, ordered by start; a side's adjacent pieces join into one turn."""
    by_label: dict[str, list[_Word]] = {}
    for w in sorted(words, key=lambda w: (w.start, w.end)):
        by_label.setdefault(w.label, []).append(w)
    # What the other side says under a pause, other than listening sounds, makes it a turn end.
    speech = [w for w in words if fold(w.content) not in fillers]
    pieces: dict[str, list[LabelledTurn]] = {
        label: _pieces(
            own,
            [w for w in speech if w.label != label],
            fillers,
            _Heard([w for w in words if w.label != label]),
        )
        for label, own in by_label.items()
    }
    spoken: list[LabelledTurn] = []
    listening: list[LabelledTurn] = []
    for label, own in pieces.items():
        others = _Spans([p for other, ps in pieces.items() if other != label for p in ps])
        for piece in own:
            if fillers and _is_backchannel(piece, fillers, others):
                piece.backchannel = True
                listening.append(piece)
            else:
                spoken.append(piece)
    turns: list[LabelledTurn] = []
    order = _speaking_order(spoken)
    for piece in sorted(spoken, key=lambda p: (order[id(p)], p.end)):
        current = turns[-1] if turns else None
        if (
            current is not None
            and current.label == piece.label
            and piece.start - current.end < TURN_PAUSE_SECONDS
            and not _answered(current, piece, listening)
        ):
            current.absorb(piece)
        else:
            turns.append(piece)
    # A backchannel goes after the turn it was said under, never inside it.
    starts = [t.start for t in turns]
    placed: list[tuple[int, int, LabelledTurn]] = [(i, 0, t) for i, t in enumerate(turns)]
    for n, piece in enumerate(sorted(listening, key=lambda p: (p.start, p.end)), start=1):
        placed.append((max(0, bisect.bisect_right(starts, piece.start) - 1), n, piece))
    return [t for _, _, t in sorted(placed, key=lambda x: (x[0], x[1]))]


def _answered(before: LabelledTurn, after: LabelledTurn, listening: list[LabelledTurn]) -> bool:
    """Whether the other side answered `before` ("ji", "theek hai") in a pause before `after`.

    A listening sound said under a turn leaves it whole; one that runs past the turn's end
    into a pause answers it: what the speaker says after the pause is a turn of its own.
    """
    if after.start - before.end < ANSWERED_PAUSE_SECONDS:
        return False  # no pause to answer in: the speaker talked on over it
    return any(
        b.label != before.label and b.start < after.start and b.end > before.end for b in listening
    )


def _speaking_order(pieces: list[LabelledTurn]) -> dict[int, float]:
    """When each piece joins the conversation: its start, unless the other side talked on
    through it. A speaker who resumes within `RESUME_SECONDS` and finishes a sentence while
    the other side is still talking was not answering them: the other side's piece then
    comes after that sentence, and after the next one too if it goes on talking through that
    ("... this is Karen. [caller starts] How can I help you?" keeps the greeting whole)."""
    by_label: dict[str, list[LabelledTurn]] = {}
    for p in sorted(pieces, key=lambda p: (p.start, p.end)):
        by_label.setdefault(p.label, []).append(p)
    order = {id(p): p.start for p in pieces}
    for label, own in by_label.items():
        others = sorted(
            (p for other, ps in by_label.items() if other != label for p in ps),
            key=lambda p: p.start,
        )
        starts = [p.start for p in others]
        carried: list[LabelledTurn] = []  # deferred past the previous sentence
        for before, after in itertools.pairwise(own):
            if after.start - before.end > RESUME_SECONDS:
                carried = []
                continue
            lo = bisect.bisect_left(starts, before.start)
            hi = bisect.bisect_left(starts, after.start)
            deferred = []
            for p in [*carried, *others[lo:hi]]:
                if p.end >= after.end:
                    order[id(p)] = max(order[id(p)], after.start + 1e-3)
                    deferred.append(p)
            carried = deferred
    return order


def parse_transcript(
    data: dict[str, Any], pick_agent: AgentPicker, fillers: Collection[str] = ()
) -> Conversation:
    """Parse a Transcribe output document; `pick_agent` names the agent's speaker label.

    `fillers` are the folded listening sounds ("haan", "ji", "okay") a backchannel is made of.
    """
    if not isinstance(data, dict):
        raise TranscriptFormatError("not an Amazon Transcribe output (top level is not an object)")
    if "Transcript" in data and "Participants" in data:
        return _parse_call_analytics(data)
    results = data.get("results")
    if not isinstance(results, dict) or "items" not in results:
        raise TranscriptFormatError(
            "not an Amazon Transcribe output (no results.items and no Call Analytics Transcript)"
        )
    _require(results["items"], list, "results.items", "a list")
    language = _language(data, results)
    if results.get("channel_labels"):
        words = _channel_words(results)
        fmt = "transcribe-channels"
        agent_label = AGENT_CHANNEL
        labelled = build_turns(words, fillers)
        _require_both_parties(labelled, agent_label, "channel")
    else:
        words = _speaker_words(results)
        fmt = "transcribe-speakers"
        labelled = build_turns(words, fillers)
        if not labelled:
            raise EmptyTranscriptError("the transcript contains no words")
        if len({t.label for t in labelled}) < 2:
            raise EmptyTranscriptError(
                "only one speaker was found: no way to tell the agent from the customer "
                "(transcribe two-channel audio with channel identification)"
            )
        agent_label = pick_agent([t for t in labelled if not t.backchannel] or labelled)
    first = results["items"][:1]
    if "audio_segments" in results or (first and isinstance(first[0], dict) and "id" in first[0]):
        fmt += "-current"
    turns = _assign_roles(labelled, agent_label)
    return Conversation(
        turns=turns,
        source_format=fmt,
        language_code=language,
        duration_seconds=max((t.end_time for t in turns), default=0.0),
    )


def _language(data: dict[str, Any], results: dict[str, Any]) -> str | None:
    code = results.get("language_code") or data.get("language_code")
    ranked = results.get("language_identification")
    if not code and isinstance(ranked, list) and ranked:
        candidates = [r for r in ranked if isinstance(r, dict) and isinstance(r.get("code"), str)]

        def score(r: dict[str, Any]) -> float:
            try:
                value = float(r.get("score", 0))
            except (TypeError, ValueError, OverflowError):
                return 0.0
            return value if math.isfinite(value) else 0.0

        if candidates:
            code = max(candidates, key=score)["code"]
    return code if isinstance(code, str) else None


def _require_both_parties(turns: list[LabelledTurn], agent_label: str, kind: str) -> None:
    labels = {t.label for t in turns}
    if not turns:
        raise EmptyTranscriptError("the transcript contains no words")
    if agent_label not in labels:
        raise EmptyTranscriptError(f"no speech from the agent ({kind} {agent_label})")
    if labels == {agent_label}:
        raise EmptyTranscriptError(f"no speech from the customer (only {kind} {agent_label})")


def _assign_roles(labelled: list[LabelledTurn], agent_label: str) -> list[Turn]:
    """Map labels to roles; adjacent turns of one role (an over-split caller) merge."""
    merged: list[tuple[Speaker, LabelledTurn]] = []
    for t in labelled:
        role = Speaker.AGENT if t.label == agent_label else Speaker.CUSTOMER
        if (
            merged
            and merged[-1][0] is role
            and not (t.backchannel and not merged[-1][1].backchannel)
            and t.start - merged[-1][1].end < TURN_PAUSE_SECONDS
        ):
            merged[-1][1].absorb(t)
        else:
            merged.append(
                (
                    role,
                    LabelledTurn(
                        t.label, t.start, t.end, list(t.words), list(t.times), t.backchannel
                    ),
                )
            )
    turns = []
    for i, (role, t) in enumerate(merged):
        text, offsets = _join(t.words)
        times = t.times if len(t.times) == len(offsets) else [t.start] * len(offsets)
        turns.append(
            Turn(
                index=i,
                speaker=role,
                text=text,
                start_time=t.start,
                end_time=t.end,
                word_times=tuple(zip(offsets, times, strict=True)),
                backchannel=t.backchannel,
            )
        )
    return turns


def _begin_offset(numbered: tuple[int, Any]) -> tuple[float, int]:
    """Sort key for Call Analytics entries: when they begin, then where they are listed."""
    n, entry = numbered
    begin = entry.get("BeginOffsetMillis", 0) if isinstance(entry, dict) else 0
    try:
        value = float(begin) if not isinstance(begin, bool) else 0.0
    except (TypeError, ValueError, OverflowError):
        value = 0.0
    return (value if math.isfinite(value) else 0.0, n)


def _parse_call_analytics(data: dict[str, Any]) -> Conversation:
    roles = {"AGENT": Speaker.AGENT, "CUSTOMER": Speaker.CUSTOMER}
    turns: list[Turn] = []
    entries = _require(data.get("Transcript") or [], list, "Transcript", "a list")
    for n, entry in sorted(enumerate(entries), key=_begin_offset):
        at = f"Transcript[{n}]"
        _require(entry, dict, at, "an object")
        role = roles.get(str(entry.get("ParticipantRole", "")).upper())
        content = _require(entry.get("Content", ""), str, f"{at}.Content", "text").strip()
        if role is None or not content:
            continue
        start = (
            _time(entry.get("BeginOffsetMillis", 0), f"{at}.BeginOffsetMillis", MAX_MILLIS) / 1000
        )
        end = _time(entry.get("EndOffsetMillis", 0), f"{at}.EndOffsetMillis", MAX_MILLIS) / 1000
        if end < start:
            raise TranscriptFormatError(f"{at} ends ({end} s) before it starts ({start} s)")
        if turns and turns[-1].speaker is role:
            prev = turns[-1]
            turns[-1] = prev.model_copy(
                update={
                    "text": f"{prev.text} {content}",
                    "end_time": max(prev.end_time, end),
                    "word_times": (*prev.word_times, (len(prev.text) + 1, start)),
                }
            )
        else:
            turns.append(
                Turn(
                    index=len(turns),
                    speaker=role,
                    text=content,
                    start_time=start,
                    end_time=max(start, end),
                    word_times=((0, start),),
                )
            )
    seen = Counter(t.speaker for t in turns)
    if not turns:
        raise EmptyTranscriptError("the Call Analytics transcript contains no turns")
    if len(seen) < 2:
        missing = "customer" if Speaker.CUSTOMER not in seen else "agent"
        raise EmptyTranscriptError(f"no speech from the {missing} in the Call Analytics transcript")
    return Conversation(
        turns=turns,
        source_format="transcribe-call-analytics",
        language_code=data.get("LanguageCode")
        if isinstance(data.get("LanguageCode"), str)
        else None,
        duration_seconds=max(t.end_time for t in turns),
    )
