import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { CallController } from "./callController";
import { callReducer, initialState, isLive, type CallState } from "./callMachine";
import type { RuntimeConfig } from "./config";
import { announcement, ERRORS, formatDuration } from "./messages";

function Timer({ startedAt }: { startedAt: number }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  return (
    <span className="timer" aria-label="Call duration">
      {formatDuration((now - startedAt) / 1000)}
    </span>
  );
}

function PhoneFallback({ phone }: { phone: string }) {
  return (
    <p className="fallback">
      Or call us: <a href={`tel:${phone.replace(/[^+0-9]/g, "")}`}>{phone}</a>
    </p>
  );
}

function Status({ state }: { state: CallState }) {
  switch (state.kind) {
    case "requestingMic":
      return <p className="status">Please allow microphone access when your browser asks.</p>;
    case "connecting":
      return <p className="status">Connecting…</p>;
    case "waitingForAgent":
      return <p className="status">Connected. Waiting for an agent to join…</p>;
    case "inCall":
    case "escalating":
    case "reconnecting":
      return (
        <div className="in-call">
          <p className="status">
            {state.kind === "escalating"
              ? "Connecting you to a supervisor. Please stay on the line."
              : state.kind === "reconnecting"
                ? `Connection interrupted. Reconnecting (attempt ${state.attempt})…`
                : state.supervisorPresent
                  ? "A supervisor is on the call."
                  : "You are talking to Battery Smart support."}
          </p>
          <Timer startedAt={state.startedAt} />
          <p
            className={state.agentSpeaking ? "speaking active" : "speaking"}
            data-testid="agent-speaking"
          >
            {state.agentSpeaking ? "Agent is speaking" : "Agent is listening"}
          </p>
        </div>
      );
    case "ended":
      return (
        <p className="status">
          Call ended{state.by === "agent" ? " by support" : ""}. Duration{" "}
          {formatDuration(state.durationSeconds)}. Thank you for calling Battery Smart.
        </p>
      );
    default:
      return null;
  }
}

export function CallPage({ config }: { config: RuntimeConfig }) {
  const [state, dispatch] = useReducer(callReducer, initialState);
  const controller = useRef<CallController | null>(null);
  const mainButton = useRef<HTMLButtonElement>(null);

  const start = useCallback(() => {
    dispatch({ type: "CALL_PRESSED" });
    controller.current = new CallController(config, dispatch);
    void controller.current.start();
  }, [config]);

  useEffect(() => () => void controller.current?.hangUp(), []);
  useEffect(() => {
    // After a call ends or fails, the way out is where keyboard and screen-reader users are.
    if (state.kind === "error" || state.kind === "ended") {
      mainButton.current?.focus();
    }
  }, [state.kind]);

  const live = isLive(state);
  const muted = "muted" in state && state.muted;
  const error = state.kind === "error" ? ERRORS[state.error] : null;
  // The line's own words for "busy" and "too many attempts" say best when to try again.
  const serverSays =
    state.kind === "error" && (state.error === "busy" || state.error === "rateLimited")
      ? state.detail
      : undefined;

  return (
    <section className={`call call-${state.kind}`} data-state={state.kind} aria-labelledby="call-heading">
      <h2 id="call-heading">Talk to Battery Smart support</h2>
      <p className="lede">
        Battery problem, swap, wallet or refund question? Our support agent answers in English or
        Hindi.
      </p>
      <div role="status" aria-live="polite" className="visually-hidden" data-testid="announcer">
        {announcement(state)}
      </div>
      <Status state={state} />
      {error && (
        <div className="error" role="alert" data-error={state.kind === "error" ? state.error : ""}>
          <h3>{error.title}</h3>
          <p>{serverSays ?? error.body}</p>
          {state.kind === "error" && state.detail && !serverSays && (
            <p className="detail">{state.detail}</p>
          )}
        </div>
      )}
      <div className="controls">
        {!live && (!error || error.canRetry) && (
          <button ref={mainButton} className="primary" onClick={start} type="button">
            {error ? "Try again" : state.kind === "ended" ? "Call again" : "Call Support"}
          </button>
        )}
        {live && state.kind !== "requestingMic" && (
          <>
            {"muted" in state && (
              <button
                type="button"
                aria-pressed={muted}
                onClick={() => void controller.current?.setMuted(!muted)}
              >
                {muted ? "Unmute" : "Mute"}
              </button>
            )}
            <button type="button" className="danger" onClick={() => void controller.current?.hangUp()}>
              Hang up
            </button>
          </>
        )}
      </div>
      {config.supportPhone && (error || state.kind === "idle" || state.kind === "ended") && (
        <PhoneFallback phone={config.supportPhone} />
      )}
    </section>
  );
}
