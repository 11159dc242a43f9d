// Runs a call: microphone, connect API, LiveKit room. Turns what happens into CallEvents.

import {
  DisconnectReason,
  type Participant,
  type RemoteParticipant,
  type RemoteTrack,
  Room,
  RoomEvent,
  Track,
} from "livekit-client";
import { AGENT_JOIN_TIMEOUT_MS, type CallEvent } from "./callMachine";
import type { RuntimeConfig } from "./config";
import { requestCall } from "./connectApi";

export const SUPERVISOR_PREFIX = "supervisor-";

type Dispatch = (event: CallEvent) => void;

export function isSupervisor(p: Participant): boolean {
  return p.identity.startsWith(SUPERVISOR_PREFIX);
}

/** The bot's data messages (escalation) as call events. */
export function eventFromData(payload: Uint8Array): CallEvent | null {
  try {
    const message = JSON.parse(new TextDecoder().decode(payload)) as { type?: unknown };
    return message.type === "escalation" ? { type: "ESCALATION_STARTED" } : null;
  } catch {
    return null;
  }
}

async function openMicrophone(dispatch: Dispatch): Promise<MediaStreamTrack | null> {
  if (!navigator.mediaDevices?.getUserMedia) {
    dispatch({ type: "MIC_MISSING" });
    return null;
  }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
    const [track] = stream.getAudioTracks();
    if (!track) {
      dispatch({ type: "MIC_MISSING" });
      return null;
    }
    dispatch({ type: "MIC_GRANTED" });
    return track;
  } catch (error) {
    const name = (error as DOMException).name;
    dispatch({
      type: name === "NotFoundError" || name === "OverconstrainedError" ? "MIC_MISSING" : "MIC_DENIED",
    });
    return null;
  }
}

export class CallController {
  private room: Room | null = null;
  private microphone: MediaStreamTrack | null = null;
  private agentTimer: ReturnType<typeof setTimeout> | null = null;
  private finished = false;
  private connected = false; // a failed connect is LIVEKIT_FAILED, not a dropped call
  private reconnectAttempt = 0;
  private audioElements: HTMLMediaElement[] = [];

  constructor(
    private readonly config: RuntimeConfig,
    private readonly dispatch: Dispatch,
  ) {}

  async start(): Promise<void> {
    this.finished = false;
    this.connected = false;
    this.reconnectAttempt = 0;
    this.microphone = await openMicrophone(this.dispatch);
    if (!this.microphone) return;
    const result = await requestCall(this.config.connectApiUrl);
    if (this.finished) return this.cleanUp();
    if (!result.ok) {
      this.dispatch(result.event);
      return this.cleanUp();
    }
    const { url, token, callId } = result.connection;
    this.dispatch({ type: "CONNECT_OK", callId });
    const room = new Room({ adaptiveStream: true, dynacast: true });
    this.room = room;
    this.listen(room);
    try {
      await room.connect(url, token);
      this.connected = true;
      if (this.finished) return;
      await room.localParticipant.publishTrack(this.microphone, {
        source: Track.Source.Microphone,
      });
    } catch (error) {
      if (this.finished) return;
      this.dispatch({ type: "LIVEKIT_FAILED", detail: (error as Error).message });
      return this.cleanUp();
    }
    this.agentTimer = setTimeout(() => {
      this.finished = true;
      this.dispatch({ type: "AGENT_TIMEOUT" });
      void this.cleanUp();
    }, AGENT_JOIN_TIMEOUT_MS);
    for (const participant of room.remoteParticipants.values()) this.joined(participant);
  }

  async hangUp(): Promise<void> {
    this.finished = true;
    this.dispatch({ type: "HANG_UP", at: Date.now() });
    await this.cleanUp();
  }

  async setMuted(muted: boolean): Promise<void> {
    if (this.microphone) this.microphone.enabled = !muted;
    this.dispatch({ type: "MUTE_TOGGLED" });
  }

  private joined(participant: RemoteParticipant): void {
    if (isSupervisor(participant)) {
      this.dispatch({ type: "SUPERVISOR_JOINED" });
    } else if (participant.isAgent) {
      this.clearAgentTimer();
      this.dispatch({ type: "AGENT_JOINED", at: Date.now() });
    }
  }

  private listen(room: Room): void {
    room
      .on(RoomEvent.ParticipantConnected, (p) => this.joined(p))
      .on(RoomEvent.TrackSubscribed, (track: RemoteTrack) => {
        if (track.kind === Track.Kind.Audio) {
          const element = track.attach();
          element.setAttribute("data-remote-audio", "");
          document.body.appendChild(element);
          this.audioElements.push(element);
        }
      })
      .on(RoomEvent.ActiveSpeakersChanged, (speakers: Participant[]) =>
        this.dispatch({
          type: "AGENT_SPEAKING",
          speaking: speakers.some((p) => p.isAgent || isSupervisor(p)),
        }),
      )
      .on(RoomEvent.DataReceived, (payload: Uint8Array) => {
        const event = eventFromData(payload);
        if (event) this.dispatch(event);
      })
      .on(RoomEvent.Reconnecting, () => {
        this.reconnectAttempt += 1;
        this.dispatch({ type: "RECONNECTING", attempt: this.reconnectAttempt });
      })
      .on(RoomEvent.Reconnected, () => {
        this.reconnectAttempt = 0;
        this.dispatch({ type: "RECONNECTED" });
      })
      .on(RoomEvent.Disconnected, (reason?: DisconnectReason) => {
        if (this.finished || !this.connected) return;
        const endedByRoom =
          reason === DisconnectReason.ROOM_DELETED ||
          reason === DisconnectReason.PARTICIPANT_REMOVED ||
          reason === DisconnectReason.ROOM_CLOSED;
        this.dispatch(
          endedByRoom ? { type: "REMOTE_ENDED", at: Date.now() } : { type: "CONNECTION_LOST" },
        );
        void this.cleanUp();
      });
  }

  private clearAgentTimer(): void {
    if (this.agentTimer) clearTimeout(this.agentTimer);
    this.agentTimer = null;
  }

  private async cleanUp(): Promise<void> {
    this.clearAgentTimer();
    for (const element of this.audioElements) element.remove();
    this.audioElements = [];
    const room = this.room;
    this.room = null;
    if (room) await room.disconnect();
    this.microphone?.stop();
    this.microphone = null;
  }
}
