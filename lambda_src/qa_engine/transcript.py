"""Amazon Transcribe output -> a Conversation of agent and customer turns.

Reads every shape Transcribe writes for a two-party call:
- batch jobs with channel identification (`channel_labels`), where the agent is `ch_0`
  (LiveKit Egress puts agent-kind participants on the left channel);
- batch jobs with speaker labels (`speaker_labels`), where the agent is whoever speaks the
  agent's script, never decided by label order (diarization often over-splits a caller);
- both the legacy item shape (no ids, labels only in the label sections) and the current one
  (`id` and `channel_label`/`speaker_label` on each item, `audio_segments`);
- Call Analytics output (`Transcript` with `ParticipantRole`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from qa_engine.errors import EmptyTranscriptError, TranscriptFormatError
from qa_engine.models import Conversation, Speaker, Turn

AGENT_CHANNEL = "ch_0"
# A pause this long inside one speaker's speech starts a new turn.
TURN_PAUSE_SECONDS = 2.0
_NO_SPACE_BEFORE = set(".,?!;:%)\u0964")


@dataclass
class _Word:
    label: str
    start: float
    end: float
    content: str
    punctuation: list[str] = field(default_factory=list)


@dataclass
class LabelledTurn:
    """A turn before roles are known: `label` is the channel or speaker label."""

    label: str
    start: float
    end: float
    words: list[str]

    @property
    def text(self) -> str:
        out = ""
        for w in self.words:
            out += w if (not out or w[:1] in _NO_SPACE_BEFORE) else " " + w
        return out


AgentPicker = Callable[[list[LabelledTurn]], str]


def load_transcript(raw: bytes | str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TranscriptFormatError(f"not JSON ({exc.__class__.__name__}: {exc})") from None
    if not isinstance(data, dict):
        raise TranscriptFormatError("not an Amazon Transcribe output (top level is not an object)")
    return data


def parse_transcript(data: dict[str, Any], pick_agent: AgentPicker) -> Conversation:
    """Parse a Transcribe output document; `pick_agent` names the agent's speaker label."""
    if "Transcript" in data and "Participants" in data:
        return _parse_call_analytics(data)
    results = data.get("results")
    if not isinstance(results, dict) or "items" not in results:
        raise TranscriptFormatError(
            "not an Amazon Transcribe output (no results.items and no Call Analytics Transcript)"
        )
    language = _language(data, results)
    if results.get("channel_labels"):
        words = _channel_words(results)
        fmt = "transcribe-channels"
        agent_label = AGENT_CHANNEL
        labelled = _group_turns(words)
        _require_both_parties(labelled, agent_label, "channel")
    else:
        words = _speaker_words(results)
        fmt = "transcribe-speakers"
        labelled = _group_turns(words)
        if not labelled:
            raise EmptyTranscriptError("the transcript contains no words")
        if len({t.label for t in labelled}) < 2:
            raise EmptyTranscriptError(
                "only one speaker was found: no way to tell the agent from the customer "
                "(transcribe two-channel audio with channel identification)"
            )
        agent_label = pick_agent(labelled)
    if "audio_segments" in results or any("id" in i for i in results["items"][:1]):
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
    if not code and isinstance(results.get("language_identification"), list):
        ranked = results["language_identification"]
        if ranked:
            code = max(ranked, key=lambda r: float(r.get("score", 0))).get("code")
    return code


def _float(value: Any, what: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TranscriptFormatError(f"{what} is not a number: {value!r}") from None


def _content(item: dict[str, Any]) -> str:
    alternatives = item.get("alternatives") or [{}]
    return str(alternatives[0].get("content", "")).strip()


def _words_from_items(items: Iterable[dict[str, Any]], label_of: Callable[[dict], str | None]):
    """Pronunciation items become words; punctuation attaches to the word before it."""
    words: list[_Word] = []
    last_by_label: dict[str, _Word] = {}
    last: _Word | None = None
    for item in items:
        content = _content(item)
        if not content:
            continue
        if item.get("type") == "punctuation":
            own = item.get("channel_label") or item.get("speaker_label")
            target = last_by_label.get(own) if own else last
            if target is not None:
                target.punctuation.append(content)
            continue
        label = label_of(item)
        if label is None:
            raise TranscriptFormatError(
                "items carry no speaker or channel label: run the job with channel "
                "identification or speaker labels"
            )
        word = _Word(
            label=label,
            start=_float(item.get("start_time"), "start_time"),
            end=_float(item.get("end_time"), "end_time"),
            content=content,
        )
        words.append(word)
        last_by_label[label] = last = word
    return words


def _channel_words(results: dict[str, Any]) -> list[_Word]:
    channels = results["channel_labels"].get("channels") or []
    if channels and any(ch.get("items") for ch in channels):
        words: list[_Word] = []
        for channel in channels:
            label = channel.get("channel_label")
            words += _words_from_items(channel.get("items", []), lambda _i, lb=label: lb)
        return sorted(words, key=lambda w: (w.start, w.end))
    return sorted(
        _words_from_items(results["items"], lambda i: i.get("channel_label")),
        key=lambda w: (w.start, w.end),
    )


def _speaker_words(results: dict[str, Any]) -> list[_Word]:
    items = results["items"]
    if any("speaker_label" in i for i in items):
        return _words_from_items(items, lambda i: i.get("speaker_label"))
    segments = (results.get("speaker_labels") or {}).get("segments")
    if not segments:
        raise TranscriptFormatError(
            "the transcript has neither channel_labels nor speaker_labels: run the Transcribe "
            "job with ChannelIdentification or ShowSpeakerLabels"
        )
    by_time: dict[tuple[str, str], str] = {}
    by_start: dict[float, str] = {}
    for segment in segments:
        for item in segment.get("items", []):
            label = item.get("speaker_label") or segment.get("speaker_label")
            by_time[(str(item.get("start_time")), str(item.get("end_time")))] = label
            by_start[_float(item.get("start_time"), "start_time")] = label

    def label_of(item: dict[str, Any]) -> str | None:
        key = (str(item.get("start_time")), str(item.get("end_time")))
        if key in by_time:
            return by_time[key]
        return by_start.get(_float(item.get("start_time"), "start_time"))

    return _words_from_items(items, label_of)


def _group_turns(words: list[_Word]) -> list[LabelledTurn]:
    turns: list[LabelledTurn] = []
    for w in words:
        token = w.content + "".join(w.punctuation)
        current = turns[-1] if turns else None
        if (
            current is not None
            and current.label == w.label
            and w.start - current.end < TURN_PAUSE_SECONDS
        ):
            current.words.append(token)
            current.end = max(current.end, w.end)
        else:
            turns.append(LabelledTurn(w.label, w.start, w.end, [token]))
    return turns


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
    merged: list[tuple[Speaker, float, float, list[str]]] = []
    for t in labelled:
        role = Speaker.AGENT if t.label == agent_label else Speaker.CUSTOMER
        if merged and merged[-1][0] is role and t.start - merged[-1][2] < TURN_PAUSE_SECONDS:
            prev = merged[-1]
            merged[-1] = (role, prev[1], max(prev[2], t.end), prev[3] + t.words)
        else:
            merged.append((role, t.start, t.end, list(t.words)))
    return [
        Turn(
            index=i,
            speaker=role,
            text=LabelledTurn("", start, end, words).text,
            start_time=start,
            end_time=end,
        )
        for i, (role, start, end, words) in enumerate(merged)
    ]


def _parse_call_analytics(data: dict[str, Any]) -> Conversation:
    roles = {"AGENT": Speaker.AGENT, "CUSTOMER": Speaker.CUSTOMER}
    turns: list[Turn] = []
    for entry in data.get("Transcript") or []:
        role = roles.get(str(entry.get("ParticipantRole", "")).upper())
        content = str(entry.get("Content", "")).strip()
        if role is None or not content:
            continue
        start = _float(entry.get("BeginOffsetMillis", 0), "BeginOffsetMillis") / 1000
        end = _float(entry.get("EndOffsetMillis", 0), "EndOffsetMillis") / 1000
        if turns and turns[-1].speaker is role:
            prev = turns[-1]
            turns[-1] = prev.model_copy(
                update={"text": f"{prev.text} {content}", "end_time": max(prev.end_time, end)}
            )
        else:
            turns.append(
                Turn(index=len(turns), speaker=role, text=content, start_time=start, end_time=end)
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
        language_code=data.get("LanguageCode"),
        duration_seconds=max(t.end_time for t in turns),
    )
