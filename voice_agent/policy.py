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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel

from qa_engine.rubric import Rubric, default_prompts_dir
from qa_engine.rules_judge import caller_signals
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
        turns = [(m.get("role"), message_text(m.get("content"))) for m in messages]
        said = [text for role, text in turns if role == "assistant"]
        heard = [text for role, text in turns if role == "user"]
        if not heard:
            return PolicyAnswer(self.say("greeting"), ("greeting",))
        last = heard[-1]
        lang = self.language(last)
        last_said = said[-1] if said else ""
        escalated = any(self._was("escalation_notice", s) for s in said)
        unreachable = any(  # the pipeline told the caller no supervisor could be reached
            self._was(key, s)
            for key in ("supervisor_unreachable", "supervisor_unreachable_no_phone")
            for s in said
        )
        asked_id = self._was("ask_id", last_said)
        gave_id = any(  # noted, not verified: nothing behind the line checks it
            self._was("ask_id", asked) and self.gives_id(answer)
            for asked, answer in self._exchanges(turns)
        )
        signals = caller_signals(self.rubric, last)

        if signals.escalation and not escalated:
            return PolicyAnswer(self.say("escalation_notice", lang), ("escalation",))
        parts: list[str] = []
        if signals.hazards:
            parts.append("safety")
            parts.append("swollen_photo" if signals.swollen else "hazard_help")
        if signals.money_topic or (asked_id and self.gives_id(last)):
            if not gave_id:
                parts.append("ask_id")  # a question: the caller answers before anything else
                return self._answer(parts, lang)
            parts.append("noted_account")  # the accounts team follows up
        for intent in ("station_hours", "swap_price"):
            if self._has(intent, last) and not signals.money_topic:
                parts.append(intent)
        if parts:
            return self._answer([*parts, "anything_else"], lang)
        waiting = self._has("waiting", last) or self._has("done", last)
        coming_said = self._was("supervisor_coming", last_said)
        if escalated and waiting and not unreachable and not coming_said:
            return self._answer(["supervisor_coming"], lang)
        # After the goodbye (said, or cut short when the caller spoke over it), a goodbye again.
        closed = self._was("closing", last_said) or (
            len(heard) > 1 and self._has("done", heard[-2]) and bool(said)
        )
        if self._has("done", last) or closed:
            asked = bool(self.rubric.cue("anything_else").search(fold(normalize(last_said))))
            return self._answer(["closing" if asked or closed else "anything_else"], lang)
        if self._only_hello(last):  # "Hello." before the caller says why they call
            return self._answer(["listening"], lang)
        return self._answer(["not_understood"], lang)

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
