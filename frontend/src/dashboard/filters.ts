// The calls list's filters as they live in the address bar (/dashboard?agent=a1&flagged=true),
// so a link shows the same view, and as the API's query. Dates in the address bar are the
// viewer's local dates, both days included; the API gets the [from, to) instants.

import type { CallQuery, CallStatus, JudgeKind, ReviewStatus } from "./api";
import { ALL_FLAGS, JUDGE_KINDS, RISK_REASONS } from "./sops";
import { dateRangeToInstants, isLocalDate } from "./time";

/** The API's call query without the page (limit, cursor); here `from` and `to` are
 * YYYY-MM-DD local dates, the first and the last day shown (both included). */
export type CallFilters = Omit<CallQuery, "limit" | "cursor">;

/**
 * The list's place in the address bar: its filters and, past the first page, the cursor and
 * `asOf`, the moment the pages are counted back from when no last day is set. A cursor is
 * only valid with the range it was issued for, so every page of a list asks with one `to`.
 */
export interface ListLocation {
  filters: CallFilters;
  cursor?: string;
  asOf?: string;
}

export const PAGE_SIZE = 25;

/** The review queue: calls a supervisor has to look at and nobody has reviewed yet. */
export const REVIEW_QUEUE: CallFilters = { needs_review: true, review: "unreviewed" };

const KEYS = [
  "from",
  "to",
  "agent",
  "flagged",
  "flag",
  "risk",
  "score_min",
  "score_max",
  "needs_review",
  "review",
  "judge",
  "status",
  "call_id",
] as const satisfies readonly (keyof CallFilters)[];

const REVIEW_STATUSES: readonly string[] = ["unreviewed", "reviewed"];
const STATUSES: readonly string[] = ["SCORED", "FAILED", "TRANSCRIBING"];

function bool(value: string | null): boolean | undefined {
  return value === "true" ? true : value === "false" ? false : undefined;
}

function score(value: string | null): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const number = Number(value);
  return Number.isInteger(number) && number >= 0 && number <= 100 ? number : undefined;
}

function text(value: string | null): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function oneOf<T extends string>(value: string | null, allowed: readonly string[]): T | undefined {
  return value !== null && allowed.includes(value) ? (value as T) : undefined;
}

function date(value: string | null): string | undefined {
  return value !== null && isLocalDate(value) ? value : undefined;
}

/** Reads the list's filters from a query string; values the list does not know are dropped. */
export function readListLocation(search: string): ListLocation {
  const params = new URLSearchParams(search);
  const raw: CallFilters = {
    from: date(params.get("from")),
    to: date(params.get("to")),
    agent: text(params.get("agent")),
    flagged: bool(params.get("flagged")),
    flag: oneOf(params.get("flag"), ALL_FLAGS),
    risk: oneOf(params.get("risk"), RISK_REASONS),
    score_min: score(params.get("score_min")),
    score_max: score(params.get("score_max")),
    needs_review: bool(params.get("needs_review")),
    review: oneOf<ReviewStatus>(params.get("review"), REVIEW_STATUSES),
    judge: oneOf<JudgeKind>(params.get("judge"), JUDGE_KINDS),
    status: oneOf<CallStatus>(params.get("status"), STATUSES),
    call_id: text(params.get("call_id")),
  };
  const asOf = params.get("asof") ?? "";
  return {
    filters: compact(raw),
    ...(text(params.get("cursor")) ? { cursor: text(params.get("cursor")) } : {}),
    ...(Number.isFinite(Date.parse(asOf)) && /^\d{4}-/.test(asOf) ? { asOf } : {}),
  };
}

/** The filters without their unset keys. */
export function compact(filters: CallFilters): CallFilters {
  const out: Record<string, unknown> = {};
  for (const key of KEYS) {
    const value = filters[key];
    if (value !== undefined && value !== "") out[key] = value;
  }
  return out as CallFilters;
}

/** "?agent=a1&flagged=true" (keys in a fixed order), "" for no filters on the first page. */
export function listSearch(filters: CallFilters, page: { cursor?: string; asOf?: string } = {}): string {
  const params = new URLSearchParams();
  const set = compact(filters);
  for (const key of KEYS) {
    if (set[key] !== undefined) params.set(key, String(set[key]));
  }
  if (page.cursor) params.set("cursor", page.cursor);
  if (page.asOf && !set.to) params.set("asof", page.asOf);
  const query = params.toString();
  return query ? `?${query}` : "";
}

/** Now, to the second, as the list's `asOf`. */
export const instantNow = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * The API's query for one page of the list: dates turned into instants in `timeZone`, and
 * without a last day, `to` is the list's `asOf` (or `now`, on a fresh first page).
 */
export function callQuery(location: ListLocation, timeZone?: string, now: string = instantNow()): CallQuery {
  const { from, to, ...rest } = compact(location.filters);
  const range = dateRangeToInstants({ from, to }, timeZone);
  return {
    ...rest,
    ...range,
    ...(range.to ? {} : { to: location.asOf ?? now }),
    limit: PAGE_SIZE,
    ...(location.cursor ? { cursor: location.cursor } : {}),
  };
}

export function sameFilters(a: CallFilters, b: CallFilters): boolean {
  return listSearch(a) === listSearch(b);
}

export function isReviewQueue(filters: CallFilters): boolean {
  return sameFilters(filters, REVIEW_QUEUE);
}

/** A problem the filters cannot be asked with, or null. */
export function filterProblem(filters: CallFilters): string | null {
  if (filters.from && filters.to && filters.from > filters.to) {
    return "The first day is after the last day.";
  }
  for (const value of [filters.score_min, filters.score_max]) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0 && value <= 100)) {
      return "Scores are whole numbers from 0 to 100.";
    }
  }
  if (filters.score_min !== undefined && filters.score_max !== undefined && filters.score_min > filters.score_max) {
    return "The lowest score is above the highest score.";
  }
  return null;
}

/** A date range (the agents' views) from a query string. */
export function readRange(search: string): { from?: string; to?: string } {
  const params = new URLSearchParams(search);
  const range: { from?: string; to?: string } = {};
  const from = date(params.get("from"));
  const to = date(params.get("to"));
  if (from) range.from = from;
  if (to) range.to = to;
  return range;
}
