// What the page says in each state: a heading, a sentence for people, and what they can do.

import type { CallState, ErrorKind } from "./callMachine";
import type { InviteFailure, InviteFailureKind, JoinLink } from "./invite";

export interface ErrorText {
  title: string;
  body: string;
  canRetry: boolean;
}

export const ERRORS: Record<ErrorKind, ErrorText> = {
  config: {
    title: "This page is not set up correctly",
    body: "The call service settings could not be read, so calls cannot be placed from here.",
    canRetry: false,
  },
  micDenied: {
    title: "Microphone blocked",
    body: "Allow microphone access for this page in your browser settings, then try again.",
    canRetry: true,
  },
  micMissing: {
    title: "No microphone found",
    body: "Connect a microphone or headset, or use your phone, then try again.",
    canRetry: true,
  },
  apiUnreachable: {
    title: "Cannot reach Battery Smart support",
    body: "Check your internet connection and try again.",
    canRetry: true,
  },
  busy: {
    title: "All our agents are busy",
    body: "Every line is in use right now. Please try again in a minute.",
    canRetry: true,
  },
  rateLimited: {
    title: "Too many attempts",
    body: "Please wait a minute before calling again.",
    canRetry: true,
  },
  livekitUnreachable: {
    title: "Could not connect the call",
    body: "The call could not be set up over your network. Try again, or try another network.",
    canRetry: true,
  },
  noAgent: {
    title: "No agent answered",
    body: "Our agent did not join within 15 seconds. Please try again.",
    canRetry: true,
  },
  connectionLost: {
    title: "The call dropped",
    body: "Your connection was lost and could not be restored. Please call again.",
    canRetry: true,
  },
};

/** The line outside its opening hours, and the sentence announced when it opens again. */
export const HOURS = {
  closedTitle: "Support line is closed",
  openAgain: "The support line is open now.",
};

/**
 * What happens after an invite is used or has expired: supervisors cannot ask for another one,
 * but a caller who asks for a supervisor again sets off a new alert with a new link.
 */
export const NEW_ALERT = "If the caller asks for a supervisor again, a new alert with a new link will be sent.";

/** The supervisor's join link when it cannot be used at all: no request is made with it. */
export const JOIN_LINK_ERRORS: Record<Exclude<JoinLink["kind"], "invite">, { title: string; body: string }> = {
  legacy: {
    title: "This join link is no longer accepted",
    body:
      "Join links now carry a single-use invite instead of a token. " +
      `Open the link from the latest escalation alert. ${NEW_ALERT}`,
  },
  malformed: {
    title: "This join link is not valid",
    body: "Open the link from the escalation alert exactly as it was sent.",
  },
  missing: {
    title: "This join link is incomplete",
    body: "Open the link from the escalation alert exactly as it was sent.",
  },
};

/**
 * Why the supervisor could not join. For a failed exchange, `canRetry`: the invite may still
 * work, so "Try again" exchanges the same code again. `livekit` comes after a successful
 * exchange: the page holds the grant, and "Join call" tries LiveKit again with it until the
 * grant's time is up (`grant_expired`).
 */
export const INVITE_ERRORS: Record<InviteFailureKind | "livekit" | "grant_expired", ErrorText> = {
  bad_request: {
    title: "This invite was not accepted",
    body: "Open the link from the escalation alert exactly as it was sent.",
    canRetry: false,
  },
  invite_unknown: {
    title: "This invite is not known",
    body: "The support line has no such invite. Open the link from the latest escalation alert.",
    canRetry: false,
  },
  invite_used: {
    title: "This invite was already used",
    body: `This invite was already used. Each invite works once. ${NEW_ALERT}`,
    canRetry: false,
  },
  invite_expired: {
    title: "This invite has expired",
    body: `This invite has expired (invites work for 10 minutes). ${NEW_ALERT}`,
    canRetry: false,
  },
  call_ended: {
    title: "The call has ended",
    body: "The caller has already left this call, so there is nothing to join.",
    canRetry: false,
  },
  origin_refused: {
    title: "This page may not join calls",
    body:
      "The support line refused a join from this page's address. " +
      "Open the link from the escalation alert as it was sent.",
    canRetry: false,
  },
  rate_limited: {
    title: "Too many attempts",
    body: "Please wait a minute, then try again.",
    canRetry: true,
  },
  unavailable: {
    title: "The support line is not answering",
    body: "Joining is unavailable right now. Your invite was not used: try again in a moment.",
    canRetry: true,
  },
  network: {
    title: "Cannot reach the support line",
    body: "Check your internet connection and try again.",
    canRetry: true,
  },
  unexpected: {
    title: "Unexpected answer from the support line",
    body: "Try again in a moment.",
    canRetry: true,
  },
  livekit: {
    title: "Could not join the call",
    body:
      "The call could not be connected over your network. Your invite was accepted: " +
      "press Join call to try again, or try another network.",
    canRetry: true,
  },
  grant_expired: {
    title: "The time to join has run out",
    body: `The call could not be connected, and the time to join with this invite has run out. ${NEW_ALERT}`,
    canRetry: false,
  },
};

/** Until when the held grant can still join, as a time of day ("14:05"). */
export function joinUntil(time: string): string {
  return `You can join with this invite until ${time}.`;
}

function waitSpan(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

// Failures the page's own sentence explains fully: the server's message is not repeated under it.
const SELF_EXPLAINED: ReadonlySet<InviteFailureKind> = new Set([
  "invite_used",
  "invite_expired",
  "invite_unknown",
]);

/**
 * The text for a failed exchange: the wait a rate limit asked for, and the server's message as
 * `detail` where it adds something to the page's own sentence.
 */
export function inviteProblem(failure: InviteFailure): ErrorText & { detail?: string } {
  const text = INVITE_ERRORS[failure.kind];
  const wait = failure.retryAfterSeconds;
  const body =
    failure.kind === "rate_limited" && wait !== undefined && wait > 0
      ? `Please wait ${waitSpan(wait)}, then try again.`
      : text.body;
  const detail = failure.detail;
  const helps = detail !== undefined && !SELF_EXPLAINED.has(failure.kind) && !body.includes(detail);
  return { ...text, body, ...(helps ? { detail } : {}) };
}

/**
 * After the supervisor was in the call: left on purpose, or cut off. Either way the AI agent
 * takes the call back; while the grant's time lasts, Rejoin joins again with it.
 */
export const SUPERVISOR_LEFT = {
  left: "You have left the call. The AI agent has taken it back. Press Rejoin to join again.",
  dropped: "You were disconnected from the call. The AI agent has taken it back. Press Rejoin to join again.",
  leftExpired:
    "You have left the call. The AI agent has taken it back; " +
    "a new alert will come if the caller asks for a supervisor again.",
  droppedExpired:
    "You were disconnected from the call. The AI agent has taken it back; " +
    "a new alert will come if the caller asks for a supervisor again.",
};

export function supervisorLeft(how: "left" | "dropped", canRejoin: boolean): string {
  if (how === "left") return canRejoin ? SUPERVISOR_LEFT.left : SUPERVISOR_LEFT.leftExpired;
  return canRejoin ? SUPERVISOR_LEFT.dropped : SUPERVISOR_LEFT.droppedExpired;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

/** The sentence a screen reader announces when the call changes state. */
export function announcement(state: CallState): string {
  switch (state.kind) {
    case "idle":
      return "";
    case "requestingMic":
      return "Asking for access to your microphone.";
    case "connecting":
      return "Connecting to Battery Smart support.";
    case "waitingForAgent":
      return "Connected. Waiting for an agent to join.";
    case "inCall":
      return state.supervisorPresent ? "A supervisor has joined the call." : "You are in a call with Battery Smart support.";
    case "escalating":
      return "Connecting you to a supervisor. Please stay on the line.";
    case "reconnecting":
      return `Connection interrupted. Reconnecting, attempt ${state.attempt}.`;
    case "ended":
      return "The call has ended.";
    case "error":
      return `${ERRORS[state.error].title}. ${ERRORS[state.error].body}`;
  }
}
