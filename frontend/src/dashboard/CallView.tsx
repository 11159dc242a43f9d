// One call: its score and summary, the SOP checks with their evidence, the recording with a
// transcript that follows it, the customer's sentiment, and its reviews.

import { memo, type ReactNode } from "react";
import type { CallDetail, ReviewHistory as History } from "./api";
import { useDashboard } from "./context";
import { judgeText, reviewText, scoreBand, scoreText } from "./format";
import { type Loaded, useLoad } from "./load";
import { type Recording, useRecording } from "./recording";
import { ReviewForm } from "./ReviewForm";
import { ReviewHistory } from "./ReviewHistory";
import { agentHref } from "./routes";
import { Link, type Place } from "./router";
import { SentimentChart } from "./SentimentChart";
import { SopChecks } from "./SopChecks";
import { humanize } from "./sops";
import { ErrorNotice, Loading } from "./states";
import { formatDateTime } from "./time";
import { Transcript } from "./Transcript";

function Player({ recording }: { recording: Recording }) {
  const { state, audioRef, handlers } = recording;
  if (state.kind === "none") return <p className="notice">This call has no recording.</p>;
  if (state.kind === "loading") return <Loading what="the recording" />;
  if (state.kind === "broken") {
    return (
      <div className="error" role="alert" data-error="recording">
        <p>The recording could not be played{state.error ? `: ${state.error.message}` : "."}</p>
        <button type="button" className="small" onClick={recording.retry}>
          Try again
        </button>
      </div>
    );
  }
  return (
    <audio
      key={state.load}
      ref={audioRef}
      className="recording"
      src={state.link.url}
      controls
      preload="metadata"
      aria-label="Call recording"
      {...handlers}
    />
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

const Facts = memo(function Facts({ call }: { call: CallDetail }) {
  return (
    <dl className="facts">
      <Fact label="Score">
        <span className={`score big ${scoreBand(call.overall_score)}`} data-testid="call-score">
          {scoreText(call)}
        </span>
      </Fact>
      <Fact label="Agent">
        <Link to={agentHref(call.agent_id)}>{call.agent_id}</Link>
      </Fact>
      <Fact label="Time">
        <time dateTime={call.timestamp}>{formatDateTime(call.timestamp)}</time>
      </Fact>
      <Fact label="Judge">
        <span title={call.judge ?? undefined}>{judgeText(call)}</span>
      </Fact>
      <Fact label="Review">
        {reviewText(call)}
        {call.reviewed_by && call.reviewed_at && (
          <span className="detail">
            {" "}
            (last by {call.reviewed_by}, {formatDateTime(call.reviewed_at)})
          </span>
        )}
      </Fact>
      <Fact label="Risk">{call.risk_reasons.length > 0 ? call.risk_reasons.map(humanize).join(", ") : "None"}</Fact>
    </dl>
  );
});

function StatusNotes({ call }: { call: CallDetail }) {
  return (
    <>
      {call.status === "FAILED" && (
        <div className="error" role="note" data-error="failed">
          <h3>This call could not be scored</h3>
          <p>{call.failure_reason ?? "No reason was recorded."}</p>
        </div>
      )}
      {call.status === "TRANSCRIBING" && <p className="notice">This call is still being transcribed.</p>}
      {call.warnings.length > 0 && (
        <ul className="notice warnings" aria-label="Warnings">
          {call.warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      )}
    </>
  );
}

interface ReviewsProps {
  call: CallDetail;
  refreshing: boolean; // the call is being reloaded (after a review, or a refused one)
  history: Loaded<History>;
  onChanged: () => void;
}

const Reviews = memo(function Reviews({ call, refreshing, history, onChanged }: ReviewsProps) {
  return (
    <section className="panel" aria-labelledby="review-heading">
      <h3 id="review-heading">Review</h3>
      {history.kind === "loading" ? (
        <Loading what="the reviews" />
      ) : (
        <ReviewForm
          call={call}
          refreshing={refreshing || (history.kind === "ready" && history.refreshing === true)}
          latest={history.kind === "ready" ? (history.data.items.at(-1) ?? null) : null}
          onChanged={onChanged}
        />
      )}
      <h4>History</h4>
      {history.kind === "error" && <ErrorNotice title="The reviews could not be loaded" error={history.error} />}
      {history.kind === "ready" && <ReviewHistory reviews={history.data.items} />}
    </section>
  );
});

// CallBody renders again on every `timeupdate` of the recording (its time state); the parts
// below whose props stay the same while it plays (Facts, SopChecks, SentimentChart, Reviews)
// are memoised, and `seek` is a stable callback (useCallback in useRecording).
function CallBody({ call, refreshing, history, onChanged }: ReviewsProps) {
  const recording = useRecording(call.call_id, call.has_recording);
  const seek = recording.state.kind === "ready" ? recording.seek : undefined;
  return (
    <div className="call-layout">
      <div className="call-main">
        <Facts call={call} />
        <StatusNotes call={call} />
        {call.summary_insight && <p className="summary">{call.summary_insight}</p>}
        <section className="panel" aria-labelledby="sop-heading">
          <h3 id="sop-heading">SOP checks</h3>
          <SopChecks checks={call.sop_checks} disputed={call.disputed_sops} onSeek={seek} />
        </section>
      </div>
      <div className="call-side">
        <section className="panel" aria-labelledby="listen-heading">
          <h3 id="listen-heading">Recording and transcript</h3>
          <Player recording={recording} />
          <Transcript turns={call.turns} time={recording.time} playing={recording.playing} onSeek={seek} />
        </section>
        <section className="panel" aria-labelledby="sentiment-heading">
          <h3 id="sentiment-heading">Customer sentiment</h3>
          <SentimentChart points={call.sentiment} start={call.sentiment_start} end={call.sentiment_end} onSeek={seek} />
        </section>
      </div>
      <div className="call-review">
        <Reviews call={call} refreshing={refreshing} history={history} onChanged={onChanged} />
      </div>
    </div>
  );
}

export function CallView({ callId, place }: { callId: string; place: Place }) {
  const { api } = useDashboard();
  const [call, reloadCall] = useLoad((signal) => api.call(callId, signal), callId);
  const [history, reloadHistory] = useLoad((signal) => api.reviews(callId, signal), callId);
  const reload = () => {
    reloadCall(true);
    reloadHistory(true);
  };
  return (
    <section className="dash-view" aria-labelledby="view-heading">
      <p className="back">
        <Link to={`/dashboard${place.search}`}>← Back to calls</Link>
      </p>
      <h2 id="view-heading" tabIndex={-1}>
        Call <span className="call-id">{callId}</span>
      </h2>
      {call.kind === "loading" && <Loading what="the call" />}
      {call.kind === "error" &&
        (call.error.status === 404 ? (
          <ErrorNotice title="No such call" error={call.error}>
            <p>There is no scored call with this id. Check the link, or find the call in the list.</p>
          </ErrorNotice>
        ) : (
          <ErrorNotice title="The call could not be loaded" error={call.error} onRetry={() => reloadCall()} />
        ))}
      {call.kind === "ready" && (
        <CallBody call={call.data} refreshing={call.refreshing === true} history={history} onChanged={reload} />
      )}
    </section>
  );
}
