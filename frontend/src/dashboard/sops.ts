// The SOPs, their violation flags and the risk reasons, as lambda_src/contracts/sops.py names
// them, with the short titles the dashboard shows.

export const SOP_IDS = ["S1", "S2", "S3", "S4", "S5", "S6"] as const;
export type SopId = (typeof SOP_IDS)[number];

export const FLAGS: Record<SopId, string> = {
  S1: "GREETING_SCRIPT_MISSED",
  S2: "CLOSING_SCRIPT_MISSED",
  S3: "SWOLLEN_BATTERY_PHOTO_NOT_REQUESTED",
  S4: "SAFETY_INSTRUCTIONS_MISSED",
  S5: "ESCALATION_NOT_OFFERED",
  S6: "IDENTITY_NOT_VERIFIED",
};

export const SOP_TITLES: Record<SopId, string> = {
  S1: "Greeting",
  S2: "Closing",
  S3: "Swollen-battery photo",
  S4: "Safety instructions",
  S5: "Escalation",
  S6: "Identity verification",
};

export const ALL_FLAGS: readonly string[] = SOP_IDS.map((sop) => FLAGS[sop]);

export const SOP_OF_FLAG: Record<string, SopId> = Object.fromEntries(
  SOP_IDS.map((sop) => [FLAGS[sop], sop]),
);

export const RISK_REASONS = [
  "SAFETY_HAZARD",
  "ESCALATION_REQUESTED",
  "LEGAL_THREAT",
  "ABUSE",
  "NEGATIVE_END",
  "SAFETY_SOP_VIOLATED",
] as const;

export const JUDGE_KINDS = ["bedrock", "rules", "fallback"] as const;

/** "SAFETY_INSTRUCTIONS_MISSED" -> "Safety instructions missed". */
export function humanize(name: string): string {
  const words = name.toLowerCase().replaceAll("_", " ").replace(/\bsop\b/g, "SOP");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A flag as the tables show it: "S4 Safety instructions missed" (unknown flags as they are). */
export function flagLabel(flag: string): string {
  const sop = SOP_OF_FLAG[flag];
  return sop ? `${sop} ${humanize(flag)}` : humanize(flag);
}
