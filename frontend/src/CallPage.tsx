import { type Ref, useCallback, useEffect, useReducer, useRef, useState } from "react";
import { CallController } from "./callController";
import { callReducer, initialState, isLive, type CallState } from "./callMachine";
import type { RuntimeConfig } from "./config";
import { isOpen, nextOpening, watchHours, zoneLabel, type OpeningHours } from "./hours";
import { announcement, ERRORS, formatDuration, HOURS } from "./messages";

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

/** Whether the line is open, kept current by a timer set to the next opening or closing. */
function useLineOpen(hours: OpeningHours | undefined): boolean {
  const [open, setOpen] = useState(() => !hours || isOpen(hours, new Date()));
  useEffect(() => {
    if (!hours) {
      setOpen(true);
      return;
    }
    const watch = watchHours(hours, setOpen);
    // A sleeping laptop or a background tab can hold the timer past the change.
    const onVisible = () => document.visibilityState === "visible" && watch.check();
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      watch.stop();
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [hours]);
  return open;
}

function Closed({ hours, ref }: { hours: OpeningHours; ref: Ref<HTMLDivElement> }) {
  const now = new Date();
  const opening = nextOpening(hours, now);
  return (
    <div className="closed" ref={ref} tabIndex={-1} data-testid="closed">
      <h3>{HOURS.closedTitle}</h3>
      <p>
        Call back at <strong>{opening.text}</strong>.
      </p>
      <p className="detail">
        Open every day {hours.open}–{hours.close} {zoneLabel(hours.timeZone, now)}.
      </p>
    </div>
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
  const closedNotice = useRef<HTMLDivElement>(null);
  const lastFocused = useRef<EventTarget | null>(null);
  const lineOpen = useLineOpen(config.hours);
  const wasOpen = useRef(lineOpen);
  const [reopened, setReopened] = useState(false);

  const start = useCallback(() => {
    setReopened(false);
    dispatch({ type: "CALL_PRESSED" });
    controller.current = new CallController(config, dispatch);
    void controller.current.start();
  }, [config]);

  useEffect(() => () => void controller.current?.hangUp(), []);
  useEffect(() => {
    // After a call ends or fails, the way out is where keyboard and screen-reader users are.
    if (state.kind === "error" || state.kind === "ended") {
      (mainButton.current ?? closedNotice.current)?.focus();
    }
  }, [state.kind]);
  useEffect(() => {
    if (wasOpen.current === lineOpen) return;
    wasOpen.current = lineOpen;
    setReopened(lineOpen);
    // The button or notice that had the focus is gone: the focus goes to what took its place.
    const gone = lastFocused.current instanceof Node && !lastFocused.current.isConnected;
    if (gone && (document.activeElement === document.body || document.activeElement === null)) {
      (mainButton.current ?? closedNotice.current)?.focus();
    }
  }, [lineOpen]);

  const live = isLive(state);
  // A call under way when the line closes goes on; only a new call waits for the opening.
  const underWay = live || state.kind === "requestingMic";
  const closed = !lineOpen && !underWay;
  const muted = "muted" in state && state.muted;
  const error = state.kind === "error" ? ERRORS[state.error] : null;
  // The line's own words for "busy" and "too many attempts" say best when to try again.
  const serverSays =
    state.kind === "error" && (state.error === "busy" || state.error === "rateLimited")
      ? state.detail
      : undefined;

  return (
    <section
      className={`call call-${state.kind}`}
      data-state={state.kind}
      data-line={lineOpen ? "open" : "closed"}
      aria-labelledby="call-heading"
      onFocus={(event) => (lastFocused.current = event.target)}
    >
      <h2 id="call-heading">Talk to Battery Smart support</h2>
      <p className="lede">
        Battery problem, swap, wallet or refund question? Our support agent answers in English or
        Hindi.
      </p>
      <div role="status" aria-live="polite" className="visually-hidden" data-testid="announcer">
        {reopened && !underWay ? HOURS.openAgain : announcement(state)}
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
      {config.hours && (
        // Always in the page, so that a screen reader announces the notice when it appears.
        <div role="status" aria-live="polite" data-testid="line-hours">
          {closed && <Closed hours={config.hours} ref={closedNotice} />}
        </div>
      )}
      <div className="controls">
        {!live && !closed && (!error || error.canRetry) && (
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
