"""The SOPs' ids, their violation flags and the risk reasons (`SOP_SPEC.md`): the names a
scorecard, an alert, the judges and the rubric file share. What each SOP asks, its weight and
its cue phrases are data in `prompts/rubric.yaml`, whose ids and flags must be exactly these."""

from __future__ import annotations

GREETING = "S1"
CLOSING = "S2"
SWOLLEN_BATTERY = "S3"
SAFETY = "S4"
ESCALATION = "S5"
IDENTITY = "S6"
SOP_IDS = (GREETING, CLOSING, SWOLLEN_BATTERY, SAFETY, ESCALATION, IDENTITY)

FLAGS = {
    GREETING: "GREETING_SCRIPT_MISSED",
    CLOSING: "CLOSING_SCRIPT_MISSED",
    SWOLLEN_BATTERY: "SWOLLEN_BATTERY_PHOTO_NOT_REQUESTED",
    SAFETY: "SAFETY_INSTRUCTIONS_MISSED",
    ESCALATION: "ESCALATION_NOT_OFFERED",
    IDENTITY: "IDENTITY_NOT_VERIFIED",
}
SOP_OF_FLAG = {flag: sop for sop, flag in FLAGS.items()}

# Every call opens and closes: these two apply whether or not anything happened.
SCRIPT_SOPS = (GREETING, CLOSING)
# A violation of these makes the call a risk (SAFETY_SOP_VIOLATED) and urgent.
SAFETY_SOPS = (SWOLLEN_BATTERY, SAFETY)
# Where the judges' disagreement makes a call urgent until a supervisor reviews it.
URGENT_DISPUTE_SOPS = (SWOLLEN_BATTERY, SAFETY, ESCALATION)

SAFETY_HAZARD = "SAFETY_HAZARD"
ESCALATION_REQUESTED = "ESCALATION_REQUESTED"
LEGAL_THREAT = "LEGAL_THREAT"
ABUSE = "ABUSE"
NEGATIVE_END = "NEGATIVE_END"
SAFETY_SOP_VIOLATED = "SAFETY_SOP_VIOLATED"
RISK_REASONS = (
    SAFETY_HAZARD,
    ESCALATION_REQUESTED,
    LEGAL_THREAT,
    ABUSE,
    NEGATIVE_END,
    SAFETY_SOP_VIOLATED,
)
