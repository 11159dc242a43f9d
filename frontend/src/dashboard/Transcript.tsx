// The call's turns, following the recording: the turn being heard is highlighted (and kept in
// view while the recording plays); choosing a turn plays the recording from it.

import { useEffect, useRef } from "react";
import type { Turn } from "./api";
import { formatClock } from "./time";
import { currentTurn } from "./transcript";

export function Transcript({
  turns,
  time,
  playing,
  onSeek,
}: {
  turns: Turn[];
  time: number;
  playing: boolean;
  onSeek?: (time: number) => void;
}) {
  const current = currentTurn(turns, time);
  const list = useRef<HTMLOListElement>(null);

  useEffect(() => {
    if (!playing || current === null || !list.current) return;
    const item = list.current.querySelector<HTMLElement>(`[data-turn="${current}"]`);
    if (!item) return;
    // Scroll the transcript box only, never the page under the reader.
    const box = list.current;
    const top = item.offsetTop; // the list is positioned (styles.css), so this is inside it
    if (top < box.scrollTop || top + item.offsetHeight > box.scrollTop + box.clientHeight) {
      box.scrollTo({ top: Math.max(0, top - box.clientHeight / 3), behavior: "smooth" });
    }
  }, [current, playing]);

  if (turns.length === 0) return <p className="muted">This call has no transcript.</p>;
  return (
    <ol className="transcript" ref={list} aria-label="Transcript">
      {turns.map((turn) => {
        const canSeek = onSeek !== undefined && turn.start_time !== null;
        const who = turn.speaker === "AGENT" ? "Agent" : "Customer";
        const at = turn.start_time !== null ? formatClock(turn.start_time) : null;
        return (
          <li
            key={turn.index}
            data-turn={turn.index}
            className={`turn ${turn.speaker.toLowerCase()}${turn.index === current ? " current" : ""}`}
            aria-current={turn.index === current ? "true" : undefined}
          >
            {canSeek ? (
              <button type="button" className="turn-seek" onClick={() => onSeek?.(turn.start_time as number)}>
                <span className="speaker">{who}</span> <span className="at">{at}</span>
                <span className="visually-hidden"> play from here</span>
              </button>
            ) : (
              <span className="turn-head">
                <span className="speaker">{who}</span> {at && <span className="at">{at}</span>}
              </span>
            )}
            <p>{turn.text}</p>
          </li>
        );
      })}
    </ol>
  );
}
