// The call as a state machine: every state the caller can be in, and every way out of it.
// Pure: the controller turns browser and LiveKit events into these events.

export type ErrorKind =
  | "config"
  | "micDenied"
  | "micMissing"
  | "apiUnreachable"
  | "busy"
  | "rateLimited"
  | "livekitUnreachable"
  | "noAgent"
  | "connectionLost";

export interface CallInfo {
  callId: string;
  startedAt: number; // ms since epoch, when the agent joined
  muted: boolean;
  agentSpeaking: boolean;
  supervisorPresent: boolean;
}

export type CallState =
  | { kind: "idle" }
  | { kind: "requestingMic" }
  | { kind: "connecting" }
  | { kind: "waitingForAgent"; callId: string }
  | ({ kind: "inCall" } & CallInfo)
  | ({ kind: "escalating" } & CallInfo)
  | ({ kind: "reconnecting"; attempt: number; resume: "inCall" | "escalating" } & CallInfo)
  | { kind: "ended"; by: "caller" | "agent"; durationSeconds: number }
  | { kind: "error"; error: ErrorKind; detail?: string };

export type CallEvent =
  | { type: "CALL_PRESSED" }
  | { type: "CONFIG_FAILED"; detail: string }
  | { type: "MIC_GRANTED" }
  | { type: "MIC_DENIED" }
  | { type: "MIC_MISSING" }
  | { type: "CONNECT_OK"; callId: string }
  | { type: "CONNECT_BUSY"; detail?: string }
  | { type: "CONNECT_RATE_LIMITED"; detail?: string }
  | { type: "CONNECT_UNREACHABLE"; detail?: string }
  | { type: "LIVEKIT_FAILED"; detail?: string }
  | { type: "AGENT_JOINED"; at: number }
  | { type: "AGENT_TIMEOUT" }
  | { type: "AGENT_SPEAKING"; speaking: boolean }
  | { type: "MUTE_TOGGLED" }
  | { type: "ESCALATION_STARTED" }
  | { type: "SUPERVISOR_JOINED" }
  | { type: "RECONNECTING"; attempt: number }
  | { type: "RECONNECTED" }
  | { type: "CONNECTION_LOST" }
  | { type: "HANG_UP"; at: number }
  | { type: "REMOTE_ENDED"; at: number }
  | { type: "RESET" };

export const initialState: CallState = { kind: "idle" };

/** How long the caller waits for the agent to join before the page gives up. */
export const AGENT_JOIN_TIMEOUT_MS = 15_000;

const ACTIVE = new Set<CallState["kind"]>(["inCall", "escalating", "reconnecting"]);

function callInfo(state: CallState): CallInfo | null {
  return ACTIVE.has(state.kind) ? (state as CallInfo & { kind: string }) : null;
}

function info(state: CallInfo): CallInfo {
  const { callId, startedAt, muted, agentSpeaking, supervisorPresent } = state;
  return { callId, startedAt, muted, agentSpeaking, supervisorPresent };
}

function ended(state: CallState, by: "caller" | "agent", at: number): CallState {
  const call = callInfo(state);
  const durationSeconds = call ? Math.max(0, Math.round((at - call.startedAt) / 1000)) : 0;
  return { kind: "ended", by, durationSeconds };
}

export function callReducer(state: CallState, event: CallEvent): CallState {
  const call = callInfo(state);
  switch (event.type) {
    case "CONFIG_FAILED":
      return { kind: "error", error: "config", detail: event.detail };
    case "CALL_PRESSED":
      if (state.kind === "idle" || state.kind === "ended") return { kind: "requestingMic" };
      if (state.kind === "error" && state.error !== "config") return { kind: "requestingMic" };
      return state;
    case "RESET":
      return state.kind === "ended" || state.kind === "error" ? initialState : state;
    case "MIC_GRANTED":
      return state.kind === "requestingMic" ? { kind: "connecting" } : state;
    case "MIC_DENIED":
    case "MIC_MISSING":
      if (state.kind !== "requestingMic") return state;
      return { kind: "error", error: event.type === "MIC_DENIED" ? "micDenied" : "micMissing" };
    case "CONNECT_OK":
      return state.kind === "connecting" ? { kind: "waitingForAgent", callId: event.callId } : state;
    case "CONNECT_BUSY":
    case "CONNECT_RATE_LIMITED":
    case "CONNECT_UNREACHABLE": {
      if (state.kind !== "connecting") return state;
      const error: ErrorKind =
        event.type === "CONNECT_BUSY"
          ? "busy"
          : event.type === "CONNECT_RATE_LIMITED"
            ? "rateLimited"
            : "apiUnreachable";
      return { kind: "error", error, detail: event.detail };
    }
    case "LIVEKIT_FAILED":
      if (state.kind !== "connecting" && state.kind !== "waitingForAgent") return state;
      return { kind: "error", error: "livekitUnreachable", detail: event.detail };
    case "AGENT_JOINED":
      if (state.kind !== "waitingForAgent") return state;
      return {
        kind: "inCall",
        callId: state.callId,
        startedAt: event.at,
        muted: false,
        agentSpeaking: false,
        supervisorPresent: false,
      };
    case "AGENT_TIMEOUT":
      return state.kind === "waitingForAgent" ? { kind: "error", error: "noAgent" } : state;
    case "AGENT_SPEAKING":
      return call ? ({ ...state, agentSpeaking: event.speaking } as CallState) : state;
    case "MUTE_TOGGLED":
      return call ? ({ ...state, muted: !call.muted } as CallState) : state;
    case "ESCALATION_STARTED":
      if (state.kind === "inCall" && !state.supervisorPresent)
        return { ...info(state), kind: "escalating" };
      if (state.kind === "reconnecting") return { ...state, resume: "escalating" };
      return state;
    case "SUPERVISOR_JOINED":
      if (state.kind === "inCall" || state.kind === "escalating")
        return { ...info(state), kind: "inCall", supervisorPresent: true };
      if (state.kind === "reconnecting")
        return { ...state, supervisorPresent: true, resume: "inCall" };
      return state;
    case "RECONNECTING":
      if (state.kind === "inCall" || state.kind === "escalating")
        return { ...info(state), kind: "reconnecting", attempt: event.attempt, resume: state.kind };
      if (state.kind === "reconnecting") return { ...state, attempt: event.attempt };
      return state;
    case "RECONNECTED":
      return state.kind === "reconnecting" ? { ...info(state), kind: state.resume } : state;
    case "CONNECTION_LOST":
      if (call || state.kind === "waitingForAgent") return { kind: "error", error: "connectionLost" };
      return state;
    case "HANG_UP":
      if (call || state.kind === "waitingForAgent" || state.kind === "connecting")
        return ended(state, "caller", event.at);
      return state;
    case "REMOTE_ENDED":
      return call ? ended(state, "agent", event.at) : state;
  }
}

/** True while the caller has a call to hang up. */
export function isLive(state: CallState): boolean {
  return (
    ACTIVE.has(state.kind) || state.kind === "waitingForAgent" || state.kind === "connecting"
  );
}
