// The calls table; on a narrow screen each row is a card (styles.css).

import type { CallSummary } from "./api";
import { flagStates, judgeText, reviewText, scoreBand, scoreText } from "./format";
import { agentHref, callHref } from "./routes";
import { Link } from "./router";
import { flagLabel, humanize } from "./sops";
import { formatDateTime } from "./time";

function Flags({ call }: { call: CallSummary }) {
  const flags = flagStates(call);
  if (flags.length === 0) return <span className="muted">None</span>;
  return (
    <ul className="chips">
      {flags.map(({ flag, state }) => (
        <li key={flag} className={`chip flag ${state}`} title={flag}>
          {state === "cleared" ? <s>{flagLabel(flag)}</s> : flagLabel(flag)}
          {state !== "raised" && <span className="chip-note"> ({state} in review)</span>}
        </li>
      ))}
    </ul>
  );
}

function Risk({ call }: { call: CallSummary }) {
  if (call.risk_reasons.length === 0) return <span className="muted">None</span>;
  return (
    <ul className="chips">
      {call.risk_reasons.map((reason) => (
        <li key={reason} className="chip risk" title={reason}>
          {humanize(reason)}
        </li>
      ))}
    </ul>
  );
}

function Row({ call, listQuery }: { call: CallSummary; listQuery: string }) {
  return (
    <tr data-call-id={call.call_id} className={call.urgent ? "urgent" : undefined}>
      <th scope="row" data-label="Call">
        <Link to={callHref(call.call_id, listQuery)} className="call-link">
          {call.call_id}
        </Link>
        {(call.urgent || call.needs_review) && (
          <span className="badges">
            {call.urgent && <span className="badge urgent">Urgent</span>}
            {call.needs_review && <span className="badge review">Needs review</span>}
          </span>
        )}
      </th>
      <td data-label="Agent" className="nowrap">
        <Link to={agentHref(call.agent_id)}>{call.agent_id}</Link>
      </td>
      <td data-label="Time">
        <time dateTime={call.timestamp}>{formatDateTime(call.timestamp)}</time>
      </td>
      <td data-label="Score">
        <span className={`score ${scoreBand(call.overall_score)}`} data-status={call.status}>
          {scoreText(call)}
        </span>
      </td>
      <td data-label="Flags">
        <Flags call={call} />
      </td>
      <td data-label="Risk">
        <Risk call={call} />
      </td>
      <td data-label="Judge">{judgeText(call)}</td>
      <td data-label="Review" data-review={call.review_status}>
        {reviewText(call)}
      </td>
    </tr>
  );
}

export function CallsTable({
  calls,
  caption,
  listQuery = "",
}: {
  calls: CallSummary[];
  caption: string;
  listQuery?: string;
}) {
  return (
    <div className="table-wrap">
      <table className="calls responsive">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Call</th>
            <th scope="col">Agent</th>
            <th scope="col">Time</th>
            <th scope="col">Score</th>
            <th scope="col">Flags</th>
            <th scope="col">Risk</th>
            <th scope="col">Judge</th>
            <th scope="col">Review</th>
          </tr>
        </thead>
        <tbody>
          {calls.map((call) => (
            <Row key={call.call_id} call={call} listQuery={listQuery} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
