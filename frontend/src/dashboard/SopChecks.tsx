// Each SOP check of the call: whether it applied, was followed or violated, and the quotes the
// judge based it on. A quote plays the recording from where it was said.

import { memo } from "react";
import type { Evidence, SopCheck } from "./api";
import { humanize, SOP_TITLES, type SopId } from "./sops";
import { formatClock } from "./time";

export function outcome(check: Pick<SopCheck, "triggered" | "violated">): "violated" | "followed" | "not-triggered" {
  if (check.violated) return "violated";
  return check.triggered ? "followed" : "not-triggered";
}

const OUTCOME_TEXT = { violated: "Violated", followed: "Followed", "not-triggered": "Not triggered" };

function Quote({ evidence, onSeek }: { evidence: Evidence; onSeek?: (time: number) => void }) {
  const who = evidence.speaker.toUpperCase() === "AGENT" ? "Agent" : "Customer";
  const body = (
    <>
      <q>{evidence.quote}</q>{" "}
      <span className="quote-where">
        {who}, {formatClock(evidence.start_time)}
      </span>
    </>
  );
  if (!onSeek) return <blockquote className="quote">{body}</blockquote>;
  return (
    <button
      type="button"
      className="quote"
      data-start={evidence.start_time}
      onClick={() => onSeek(evidence.start_time)}
      aria-label={`Play from ${formatClock(evidence.start_time)}: ${evidence.quote}`}
    >
      {body}
    </button>
  );
}

export const SopChecks = memo(function SopChecks({
  checks,
  disputed,
  onSeek,
}: {
  checks: SopCheck[];
  disputed: string[];
  onSeek?: (time: number) => void;
}) {
  if (checks.length === 0) return <p className="muted">No SOP checks were recorded for this call.</p>;
  return (
    <ul className="sop-checks">
      {checks.map((check) => {
        const result = outcome(check);
        return (
          <li key={check.sop_id} className={`sop ${result}`} data-sop={check.sop_id}>
            <div className="sop-head">
              <strong>{check.sop_id}</strong> {SOP_TITLES[check.sop_id as SopId] || humanize(check.flag)}
              <span className={`outcome ${result}`}>{OUTCOME_TEXT[result]}</span>
              {disputed.includes(check.sop_id) && (
                <span className="badge review" title="The second judge disagreed">
                  Judges disagree
                </span>
              )}
            </div>
            <div className="detail">{check.flag}</div>
            {check.note && <p className="sop-note">{check.note}</p>}
            {check.evidence.length > 0 && (
              <ul className="evidence" aria-label={`Evidence for ${check.sop_id}`}>
                {check.evidence.map((evidence, i) => (
                  <li key={i}>
                    <Quote evidence={evidence} onSeek={onSeek} />
                  </li>
                ))}
              </ul>
            )}
          </li>
        );
      })}
    </ul>
  );
});
