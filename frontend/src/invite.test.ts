import { describe, expect, it, vi } from "vitest";
import {
  exchangeInvite,
  grantTimeLeft,
  grantUsable,
  holdGrant,
  inviteEndpoint,
  isInviteCode,
  readJoinLink,
  retryAfterSeconds,
  takeJoinLink,
} from "./invite";
import {
  INVITE_ERRORS,
  inviteProblem,
  JOIN_LINK_ERRORS,
  joinUntil,
  NEW_ALERT,
  SUPERVISOR_LEFT,
  supervisorLeft,
} from "./messages";

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

describe("the grant held after the exchange", () => {
  const grant = holdGrant(
    { url: "wss://line.example", token: "agent-jwt", callId: "call-0123456789ab", expiresIn: 300 },
    10_000,
  );

  it("keeps url, token and call id, and when the exchange was sent", () => {
    expect(grant).toEqual({
      url: "wss://line.example",
      token: "agent-jwt",
      callId: "call-0123456789ab",
      expiresIn: 300,
      exchangedAt: 10_000,
    });
  });

  it("can join until expires_in seconds after the exchange, and not after", () => {
    expect(grantUsable(grant, 10_000)).toBe(true);
    expect(grantUsable(grant, 10_000 + 120_000)).toBe(true);
    expect(grantUsable(grant, 10_000 + 299_999)).toBe(true);
    expect(grantUsable(grant, 10_000 + 300_000)).toBe(false);
    expect(grantUsable(grant, 10_000 + 3_600_000)).toBe(false);
  });

  it("counts the time left down to zero", () => {
    expect(grantTimeLeft(grant, 10_000)).toBe(300_000);
    expect(grantTimeLeft(grant, 70_000)).toBe(240_000);
    expect(grantTimeLeft(grant, 10_000 + 300_000)).toBe(0);
    expect(grantTimeLeft(grant, 10_000 + 400_000)).toBe(0);
  });

  it("a grant with no time to live cannot join at all", () => {
    for (const expiresIn of [0, -5, Number.NaN]) {
      const dead = { ...grant, expiresIn };
      expect(grantUsable(dead, 10_000)).toBe(false);
      expect(grantTimeLeft(dead, 10_000)).toBe(0);
    }
  });
});

describe("what the supervisor is told", () => {
  it("a used invite: works once, and a new alert comes if the caller asks again", () => {
    expect(inviteProblem({ kind: "invite_used" }).body).toBe(
      "This invite was already used. Each invite works once. " +
        "If the caller asks for a supervisor again, a new alert with a new link will be sent.",
    );
    expect(inviteProblem({ kind: "invite_used" }).canRetry).toBe(false);
  });

  it("an expired invite: ten minutes, and a new alert comes if the caller asks again", () => {
    expect(inviteProblem({ kind: "invite_expired" }).body).toBe(
      "This invite has expired (invites work for 10 minutes). " +
        "If the caller asks for a supervisor again, a new alert with a new link will be sent.",
    );
  });

  it("never tells the supervisor to ask for a new invite, which they cannot do", () => {
    const texts = [
      ...Object.values(INVITE_ERRORS).flatMap((t) => [t.title, t.body]),
      ...Object.values(JOIN_LINK_ERRORS).flatMap((t) => [t.title, t.body]),
      ...Object.values(SUPERVISOR_LEFT),
    ];
    for (const text of texts) expect(text).not.toMatch(/ask for (a )?new|new invite/i);
  });

  it("only failed exchanges that leave the code usable offer to exchange it again", () => {
    const retry = Object.entries(INVITE_ERRORS)
      .filter(([kind, text]) => text.canRetry && kind !== "livekit")
      .map(([kind]) => kind)
      .sort();
    expect(retry).toEqual(["network", "rate_limited", "unavailable", "unexpected"]);
  });

  it("a failed connect after the exchange offers to join again with the same grant", () => {
    expect(INVITE_ERRORS.livekit.body).toBe(
      "The call could not be connected over your network. Your invite was accepted: " +
        "press Join call to try again, or try another network.",
    );
    expect(INVITE_ERRORS.livekit.canRetry).toBe(true);
    expect(joinUntil("14:05")).toBe("You can join with this invite until 14:05.");
  });

  it("once the grant's time is up, a failed connect says so, and that a new alert will come", () => {
    expect(INVITE_ERRORS.grant_expired.title).toBe("The time to join has run out");
    expect(INVITE_ERRORS.grant_expired.body).toMatch(/the time to join with this invite has run out\./);
    expect(INVITE_ERRORS.grant_expired.body.endsWith(NEW_ALERT)).toBe(true);
    expect(INVITE_ERRORS.grant_expired.canRetry).toBe(false);
  });

  it("leaving or a dropped connection: the AI agent takes the call back; Rejoin while the grant lasts", () => {
    expect(supervisorLeft("left", true)).toBe(
      "You have left the call. The AI agent has taken it back. Press Rejoin to join again.",
    );
    expect(supervisorLeft("dropped", true)).toBe(
      "You were disconnected from the call. The AI agent has taken it back. Press Rejoin to join again.",
    );
    expect(supervisorLeft("left", false)).toBe(
      "You have left the call. The AI agent has taken it back; " +
        "a new alert will come if the caller asks for a supervisor again.",
    );
    expect(supervisorLeft("dropped", false)).toBe(
      "You were disconnected from the call. The AI agent has taken it back; " +
        "a new alert will come if the caller asks for a supervisor again.",
    );
  });

  it("an unusable link points to the alert, not to a new invite", () => {
    expect(JOIN_LINK_ERRORS.legacy.body).toBe(
      "Join links now carry a single-use invite instead of a token. " +
        "Open the link from the latest escalation alert. " +
        "If the caller asks for a supervisor again, a new alert with a new link will be sent.",
    );
    expect(JOIN_LINK_ERRORS.malformed.body).toBe("Open the link from the escalation alert exactly as it was sent.");
    expect(INVITE_ERRORS.bad_request.body).toBe("Open the link from the escalation alert exactly as it was sent.");
    expect(INVITE_ERRORS.invite_unknown.body).toBe(
      "The support line has no such invite. Open the link from the latest escalation alert.",
    );
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
      inviteProblem({ kind: "unexpected", detail: "Try again in a moment." }),
    ).not.toHaveProperty("detail");
  });

  it("a network failure says to check the connection", () => {
    expect(inviteProblem({ kind: "network" }).title).toBe("Cannot reach the support line");
  });
});
