// The dashboard API's wire shapes (lambda_src/contracts/dashboard.py) and a small typed client.
// Errors arrive as {"error": {"code", "message"}}; every failure, a dropped connection included,
// is thrown as an ApiError the views can show.

export type JudgeKind = "bedrock" | "rules" | "fallback";
export type ReviewStatus = "unreviewed" | "reviewed";
export type Decision = "agree" | "override";
export type CallStatus = "SCORED" | "FAILED" | "TRANSCRIBING";

export interface CallSummary {
  call_id: string;
  agent_id: string;
  timestamp: string;
  status: CallStatus;
  overall_score: number | null;
  violation_flags: string[];
  risk_flag: boolean;
  risk_reasons: string[];
  judge: string | null;
  judge_kind: JudgeKind | null;
  needs_review: boolean;
  urgent: boolean;
  review_status: ReviewStatus;
  review_revision: number;
  reviewed_flags: string[] | null;
  failure_reason: string | null;
}

export interface CallPage {
  items: CallSummary[];
  next_cursor: string | null;
}

export interface Evidence {
  turn_index: number;
  start_time: number;
  speaker: string;
  quote: string;
}

export interface SopCheck {
  sop_id: string;
  flag: string;
  triggered: boolean;
  followed: boolean;
  violated: boolean;
  evidence: Evidence[];
  note: string;
}

export interface Turn {
  index: number;
  speaker: "AGENT" | "CUSTOMER";
  text: string;
  start_time: number | null;
  end_time: number | null;
}

export interface SentimentPoint {
  turn_index: number;
  time: number | null;
  score: number;
}

export interface CallDetail extends CallSummary {
  scorecard: string;
  summary_insight: string;
  sop_checks: SopCheck[];
  turns: Turn[];
  sentiment: SentimentPoint[];
  sentiment_start: number | null;
  sentiment_end: number | null;
  disputed_sops: string[];
  warnings: string[];
  rubric_version: string | null;
  has_recording: boolean;
  reviewed_by: string | null;
  reviewed_at: string | null;
}

export interface AudioLink {
  url: string;
  expires_at: string;
}

export interface FlagDecision {
  flag: string;
  decision: Decision;
  note: string;
}

export interface ReviewIn {
  base_revision: number;
  scorecard: string;
  decisions: FlagDecision[];
  note: string;
}

export interface Review {
  call_id: string;
  revision: number;
  reviewer: string;
  reviewed_at: string;
  decisions: FlagDecision[];
  note: string;
  flags_before: string[];
  flags_after: string[];
  added: string[];
  removed: string[];
}

export interface ReviewHistory {
  items: Review[];
}

export interface AgentTotals {
  agent_id: string;
  calls: number;
  scored_calls: number;
  average_score: number | null;
  flagged_calls: number;
  violations: Record<string, number>;
}

export interface AgentList {
  items: AgentTotals[];
}

export interface AgentWeek {
  week_start: string;
  calls: number;
  average_score: number | null;
  violations: Record<string, number>;
}

export interface AgentDetail {
  agent_id: string;
  weeks: AgentWeek[];
  worst_calls: CallSummary[];
}

export interface Me {
  user: string;
  supervisor: boolean;
}

export interface LabelledCase {
  id: string;
  lang: string;
  violations: string[];
  risk: boolean;
  turns: ["A" | "C", string][];
  reviewed_by: string;
  reviewed_at: string;
}

/** A page of the labelled-cases export, newest call first; `next_cursor` null on the last. */
export interface LabelExport {
  cases: LabelledCase[];
  next_cursor: string | null;
}

/** GET /api/labels's query: a range for the first page, then only the cursor (it keeps the range). */
export interface LabelQuery extends RangeQuery {
  limit?: number;
  cursor?: string;
}

/** The server's largest page of labelled cases (whole transcripts, so smaller than the calls'). */
export const LABELS_PAGE = 50;

/** GET /api/calls's query; dates are ISO 8601 instants, the range [from, to). */
export interface CallQuery {
  from?: string;
  to?: string;
  agent?: string;
  flagged?: boolean;
  flag?: string;
  risk?: string;
  score_min?: number;
  score_max?: number;
  needs_review?: boolean;
  review?: ReviewStatus;
  judge?: JudgeKind;
  status?: CallStatus;
  call_id?: string;
  limit?: number;
  cursor?: string;
}

export interface RangeQuery {
  from?: string;
  to?: string;
}

export interface AgentQuery {
  weeks?: number;
  to?: string;
}

/** A failed request: the HTTP status (0 when no answer came) and the API's error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ApiOptions {
  /** Prefix of every path ("" = the page's own origin). */
  base?: string;
  fetch?: typeof fetch;
  /** The bearer token to send, or null to send none (no sign-in). */
  token?: () => Promise<string | null>;
  /** Called on every 401, before the error is thrown: the sign-in has to start again. */
  onUnauthorized?: () => void;
}

type Params = Record<string, string | number | boolean | null | undefined>;

/** "?a=1&b=true" from the set parameters, in the order given; "" when none is set. */
export function queryString(params: Params): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "") continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

const segment = encodeURIComponent;

function errorFrom(status: number, body: unknown, fallback: string): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (error && typeof error.code === "string") {
    const message = typeof error.message === "string" && error.message ? error.message : fallback;
    return new ApiError(status, error.code, message);
  }
  return new ApiError(status, `http_${status}`, fallback);
}

const STATUS_TEXT: Record<number, string> = {
  400: "The request was refused",
  401: "You are not signed in",
  403: "You are not allowed to do this",
  404: "Not found",
  409: "Someone else changed this meanwhile",
};

export function createApi(options: ApiOptions = {}) {
  const base = (options.base ?? "").replace(/\/+$/, "");
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));

  async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    const token = options.token ? await options.token() : null;
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetchFn(`${base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiError(0, "network", "The dashboard API could not be reached");
    }
    let parsed: unknown = null;
    const text = await response.text().catch(() => "");
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (!response.ok) {
      if (response.status === 401) options.onUnauthorized?.();
      const fallback = STATUS_TEXT[response.status] ?? `The dashboard API answered ${response.status}`;
      throw errorFrom(response.status, parsed, fallback);
    }
    if (parsed === null || typeof parsed !== "object") {
      throw new ApiError(response.status, "bad_answer", "The dashboard API sent an answer it cannot read");
    }
    return parsed as T;
  }

  const get = <T>(path: string, signal?: AbortSignal) => request<T>("GET", path, undefined, signal);

  return {
    me: (signal?: AbortSignal) => get<Me>("/api/me", signal),
    calls: (query: CallQuery, signal?: AbortSignal) =>
      get<CallPage>(`/api/calls${queryString({ ...query })}`, signal),
    call: (callId: string, signal?: AbortSignal) => get<CallDetail>(`/api/calls/${segment(callId)}`, signal),
    audio: (callId: string, signal?: AbortSignal) =>
      get<AudioLink>(`/api/calls/${segment(callId)}/audio`, signal),
    reviews: (callId: string, signal?: AbortSignal) =>
      get<ReviewHistory>(`/api/calls/${segment(callId)}/reviews`, signal),
    postReview: (callId: string, review: ReviewIn, signal?: AbortSignal) =>
      request<Review>("POST", `/api/calls/${segment(callId)}/reviews`, review, signal),
    agents: (query: RangeQuery, signal?: AbortSignal) =>
      get<AgentList>(`/api/agents${queryString({ ...query })}`, signal),
    agent: (agentId: string, query: AgentQuery, signal?: AbortSignal) =>
      get<AgentDetail>(`/api/agents/${segment(agentId)}${queryString({ ...query })}`, signal),
    labels: (query: LabelQuery, signal?: AbortSignal) =>
      get<LabelExport>(`/api/labels${queryString({ ...query })}`, signal),
  };
}

/**
 * Every reviewed call of `range` as labelled cases, page after page until the last; `onPage`
 * hears how many have arrived so far (for a progress line).
 */
export async function allLabels(
  api: { labels: (query: LabelQuery, signal?: AbortSignal) => Promise<LabelExport> },
  range: RangeQuery,
  onPage?: (count: number) => void,
  signal?: AbortSignal,
): Promise<LabelledCase[]> {
  const cases: LabelledCase[] = [];
  let query: LabelQuery = { ...range, limit: LABELS_PAGE };
  for (;;) {
    const page = await api.labels(query, signal);
    cases.push(...page.cases);
    onPage?.(cases.length);
    if (!page.next_cursor) return cases;
    query = { cursor: page.next_cursor, limit: LABELS_PAGE };
  }
}

export type DashboardApi = ReturnType<typeof createApi>;
