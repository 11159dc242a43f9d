"""How well a judge agrees with labelled calls: flag precision, recall and F1, risk accuracy.

Labelled calls are YAML lists in the format of `tests/data/public_cases.yaml`: `id`, `lang`,
`violations`, `risk` (and optionally `risk_reasons`, `sentiment`, `tags`) and `turns` of
`[A|C, text]`. Each call is scored as a clean two-channel transcript and, with `crosstalk`,
also with both sides talking over each other, which must not change any verdict.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError

from autoqa.transcribe_format import Crosstalk, dialogue_to_transcribe
from contracts.sops import FLAGS as SOP_FLAGS
from contracts.sops import RISK_REASONS, SOP_OF_FLAG
from qa_engine.errors import QAInputError
from qa_engine.pipeline import Scorer

FLAGS = tuple(SOP_FLAGS.values())


class LabelledCall(BaseModel):
    id: str
    lang: str = "en"
    violations: list[str]
    risk: bool
    risk_reasons: list[str] | None = None
    sentiment: str | None = None
    tags: list[str] = Field(default_factory=list)
    turns: list[tuple[Literal["A", "C"], str]] = Field(min_length=2)


def load_labelled(paths: Iterable[Path]) -> list[LabelledCall]:
    calls: list[LabelledCall] = []
    for path in paths:
        try:
            entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except (OSError, yaml.YAMLError) as exc:
            raise QAInputError(f"{path}: cannot read labelled calls ({exc})") from None
        for n, entry in enumerate(entries):
            try:
                call = LabelledCall.model_validate(entry)
            except ValidationError as exc:
                first = exc.errors(include_url=False)[0]
                where = ".".join(map(str, first["loc"]))
                raise QAInputError(f"{path}: call {n}: {where}: {first['msg']}") from None
            unknown = [f for f in call.violations if f not in FLAGS]
            if unknown:
                raise QAInputError(f"{path}: {call.id}: unknown flags {unknown}")
            calls.append(call)
    ids = Counter(c.id for c in calls)
    repeated = [i for i, n in ids.items() if n > 1]
    if repeated:
        raise QAInputError(f"labelled call ids repeat: {', '.join(sorted(repeated))}")
    return calls


@dataclass
class Outcome:
    call: LabelledCall
    variant: str
    flags: list[str]
    risk: bool
    risk_reasons: list[str]
    error: str | None = None

    @property
    def missed(self) -> list[str]:
        return [f for f in self.call.violations if f not in self.flags]

    @property
    def extra(self) -> list[str]:
        return [f for f in self.flags if f not in self.call.violations]

    @property
    def exact(self) -> bool:
        return (
            self.error is None
            and not self.missed
            and not self.extra
            and self.risk == self.call.risk
        )


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, truth: bool, predicted: bool) -> None:
        self.tp += truth and predicted
        self.fp += predicted and not truth
        self.fn += truth and not predicted


@dataclass
class Report:
    outcomes: list[Outcome]
    by_flag: dict[str, Counts] = field(default_factory=dict)
    by_lang: dict[str, Counts] = field(default_factory=dict)
    by_variant: dict[str, Counts] = field(default_factory=dict)
    overall: Counts = field(default_factory=Counts)
    risk_reasons: dict[str, Counts] = field(default_factory=dict)

    @property
    def risk_accuracy(self) -> float:
        """A call that could not be scored counts as wrong."""
        right = sum(o.error is None and o.risk == o.call.risk for o in self.outcomes)
        return right / len(self.outcomes) if self.outcomes else 0.0

    @property
    def exact_share(self) -> float:
        return sum(o.exact for o in self.outcomes) / len(self.outcomes) if self.outcomes else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "calls": len({o.call.id for o in self.outcomes}),
            "scored_variants": len(self.outcomes),
            "flag_f1": round(self.overall.f1, 4),
            "flag_precision": round(self.overall.precision, 4),
            "flag_recall": round(self.overall.recall, 4),
            "risk_accuracy": round(self.risk_accuracy, 4),
            "exact_verdicts": round(self.exact_share, 4),
            "f1_by_sop": {SOP_OF_FLAG[f]: round(c.f1, 4) for f, c in self.by_flag.items()},
            "f1_by_language": {k: round(c.f1, 4) for k, c in sorted(self.by_lang.items())},
            "f1_by_variant": {k: round(c.f1, 4) for k, c in self.by_variant.items()},
        }


def score_call(scorer: Scorer, call: LabelledCall, variant: str) -> Outcome:
    crosstalk = Crosstalk(seed=sum(map(ord, call.id))) if variant == "crosstalk" else None
    doc = dialogue_to_transcribe(call.id, list(call.turns), crosstalk=crosstalk)
    try:
        result = scorer.score_transcript(doc, call_id=call.id, agent_id="eval")
    except QAInputError as exc:
        return Outcome(call, variant, [], False, [], error=str(exc))
    return Outcome(call, variant, result.violation_flags, result.risk_flag, result.risk_reasons)


def evaluate(
    scorer: Scorer, calls: Sequence[LabelledCall], variants: Sequence[str] = ("clean",)
) -> Report:
    report = Report(outcomes=[score_call(scorer, c, v) for c in calls for v in variants])
    report.by_flag = {f: Counts() for f in FLAGS}
    report.risk_reasons = {r: Counts() for r in RISK_REASONS}
    by_lang: dict[str, Counts] = defaultdict(Counts)
    by_variant: dict[str, Counts] = defaultdict(Counts)
    for o in report.outcomes:
        for flag in FLAGS:
            truth, predicted = flag in o.call.violations, flag in o.flags
            for counts in (
                report.by_flag[flag],
                by_lang[o.call.lang],
                by_variant[o.variant],
                report.overall,
            ):
                counts.add(truth, predicted)
        if o.call.risk_reasons is not None:
            for reason in RISK_REASONS:
                report.risk_reasons[reason].add(
                    reason in o.call.risk_reasons, reason in o.risk_reasons
                )
    report.by_lang = dict(by_lang)
    report.by_variant = dict(by_variant)
    return report


def _row(name: str, c: Counts) -> str:
    return (
        f"{name:<38} {c.precision:>9.3f} {c.recall:>7.3f} {c.f1:>7.3f}"
        f" {c.tp:>5} {c.fp:>5} {c.fn:>5}"
    )


def format_report(report: Report) -> str:
    head = f"{'':<38} {'precision':>9} {'recall':>7} {'F1':>7} {'TP':>5} {'FP':>5} {'FN':>5}"
    out = [
        f"Flags by SOP ({report.summary()['calls']} calls, variants: "
        f"{', '.join(report.by_variant)})",
        head,
    ]
    out += [_row(f"{SOP_OF_FLAG[f]} {f}", c) for f, c in report.by_flag.items()]
    out += [_row("all flags", report.overall), "", "Flags by language", head]
    out += [_row(lang, c) for lang, c in sorted(report.by_lang.items())]
    out += ["", "Flags by variant", head]
    out += [_row(v, c) for v, c in report.by_variant.items()]
    labelled = [r for r, c in report.risk_reasons.items() if c.tp + c.fp + c.fn]
    if labelled:
        out += ["", "Risk reasons (calls labelled with reasons)", head]
        out += [_row(r, report.risk_reasons[r]) for r in labelled]
    out += [
        "",
        f"Risk flag accuracy: {report.risk_accuracy:.3f}",
        f"Exact verdicts (same flags and risk flag): {report.exact_share:.3f}",
    ]
    misses = [o for o in report.outcomes if not o.exact]
    confusion: Counter[str] = Counter()
    for o in misses:
        if o.error:
            confusion["could not be scored"] += 1
        confusion.update(f"missed {f}" for f in o.missed)
        confusion.update(f"raised {f}" for f in o.extra)
        if o.risk != o.call.risk:
            confusion[f"risk {'missed' if o.call.risk else 'raised'}"] += 1
    if misses:
        out += ["", "Confusion of misses"]
        out += [f"  {n:>3}  {what}" for what, n in confusion.most_common()]
        out += ["", "Calls not judged exactly as labelled"]
        for o in misses:
            parts = []
            if o.error:
                parts.append(f"error: {o.error}")
            if o.missed:
                parts.append("missed " + ", ".join(o.missed))
            if o.extra:
                parts.append("raised " + ", ".join(o.extra))
            if o.risk != o.call.risk:
                parts.append(f"risk {o.risk} (label {o.call.risk}: {o.risk_reasons})")
            out.append(f"  {o.call.id} [{o.variant}]: {'; '.join(parts)}")
    return "\n".join(out)
