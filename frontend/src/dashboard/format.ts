// How calls read in the tables: their score, judge, review state and flags after review.

import type { CallSummary, JudgeKind } from "./api";

export function scoreText(call: Pick<CallSummary, "status" | "overall_score">): string {
  if (call.status === "FAILED") return "Failed";
  if (call.status === "TRANSCRIBING") return "Transcribing";
  return call.overall_score === null ? "–" : String(call.overall_score);
}

/** An average score to one decimal ("72.5"), "–" for none. */
export const average = (value: number | null) => (value === null ? "–" : value.toFixed(1));

/** "good" (80 and up), "fair" (60-79) or "poor" (under 60: a call that alerts). */
export function scoreBand(score: number | null): "good" | "fair" | "poor" | "none" {
  if (score === null) return "none";
  if (score >= 80) return "good";
  return score >= 60 ? "fair" : "poor";
}

const JUDGES: Record<JudgeKind, string> = {
  bedrock: "Bedrock",
  rules: "Rules",
  fallback: "Rules (fallback)",
};

export function judgeText(call: Pick<CallSummary, "judge" | "judge_kind">): string {
  if (call.judge_kind) return JUDGES[call.judge_kind];
  return call.judge ?? "–";
}

export function reviewText(call: Pick<CallSummary, "review_status" | "review_revision">): string {
  if (call.review_status !== "reviewed") return "Unreviewed";
  return call.review_revision > 1 ? `Reviewed (${call.review_revision} times)` : "Reviewed";
}

export interface FlagState {
  flag: string;
  state: "raised" | "added" | "cleared";
}

/**
 * The call's flags for the table: the judge's, with what a review changed: a flag the review
 * cleared stays listed as "cleared", one it raised is "added".
 */
export function flagStates(call: Pick<CallSummary, "violation_flags" | "reviewed_flags">): FlagState[] {
  const judged = call.violation_flags;
  const after = call.reviewed_flags;
  if (after === null) return judged.map((flag) => ({ flag, state: "raised" }));
  return [
    ...judged.map((flag): FlagState => ({ flag, state: after.includes(flag) ? "raised" : "cleared" })),
    ...after.filter((flag) => !judged.includes(flag)).map((flag): FlagState => ({ flag, state: "added" })),
  ];
}
