import { describe, expect, it } from "vitest";
import { type CallEvent, type CallState, callReducer, initialState, isLive } from "./callMachine";

function run(...events: CallEvent[]): CallState {
  return events.reduce(callReducer, initialState);
}

const toCall: CallEvent[] = [
  { type: "CALL_PRESSED" },
  { type: "MIC_GRANTED" },
  { type: "CONNECT_OK", callId: "call-0123456789ab" },
  { type: "AGENT_JOINED", at: 1_000 },
];

describe("the happy path", () => {
  it("goes idle → requesting microphone → connecting → waiting → in call", () => {
    const kinds = toCall.reduce<CallState[]>(
      (states, e) => [...states, callReducer(states[states.length - 1], e)],
      [initialState],
    );
    expect(kinds.map((s) => s.kind)).toEqual([
      "idle",
      "requestingMic",
      "connecting",
      "waitingForAgent",
      "inCall",
    ]);
    expect(run(...toCall)).toMatchObject({ callId: "call-0123456789ab", startedAt: 1_000 });
  });

  it("hangs up with the call's duration and can call again", () => {
    const ended = run(...toCall, { type: "HANG_UP", at: 66_000 });
    expect(ended).toEqual({ kind: "ended", by: "caller", durationSeconds: 65 });
    expect(callReducer(ended, { type: "CALL_PRESSED" }).kind).toBe("requestingMic");
    expect(callReducer(ended, { type: "RESET" })).toEqual(initialState);
  });

  it("ends when support ends the call", () => {
    expect(run(...toCall, { type: "REMOTE_ENDED", at: 11_000 })).toEqual({
      kind: "ended",
      by: "agent",
      durationSeconds: 10,
    });
  });

  it("can hang up while still connecting or waiting for the agent", () => {
    expect(run(toCall[0], toCall[1], { type: "HANG_UP", at: 5 }).kind).toBe("ended");
    expect(run(toCall[0], toCall[1], toCall[2], { type: "HANG_UP", at: 5 }).kind).toBe("ended");
  });
});

describe("in the call", () => {
  it("toggles mute and shows when the agent speaks", () => {
    const muted = run(...toCall, { type: "MUTE_TOGGLED" });
    expect(muted).toMatchObject({ kind: "inCall", muted: true });
    expect(callReducer(muted, { type: "MUTE_TOGGLED" })).toMatchObject({ muted: false });
    expect(run(...toCall, { type: "AGENT_SPEAKING", speaking: true })).toMatchObject({
      agentSpeaking: true,
    });
  });

  it("escalates on the bot's message and returns to the call when a supervisor joins", () => {
    const escalating = run(...toCall, { type: "ESCALATION_STARTED" });
    expect(escalating).toMatchObject({ kind: "escalating", callId: "call-0123456789ab" });
    const joined = callReducer(escalating, { type: "SUPERVISOR_JOINED" });
    expect(joined).toMatchObject({ kind: "inCall", supervisorPresent: true, startedAt: 1_000 });
    expect(callReducer(joined, { type: "ESCALATION_STARTED" }).kind).toBe("inCall");
  });

  it("shows reconnect attempts and resumes where it was", () => {
    const escalating = run(...toCall, { type: "ESCALATION_STARTED" });
    const first = callReducer(escalating, { type: "RECONNECTING", attempt: 1 });
    expect(first).toMatchObject({ kind: "reconnecting", attempt: 1, resume: "escalating" });
    const second = callReducer(first, { type: "RECONNECTING", attempt: 2 });
    expect(second).toMatchObject({ attempt: 2 });
    expect(callReducer(second, { type: "RECONNECTED" })).toMatchObject({
      kind: "escalating",
      startedAt: 1_000,
    });
    expect(isLive(second)).toBe(true);
  });

  it("a supervisor joining while reconnecting resumes into the call with them", () => {
    const reconnecting = run(...toCall, { type: "ESCALATION_STARTED" }, { type: "RECONNECTING", attempt: 1 });
    const back = callReducer(callReducer(reconnecting, { type: "SUPERVISOR_JOINED" }), { type: "RECONNECTED" });
    expect(back).toMatchObject({ kind: "inCall", supervisorPresent: true });
  });

  it("a connection that cannot be restored is an error with a way back", () => {
    const lost = run(...toCall, { type: "RECONNECTING", attempt: 1 }, { type: "CONNECTION_LOST" });
    expect(lost).toEqual({ kind: "error", error: "connectionLost" });
    expect(callReducer(lost, { type: "CALL_PRESSED" }).kind).toBe("requestingMic");
  });
});

describe("every error", () => {
  const cases: [string, CallEvent[], string][] = [
    ["microphone denied", [{ type: "CALL_PRESSED" }, { type: "MIC_DENIED" }], "micDenied"],
    ["no microphone", [{ type: "CALL_PRESSED" }, { type: "MIC_MISSING" }], "micMissing"],
    ["connect API busy", [...toCall.slice(0, 2), { type: "CONNECT_BUSY", detail: "busy" }], "busy"],
    ["rate limited", [...toCall.slice(0, 2), { type: "CONNECT_RATE_LIMITED" }], "rateLimited"],
    ["connect API down", [...toCall.slice(0, 2), { type: "CONNECT_UNREACHABLE" }], "apiUnreachable"],
    ["LiveKit unreachable", [...toCall.slice(0, 3), { type: "LIVEKIT_FAILED" }], "livekitUnreachable"],
    ["no agent in 15 s", [...toCall.slice(0, 3), { type: "AGENT_TIMEOUT" }], "noAgent"],
    ["dropped while waiting", [...toCall.slice(0, 3), { type: "CONNECTION_LOST" }], "connectionLost"],
    ["bad config", [{ type: "CONFIG_FAILED", detail: "missing" }], "config"],
  ];

  it.each(cases)("%s is its own error state", (_name, events, error) => {
    expect(run(...events)).toMatchObject({ kind: "error", error });
  });

  it.each(cases.filter(([, , e]) => e !== "config"))("%s offers a retry", (_n, events) => {
    const retried = callReducer(run(...events), { type: "CALL_PRESSED" });
    expect(retried.kind).toBe("requestingMic");
  });

  it("a bad config cannot be retried from the page", () => {
    const bad = run({ type: "CONFIG_FAILED", detail: "x" });
    expect(callReducer(bad, { type: "CALL_PRESSED" })).toBe(bad);
  });

  it("keeps the server's message for the busy state", () => {
    expect(run(...toCall.slice(0, 2), { type: "CONNECT_BUSY", detail: "All busy" })).toMatchObject({
      detail: "All busy",
    });
  });
});

describe("events that do not apply are ignored", () => {
  it("ignores late and out-of-order events", () => {
    expect(run({ type: "AGENT_JOINED", at: 1 })).toEqual(initialState);
    expect(run({ type: "MIC_GRANTED" })).toEqual(initialState);
    expect(run({ type: "HANG_UP", at: 1 })).toEqual(initialState);
    const inCall = run(...toCall);
    expect(callReducer(inCall, { type: "CONNECT_OK", callId: "other" })).toBe(inCall);
    expect(callReducer(inCall, { type: "AGENT_TIMEOUT" })).toBe(inCall);
    expect(callReducer(inCall, { type: "CALL_PRESSED" })).toBe(inCall);
    const ended = run(...toCall, { type: "HANG_UP", at: 2_000 });
    expect(callReducer(ended, { type: "CONNECTION_LOST" })).toBe(ended);
    expect(callReducer(ended, { type: "MUTE_TOGGLED" })).toBe(ended);
  });
});
