// A supervisor's review of a call: per violation flag, agree with the judge's finding or
// override it (an override needs a note saying why), and an overall note. Decisions are always
// about the judge's finding: overriding a raised flag clears it, overriding an unraised one
// raises it. A later review starts from the latest one's decisions.

import type { CallDetail, Decision, Review, ReviewIn } from "./api";
import { ALL_FLAGS, flagLabel } from "./sops";

export const MAX_NOTE_CHARS = 2000;

export interface FlagChoice {
  decision: Decision;
  note: string;
}

export interface ReviewDraft {
  flags: Record<string, FlagChoice>;
  note: string;
}

/** The flags the call has now: after its latest review, or as the judge raised them. */
export function currentFlags(call: Pick<CallDetail, "violation_flags" | "reviewed_flags">): string[] {
  return call.reviewed_flags ?? call.violation_flags;
}

/** Whether a flag is raised once a decision about the judge's finding applies. */
export function raisedAfter(judgeRaised: boolean, decision: Decision): boolean {
  return decision === "override" ? !judgeRaised : judgeRaised;
}

/**
 * The form's starting point: the call as it stands. A flag the latest review reversed starts
 * as an override, with that review's note; every other flag starts agreed.
 */
export function draftFrom(
  call: Pick<CallDetail, "violation_flags" | "reviewed_flags">,
  latest: Review | null,
  flags: readonly string[] = ALL_FLAGS,
): ReviewDraft {
  const now = currentFlags(call);
  const entries = flags.map((flag): [string, FlagChoice] => {
    const decision: Decision = call.violation_flags.includes(flag) === now.includes(flag) ? "agree" : "override";
    const previous = latest?.decisions.find((d) => d.flag === flag);
    return [flag, { decision, note: previous?.decision === decision ? previous.note : "" }];
  });
  return { flags: Object.fromEntries(entries), note: "" };
}

/** What is wrong with the draft, by flag (and "note" for the overall note); empty when none. */
export function reviewProblems(draft: ReviewDraft): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const [flag, choice] of Object.entries(draft.flags)) {
    if (choice.decision !== "override") continue;
    if (choice.note.trim() === "") {
      problems[flag] = `Say why you override ${flagLabel(flag)}.`;
    } else if (choice.note.length > MAX_NOTE_CHARS) {
      problems[flag] = `Keep the note under ${MAX_NOTE_CHARS} characters (it has ${choice.note.length}).`;
    }
  }
  if (draft.note.length > MAX_NOTE_CHARS) {
    problems.note = `Keep the note under ${MAX_NOTE_CHARS} characters (it has ${draft.note.length}).`;
  }
  return problems;
}

/** The request body: every flag's decision (an override with its note), made on `baseRevision`
 * of the scorecard `scorecard` (the one shown). */
export function reviewBody(draft: ReviewDraft, baseRevision: number, scorecard: string): ReviewIn {
  return {
    base_revision: baseRevision,
    scorecard,
    decisions: Object.entries(draft.flags).map(([flag, choice]) => ({
      flag,
      decision: choice.decision,
      note: choice.decision === "override" ? choice.note.trim() : "",
    })),
    note: draft.note.trim(),
  };
}
