// The dashboard's addresses: what each path shows, and the links between views.

import { type CallFilters, listSearch } from "./filters";

export type Route =
  | { view: "calls" }
  | { view: "call"; callId: string }
  | { view: "agents" }
  | { view: "agent"; agentId: string }
  | { view: "callback" }
  | { view: "missing" };

function decoded(segment: string): string | null {
  try {
    const value = decodeURIComponent(segment);
    return value === "" ? null : value;
  } catch {
    return null;
  }
}

/** The view a path under /dashboard shows. */
export function matchRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, "");
  if (path === "/dashboard") return { view: "calls" };
  if (path === "/dashboard/callback") return { view: "callback" };
  if (path === "/dashboard/agents") return { view: "agents" };
  const call = /^\/dashboard\/calls\/([^/]+)$/.exec(path);
  if (call) {
    const callId = decoded(call[1]);
    return callId ? { view: "call", callId } : { view: "missing" };
  }
  const agent = /^\/dashboard\/agents\/([^/]+)$/.exec(path);
  if (agent) {
    const agentId = decoded(agent[1]);
    return agentId ? { view: "agent", agentId } : { view: "missing" };
  }
  return { view: "missing" };
}

/** The calls list with these filters. */
export const callsHref = (filters: CallFilters = {}, page: { cursor?: string; asOf?: string } = {}) =>
  `/dashboard${listSearch(filters, page)}`;

/** A call, carrying the list's query string so "Back to calls" returns to the same list. */
export const callHref = (callId: string, listQuery = "") =>
  `/dashboard/calls/${encodeURIComponent(callId)}${listQuery}`;

export const agentsHref = (search = "") => `/dashboard/agents${search}`;

export const agentHref = (agentId: string, search = "") =>
  `/dashboard/agents/${encodeURIComponent(agentId)}${search}`;
