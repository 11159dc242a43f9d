// The supervisor's join link, `/join#invite=<code>`, and the exchange of its single-use code
// at POST /api/invite for a short-lived LiveKit token.
//
// The code rides in the URL fragment, which browsers never send to a server, so it stays out of
// CloudFront's logs. The page takes it out of the address bar as soon as it has read it and
// keeps it only in memory; nothing here writes it (or the token) to storage or to the console.

export const JOIN_PATH = "/join";
export const INVITE_PATH = "/api/invite";
export const INVITE_FRAGMENT_KEY = "invite";

const INVITE_CODE = /^[A-Za-z0-9_-]{16,128}$/;

/** What a join link holds: an invite code, an old token link that is refused, or nothing usable. */
export type JoinLink =
  | { kind: "invite"; code: string }
  | { kind: "legacy" } // `/join?room=…&token=…&url=…`: a reusable token in the query, no longer accepted
  | { kind: "malformed" } // an `#invite=` that is not a code
  | { kind: "missing" };

export function isInviteCode(value: string): boolean {
  return INVITE_CODE.test(value);
}

/** Reads a join link from `location.search` and `location.hash`; a token in the query is always refused. */
export function readJoinLink(search: string, hash: string): JoinLink {
  const query = new URLSearchParams(search);
  if (query.has("token")) return { kind: "legacy" };
  const fragment = new URLSearchParams(hash.replace(/^#/, ""));
  const code = fragment.get(INVITE_FRAGMENT_KEY);
  if (code === null) return query.has(INVITE_FRAGMENT_KEY) ? { kind: "malformed" } : { kind: "missing" };
  return isInviteCode(code) ? { kind: "invite", code } : { kind: "malformed" };
}

/**
 * Reads the join link, then replaces the address with a bare `/join` (no query, no fragment),
 * so the code is in neither the address bar nor the browser's history.
 */
export function takeJoinLink(
  location: Pick<Location, "search" | "hash">,
  history: Pick<History, "replaceState" | "state">,
): JoinLink {
  const link = readJoinLink(location.search, location.hash);
  if (location.search !== "" || location.hash !== "") {
    history.replaceState(history.state, "", JOIN_PATH);
  }
  return link;
}

/** The invite route on the connect API's origin: `https://<line host>/api/invite`. */
export function inviteEndpoint(connectApiUrl: string): string {
  return new URL(INVITE_PATH, connectApiUrl).href;
}

/** What a successful exchange returns: where and how to join, for `expiresIn` seconds. */
export interface SupervisorGrant {
  url: string;
  token: string;
  callId: string;
  expiresIn: number;
}

/**
 * A grant the page holds after the exchange, in memory only: the invite is used up, but LiveKit
 * checks the token only when someone joins, so the same url and token can join (and rejoin) the
 * call until `expiresIn` seconds have passed. `exchangedAt` is when the exchange was sent, in
 * milliseconds on the clock `now` is read from: the token was issued after that, so the window
 * counted from it never outlasts the token.
 */
export interface HeldGrant extends SupervisorGrant {
  exchangedAt: number;
}

export function holdGrant(grant: SupervisorGrant, exchangedAt: number): HeldGrant {
  return { ...grant, exchangedAt };
}

/** Milliseconds left to join with the grant at `now`; 0 once its time is up. */
export function grantTimeLeft(grant: HeldGrant, now: number): number {
  if (!Number.isFinite(grant.expiresIn) || grant.expiresIn <= 0) return 0;
  return Math.max(0, grant.exchangedAt + grant.expiresIn * 1000 - now);
}

/** Whether `room.connect` may still be tried with the grant at `now`. */
export function grantUsable(grant: HeldGrant, now: number): boolean {
  return grantTimeLeft(grant, now) > 0;
}

export type InviteFailureKind =
  | "bad_request" // 400: the code was not accepted as a code
  | "invite_unknown" // 404
  | "invite_used" // 410: each code works once
  | "invite_expired" // 410: codes work for 10 minutes
  | "call_ended" // the caller has already left the call the code opens
  | "origin_refused" // 403: the request did not come from the support page
  | "rate_limited" // 429
  | "unavailable" // 503 and other 5xx
  | "network" // no answer at all
  | "unexpected"; // an answer the page cannot use

export interface InviteFailure {
  kind: InviteFailureKind;
  detail?: string; // the server's message for a person, when it sent one
  retryAfterSeconds?: number; // from Retry-After on a 429
}

export type InviteResult = { ok: true; grant: SupervisorGrant } | { ok: false; failure: InviteFailure };

const ERROR_CODES: Record<string, InviteFailureKind> = {
  bad_request: "bad_request",
  invite_unknown: "invite_unknown",
  invite_used: "invite_used",
  invite_expired: "invite_expired",
  call_ended: "call_ended",
  origin_refused: "origin_refused",
  rate_limited: "rate_limited",
};

function kindOf(status: number, error: string | undefined): InviteFailureKind {
  const named = error !== undefined && Object.hasOwn(ERROR_CODES, error) ? ERROR_CODES[error] : undefined;
  if (named) return named;
  if (status === 400) return "bad_request";
  if (status === 403) return "origin_refused";
  if (status === 404) return "invite_unknown";
  if (status === 410) return "invite_used";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "unavailable";
  return "unexpected";
}

/** Retry-After as seconds from now: a number of seconds or an HTTP date. */
export function retryAfterSeconds(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

async function errorBody(response: Response): Promise<{ error?: string; message?: string }> {
  try {
    const body = (await response.json()) as { error?: unknown; message?: unknown };
    return {
      ...(typeof body.error === "string" ? { error: body.error } : {}),
      ...(typeof body.message === "string" && body.message.trim() ? { message: body.message.trim() } : {}),
    };
  } catch {
    return {};
  }
}

/** Exchanges an invite code for a LiveKit url and token. A successful exchange uses the code up. */
export async function exchangeInvite(
  connectApiUrl: string,
  code: string,
  fetchFn: typeof fetch = fetch,
): Promise<InviteResult> {
  let response: Response;
  try {
    response = await fetchFn(inviteEndpoint(connectApiUrl), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code }),
      cache: "no-store",
    });
  } catch {
    return { ok: false, failure: { kind: "network" } };
  }
  if (!response.ok) {
    const { error, message } = await errorBody(response);
    const kind = kindOf(response.status, error);
    const retryAfter = kind === "rate_limited" ? retryAfterSeconds(response.headers.get("retry-after")) : undefined;
    const detail = message ?? (kind === "unexpected" ? `HTTP ${response.status}` : undefined);
    return {
      ok: false,
      failure: {
        kind,
        ...(detail !== undefined ? { detail } : {}),
        ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
      },
    };
  }
  try {
    const body = (await response.json()) as Record<string, unknown>;
    const { url, token, call_id: callId, expires_in: expiresIn } = body;
    if (
      typeof url === "string" &&
      /^wss?:\/\//.test(url) &&
      typeof token === "string" &&
      token !== "" &&
      typeof callId === "string"
    ) {
      return {
        ok: true,
        grant: { url, token, callId, expiresIn: typeof expiresIn === "number" ? expiresIn : 300 },
      };
    }
  } catch {
    // fall through: an answer we cannot use is reported as such
  }
  return { ok: false, failure: { kind: "unexpected", detail: "unexpected answer" } };
}
