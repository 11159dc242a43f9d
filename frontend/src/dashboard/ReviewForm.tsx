// A supervisor's review of the call: per violation flag, agree with the finding or override it
// (an override says why), an overall note, and "Mark reviewed". The review is made on the
// revision shown; if someone reviewed the call meanwhile the API refuses it (409) and the call
// is reloaded with their review.

import { type FormEvent, useId, useRef, useState } from "react";
import type { CallDetail, Decision, Review } from "./api";
import { useDashboard } from "./context";
import { asApiError } from "./load";
import {
  currentFlags,
  draftFrom,
  type FlagChoice,
  raisedAfter,
  type ReviewDraft,
  reviewBody,
  reviewProblems,
} from "./review";
import { ALL_FLAGS, SOP_OF_FLAG, SOP_TITLES } from "./sops";
import { problemText } from "./states";

type Outcome = { kind: "saved"; revision: number } | { kind: "conflict" } | { kind: "failed"; message: string };

function FlagDecision({
  flag,
  call,
  choice,
  problem,
  disabled,
  onChange,
}: {
  flag: string;
  call: CallDetail;
  choice: FlagChoice;
  problem?: string;
  disabled: boolean;
  onChange: (choice: FlagChoice) => void;
}) {
  const id = useId();
  const sop = SOP_OF_FLAG[flag];
  const judged = call.violation_flags.includes(flag);
  const now = currentFlags(call).includes(flag);
  const after = raisedAfter(judged, choice.decision);
  const set = (decision: Decision) => onChange({ ...choice, decision });
  return (
    <fieldset className="flag-decision" data-flag={flag} disabled={disabled}>
      <legend>
        {sop} {SOP_TITLES[sop]} <span className="detail">{flag}</span>
      </legend>
      <p className="finding">
        Judge: <strong className={judged ? "raised" : "clear"}>{judged ? "raised" : "not raised"}</strong>
        {call.reviewed_flags !== null && judged !== now && (
          <> · after review {call.review_revision}: {now ? "raised" : "cleared"}</>
        )}
      </p>
      <div className="choices">
        <label>
          <input type="radio" name={`${id}-decision`} checked={choice.decision === "agree"} onChange={() => set("agree")} />{" "}
          Agree
        </label>
        <label>
          <input type="radio" name={`${id}-decision`} checked={choice.decision === "override"} onChange={() => set("override")} />{" "}
          Override ({judged ? "clear the flag" : "raise the flag"})
        </label>
      </div>
      {choice.decision === "override" && (
        <>
          <label htmlFor={`${id}-note`} className="note-label">
            Why override {sop}? (required)
          </label>
          <textarea
            id={`${id}-note`}
            rows={2}
            value={choice.note}
            required
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? `${id}-problem` : undefined}
            onChange={(e) => onChange({ ...choice, note: e.target.value })}
          />
        </>
      )}
      {problem && (
        <p id={`${id}-problem`} className="field-problem">
          {problem}
        </p>
      )}
      <p className="detail after" data-after={after ? "raised" : "clear"}>
        After this review: {after ? "raised" : "not raised"}
      </p>
    </fieldset>
  );
}

function OutcomeNote({ outcome }: { outcome: Outcome | null }) {
  if (!outcome) return null;
  if (outcome.kind === "saved") {
    return (
      <p role="status" className="saved">
        Review {outcome.revision} saved.
      </p>
    );
  }
  return (
    <div role="alert" className="error" data-error={outcome.kind}>
      {outcome.kind === "conflict" ? (
        <p>
          Someone reviewed this call, or it was scored again, while you had it open. It has been reloaded: read it, then
          submit your review again if it still applies. Your choices are kept below.
        </p>
      ) : (
        <p>The review was not saved: {outcome.message}</p>
      )}
    </div>
  );
}

export function ReviewForm({
  call,
  latest,
  refreshing,
  onChanged,
}: {
  call: CallDetail;
  latest: Review | null;
  refreshing: boolean;
  onChanged: () => void;
}) {
  const { api, me } = useDashboard();
  // Kept across reloads: after a save it is what was saved, after a refusal the reader's work.
  const [draft, setDraft] = useState<ReviewDraft>(() => draftFrom(call, latest));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const noteId = useId();
  const blocked = !me.supervisor || call.status !== "SCORED";

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = reviewProblems(draft);
    setProblems(found);
    if (Object.keys(found).length > 0) {
      setOutcome(null);
      form.current?.querySelector<HTMLElement>("[aria-invalid='true']")?.focus();
      return;
    }
    setBusy(true);
    try {
      const review = await api.postReview(call.call_id, reviewBody(draft, call.review_revision, call.scorecard));
      setOutcome({ kind: "saved", revision: review.revision });
    } catch (error) {
      const problem = asApiError(error);
      setOutcome(problem.status === 409 ? { kind: "conflict" } : { kind: "failed", message: problemText(problem) });
      if (problem.status !== 409) return;
    } finally {
      setBusy(false);
    }
    onChanged();
  };

  return (
    <form className="review-form" ref={form} onSubmit={submit} aria-labelledby="review-heading" noValidate>
      {!me.supervisor && (
        <p className="notice" id="review-why">
          Only supervisors can review calls. You are signed in as {me.user}, who is not in the supervisors group: the
          judge's findings are shown, but you cannot change them.
        </p>
      )}
      {me.supervisor && call.status !== "SCORED" && (
        <p className="notice">This call was not scored, so there is nothing to review.</p>
      )}
      {call.review_revision > 0 && (
        <p className="detail">
          The form starts from review {call.review_revision}'s decisions; yours replaces it.
        </p>
      )}
      <div className="flag-decisions">
        {ALL_FLAGS.map((flag) => (
          <FlagDecision
            key={flag}
            flag={flag}
            call={call}
            choice={draft.flags[flag]}
            problem={problems[flag]}
            disabled={blocked || busy}
            onChange={(choice) => setDraft({ ...draft, flags: { ...draft.flags, [flag]: choice } })}
          />
        ))}
      </div>
      <label htmlFor={noteId}>Overall note (optional)</label>
      <textarea
        id={noteId}
        rows={2}
        value={draft.note}
        disabled={blocked || busy}
        aria-invalid={problems.note ? true : undefined}
        onChange={(e) => setDraft({ ...draft, note: e.target.value })}
      />
      {problems.note && <p className="field-problem">{problems.note}</p>}
      <div className="controls">
        <button type="submit" className="primary small" disabled={blocked || busy || refreshing} aria-describedby={!me.supervisor ? "review-why" : undefined}>
          {call.review_status === "reviewed" ? "Submit review" : "Mark reviewed"}
        </button>
        <span role="status" className="detail">
          {busy ? "Saving the review…" : refreshing ? "Reloading the call…" : ""}
        </span>
      </div>
      <OutcomeNote outcome={outcome} />
    </form>
  );
}
