import { describe, expect, it } from "vitest";
import { requestCall } from "./connectApi";
import { eventFromData } from "./callController";

function answering(status: number, body: unknown): typeof fetch {
  return async () => new Response(JSON.stringify(body), { status });
}

describe("requestCall", () => {
  it("returns the room, token and call id", async () => {
    const result = await requestCall(
      "https://x/api/connect",
      answering(200, { url: "wss://x", token: "jwt", call_id: "call-0123456789ab" }),
    );
    expect(result).toEqual({
      ok: true,
      connection: { url: "wss://x", token: "jwt", callId: "call-0123456789ab" },
    });
  });

  it("turns 503 into the busy state with the server's message", async () => {
    const result = await requestCall("https://x", answering(503, { message: "All busy" }));
    expect(result).toEqual({ ok: false, event: { type: "CONNECT_BUSY", detail: "All busy" } });
  });

  it("turns 429 into the rate-limited state", async () => {
    const result = await requestCall("https://x", answering(429, { message: "wait" }));
    expect(result).toMatchObject({ ok: false, event: { type: "CONNECT_RATE_LIMITED" } });
  });

  it("treats a network failure, a 5xx and a useless answer as unreachable", async () => {
    const down: typeof fetch = async () => {
      throw new TypeError("Failed to fetch");
    };
    for (const f of [down, answering(502, {}), answering(200, { token: 1 })]) {
      const result = await requestCall("https://x", f);
      expect(result).toMatchObject({ ok: false, event: { type: "CONNECT_UNREACHABLE" } });
    }
  });
});

describe("the bot's data messages", () => {
  const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

  it("an escalation message starts the escalating state", () => {
    expect(eventFromData(encode({ type: "escalation", status: "connecting" }))).toEqual({
      type: "ESCALATION_STARTED",
    });
  });

  it("ignores other messages and garbage", () => {
    expect(eventFromData(encode({ type: "metrics" }))).toBeNull();
    expect(eventFromData(new Uint8Array([0xff, 0x00]))).toBeNull();
  });
});
