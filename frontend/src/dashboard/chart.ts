// The arithmetic behind the dashboard's small SVG charts: scales, the customer's sentiment over
// a call, and an agent's weeks.

import type { AgentWeek, SentimentPoint } from "./api";
import { SOP_IDS } from "./sops";

export interface Box {
  width: number;
  height: number;
  pad: number; // space on every side, for the dots and labels
}

/** Maps [d0, d1] linearly onto [r0, r1]; a domain of one value maps to the range's middle. */
export function linearScale(domain: [number, number], range: [number, number]): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d1 === d0) return () => (r0 + r1) / 2;
  return (value) => r0 + ((value - d0) / (d1 - d0)) * (r1 - r0);
}

/** A round number at or above `value` (1, 2, 5 times a power of ten) for an axis's top. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}

const clampScore = (score: number) => Math.max(-1, Math.min(1, score));

export interface PlottedPoint {
  x: number;
  y: number;
  point: SentimentPoint;
}

/**
 * The sentiment points placed in the box: x by time when every point has one (else by turn
 * number), y from -1 (bottom) to 1 (top), scores outside [-1, 1] held at the edge.
 */
export function plotSentiment(points: readonly SentimentPoint[], box: Box): PlottedPoint[] {
  const byTime = points.length > 0 && points.every((point) => point.time !== null);
  const xs = points.map((point) => (byTime ? (point.time as number) : point.turn_index));
  const x = linearScale([Math.min(...xs), Math.max(...xs)], [box.pad, box.width - box.pad]);
  const y = linearScale([-1, 1], [box.height - box.pad, box.pad]);
  return points.map((point, i) => ({ x: x(xs[i]), y: y(clampScore(point.score)), point }));
}

/** An SVG path through the plotted points, in order ("" for none). */
export function linePath(points: readonly { x: number; y: number }[]): string {
  return points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(" ");
}

/** How a sentiment score reads: "pleased", "neutral" or "upset". */
export function sentimentWord(score: number): string {
  if (score >= 0.2) return "pleased";
  if (score <= -0.2) return "upset";
  return "neutral";
}

export interface StackSegment {
  sop: string;
  count: number;
  y0: number; // bottom of the segment, in violations
  y1: number; // top
}

/** A week's violations stacked in SOP order (S1 at the bottom), SOPs with none left out. */
export function stackViolations(violations: Record<string, number>): StackSegment[] {
  const order = [...SOP_IDS, ...Object.keys(violations).filter((sop) => !(SOP_IDS as readonly string[]).includes(sop)).sort()];
  const segments: StackSegment[] = [];
  let total = 0;
  for (const sop of order) {
    const count = violations[sop] ?? 0;
    if (count <= 0) continue;
    segments.push({ sop, count, y0: total, y1: total + count });
    total += count;
  }
  return segments;
}

export interface WeekScales {
  /** Left edge of week i's slot, and the slot's width. */
  slotX: (index: number) => number;
  slotWidth: number;
  /** Violations (0 .. violationsTop) to y. */
  violationsY: (count: number) => number;
  violationsTop: number;
  /** An average score (0 .. 100) to y. */
  scoreY: (score: number) => number;
}

/** Scales for an agent's weeks: one slot per week, violations and scores on their own axes. */
export function weekScales(weeks: readonly AgentWeek[], box: Box): WeekScales {
  const totals = weeks.map((week) => stackViolations(week.violations).reduce((sum, s) => sum + s.count, 0));
  const violationsTop = niceCeiling(Math.max(0, ...totals));
  const slotWidth = (box.width - 2 * box.pad) / Math.max(1, weeks.length);
  return {
    slotX: (index) => box.pad + index * slotWidth,
    slotWidth,
    violationsY: linearScale([0, violationsTop], [box.height - box.pad, box.pad]),
    violationsTop,
    scoreY: linearScale([0, 100], [box.height - box.pad, box.pad]),
  };
}
