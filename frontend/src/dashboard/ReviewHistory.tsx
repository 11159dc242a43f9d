// A call's reviews, newest first: who, when, the flags before and after, and the notes.

import type { Review } from "./api";
import { flagLabel } from "./sops";
import { formatDateTime } from "./time";

function FlagList({ flags }: { flags: string[] }) {
  return flags.length === 0 ? <span className="muted">none</span> : <>{flags.map(flagLabel).join(", ")}</>;
}

function Entry({ review }: { review: Review }) {
  const overrides = review.decisions.filter((d) => d.decision === "override");
  const agreedNotes = review.decisions.filter((d) => d.decision === "agree" && d.note);
  return (
    <li className="review-entry" data-revision={review.revision}>
      <div className="review-head">
        <strong>Review {review.revision}</strong> by {review.reviewer},{" "}
        <time dateTime={review.reviewed_at}>{formatDateTime(review.reviewed_at)}</time>
      </div>
      <dl className="review-flags">
        <dt>Flags before</dt>
        <dd>
          <FlagList flags={review.flags_before} />
        </dd>
        <dt>Flags after</dt>
        <dd>
          <FlagList flags={review.flags_after} />
        </dd>
        {review.added.length > 0 && (
          <>
            <dt>Raised</dt>
            <dd>
              <FlagList flags={review.added} />
            </dd>
          </>
        )}
        {review.removed.length > 0 && (
          <>
            <dt>Cleared</dt>
            <dd>
              <FlagList flags={review.removed} />
            </dd>
          </>
        )}
      </dl>
      {overrides.length === 0 && <p className="detail">Agreed with every finding.</p>}
      {[...overrides, ...agreedNotes].length > 0 && (
        <ul className="decisions">
          {[...overrides, ...agreedNotes].map((d) => (
            <li key={d.flag}>
              {d.decision === "override" ? "Overrode" : "Agreed with"} {flagLabel(d.flag)}
              {d.note && <>: “{d.note}”</>}
            </li>
          ))}
        </ul>
      )}
      {review.note && <p className="review-note">{review.note}</p>}
    </li>
  );
}

export function ReviewHistory({ reviews }: { reviews: Review[] }) {
  if (reviews.length === 0) return <p className="muted">Nobody has reviewed this call yet.</p>;
  const newestFirst = [...reviews].sort((a, b) => b.revision - a.revision);
  return (
    <ol className="review-history" reversed aria-label="Reviews, newest first">
      {newestFirst.map((review) => (
        <Entry key={review.revision} review={review} />
      ))}
    </ol>
  );
}
