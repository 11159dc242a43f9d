// The supervisor's view of an escalated call, opened from the alert's `/join#invite=<code>` link.
// The code is exchanged at the connect API only when the supervisor presses "Join call", so
// opening the link (or a mail scanner fetching it) does not use it up. The exchange happens at
// most once; the grant it returns is kept in memory, so a failed connect, a dropped connection
// or leaving can be followed by "Join call" / "Rejoin" with the same grant while its time lasts.

import { type Participant, Room, RoomEvent, Track } from "livekit-client";
import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { useRuntimeConfig } from "./config";
import {
  exchangeInvite,
  grantTimeLeft,
  grantUsable,
  type HeldGrant,
  holdGrant,
  type InviteFailureKind,
  JOIN_PATH,
  type JoinLink,
  takeJoinLink,
} from "./invite";
import {
  ERRORS,
  type ErrorText,
  INVITE_ERRORS,
  inviteProblem,
  JOIN_LINK_ERRORS,
  joinUntil,
  supervisorLeft,
} from "./messages";

type Phase = "ready" | "exchanging" | "joining" | "joined" | "left" | "dropped" | "failed";


interface Problem extends ErrorText {
  kind: InviteFailureKind | "livekit" | "grant_expired";
  detail?: string;
}

type Opened = JoinLink | { kind: "granted"; grant: HeldGrant; until: string } | { kind: "spent" };

// The join link this page load was opened with. The code lives only here, in memory, until it
// is exchanged or refused. A successful exchange replaces it with the grant (LiveKit url, token,
// call id), also only here, until the grant's time is up; then only "spent" is left.
let opened: Opened | undefined;

function openedLink(): Opened {
  opened ??= takeJoinLink(window.location, window.history);
  return opened;
}

// On /join the link is read (and the address bar cleared) as soon as the page's script runs,
// before React's first render and before the page's load event.
if (typeof window !== "undefined" && window.location.pathname.startsWith(JOIN_PATH)) openedLink();

function spendInvite(): void {
  opened = { kind: "spent" };
}

// The grant's window is measured on the monotonic clock, which a change of the computer's time
// does not move; the wall clock only names the time of day it ends.
const monotonic = () => performance.now();

function keepGrant(grant: HeldGrant): void {
  const end = new Date(Date.now() + grantTimeLeft(grant, monotonic()));
  opened = { kind: "granted", grant, until: end.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) };
}

/** The grant, if it can still join; one whose time is up is forgotten. */
function usableGrant(): HeldGrant | null {
  const current = openedLink();
  if (current.kind !== "granted") return null;
  if (grantUsable(current.grant, monotonic())) return current.grant;
  spendInvite();
  return null;
}

// setTimeout fires at once for delays beyond 2^31-1 ms; longer waits are taken in steps.
const LONGEST_TIMER_MS = 2 ** 31 - 1;

function describe(p: Participant): string {
  if (p.identity.startsWith("supervisor-")) return "Supervisor";
  if (p.isAgent) return "AI agent";
  return "Caller";
}

function LinkProblem({ kind }: { kind: keyof typeof JOIN_LINK_ERRORS }) {
  const text = JOIN_LINK_ERRORS[kind];
  return (
    <section className="call" data-state="invalid-invite" data-link={kind} aria-labelledby="sup-heading">
      <h2 id="sup-heading">Supervisor join link</h2>
      <div className="error" role="alert" data-error={kind}>
        <h3>{text.title}</h3>
        <p>{text.body}</p>
      </div>
    </section>
  );
}

export function SupervisorPage() {
  const link = openedLink();
  const hasInvite = link.kind === "invite" || link.kind === "granted" || link.kind === "spent";
  const loaded = useRuntimeConfig(hasInvite);
  const [phase, setPhase] = useState<Phase>("ready");
  const [callId, setCallId] = useState("");
  const [people, setPeople] = useState<string[]>([]);
  const [muted, setMuted] = useState(false);
  const [micOff, setMicOff] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const room = useRef<Room | null>(null);
  const [tick, rerender] = useReducer((n: number) => n + 1, 0);

  const refresh = useCallback((r: Room) => {
    setPeople([
      "You (supervisor)",
      ...[...r.remoteParticipants.values()].map((p) => `${describe(p)} (${p.identity})`),
    ]);
  }, []);

  // Joins LiveKit with the held grant. Called right after the exchange and again by "Join call"
  // (after a failed connect) or "Rejoin" (after leaving or a dropped connection).
  const connect = useCallback(
    async (grant: HeldGrant) => {
      setProblem(null);
      setPhase("joining");
      setPeople([]);
      setMicOff(false);
      setMuted(false);
      const r = new Room();
      room.current = r;
      const mine = () => room.current === r;
      r.on(RoomEvent.ParticipantConnected, () => mine() && refresh(r))
        .on(RoomEvent.ParticipantDisconnected, () => mine() && refresh(r))
        .on(RoomEvent.TrackSubscribed, (track) => {
          if (track.kind === Track.Kind.Audio) document.body.appendChild(track.attach());
        })
        .on(RoomEvent.TrackUnsubscribed, (track) => {
          for (const element of track.detach()) element.remove();
        })
        .on(RoomEvent.Disconnected, () => {
          if (mine()) setPhase((p) => (p === "joined" ? "dropped" : p));
        });
      try {
        await r.connect(grant.url, grant.token);
      } catch {
        // LiveKit's own message is not shown: the page never puts the token in front of anyone.
        void r.disconnect();
        if (!mine()) return;
        setProblem({ kind: "livekit", ...INVITE_ERRORS.livekit });
        setPhase("failed");
        return;
      }
      if (!mine()) return;
      try {
        await r.localParticipant.setMicrophoneEnabled(true);
      } catch {
        setMicOff(true);
        setMuted(true);
      }
      refresh(r);
      setPhase("joined");
    },
    [refresh],
  );

  const busy = useRef(false);
  const join = useCallback(async () => {
    // One press at a time: a second press while the exchange is under way must not send the
    // code again.
    if (busy.current) return;
    busy.current = true;
    try {
      const current = openedLink();
      if (current.kind === "granted") {
        const grant = usableGrant();
        if (grant) await connect(grant);
        else rerender(); // its time is up: the page says so instead of offering to join
        return;
      }
      if (current.kind !== "invite" || loaded.kind !== "ready") return;
      setProblem(null);
      setPhase("exchanging");
      const sentAt = monotonic();
      const result = await exchangeInvite(loaded.config.connectApiUrl, current.code);
      if (!result.ok) {
        const text = inviteProblem(result.failure);
        // A code the line refused for good is of no further use: only a new alert helps.
        if (!text.canRetry) spendInvite();
        setProblem({ kind: result.failure.kind, ...text });
        setPhase("failed");
        return;
      }
      // The code is used up now; the grant replaces it, in memory only.
      const grant = holdGrant(result.grant, sentAt);
      keepGrant(grant);
      setCallId(grant.callId);
      await connect(grant);
    } finally {
      busy.current = false;
    }
  }, [loaded, connect]);

  // When the grant's time is up, it is forgotten and the page stops offering to join with it.
  const grant = link.kind === "granted" ? link.grant : null;
  useEffect(() => {
    if (!grant) return;
    const wait = Math.min(grantTimeLeft(grant, monotonic()), LONGEST_TIMER_MS);
    const timer = setTimeout(() => {
      usableGrant();
      rerender();
    }, wait);
    return () => clearTimeout(timer);
  }, [grant, tick]);

  useEffect(() => () => void room.current?.disconnect(), []);

  if (!hasInvite) return <LinkProblem kind={link.kind} />;
  if (loaded.kind === "bad") {
    return (
      <section className="call" data-state="error" aria-labelledby="sup-heading">
        <h2 id="sup-heading">Join an escalated call</h2>
        <div className="error" role="alert" data-error="config">
          <h3>{ERRORS.config.title}</h3>
          <p>{ERRORS.config.body}</p>
          <p className="detail">{loaded.detail}</p>
        </div>
      </section>
    );
  }
  // The same code again, after a failed exchange that left it usable.
  const canExchange = link.kind === "invite" && (phase === "ready" || (phase === "failed" && problem?.canRetry));
  // The held grant again, after a failed connect, leaving or a dropped connection.
  const canRejoin = link.kind === "granted" && (phase === "failed" || phase === "left" || phase === "dropped");
  const until = link.kind === "granted" ? joinUntil(link.until) : undefined;
  // A failed connect whose grant has since run out says so, and offers nothing to press.
  const shown: Problem | null =
    problem?.kind === "livekit"
      ? canRejoin
        ? { ...problem, detail: until }
        : { kind: "grant_expired", ...INVITE_ERRORS.grant_expired }
      : problem;
  return (
    <section className="call" data-state={phase} aria-labelledby="sup-heading">
      <h2 id="sup-heading">{callId ? `Escalated call ${callId}` : "Join an escalated call"}</h2>
      <div role="status" aria-live="polite" className="status">
        {phase === "ready" && "A caller asked for a supervisor. Join when you are ready."}
        {phase === "exchanging" && "Checking your invite…"}
        {phase === "joining" && "Joining the call…"}
        {phase === "joined" && "You are in the call. The AI agent has stepped back."}
        {(phase === "left" || phase === "dropped") && supervisorLeft(phase, canRejoin)}
      </div>
      {(phase === "left" || phase === "dropped") && canRejoin && <p className="detail">{until}</p>}
      {phase === "ready" && <p className="detail">Your invite works once, within 10 minutes of the alert.</p>}
      {shown && (
        <div className="error" role="alert" data-error={shown.kind}>
          <h3>{shown.title}</h3>
          <p>{shown.body}</p>
          {shown.detail && <p className="detail">{shown.detail}</p>}
        </div>
      )}
      {phase === "joined" && (
        <>
          {micOff && (
            <p className="detail" role="alert">
              Your microphone could not be turned on: allow microphone access for this page, then press Unmute.
            </p>
          )}
          <h3>In the call</h3>
          <ul aria-label="Participants">
            {people.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </>
      )}
      <div className="controls">
        {canExchange && (
          <button
            className="primary"
            type="button"
            disabled={loaded.kind !== "ready"}
            onClick={() => void join()}
          >
            {phase === "failed" ? "Try again" : "Join call"}
          </button>
        )}
        {canRejoin && (
          <button className="primary" type="button" onClick={() => void join()}>
            {phase === "failed" ? "Join call" : "Rejoin"}
          </button>
        )}
        {phase === "joined" && (
          <>
            <button
              type="button"
              aria-pressed={muted}
              onClick={() => {
                const local = room.current?.localParticipant;
                if (!local) return;
                local
                  .setMicrophoneEnabled(muted)
                  .then(() => {
                    setMicOff(false);
                    setMuted(!muted);
                  })
                  .catch(() => setMicOff(true));
              }}
            >
              {muted ? "Unmute" : "Mute"}
            </button>
            <button
              className="danger"
              type="button"
              onClick={() => {
                setPhase("left");
                void room.current?.disconnect();
              }}
            >
              Leave
            </button>
          </>
        )}
      </div>
    </section>
  );
}
