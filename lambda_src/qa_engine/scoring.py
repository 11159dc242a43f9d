"""Score, risk and alert decisions: computed by code from the rubric, never by a model."""

from __future__ import annotations

from collections.abc import Sequence

from contracts import sops
from contracts.sops import RISK_REASONS, SAFETY_SOPS
from qa_engine.models import RiskSignal, SopCheck
from qa_engine.rubric import Rubric


def overall_score(checks: Sequence[SopCheck], rubric: Rubric) -> int:
    """Earned share of the total weight: followed or untriggered SOPs earn their weight."""
    weights = {s.id: s.weight for s in rubric.sops}
    earned = sum(weights[c.sop_id] for c in checks if not c.violated)
    return round(100 * earned / rubric.total_weight)


def violation_flags(checks: Sequence[SopCheck]) -> list[str]:
    return [c.flag for c in checks if c.violated]


def risk_reasons(
    checks: Sequence[SopCheck],
    signals: Sequence[RiskSignal],
    sentiment_end: float,
    rubric: Rubric,
) -> list[str]:
    by_id = {c.sop_id: c for c in checks}
    reasons = []
    if by_id[sops.SAFETY].triggered:
        reasons.append(sops.SAFETY_HAZARD)
    if by_id[sops.ESCALATION].triggered:
        reasons.append(sops.ESCALATION_REQUESTED)
    found = {s.reason for s in signals}
    reasons += [r for r in (sops.LEGAL_THREAT, sops.ABUSE) if r in found]
    if sentiment_end <= rubric.spec.thresholds.negative_end_sentiment:
        reasons.append(sops.NEGATIVE_END)
    if any(by_id[s].violated for s in SAFETY_SOPS):
        reasons.append(sops.SAFETY_SOP_VIOLATED)
    return reasons


# What the rules hear in the words of a call, which no other judge can clear. The verdict-made
# reasons (SAFETY_SOP_VIOLATED) follow the verdict that is kept, and a dispute marks the call.
HEARD_RISKS = (sops.SAFETY_HAZARD, sops.ESCALATION_REQUESTED, sops.LEGAL_THREAT, sops.ABUSE)


def union_reasons(kept: Sequence[str], heard: Sequence[str]) -> list[str]:
    """The kept verdict's reasons and every reason the rules heard, in the spec's order."""
    found = {*kept, *(r for r in heard if r in HEARD_RISKS)}
    return [r for r in RISK_REASONS if r in found]


def disputed_sops(primary: Sequence[SopCheck], rules: Sequence[SopCheck]) -> list[str]:
    """SOPs one judge calls violated and the other does not."""
    by_id = {c.sop_id: c for c in rules}
    return [
        c.sop_id for c in primary if c.sop_id in by_id and c.violated != by_id[c.sop_id].violated
    ]


def should_alert(
    flags: Sequence[str], score: int, risk_flag: bool, rubric: Rubric, urgent_review: bool = False
) -> bool:
    return (
        bool(flags)
        or score < rubric.spec.thresholds.alert_score_below
        or risk_flag
        or urgent_review
    )
