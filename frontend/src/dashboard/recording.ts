// A call's recording in an <audio> element. The API gives a short-lived URL; when it has run
// out (or playback fails for another reason) a new one is fetched once and playback resumes
// where it was. Seeking before the audio has loaded waits for its metadata.

import { type RefObject, useCallback, useEffect, useRef, useState } from "react";
import type { ApiError, AudioLink } from "./api";
import { useDashboard } from "./context";
import { asApiError } from "./load";

export type RecordingState =
  | { kind: "none" } // the call has no recording
  | { kind: "loading" }
  | { kind: "ready"; link: AudioLink; load: number } // `load` counts the links fetched
  | { kind: "broken"; error: ApiError | null }; // no link, or the audio will not play

// Fetch a new link once per failure, not in a loop: a second failure this soon is shown.
const REFRESH_GAP_MS = 15_000;
// A link this close to running out is renewed before a seek instead of failing mid-way.
const EXPIRY_MARGIN_MS = 5_000;

export function linkExpired(link: AudioLink, now = Date.now()): boolean {
  const expires = Date.parse(link.expires_at);
  return Number.isFinite(expires) && now >= expires - EXPIRY_MARGIN_MS;
}

interface Pending {
  time: number;
  play: boolean;
}

export interface Recording {
  state: RecordingState;
  audioRef: RefObject<HTMLAudioElement | null>;
  time: number;
  playing: boolean;
  seek: (time: number) => void;
  retry: () => void;
  handlers: {
    onTimeUpdate: () => void;
    onSeeked: () => void;
    onLoadedMetadata: () => void;
    onError: () => void;
    onPlay: () => void;
    onPause: () => void;
  };
}

export function useRecording(callId: string, hasRecording: boolean): Recording {
  const { api } = useDashboard();
  const [state, setState] = useState<RecordingState>(hasRecording ? { kind: "loading" } : { kind: "none" });
  const [time, setTime] = useState(0);
  const [playing, setPlaying] = useState(false);
  const audioRef = useRef<HTMLAudioElement | null>(null);
  const pending = useRef<Pending | null>(null);
  const lastRefresh = useRef(0);
  const loads = useRef(0);

  const fetchLink = useCallback(
    (resume: Pending | null) => {
      lastRefresh.current = Date.now();
      pending.current = resume;
      api
        .audio(callId)
        .then((link) => setState({ kind: "ready", link, load: ++loads.current }))
        .catch((error: unknown) => {
          const problem = asApiError(error);
          setState(problem.code === "no_recording" ? { kind: "none" } : { kind: "broken", error: problem });
        });
    },
    [api, callId],
  );

  useEffect(() => {
    if (hasRecording) fetchLink(null);
    else setState({ kind: "none" });
  }, [hasRecording, fetchLink]);

  const seek = useCallback(
    (to: number) => {
      setTime(to);
      const audio = audioRef.current;
      if (state.kind === "ready" && linkExpired(state.link)) {
        fetchLink({ time: to, play: true });
        return;
      }
      if (!audio) return;
      if (audio.readyState >= HTMLMediaElement.HAVE_METADATA) {
        audio.currentTime = to;
      } else {
        pending.current = { time: to, play: true };
      }
      audio.play().catch(() => undefined); // a refused autoplay leaves the seek in place
    },
    [state, fetchLink],
  );

  const handlers = {
    onTimeUpdate: () => setTime(audioRef.current?.currentTime ?? 0),
    onSeeked: () => setTime(audioRef.current?.currentTime ?? 0),
    onLoadedMetadata: () => {
      const audio = audioRef.current;
      const resume = pending.current;
      pending.current = null;
      if (!audio || !resume) return;
      audio.currentTime = resume.time;
      if (resume.play) audio.play().catch(() => undefined);
    },
    onPlay: () => setPlaying(true),
    onPause: () => setPlaying(false),
    onError: () => {
      setPlaying(false);
      const audio = audioRef.current;
      if (Date.now() - lastRefresh.current < REFRESH_GAP_MS) {
        setState({ kind: "broken", error: null });
        return;
      }
      fetchLink({ time: audio?.currentTime ?? time, play: playing || (audio ? !audio.paused : false) });
    },
  };

  const retry = useCallback(() => {
    setState({ kind: "loading" });
    fetchLink({ time, play: false });
  }, [fetchLink, time]);

  return { state, audioRef, time, playing, seek, retry, handlers };
}
