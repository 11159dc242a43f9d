"""What an LLM judge asks and how its answer is checked; the model call itself is an adapter's.

The model answers per SOP with evidence through one forced tool call whose input schema is
generated from `JudgeAnswer`. Code then keeps only what the transcript proves: every quote
must appear in the turn it cites (or, if misnumbered, in exactly one other turn); a claim
left without evidence is dropped and recorded as a warning. Score and alert stay with code.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from contracts import sops
from qa_engine.models import Conversation, Evidence, RiskSignal, SopCheck, Verdict
from qa_engine.rubric import Rubric

TOOL_NAME = "record_qa_verdict"


def _known_sop(value: str) -> str:
    if value not in sops.SOP_IDS:
        raise ValueError(f"Input should be one of {', '.join(sops.SOP_IDS)}")
    return value


# A string the model must pick from the SOP ids: an enum in the tool's JSON schema.
SopId = Annotated[
    str, AfterValidator(_known_sop), Field(json_schema_extra={"enum": list(sops.SOP_IDS)})
]
_SPACES = re.compile(r"\s+")


class QuoteRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    turn_index: int = Field(ge=0, description="index of the turn the quote is copied from")
    quote: str = Field(min_length=1, max_length=400, description="verbatim text from that turn")


class SopAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sop_id: SopId
    triggered: bool = Field(description="whether the SOP applied to this call")
    followed: bool = Field(description="whether the agent complied; true when not triggered")
    evidence: list[QuoteRef] = Field(default_factory=list, max_length=4)
    note: str = Field(max_length=300, description="one sentence explaining the decision")


class RiskAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Literal["LEGAL_THREAT", "ABUSE"]
    evidence: list[QuoteRef] = Field(min_length=1, max_length=3)


class JudgeAnswer(BaseModel):
    """The tool input the model must produce: one answer per SOP, risks, and a summary."""

    model_config = ConfigDict(extra="forbid")

    sop_answers: list[SopAnswer] = Field(min_length=6, max_length=6)
    risk_signals: list[RiskAnswer] = Field(default_factory=list, max_length=2)
    summary: str = Field(min_length=1, max_length=600)

    def missing_sops(self) -> list[str]:
        seen = [a.sop_id for a in self.sop_answers]
        return [s for s in sops.SOP_IDS if seen.count(s) != 1]


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """Bedrock tool schemas are simplest without $ref: inline pydantic's $defs."""
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(dict(defs[node["$ref"].rsplit("/", 1)[-1]]))
            return {k: resolve(v) for k, v in node.items() if k != "title"}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


def tool_config() -> dict[str, Any]:
    schema = _inline_refs(JudgeAnswer.model_json_schema())
    return {
        "tools": [
            {
                "toolSpec": {
                    "name": TOOL_NAME,
                    "description": "Record the QA verdict for one support call.",
                    "inputSchema": {"json": schema},
                }
            }
        ],
        "toolChoice": {"tool": {"name": TOOL_NAME}},
    }


def _sanitize(text: str) -> str:
    # The transcript sits between markers; a speaker cannot close them early.
    return text.replace("<<<", "‹‹‹").replace(">>>", "›››").replace("\n", " ")


def render_prompt(rubric: Rubric, conversation: Conversation) -> str:
    sops = "\n".join(
        f"- {s.id} {s.name} (violation flag {s.flag}, weight {s.weight}): {s.text}"
        for s in rubric.sops
    )
    rules = "\n".join(f"- {r}" for r in rubric.spec.general_rules)
    transcript = "\n".join(
        f"[{t.index}] {t.speaker.value}: {_sanitize(t.text)}" for t in conversation.turns
    )
    return (
        rubric.judge_prompt.replace("{sops}", sops)
        .replace("{general_rules}", rules)
        .replace("{tool_name}", TOOL_NAME)
        .replace("{transcript}", transcript)
    )


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()


class EvidenceChecker:
    """Keeps a quote only if the transcript says it; fixes a wrong turn number if unambiguous."""

    def __init__(self, conversation: Conversation) -> None:
        self.turns = conversation.turns
        self._norm_turns = [_norm(t.text) for t in conversation.turns]

    def check(self, ref: QuoteRef) -> Evidence | None:
        quote = _norm(ref.quote.strip(" \"'“”‘’"))
        if not quote:
            return None
        index = ref.turn_index
        if not (0 <= index < len(self.turns) and quote in self._norm_turns[index]):
            found = [i for i, text in enumerate(self._norm_turns) if quote in text]
            if len(found) != 1:
                return None
            index = found[0]
        turn = self.turns[index]
        start = turn.text.casefold().find(ref.quote.strip(" \"'“”‘’").casefold())
        verbatim = (
            turn.text[start : start + len(ref.quote.strip(" \"'“”‘’"))]
            if start >= 0
            else ref.quote.strip(" \"'“”‘’")
        )
        return Evidence(
            turn_index=index,
            start_time=turn.time_at(max(start, 0)),
            speaker=turn.speaker,
            quote=verbatim,
        )


def answer_to_verdict(answer: JudgeAnswer, conversation: Conversation, rubric: Rubric) -> Verdict:
    checker = EvidenceChecker(conversation)
    flags = {s.id: s.flag for s in rubric.sops}
    warnings: list[str] = []
    checks: list[SopCheck] = []
    by_id = {a.sop_id: a for a in answer.sop_answers}
    for sop in rubric.sops:
        a = by_id[sop.id]
        evidence = []
        for ref in a.evidence:
            ev = checker.check(ref)
            if ev is None:
                warnings.append(
                    f"{sop.id}: dropped a quote not found in the transcript "
                    f"(turn {ref.turn_index}: {ref.quote[:80]!r})"
                )
            else:
                evidence.append(ev)
        triggered = a.triggered or sop.id in sops.SCRIPT_SOPS
        followed = a.followed if triggered else True
        note = a.note
        if triggered and not followed and not evidence:
            warnings.append(
                f"{sop.id}: violation claimed without evidence in the transcript; dropped"
            )
            followed = True
            note = f"Violation claimed without evidence; not counted. {note}".strip()
        checks.append(
            SopCheck(
                sop_id=sop.id,
                flag=flags[sop.id],
                triggered=triggered,
                followed=followed,
                evidence=evidence,
                note=note,
            )
        )
    risks = []
    for r in answer.risk_signals:
        evidence = [ev for ev in map(checker.check, r.evidence) if ev is not None]
        if evidence:
            risks.append(RiskSignal(reason=r.reason, evidence=evidence))
        else:
            warnings.append(f"{r.reason}: dropped, its quotes are not in the transcript")
    return Verdict(sop_checks=checks, risk_signals=risks, summary=answer.summary, warnings=warnings)
