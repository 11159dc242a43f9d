// The calls list (and the review queue, the same list filtered): filters in the address bar,
// the API's order (urgent unreviewed calls first), a page at a time.

import { useEffect, useMemo, useState } from "react";
import type { CallPage } from "./api";
import { CallFiltersForm } from "./CallFiltersForm";
import { CallsTable } from "./CallsTable";
import { useDashboard } from "./context";
import { LabelsDownload } from "./LabelsDownload";
import {
  type CallFilters,
  callQuery,
  compact,
  instantNow,
  isReviewQueue,
  type ListLocation,
  readListLocation,
} from "./filters";
import { useLoad } from "./load";
import { nextPage, pageNumber, previousPage, readTrail } from "./pages";
import { callsHref } from "./routes";
import { Link, navigate, type Place } from "./router";
import { Empty, ErrorNotice, Loading } from "./states";
import { dateRangeToInstants } from "./time";

// The agent field's suggestions, read once per API client for a few minutes: the list view is
// opened again after every call, and the agents' totals read a month of calls.
const AGENT_NAMES_FOR_MS = 5 * 60_000;
const agentNames = new WeakMap<object, { at: number; names: string[] }>();

function useAgentNames(): string[] {
  const { api } = useDashboard();
  const [names, setNames] = useState<string[]>(() => agentNames.get(api)?.names ?? []);
  useEffect(() => {
    const cached = agentNames.get(api);
    if (cached && Date.now() - cached.at < AGENT_NAMES_FOR_MS) return;
    const controller = new AbortController();
    api
      .agents({}, controller.signal)
      .then((list) => {
        const found = list.items.map((agent) => agent.agent_id);
        agentNames.set(api, { at: Date.now(), names: found });
        setNames(found);
      })
      .catch(() => undefined); // only suggestions for the agent field
    return () => controller.abort();
  }, [api]);
  return names;
}

function Pager({ page, location, place, asOf }: { page: CallPage; location: ListLocation; place: Place; asOf: string }) {
  const { filters, cursor } = location;
  const trail = readTrail(place.state);
  const number = pageNumber(cursor, trail);
  const go = (to: { cursor: string | undefined; state: unknown }) => {
    navigate(callsHref(filters, { cursor: to.cursor, asOf }), { state: to.state });
    window.scrollTo({ top: 0 });
  };
  if (!cursor && !page.next_cursor) return null;
  return (
    <nav className="pager" aria-label="Pages">
      {cursor && (
        <button type="button" className="small" onClick={() => go(previousPage(trail))}>
          {trail ? "Previous page" : "First page"}
        </button>
      )}
      <span>{number ? `Page ${number}` : "A later page"}</span>
      {page.next_cursor && (
        <button type="button" className="small" onClick={() => go(nextPage(cursor, trail, page.next_cursor as string))}>
          Next page
        </button>
      )}
    </nav>
  );
}

function NoCalls({ filters }: { filters: CallFilters }) {
  const filtered = Object.keys(compact(filters)).length > 0;
  if (isReviewQueue(filters)) {
    return <Empty>No calls are waiting for review. Every call that needs a supervisor has been reviewed.</Empty>;
  }
  return (
    <Empty>
      {filtered ? (
        <>
          No calls match these filters. <Link to={callsHref()}>Clear the filters</Link>
        </>
      ) : (
        "No calls in the last 30 days."
      )}
    </Empty>
  );
}

export function CallsView({ place }: { place: Place }) {
  const { api } = useDashboard();
  const location = readListLocation(place.search);
  const { filters } = location;
  const agents = useAgentNames();
  // Every page of this list counts back from one moment (see ListLocation).
  const asOf = useMemo(() => location.asOf ?? instantNow(), [place.search]); // a new list: a new moment
  const [calls, reload] = useLoad((signal) => api.calls(callQuery(location, undefined, asOf), signal), place.search);
  const queue = isReviewQueue(filters);
  const range = dateRangeToInstants({ from: filters.from, to: filters.to });

  return (
    <section className="dash-view" aria-labelledby="view-heading">
      <div className="view-head">
        <h2 id="view-heading" tabIndex={-1}>
          {queue ? "Review queue" : "Calls"}
        </h2>
        <p className="detail">
          {queue
            ? "Calls that need a supervisor and nobody has reviewed yet, urgent ones first."
            : "Newest first; urgent calls nobody has reviewed come first."}{" "}
          {!filters.from && "Without a first day, the last 30 days."}
        </p>
      </div>
      <CallFiltersForm filters={filters} agents={agents} onApply={(next) => navigate(callsHref(next))} />
      {calls.kind === "loading" && <Loading what="calls" />}
      {calls.kind === "error" && (
        <ErrorNotice title="The calls could not be loaded" error={calls.error} onRetry={() => reload()}>
          {location.cursor && (
            <p>
              <Link to={callsHref(filters)}>Go to the first page</Link>
            </p>
          )}
        </ErrorNotice>
      )}
      {calls.kind === "ready" &&
        (calls.data.items.length === 0 ? (
          <NoCalls filters={filters} />
        ) : (
          <>
            <CallsTable calls={calls.data.items} caption={queue ? "Review queue" : "Calls"} listQuery={place.search} />
            <Pager page={calls.data} location={location} place={place} asOf={asOf} />
          </>
        ))}
      <aside className="dash-aside" aria-label="Export">
        <LabelsDownload range={range} />
        <p className="detail">Reviewed calls in the chosen days as labelled cases, to measure the judges with.</p>
      </aside>
    </section>
  );
}

