import { describe, expect, it } from "vitest";
import type { Review } from "./api";
import { draftFrom, MAX_NOTE_CHARS, raisedAfter, reviewBody, reviewProblems } from "./review";
import { ALL_FLAGS } from "./sops";

const SAFETY = "SAFETY_INSTRUCTIONS_MISSED";
const GREETING = "GREETING_SCRIPT_MISSED";

/** A new review: every flag agreed, no notes (an unflagged, unreviewed call's draft). */
const emptyDraft = () => draftFrom({ violation_flags: [], reviewed_flags: null }, null);

describe("the review form", () => {
  it("starts with all six flags agreed", () => {
    const draft = emptyDraft();
    expect(Object.keys(draft.flags)).toEqual(ALL_FLAGS);
    expect(Object.values(draft.flags).every((c) => c.decision === "agree")).toBe(true);
    expect(reviewProblems(draft)).toEqual({});
  });

  it("needs a note to override a flag", () => {
    const draft = emptyDraft();
    draft.flags[SAFETY] = { decision: "override", note: "   " };
    expect(Object.keys(reviewProblems(draft))).toEqual([SAFETY]);
    expect(reviewProblems(draft)[SAFETY]).toMatch(/why you override S4/);
    draft.flags[SAFETY].note = "Agent told him to keep away at 0:42";
    expect(reviewProblems(draft)).toEqual({});
  });

  it("refuses notes longer than the API takes", () => {
    const draft = emptyDraft();
    draft.note = "x".repeat(MAX_NOTE_CHARS + 1);
    draft.flags[GREETING] = { decision: "override", note: "y".repeat(MAX_NOTE_CHARS + 1) };
    expect(Object.keys(reviewProblems(draft)).sort()).toEqual([GREETING, "note"]);
  });

  it("sends every decision on the revision the supervisor saw, notes trimmed", () => {
    const draft = emptyDraft();
    draft.flags[SAFETY] = { decision: "override", note: "  keep-away was said  " };
    draft.note = " checked the recording ";
    const body = reviewBody(draft, 3, "card-1");
    expect(body.base_revision).toBe(3);
    expect(body.scorecard).toBe("card-1");
    expect(body.note).toBe("checked the recording");
    expect(body.decisions).toHaveLength(6);
    expect(body.decisions.find((d) => d.flag === SAFETY)).toEqual({
      flag: SAFETY,
      decision: "override",
      note: "keep-away was said",
    });
  });

  it("drops the note of a flag switched back to agree", () => {
    const draft = emptyDraft();
    draft.flags[SAFETY] = { decision: "agree", note: "written while overriding" };
    expect(reviewBody(draft, 0, "card-1").decisions.find((d) => d.flag === SAFETY)?.note).toBe("");
  });
});

describe("decisions are about the judge's finding", () => {
  it("override reverses it, agree keeps it", () => {
    expect(raisedAfter(true, "override")).toBe(false);
    expect(raisedAfter(false, "override")).toBe(true);
    expect(raisedAfter(true, "agree")).toBe(true);
  });

  it("a later review starts from the latest one's decisions and notes", () => {
    const latest: Review = {
      call_id: "c1",
      revision: 1,
      reviewer: "asha",
      reviewed_at: "2024-05-12T08:30:00Z",
      decisions: [
        { flag: SAFETY, decision: "override", note: "keep-away was said" },
        { flag: GREETING, decision: "agree", note: "" },
      ],
      note: "",
      flags_before: [SAFETY],
      flags_after: [],
      added: [],
      removed: [SAFETY],
    };
    const draft = draftFrom({ violation_flags: [SAFETY], reviewed_flags: [] }, latest);
    expect(draft.flags[SAFETY]).toEqual({ decision: "override", note: "keep-away was said" });
    expect(draft.flags[GREETING]).toEqual({ decision: "agree", note: "" });
  });

  it("an unreviewed call starts agreed", () => {
    const draft = draftFrom({ violation_flags: [SAFETY], reviewed_flags: null }, null);
    expect(Object.values(draft.flags).every((c) => c.decision === "agree")).toBe(true);
  });
});
