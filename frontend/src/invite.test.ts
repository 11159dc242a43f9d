import { describe, expect, it, vi } from "vitest";
import {
  exchangeInvite,
  inviteEndpoint,
  isInviteCode,
  readJoinLink,
  retryAfterSeconds,
  takeJoinLink,
} from "./invite";
import { INVITE_ERRORS, inviteProblem, JOIN_LINK_ERRORS } from "./messages";

const CODE = "Zx9_abc-DEF0123456789qw";
const API = "https://13-235-10-20.sslip.io/api/connect";

describe("reading the join link", () => {
  it("takes the invite code from the fragment", () => {
    expect(readJoinLink("", `#invite=${CODE}`)).toEqual({ kind: "invite", code: CODE });
    expect(readJoinLink("", `invite=${CODE}`)).toEqual({ kind: "invite", code: CODE });
    expect(readJoinLink("?utm_source=mail", `#invite=${CODE}&x=1`)).toEqual({ kind: "invite", code: CODE });
  });

  it("accepts URL-safe codes of 16 to 128 characters", () => {
    expect(isInviteCode("a".repeat(16))).toBe(true);
    expect(isInviteCode("A-_z09".repeat(21) + "xy")).toBe(true); // 128
    expect(isInviteCode("a".repeat(15))).toBe(false);
    expect(isInviteCode("a".repeat(129))).toBe(false);
    const bad = ["abcdefghijklmno+", "abcdefghijklmno/", "abcdefghijklmno=", "abcdefgh ijklmnop", "abcdefghijklmnoé"];
    for (const code of bad) expect(isInviteCode(code)).toBe(false);
  });

  it("calls a fragment without a usable code malformed, and no fragment missing", () => {
    expect(readJoinLink("", "#invite=short")).toEqual({ kind: "malformed" });
    expect(readJoinLink("", "#invite=")).toEqual({ kind: "malformed" });
    expect(readJoinLink("", `#invite=${CODE}%2B`)).toEqual({ kind: "malformed" });
    expect(readJoinLink("", "")).toEqual({ kind: "missing" });
    expect(readJoinLink("", "#")).toEqual({ kind: "missing" });
    expect(readJoinLink("", `#code=${CODE}`)).toEqual({ kind: "missing" });
  });

  it("never takes a code from the query, where servers log it", () => {
    expect(readJoinLink(`?invite=${CODE}`, "")).toEqual({ kind: "malformed" });
  });

  it("refuses the old link with a token in the query, even next to an invite", () => {
    const old = "?room=call-0123456789ab&token=eyJhbGciOi.x.y&url=wss%3A%2F%2Fline.example";
    expect(readJoinLink(old, "")).toEqual({ kind: "legacy" });
    expect(readJoinLink("?token=", "")).toEqual({ kind: "legacy" });
    expect(readJoinLink("?token=abc", `#invite=${CODE}`)).toEqual({ kind: "legacy" });
  });

  it("takes the code out of the address bar: a bare /join, no query, no fragment", () => {
    const replaceState = vi.fn();
    const link = takeJoinLink({ search: "", hash: `#invite=${CODE}` }, { state: { k: 1 }, replaceState });
    expect(link).toEqual({ kind: "invite", code: CODE });
    expect(replaceState).toHaveBeenCalledExactlyOnceWith({ k: 1 }, "", "/join");
  });

  it("clears an old token link from the address bar too, and leaves a bare /join alone", () => {
    const replaceState = vi.fn();
    expect(takeJoinLink({ search: "?token=abc", hash: "" }, { state: null, replaceState })).toEqual({
      kind: "legacy",
    });
    expect(replaceState).toHaveBeenCalledExactlyOnceWith(null, "", "/join");
    replaceState.mockClear();
    expect(takeJoinLink({ search: "", hash: "" }, { state: null, replaceState })).toEqual({ kind: "missing" });
    expect(replaceState).not.toHaveBeenCalled();
  });

  it("has a text for each unusable link", () => {
    expect(JOIN_LINK_ERRORS.legacy.title).toBe("This join link is no longer accepted");
    expect(JOIN_LINK_ERRORS.malformed.title).toMatch(/not valid/);
    expect(JOIN_LINK_ERRORS.missing.title).toMatch(/incomplete/);
  });
});

type Call = { input: string; init: RequestInit };

function answering(status: number, body: unknown, headers: Record<string, string> = {}) {
  const calls: Call[] = [];
  const fetchFn: typeof fetch = async (input, init) => {
    calls.push({ input: String(input), init: init ?? {} });
    const text = typeof body === "string" ? body : JSON.stringify(body);
    return new Response(text, { status, headers: { "content-type": "application/json", ...headers } });
  };
  return { fetchFn, calls };
}

const GRANT = { url: "wss://line.example", token: "agent-jwt", call_id: "call-0123456789ab", expires_in: 300 };

describe("exchanging the invite", () => {
  it("posts exactly {code} as JSON to /api/invite on the connect API's origin", async () => {
    const { fetchFn, calls } = answering(200, GRANT);
    await exchangeInvite(API, CODE, fetchFn);
    expect(calls).toHaveLength(1);
    expect(calls[0].input).toBe("https://13-235-10-20.sslip.io/api/invite");
    expect(calls[0].init.method).toBe("POST");
    expect(calls[0].init.headers).toEqual({ "content-type": "application/json" });
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ code: CODE });
    expect(inviteEndpoint("http://127.0.0.1:8080/api/connect")).toBe("http://127.0.0.1:8080/api/invite");
  });

  it("returns the LiveKit url, token, call id and lifetime", async () => {
    const result = await exchangeInvite(API, CODE, answering(200, GRANT).fetchFn);
    expect(result).toEqual({
      ok: true,
      grant: { url: "wss://line.example", token: "agent-jwt", callId: "call-0123456789ab", expiresIn: 300 },
    });
  });

  it("treats an answer without a ws(s) url or a token as unexpected", async () => {
    for (const body of [
      { ...GRANT, url: "https://line.example" },
      { ...GRANT, token: "" },
      { url: GRANT.url },
      "not json",
    ]) {
      const result = await exchangeInvite(API, CODE, answering(200, body).fetchFn);
      expect(result).toMatchObject({ ok: false, failure: { kind: "unexpected" } });
    }
  });

  const cases: [number, string, string][] = [
    [400, "bad_request", "bad_request"],
    [404, "invite_unknown", "invite_unknown"],
    [410, "invite_used", "invite_used"],
    [410, "invite_expired", "invite_expired"],
    [410, "call_ended", "call_ended"],
    [403, "origin_refused", "origin_refused"],
    [429, "rate_limited", "rate_limited"],
    [503, "busy", "unavailable"],
  ];
  it.each(cases)("%i %s is %s, with the server's message", async (status, error, kind) => {
    const { fetchFn } = answering(status, { error, message: "From the server." });
    const result = await exchangeInvite(API, CODE, fetchFn);
    expect(result).toEqual({ ok: false, failure: { kind, detail: "From the server." } });
  });

  it("maps a status without a known error code by the status", async () => {
    const expected: [number, string][] = [
      [400, "bad_request"],
      [403, "origin_refused"],
      [404, "invite_unknown"],
      [410, "invite_used"],
      [429, "rate_limited"],
      [500, "unavailable"],
      [502, "unavailable"],
      [418, "unexpected"],
    ];
    for (const [status, kind] of expected) {
      const result = await exchangeInvite(API, CODE, answering(status, "<html>").fetchFn);
      expect(result).toMatchObject({ ok: false, failure: { kind } });
    }
  });

  it("reads Retry-After on a 429", async () => {
    const result = await exchangeInvite(
      API,
      CODE,
      answering(429, { error: "rate_limited", message: "Slow down." }, { "retry-after": "30" }).fetchFn,
    );
    expect(result).toEqual({
      ok: false,
      failure: { kind: "rate_limited", detail: "Slow down.", retryAfterSeconds: 30 },
    });
    expect(retryAfterSeconds("Wed, 21 Oct 2015 07:28:30 GMT", Date.parse("2015-10-21T07:28:00Z"))).toBe(30);
    expect(retryAfterSeconds("soon")).toBeUndefined();
    expect(retryAfterSeconds(null)).toBeUndefined();
  });

  it("reports a network failure as such", async () => {
    const down: typeof fetch = async () => {
      throw new TypeError("Failed to fetch");
    };
    expect(await exchangeInvite(API, CODE, down)).toEqual({ ok: false, failure: { kind: "network" } });
  });
});

describe("what the supervisor is told", () => {
  it("a used invite: works once, ask for a new one", () => {
    expect(inviteProblem({ kind: "invite_used" }).body).toBe(
      "This invite was already used. Each invite works once; ask for a new one if you were disconnected.",
    );
    expect(inviteProblem({ kind: "invite_used" }).canRetry).toBe(false);
  });

  it("an expired invite: ten minutes", () => {
    expect(inviteProblem({ kind: "invite_expired" }).body).toMatch(
      /^This invite has expired \(invites work for 10 minutes\)\./,
    );
  });

  it("only failures that leave the code usable offer a retry", () => {
    const retry = Object.entries(INVITE_ERRORS)
      .filter(([, text]) => text.canRetry)
      .map(([kind]) => kind)
      .sort();
    expect(retry).toEqual(["network", "rate_limited", "unavailable", "unexpected"]);
  });

  it("a failed connect after the exchange asks for a new invite", () => {
    expect(INVITE_ERRORS.livekit.body).toMatch(/ask for a new invite/);
  });

  it("a rate limit says how long to wait", () => {
    const wait = (retryAfterSeconds?: number) => inviteProblem({ kind: "rate_limited", retryAfterSeconds }).body;
    expect(wait(1)).toBe("Please wait 1 second, then try again.");
    expect(wait(45)).toBe("Please wait 45 seconds, then try again.");
    expect(wait(300)).toBe("Please wait 5 minutes, then try again.");
    expect(wait()).toBe("Please wait a minute, then try again.");
  });

  it("adds the server's message where it helps, not under a sentence that says it all", () => {
    expect(inviteProblem({ kind: "unavailable", detail: "The line is restarting." }).detail).toBe(
      "The line is restarting.",
    );
    expect(inviteProblem({ kind: "origin_refused", detail: "Not this page." }).detail).toBe("Not this page.");
    expect(inviteProblem({ kind: "invite_used", detail: "Already used." })).not.toHaveProperty("detail");
    expect(inviteProblem({ kind: "invite_expired", detail: "Expired." })).not.toHaveProperty("detail");
    expect(inviteProblem({ kind: "network" })).not.toHaveProperty("detail");
    expect(
      inviteProblem({ kind: "unexpected", detail: "Try again; if it keeps happening, ask for a new invite." }),
    ).not.toHaveProperty("detail");
  });

  it("a network failure says to check the connection", () => {
    expect(inviteProblem({ kind: "network" }).title).toBe("Cannot reach the support line");
  });
});
