import { describe, expect, it, vi } from "vitest";
import { ApiError, allLabels, createApi, LABELS_PAGE, type LabelExport, type LabelQuery, queryString } from "./api";

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** A fetch that records what it was asked and answers `status` with `body` (JSON unless a string). */
function fakeFetch(status: number, body: unknown) {
  const sent: Sent[] = [];
  const fetchFn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    sent.push({
      url: String(input),
      method: init?.method ?? "GET",
      headers: init?.headers as Record<string, string>,
      body: init?.body as string | undefined,
    });
    const text = typeof body === "string" ? body : JSON.stringify(body);
    return new Response(status === 204 ? null : text, { status });
  }) as unknown as typeof fetch;
  return { fetchFn, sent };
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error("the request did not fail");
}

describe("requests", () => {
  it("asks for the calls with only the filters that are set", async () => {
    const { fetchFn, sent } = fakeFetch(200, { items: [], next_cursor: null });
    const api = createApi({ fetch: fetchFn });
    await api.calls({ agent: "a1", flagged: true, needs_review: false, score_min: 0, flag: undefined, limit: 25 });
    expect(sent[0].url).toBe("/api/calls?agent=a1&flagged=true&needs_review=false&score_min=0&limit=25");
    expect(sent[0].method).toBe("GET");
    expect(sent[0].headers.authorization).toBeUndefined();
  });

  it("puts the API base in front and escapes ids in the path", async () => {
    const { fetchFn, sent } = fakeFetch(200, {});
    const api = createApi({ base: "https://api.example.com/", fetch: fetchFn });
    await api.call("call 7/#x");
    await api.audio("c1");
    await api.reviews("c1");
    await api.agent("agent ravi", { weeks: 8, to: "2024-05-01T00:00:00.000Z" });
    expect(sent.map((s) => s.url)).toEqual([
      "https://api.example.com/api/calls/call%207%2F%23x",
      "https://api.example.com/api/calls/c1/audio",
      "https://api.example.com/api/calls/c1/reviews",
      "https://api.example.com/api/agents/agent%20ravi?weeks=8&to=2024-05-01T00%3A00%3A00.000Z",
    ]);
  });

  it("sends the bearer token when signed in", async () => {
    const { fetchFn, sent } = fakeFetch(200, { user: "u", supervisor: true });
    const api = createApi({ fetch: fetchFn, token: async () => "tok-123" });
    expect(await api.me()).toEqual({ user: "u", supervisor: true });
    expect(sent[0].headers.authorization).toBe("Bearer tok-123");
  });

  it("posts a review as JSON", async () => {
    const review = { call_id: "c1", revision: 1 };
    const { fetchFn, sent } = fakeFetch(201, review);
    const api = createApi({ fetch: fetchFn });
    const body = { base_revision: 0, scorecard: "card-1", decisions: [{ flag: "ABUSE", decision: "agree" as const, note: "" }], note: "ok" };
    expect(await api.postReview("c1", body)).toEqual(review);
    expect(sent[0]).toMatchObject({ url: "/api/calls/c1/reviews", method: "POST" });
    expect(sent[0].headers["content-type"]).toBe("application/json");
    expect(JSON.parse(sent[0].body as string)).toEqual(body);
  });

  it("builds query strings from set values only", () => {
    expect(queryString({ a: 1, b: "", c: null, d: undefined, e: false })).toBe("?a=1&e=false");
    expect(queryString({})).toBe("");
  });
});

describe("errors", () => {
  it("carries the API's code and message", async () => {
    const { fetchFn } = fakeFetch(409, { error: { code: "stale_revision", message: "reviewed meanwhile" } });
    const error = await failure(createApi({ fetch: fetchFn }).postReview("c1", { base_revision: 0, scorecard: "card-1", decisions: [], note: "" }));
    expect(error).toMatchObject({ status: 409, code: "stale_revision", message: "reviewed meanwhile" });
  });

  it("names the status when the answer is not the API's error shape", async () => {
    const { fetchFn } = fakeFetch(502, "<html>Bad gateway</html>");
    const error = await failure(createApi({ fetch: fetchFn }).me());
    expect(error).toMatchObject({ status: 502, code: "http_502" });
    expect(error.message).toContain("502");
  });

  it("reports a server that does not answer", async () => {
    const fetchFn = (async () => {
      throw new TypeError("Failed to fetch");
    }) as unknown as typeof fetch;
    const error = await failure(createApi({ fetch: fetchFn }).calls({}));
    expect(error).toMatchObject({ status: 0, code: "network" });
  });

  it("refuses a success it cannot read", async () => {
    const { fetchFn } = fakeFetch(200, "not json");
    const error = await failure(createApi({ fetch: fetchFn }).calls({}));
    expect(error.code).toBe("bad_answer");
  });

  it("starts the sign-in again on a 401", async () => {
    const { fetchFn } = fakeFetch(401, { error: { code: "unauthorized", message: "token expired" } });
    const onUnauthorized = vi.fn();
    const error = await failure(createApi({ fetch: fetchFn, onUnauthorized }).me());
    expect(error.status).toBe(401);
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it("does not start a sign-in for other refusals", async () => {
    const { fetchFn } = fakeFetch(403, { error: { code: "forbidden", message: "supervisors only" } });
    const onUnauthorized = vi.fn();
    await failure(createApi({ fetch: fetchFn, onUnauthorized }).postReview("c", { base_revision: 0, scorecard: "card-1", decisions: [], note: "" }));
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it("lets an abandoned request end as aborted, not as a network problem", async () => {
    const controller = new AbortController();
    const fetchFn = (async (_: unknown, init?: RequestInit) => {
      controller.abort();
      throw init?.signal?.reason ?? new Error("aborted");
    }) as unknown as typeof fetch;
    await expect(createApi({ fetch: fetchFn }).calls({}, controller.signal)).rejects.not.toBeInstanceOf(ApiError);
  });
});

describe("the labelled-cases export", () => {
  const labelled = (id: string) => ({
    id,
    lang: "unknown",
    violations: [],
    risk: false,
    turns: [["A", "Namaste"]] as ["A" | "C", string][],
    reviewed_by: "sup@example.com",
    reviewed_at: "2026-12-01T10:00:00Z",
  });

  it("reads every page, sends the range once and then only the cursor, and reports progress", async () => {
    const pages: LabelExport[] = [
      { cases: [labelled("c1"), labelled("c2")], next_cursor: "p2" },
      { cases: [], next_cursor: "p3" }, // a page the store filled with nothing still continues
      { cases: [labelled("c3")], next_cursor: null },
    ];
    const asked: LabelQuery[] = [];
    const api = { labels: vi.fn(async (query: LabelQuery) => (asked.push(query), pages[asked.length - 1])) };
    const progress: number[] = [];
    const cases = await allLabels(api, { from: "2026-11-01T00:00:00Z", to: "2026-12-01T00:00:00Z" }, (n) =>
      progress.push(n),
    );
    expect(cases.map((c) => c.id)).toEqual(["c1", "c2", "c3"]);
    expect(asked).toEqual([
      { from: "2026-11-01T00:00:00Z", to: "2026-12-01T00:00:00Z", limit: LABELS_PAGE },
      { cursor: "p2", limit: LABELS_PAGE },
      { cursor: "p3", limit: LABELS_PAGE },
    ]);
    expect(progress).toEqual([2, 2, 3]);
  });

  it("fails as a whole when a later page fails, rather than saving part of the set", async () => {
    const { fetchFn } = fakeFetch(200, { cases: [labelled("c1")], next_cursor: "p2" });
    let calls = 0;
    const failing = (async (input: RequestInfo | URL, init?: RequestInit) =>
      ++calls === 1 ? fetchFn(input, init) : new Response("", { status: 502 })) as typeof fetch;
    const error = await failure(allLabels(createApi({ fetch: failing }), {}));
    expect(error.status).toBe(502);
  });
});
