import { type Participant, Room, RoomEvent, Track } from "livekit-client";
import { useCallback, useEffect, useRef, useState } from "react";

type Phase = "ready" | "joining" | "joined" | "left" | "failed";

interface Invite {
  room: string;
  token: string;
  url: string;
}

export function readInvite(search: string): Invite | null {
  const query = new URLSearchParams(search);
  const room = query.get("room");
  const token = query.get("token");
  const url = query.get("url");
  if (!room || !token || !url || !/^wss?:\/\//.test(url)) return null;
  return { room, token, url };
}

function describe(p: Participant): string {
  if (p.identity.startsWith("supervisor-")) return "Supervisor";
  if (p.isAgent) return "AI agent";
  return "Caller";
}

export function SupervisorPage({ search }: { search: string }) {
  const invite = readInvite(search);
  const [phase, setPhase] = useState<Phase>("ready");
  const [people, setPeople] = useState<string[]>([]);
  const [muted, setMuted] = useState(false);
  const [problem, setProblem] = useState("");
  const room = useRef<Room | null>(null);

  const refresh = useCallback((r: Room) => {
    setPeople([
      "You (supervisor)",
      ...[...r.remoteParticipants.values()].map((p) => `${describe(p)} (${p.identity})`),
    ]);
  }, []);

  const join = useCallback(async () => {
    if (!invite) return;
    setPhase("joining");
    const r = new Room();
    room.current = r;
    r.on(RoomEvent.ParticipantConnected, () => refresh(r))
      .on(RoomEvent.ParticipantDisconnected, () => refresh(r))
      .on(RoomEvent.TrackSubscribed, (track) => {
        if (track.kind === Track.Kind.Audio) document.body.appendChild(track.attach());
      })
      .on(RoomEvent.Disconnected, () => setPhase((p) => (p === "joined" ? "left" : p)));
    try {
      await r.connect(invite.url, invite.token);
      await r.localParticipant.setMicrophoneEnabled(true);
      refresh(r);
      setPhase("joined");
    } catch (error) {
      setProblem((error as Error).message);
      setPhase("failed");
    }
  }, [invite, refresh]);

  useEffect(() => () => void room.current?.disconnect(), []);

  if (!invite) {
    return (
      <section className="call" data-state="invalid-invite">
        <h2>Supervisor join link</h2>
        <div className="error" role="alert">
          <h3>This join link is incomplete</h3>
          <p>Open the link from the escalation alert exactly as it was sent.</p>
        </div>
      </section>
    );
  }
  return (
    <section className="call" data-state={phase} aria-labelledby="sup-heading">
      <h2 id="sup-heading">Join escalated call {invite.room}</h2>
      <div role="status" aria-live="polite" className="status">
        {phase === "ready" && "A caller asked for a supervisor. Join when you are ready."}
        {phase === "joining" && "Joining the call…"}
        {phase === "joined" && "You are in the call. The AI agent has stepped back."}
        {phase === "left" && "You have left the call."}
        {phase === "failed" && "Could not join: the link may have expired (30 minutes)."}
      </div>
      {problem && <p className="detail">{problem}</p>}
      {phase === "joined" && (
        <>
          <h3>In the call</h3>
          <ul aria-label="Participants">
            {people.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </>
      )}
      <div className="controls">
        {(phase === "ready" || phase === "failed") && (
          <button className="primary" type="button" onClick={() => void join()}>
            Join call
          </button>
        )}
        {phase === "joined" && (
          <>
            <button
              type="button"
              aria-pressed={muted}
              onClick={() => {
                void room.current?.localParticipant.setMicrophoneEnabled(muted);
                setMuted(!muted);
              }}
            >
              {muted ? "Unmute" : "Mute"}
            </button>
            <button
              className="danger"
              type="button"
              onClick={() => {
                void room.current?.disconnect();
                setPhase("left");
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
