// What the page says in each state: a heading, a sentence for people, and what they can do.

import type { CallState, ErrorKind } from "./callMachine";

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
