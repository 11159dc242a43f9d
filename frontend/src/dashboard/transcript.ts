// Which turn of the transcript is being heard at a moment of the recording.

import type { Turn } from "./api";

/**
 * The index of the turn heard at `time` seconds: the turn whose [start_time, end_time) holds
 * it; when the two sides talk over each other, the one that started last. Null between turns,
 * before the first and after the last, and for turns without times.
 */
export function currentTurn(turns: readonly Turn[], time: number): number | null {
  let current: Turn | null = null;
  for (const turn of turns) {
    if (turn.start_time === null || turn.end_time === null) continue;
    if (turn.start_time <= time && time < turn.end_time) {
      if (current === null || turn.start_time >= (current.start_time as number)) current = turn;
    }
  }
  return current ? current.index : null;
}
