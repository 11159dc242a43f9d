// One agent: their weeks (calls, average score, violations by SOP) and their worst calls.

import { useId } from "react";
import type { AgentWeek } from "./api";
import { CallsTable } from "./CallsTable";
import { useDashboard } from "./context";
import { average } from "./format";
import { useLoad } from "./load";
import { agentHref, agentsHref } from "./routes";
import { Link, navigate, type Place } from "./router";
import { SOP_IDS } from "./sops";
import { Empty, ErrorNotice, Loading } from "./states";
import { dateRangeToInstants, formatDay, isLocalDate } from "./time";
import { WeeksChart } from "./WeeksChart";

export const WEEK_CHOICES = [4, 8, 12, 26, 52];
const DEFAULT_WEEKS = 8;

/** The agent view's settings from its query string: how many weeks, up to which day. */
export function readAgentSearch(search: string): { weeks: number; to?: string } {
  const params = new URLSearchParams(search);
  const weeks = Number(params.get("weeks"));
  const to = params.get("to") ?? "";
  return {
    weeks: WEEK_CHOICES.includes(weeks) ? weeks : DEFAULT_WEEKS,
    ...(isLocalDate(to) ? { to } : {}),
  };
}

function agentSearch(settings: { weeks: number; to?: string }): string {
  const params = new URLSearchParams();
  if (settings.weeks !== DEFAULT_WEEKS) params.set("weeks", String(settings.weeks));
  if (settings.to) params.set("to", settings.to);
  const text = params.toString();
  return text ? `?${text}` : "";
}

function WeeksTable({ weeks }: { weeks: AgentWeek[] }) {
  return (
    <div className="table-wrap">
      <table className="weeks responsive">
        <caption className="visually-hidden">Weeks</caption>
        <thead>
          <tr>
            <th scope="col">Week of</th>
            <th scope="col">Calls</th>
            <th scope="col">Average score</th>
            {SOP_IDS.map((sop) => (
              <th scope="col" key={sop}>
                {sop}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((week) => (
            <tr key={week.week_start}>
              <th scope="row" data-label="Week of">
                {formatDay(week.week_start)}
              </th>
              <td data-label="Calls">{week.calls}</td>
              <td data-label="Average score">{average(week.average_score)}</td>
              {SOP_IDS.map((sop) => (
                <td key={sop} data-label={`${sop} violations`}>
                  {week.violations[sop] ?? 0}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Settings({ agentId, settings }: { agentId: string; settings: { weeks: number; to?: string } }) {
  const weeksId = useId();
  const toId = useId();
  const go = (next: { weeks: number; to?: string }) => navigate(agentHref(agentId, agentSearch(next)));
  return (
    <form className="filters compact" onSubmit={(e) => e.preventDefault()} aria-label="Weeks shown">
      <div className="field">
        <label htmlFor={weeksId}>Weeks</label>
        <select id={weeksId} value={settings.weeks} onChange={(e) => go({ ...settings, weeks: Number(e.target.value) })}>
          {WEEK_CHOICES.map((n) => (
            <option key={n} value={n}>
              {n} weeks
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={toId}>Up to (last day)</label>
        <input id={toId} type="date" value={settings.to ?? ""} onChange={(e) => go({ ...settings, to: e.target.value || undefined })} />
      </div>
    </form>
  );
}

export function AgentView({ agentId, place }: { agentId: string; place: Place }) {
  const { api } = useDashboard();
  const settings = readAgentSearch(place.search);
  const query = { weeks: settings.weeks, ...dateRangeToInstants({ to: settings.to }) };
  const [agent, reload] = useLoad((signal) => api.agent(agentId, query, signal), `${agentId}${place.search}`);
  const listQuery = `?agent=${encodeURIComponent(agentId)}`;
  return (
    <section className="dash-view" aria-labelledby="view-heading">
      <p className="back">
        <Link to={agentsHref(settings.to ? `?to=${settings.to}` : "")}>← All agents</Link>
      </p>
      <h2 id="view-heading" tabIndex={-1}>
        Agent <span className="call-id">{agentId}</span>
      </h2>
      <Settings agentId={agentId} settings={settings} />
      {agent.kind === "loading" && <Loading what="the agent's weeks" />}
      {agent.kind === "error" && (
        <ErrorNotice
          title={agent.error.status === 404 ? "No such agent" : "The agent could not be loaded"}
          error={agent.error}
          onRetry={agent.error.status === 404 ? undefined : () => reload()}
        />
      )}
      {agent.kind === "ready" && (
        <>
          <section className="panel" aria-labelledby="weeks-heading">
            <h3 id="weeks-heading">Week by week</h3>
            {agent.data.weeks.every((week) => week.calls === 0) ? (
              <Empty>No calls in these weeks.</Empty>
            ) : (
              <>
                <WeeksChart weeks={agent.data.weeks} />
                <WeeksTable weeks={agent.data.weeks} />
              </>
            )}
          </section>
          <section className="panel" aria-labelledby="worst-heading">
            <h3 id="worst-heading">Worst calls</h3>
            {agent.data.worst_calls.length === 0 ? (
              <Empty>No scored calls in these weeks.</Empty>
            ) : (
              <CallsTable calls={agent.data.worst_calls} caption="Worst calls" listQuery={listQuery} />
            )}
            <p>
              <Link to={`/dashboard${listQuery}`}>All of {agentId}'s calls</Link>
            </p>
          </section>
        </>
      )}
    </section>
  );
}
