"""The deterministic SOP dialogue policy: the agent's answers with no LLM.

It reads the whole conversation (the same messages an LLM would get) and answers the
caller's last turn by Battery Smart's SOPs: safety instructions and a photo request for a
swollen battery, the registered number before any account matter, a supervisor when asked,
"anything else?" after every answer, and the closing script at the end. Hazards, swollen
batteries, money topics and requests for a human are read with QA's own rules
(`caller_signals`), so the bot acts exactly when QA expects it to. What it says is data in
`prompts/agent_policy.yaml`, in English, Hinglish and Hindi.

The line has no account system behind it, so the policy only says what the line can do: it
takes the caller's details and says the Battery Smart team will follow up. It never claims to
have verified a number, refunded or credited money, changed an account or raised a request.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel

from qa_engine.caller_signals import CallerSignals, caller_signals
from qa_engine.rubric import Rubric, default_prompts_dir
from qa_engine.text import compile_cues, fold, normalize

POLICY_FILE = "agent_policy.yaml"
Language = Literal["en", "hinglish", "hi"]
_DEVANAGARI = re.compile(r"[\u0900-\u097F]")
_DIGIT = re.compile(r"[0-9\u0966-\u096F]")


class Reply(BaseModel):
    en: str
    hinglish: str
    hi: str


class PolicySpec(BaseModel):
    cues: dict[str, list[str]]
    id_min_digits: int
    digit_words: dict[str, list[str]]
    hinglish_markers: list[str]
    replies: dict[str, Reply]


@dataclass(frozen=True)
class PolicyAnswer:
    text: str
    intents: tuple[str, ...]  # what the answer did: "safety", "ask_id", "closing", ...


def load_policy_spec(prompts_dir: Path | None = None) -> PolicySpec:
    path = (prompts_dir or default_prompts_dir()) / POLICY_FILE
    return PolicySpec.model_validate(yaml.safe_load(path.read_text("utf-8")))


def message_text(content: Any) -> str:
    """A message's text, whether it is a string or a list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, Mapping))
    return ""


class SopPolicy:
    def __init__(self, rubric: Rubric, spec: PolicySpec) -> None:
        self.rubric = rubric
        self.spec = spec
        self._cues = {name: compile_cues(patterns) for name, patterns in spec.cues.items()}
        self._digit_words = {fold(normalize(w)) for ws in spec.digit_words.values() for w in ws}
        self._hinglish = {fold(normalize(w)) for w in spec.hinglish_markers}
        # What each reply sounds like once said; a reply with a {placeholder} (the support phone)
        # is recognized by its words before it.
        self._said = {
            key: {getattr(reply, lang).split("{", 1)[0] for lang in ("en", "hinglish", "hi")}
            for key, reply in spec.replies.items()
        }

    @classmethod
    def load(cls, rubric: Rubric, prompts_dir: Path | None = None) -> SopPolicy:
        return cls(rubric, load_policy_spec(prompts_dir))

    def say(self, key: str, language: Language = "en") -> str:
        return getattr(self.spec.replies[key], language)

    # --- reading the caller -------------------------------------------------------------

    def language(self, utterance: str) -> Language:
        if _DEVANAGARI.search(utterance):
            return "hi"
        words = fold(normalize(utterance)).split()
        markers = len(set(words) & self._hinglish)
        # Two Hindi words make a sentence Hinglish; in a short reply ("theek hai") one does.
        return "hinglish" if markers >= 2 or (markers and len(words) <= 3) else "en"

    def _has(self, cue: str, utterance: str) -> bool:
        return bool(self._cues[cue].search(fold(normalize(utterance))))

    def gives_id(self, utterance: str) -> bool:
        """A registered number or partner ID: enough digits, as figures or spoken words."""
        words = fold(normalize(utterance)).split()
        spoken = sum(1 for w in words if w in self._digit_words)
        return len(_DIGIT.findall(utterance)) + spoken >= self.spec.id_min_digits

    def _was(self, key: str, said: str) -> bool:
        return any(line in said for line in self._said[key])

    # --- answering ----------------------------------------------------------------------

    def answer(self, messages: Sequence[Mapping[str, Any]]) -> PolicyAnswer:
        """The first reply rule that applies to the call so far (`REPLY_RULES`, in order)."""
        turns = [(m.get("role"), message_text(m.get("content"))) for m in messages]
        if not any(role == "user" for role, _ in turns):
            return PolicyAnswer(self.say("greeting"), ("greeting",))
        state = self.state(turns)
        for rule in REPLY_RULES:
            reply = rule(self, state)
            if reply is not None:
                return reply
        return self._answer(["not_understood"], state.lang)

    def state(self, turns: list[tuple[Any, str]]) -> CallState:
        said = [text for role, text in turns if role == "assistant"]
        heard = [text for role, text in turns if role == "user"]
        last = heard[-1]
        last_said = said[-1] if said else ""
        return CallState(
            heard=heard,
            said=said,
            last=last,
            last_said=last_said,
            lang=self.language(last),
            escalated=any(self._was("escalation_notice", s) for s in said),
            # The pipeline told the caller no supervisor could be reached.
            unreachable=any(
                self._was(key, s)
                for key in ("supervisor_unreachable", "supervisor_unreachable_no_phone")
                for s in said
            ),
            asked_id=self._was("ask_id", last_said),
            # Noted, not verified: nothing behind the line checks it.
            gave_id=any(
                self._was("ask_id", asked) and self.gives_id(answer)
                for asked, answer in self._exchanges(turns)
            ),
            signals=caller_signals(self.rubric, last),
        )

    def _only_hello(self, utterance: str) -> bool:
        words = fold(normalize(utterance)).split()
        return bool(words) and all(w in self.rubric.hello_words for w in words)

    def _answer(self, keys: list[str], lang: Language) -> PolicyAnswer:
        return PolicyAnswer(" ".join(self.say(k, lang) for k in keys), tuple(keys))

    @staticmethod
    def _exchanges(turns: list[tuple[Any, str]]) -> list[tuple[str, str]]:
        """(what the agent said, what the caller answered next), over the call so far."""
        pairs = []
        for (role, text), (next_role, next_text) in itertools.pairwise(turns):
            if role == "assistant" and next_role == "user":
                pairs.append((text, next_text))
        return pairs


@dataclass(frozen=True)
class CallState:
    """What the policy knows of the call when the caller has just spoken."""

    heard: list[str]  # the caller's turns
    said: list[str]  # the agent's turns
    last: str  # the caller's last turn
    last_said: str  # the agent's last turn
    lang: Language  # of the caller's last turn
    escalated: bool  # the caller was told a supervisor is being brought in
    unreachable: bool  # and then that none could be reached
    asked_id: bool  # the agent's last turn asked for the registered number or partner ID
    gave_id: bool  # the caller has answered that question with one
    signals: CallerSignals  # what QA's rules hear in the last turn


ReplyRule = Callable[[SopPolicy, CallState], "PolicyAnswer | None"]


def _escalate(policy: SopPolicy, state: CallState) -> PolicyAnswer | None:
    """A request for a human is answered first, once."""
    if state.signals.escalation and not state.escalated:
        return PolicyAnswer(policy.say("escalation_notice", state.lang), ("escalation",))
    return None


def _topics(policy: SopPolicy, state: CallState) -> PolicyAnswer | None:
    """Safety first, then the account (the number before anything else), then questions."""
    signals, last = state.signals, state.last
    parts: list[str] = []
    if signals.hazards:
        parts.append("safety")
        parts.append("swollen_photo" if signals.swollen else "hazard_help")
    if signals.money_topic or (state.asked_id and policy.gives_id(last)):
        if not state.gave_id:
            parts.append("ask_id")  # a question: the caller answers before anything else
            return policy._answer(parts, state.lang)
        parts.append("noted_account")  # the accounts team follows up
    for intent in ("station_hours", "swap_price"):
        if policy._has(intent, last) and not signals.money_topic:
            parts.append(intent)
    return policy._answer([*parts, "anything_else"], state.lang) if parts else None


def _supervisor_coming(policy: SopPolicy, state: CallState) -> PolicyAnswer | None:
    """A caller waiting for the supervisor hears that one is coming (once in a row)."""
    waiting = policy._has("waiting", state.last) or policy._has("done", state.last)
    coming_said = policy._was("supervisor_coming", state.last_said)
    if state.escalated and waiting and not state.unreachable and not coming_said:
        return policy._answer(["supervisor_coming"], state.lang)
    return None


def _close(policy: SopPolicy, state: CallState) -> PolicyAnswer | None:
    """ "Anything else?" before the goodbye; after it (said, or cut short when the caller spoke
    over it), a goodbye again."""
    closed = policy._was("closing", state.last_said) or (
        len(state.heard) > 1 and policy._has("done", state.heard[-2]) and bool(state.said)
    )
    if policy._has("done", state.last) or closed:
        asked = bool(policy.rubric.cue("anything_else").search(fold(normalize(state.last_said))))
        return policy._answer(["closing" if asked or closed else "anything_else"], state.lang)
    return None


def _listen(policy: SopPolicy, state: CallState) -> PolicyAnswer | None:
    """ "Hello." before the caller says why they call."""
    return policy._answer(["listening"], state.lang) if policy._only_hello(state.last) else None


REPLY_RULES: tuple[ReplyRule, ...] = (_escalate, _topics, _supervisor_coming, _close, _listen)
