// The supervisor's view of an escalated call, opened from the alert's `/join#invite=<code>` link.
// The code is exchanged at the connect API only when the supervisor presses "Join call", so
// opening the link (or a mail scanner fetching it) does not use it up.

import { type Participant, Room, RoomEvent, Track } from "livekit-client";
import { useCallback, useEffect, useRef, useState } from "react";
import { ConfigError, loadConfig, type RuntimeConfig } from "./config";
import { exchangeInvite, type InviteFailureKind, JOIN_PATH, type JoinLink, takeJoinLink } from "./invite";
import { ERRORS, type ErrorText, INVITE_ERRORS, inviteProblem, JOIN_LINK_ERRORS, SUPERVISOR_LEFT } from "./messages";

type Phase = "ready" | "exchanging" | "joining" | "joined" | "left" | "dropped" | "failed";

type Loaded = { kind: "loading" } | { kind: "ready"; config: RuntimeConfig } | { kind: "bad"; detail: string };

interface Problem extends ErrorText {
  kind: InviteFailureKind | "livekit";
  detail?: string;
}

// The join link this page load was opened with. The code lives only here, in memory, until it
// is exchanged or refused; then only "spent" is left.
let opened: JoinLink | { kind: "spent" } | undefined;

function openedLink(): JoinLink | { kind: "spent" } {
  opened ??= takeJoinLink(window.location, window.history);
  return opened;
}

// On /join the link is read (and the address bar cleared) as soon as the page's script runs,
// before React's first render and before the page's load event.
if (typeof window !== "undefined" && window.location.pathname.startsWith(JOIN_PATH)) openedLink();

function spendInvite(): void {
  opened = { kind: "spent" };
}

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
  const hasInvite = link.kind === "invite" || link.kind === "spent";
  const [loaded, setLoaded] = useState<Loaded>({ kind: "loading" });
  const [phase, setPhase] = useState<Phase>("ready");
  const [callId, setCallId] = useState("");
  const [people, setPeople] = useState<string[]>([]);
  const [muted, setMuted] = useState(false);
  const [micOff, setMicOff] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const room = useRef<Room | null>(null);

  useEffect(() => {
    if (!hasInvite) return;
    loadConfig()
      .then((config) => setLoaded({ kind: "ready", config }))
      .catch((error: unknown) =>
        setLoaded({
          kind: "bad",
          detail: error instanceof ConfigError ? error.message : "config.json could not be read",
        }),
      );
  }, [hasInvite]);

  const refresh = useCallback((r: Room) => {
    setPeople([
      "You (supervisor)",
      ...[...r.remoteParticipants.values()].map((p) => `${describe(p)} (${p.identity})`),
    ]);
  }, []);

  const join = useCallback(async () => {
    const current = openedLink();
    if (current.kind !== "invite" || loaded.kind !== "ready") return;
    setProblem(null);
    setPhase("exchanging");
    const result = await exchangeInvite(loaded.config.connectApiUrl, current.code);
    if (!result.ok) {
      const text = inviteProblem(result.failure);
      // A code the line refused for good is of no further use: only a new invite helps.
      if (!text.canRetry) spendInvite();
      setProblem({ kind: result.failure.kind, ...text });
      setPhase("failed");
      return;
    }
    spendInvite();
    const { url, token } = result.grant;
    setCallId(result.grant.callId);
    setPhase("joining");
    const r = new Room();
    room.current = r;
    r.on(RoomEvent.ParticipantConnected, () => refresh(r))
      .on(RoomEvent.ParticipantDisconnected, () => refresh(r))
      .on(RoomEvent.TrackSubscribed, (track) => {
        if (track.kind === Track.Kind.Audio) document.body.appendChild(track.attach());
      })
      .on(RoomEvent.Disconnected, () => setPhase((p) => (p === "joined" ? "dropped" : p)));
    try {
      await r.connect(url, token);
    } catch {
      // LiveKit's own message is not shown: the page never puts the token in front of anyone.
      void r.disconnect();
      setProblem({ kind: "livekit", ...INVITE_ERRORS.livekit });
      setPhase("failed");
      return;
    }
    try {
      await r.localParticipant.setMicrophoneEnabled(true);
    } catch {
      setMicOff(true);
      setMuted(true);
    }
    refresh(r);
    setPhase("joined");
  }, [loaded, refresh]);

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
  const canJoin = link.kind === "invite" && (phase === "ready" || (phase === "failed" && problem?.canRetry));
  return (
    <section className="call" data-state={phase} aria-labelledby="sup-heading">
      <h2 id="sup-heading">{callId ? `Escalated call ${callId}` : "Join an escalated call"}</h2>
      <div role="status" aria-live="polite" className="status">
        {phase === "ready" && "A caller asked for a supervisor. Join when you are ready."}
        {phase === "exchanging" && "Checking your invite…"}
        {phase === "joining" && "Joining the call…"}
        {phase === "joined" && "You are in the call. The AI agent has stepped back."}
        {phase === "left" && SUPERVISOR_LEFT.left}
        {phase === "dropped" && SUPERVISOR_LEFT.dropped}
      </div>
      {phase === "ready" && <p className="detail">Your invite works once, within 10 minutes of the alert.</p>}
      {problem && (
        <div className="error" role="alert" data-error={problem.kind}>
          <h3>{problem.title}</h3>
          <p>{problem.body}</p>
          {problem.detail && <p className="detail">{problem.detail}</p>}
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
        {canJoin && (
          <button
            className="primary"
            type="button"
            disabled={loaded.kind !== "ready"}
            onClick={() => void join()}
          >
            {phase === "failed" ? "Try again" : "Join call"}
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
