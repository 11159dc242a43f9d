import { describe, expect, it } from "vitest";
import type { AgentWeek, SentimentPoint } from "./api";
import { linePath, linearScale, niceCeiling, plotSentiment, sentimentWord, stackViolations, weekScales } from "./chart";

const box = { width: 320, height: 96, pad: 8 };

describe("linearScale", () => {
  it("maps the domain's ends onto the range's, and between linearly", () => {
    const y = linearScale([-1, 1], [88, 8]);
    expect(y(-1)).toBe(88);
    expect(y(1)).toBe(8);
    expect(y(0)).toBe(48);
  });

  it("puts a single value in the middle", () => {
    expect(linearScale([3, 3], [0, 100])(3)).toBe(50);
  });
});

describe("niceCeiling", () => {
  it("rounds an axis's top up to 1, 2 or 5 times a power of ten", () => {
    expect([0, 1, 3, 7, 11, 40, 180].map(niceCeiling)).toEqual([1, 1, 5, 10, 20, 50, 200]);
  });
});

describe("plotSentiment", () => {
  const point = (turn_index: number, time: number | null, score: number): SentimentPoint => ({ turn_index, time, score });

  it("puts pleased at the top, upset at the bottom, neutral in the middle", () => {
    const [a, b, c] = plotSentiment([point(1, 0, 1), point(3, 10, 0), point(5, 20, -1)], box);
    expect([a.y, b.y, c.y]).toEqual([8, 48, 88]);
  });

  it("spaces points by when they were said", () => {
    const xs = plotSentiment([point(1, 0, 0), point(3, 5, 0), point(9, 20, 0)], box).map((p) => p.x);
    expect(xs).toEqual([8, 8 + (304 * 5) / 20, 312]);
  });

  it("spaces points by turn when a time is missing", () => {
    const xs = plotSentiment([point(1, 0, 0), point(3, null, 0), point(5, 20, 0)], box).map((p) => p.x);
    expect(xs).toEqual([8, 160, 312]);
  });

  it("holds scores outside -1..1 at the edge", () => {
    const [p] = plotSentiment([point(1, 0, 3)], box);
    expect(p.y).toBe(8);
    expect(p.x).toBe(160);
  });

  it("draws a path through the points", () => {
    expect(linePath([{ x: 8, y: 48 }, { x: 20.25, y: 8 }])).toBe("M8.0 48.0 L20.3 8.0");
    expect(linePath([])).toBe("");
  });

  it("names a score", () => {
    expect([0.6, 0, -0.5].map(sentimentWord)).toEqual(["pleased", "neutral", "upset"]);
  });
});

describe("an agent's weeks", () => {
  const week = (violations: Record<string, number>, average_score: number | null = 80): AgentWeek => ({
    week_start: "2024-05-06",
    calls: 4,
    average_score,
    violations,
  });

  it("stacks violations in SOP order and leaves out SOPs with none", () => {
    expect(stackViolations({ S4: 2, S1: 1, S2: 0, S6: 3 })).toEqual([
      { sop: "S1", count: 1, y0: 0, y1: 1 },
      { sop: "S4", count: 2, y0: 1, y1: 3 },
      { sop: "S6", count: 3, y0: 3, y1: 6 },
    ]);
  });

  it("scales the violations axis to the worst week, rounded up", () => {
    const s = weekScales([week({ S1: 1 }), week({ S4: 3, S5: 4 })], { width: 640, height: 220, pad: 32 });
    expect(s.violationsTop).toBe(10);
    expect(s.violationsY(0)).toBe(188);
    expect(s.violationsY(10)).toBe(32);
    expect(s.scoreY(100)).toBe(32);
    expect(s.scoreY(50)).toBe(110);
  });

  it("gives every week an equal slot", () => {
    const s = weekScales([week({}), week({}), week({}), week({})], { width: 640, height: 220, pad: 32 });
    expect(s.slotWidth).toBe(144);
    expect([0, 1, 3].map(s.slotX)).toEqual([32, 176, 464]);
  });

  it("draws weeks without violations on an axis of 1", () => {
    expect(weekScales([week({})], { width: 100, height: 100, pad: 0 }).violationsTop).toBe(1);
  });
});
