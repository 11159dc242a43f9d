// Every agent's totals over a range of days: calls, average score, flagged calls and
// violations per SOP.

import { useId } from "react";
import type { AgentTotals } from "./api";
import { useDashboard } from "./context";
import { listSearch, readRange } from "./filters";
import { average } from "./format";
import { useLoad } from "./load";
import { agentHref, agentsHref } from "./routes";
import { Link, navigate, type Place } from "./router";
import { SOP_IDS, SOP_TITLES } from "./sops";
import { Empty, ErrorNotice, Loading } from "./states";
import { dateRangeToInstants } from "./time";

type Range = { from?: string; to?: string };

export function RangeForm({ range, onChange }: { range: Range; onChange: (range: Range) => void }) {
  const from = useId();
  const to = useId();
  return (
    <form className="filters compact" onSubmit={(e) => e.preventDefault()} aria-label="Days">
      <div className="field">
        <label htmlFor={from}>From (first day)</label>
        <input id={from} type="date" value={range.from ?? ""} max={range.to} onChange={(e) => onChange({ ...range, from: e.target.value || undefined })} />
      </div>
      <div className="field">
        <label htmlFor={to}>To (last day)</label>
        <input id={to} type="date" value={range.to ?? ""} min={range.from} onChange={(e) => onChange({ ...range, to: e.target.value || undefined })} />
      </div>
    </form>
  );
}

function AgentRow({ agent, search }: { agent: AgentTotals; search: string }) {
  return (
    <tr data-agent-id={agent.agent_id}>
      <th scope="row" data-label="Agent">
        <Link to={agentHref(agent.agent_id, search)}>{agent.agent_id}</Link>
      </th>
      <td data-label="Calls">{agent.calls}</td>
      <td data-label="Average score">{average(agent.average_score)}</td>
      <td data-label="Flagged calls">{agent.flagged_calls}</td>
      {SOP_IDS.map((sop) => (
        <td key={sop} data-label={`${sop} ${SOP_TITLES[sop]}`} className={agent.violations[sop] ? "has-violations" : undefined}>
          {agent.violations[sop] ?? 0}
        </td>
      ))}
    </tr>
  );
}

export function AgentsView({ place }: { place: Place }) {
  const { api } = useDashboard();
  const range = readRange(place.search);
  const [agents, reload] = useLoad((signal) => api.agents(dateRangeToInstants(range), signal), place.search);
  const agentSearch = range.to ? `?to=${range.to}` : "";
  return (
    <section className="dash-view" aria-labelledby="view-heading">
      <div className="view-head">
        <h2 id="view-heading" tabIndex={-1}>
          Agents
        </h2>
        <p className="detail">Violations are counted per SOP. {!range.from && "Without a first day, the last 30 days."}</p>
      </div>
      <RangeForm range={range} onChange={(next) => navigate(agentsHref(listSearch(next)))} />
      {agents.kind === "loading" && <Loading what="agents" />}
      {agents.kind === "error" && <ErrorNotice title="The agents could not be loaded" error={agents.error} onRetry={() => reload()} />}
      {agents.kind === "ready" &&
        (agents.data.items.length === 0 ? (
          <Empty>No agent took a call in these days.</Empty>
        ) : (
          <div className="table-wrap">
            <table className="agents responsive">
              <caption className="visually-hidden">Agents</caption>
              <thead>
                <tr>
                  <th scope="col">Agent</th>
                  <th scope="col">Calls</th>
                  <th scope="col">Average score</th>
                  <th scope="col">Flagged calls</th>
                  {SOP_IDS.map((sop) => (
                    <th scope="col" key={sop}>
                      <abbr title={`${SOP_TITLES[sop]} violations`}>{sop}</abbr>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {agents.data.items.map((agent) => (
                  <AgentRow key={agent.agent_id} agent={agent} search={agentSearch} />
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </section>
  );
}
