import { describe, expect, it } from "vitest";
import type { Turn } from "./api";
import { currentTurn } from "./transcript";

const turn = (index: number, start: number | null, end: number | null, speaker: Turn["speaker"] = "AGENT"): Turn => ({
  index,
  speaker,
  text: `turn ${index}`,
  start_time: start,
  end_time: end,
});

const call = [turn(0, 0, 6.2), turn(1, 6.9, 10.6, "CUSTOMER"), turn(2, 11.3, 14.6), turn(3, 15.3, 17.4, "CUSTOMER")];

describe("currentTurn", () => {
  it("is the turn being spoken", () => {
    expect(currentTurn(call, 0)).toBe(0);
    expect(currentTurn(call, 3)).toBe(0);
    expect(currentTurn(call, 7)).toBe(1);
    expect(currentTurn(call, 16)).toBe(3);
  });

  it("moves on at a turn's end", () => {
    expect(currentTurn([turn(0, 0, 5), turn(1, 5, 9)], 5)).toBe(1);
  });

  it("is none in a pause, before the call and after it", () => {
    expect(currentTurn(call, 6.5)).toBeNull();
    expect(currentTurn(call, -1)).toBeNull();
    expect(currentTurn(call, 17.4)).toBeNull();
  });

  it("is the later turn when both sides talk at once", () => {
    const overlap = [turn(0, 0, 8), turn(1, 6, 9, "CUSTOMER"), turn(2, 8.5, 12)];
    expect(currentTurn(overlap, 7)).toBe(1);
    expect(currentTurn(overlap, 8.7)).toBe(2);
  });

  it("skips turns without times", () => {
    expect(currentTurn([turn(0, null, null), turn(1, 2, 4)], 3)).toBe(1);
    expect(currentTurn([turn(0, null, null)], 0)).toBeNull();
  });
});
