import { describe, expect, it } from "vitest";
import { flagStates, judgeText, reviewText, scoreBand, scoreText } from "./format";
import { flagLabel, humanize } from "./sops";

describe("how calls read in the tables", () => {
  it("shows failed and unfinished calls instead of a score", () => {
    expect(scoreText({ status: "SCORED", overall_score: 75 })).toBe("75");
    expect(scoreText({ status: "FAILED", overall_score: null })).toBe("Failed");
    expect(scoreText({ status: "TRANSCRIBING", overall_score: null })).toBe("Transcribing");
    expect([95, 80, 79, 60, 59, null].map(scoreBand)).toEqual(["good", "good", "fair", "fair", "poor", "none"]);
  });

  it("names flags, risk reasons and judges", () => {
    expect(flagLabel("SAFETY_INSTRUCTIONS_MISSED")).toBe("S4 Safety instructions missed");
    expect(humanize("SAFETY_SOP_VIOLATED")).toBe("Safety SOP violated");
    expect(judgeText({ judge: "rules-fallback", judge_kind: "fallback" })).toBe("Rules (fallback)");
    expect(judgeText({ judge: "bedrock:model", judge_kind: "bedrock" })).toBe("Bedrock");
    expect(reviewText({ review_status: "reviewed", review_revision: 2 })).toBe("Reviewed (2 times)");
    expect(reviewText({ review_status: "unreviewed", review_revision: 0 })).toBe("Unreviewed");
  });

  it("shows what a review changed in the flags", () => {
    expect(flagStates({ violation_flags: ["A", "B"], reviewed_flags: null })).toEqual([
      { flag: "A", state: "raised" },
      { flag: "B", state: "raised" },
    ]);
    expect(flagStates({ violation_flags: ["A", "B"], reviewed_flags: ["B", "C"] })).toEqual([
      { flag: "A", state: "cleared" },
      { flag: "B", state: "raised" },
      { flag: "C", state: "added" },
    ]);
  });
});
