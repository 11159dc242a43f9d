// An agent's weeks as one SVG: violations per week stacked by SOP (bars, left axis), the
// average score (line, 0-100 on the right axis) and the number of calls under each week.

import type { AgentWeek } from "./api";
import { type Box, linePath, stackViolations, weekScales } from "./chart";
import { SOP_IDS, SOP_TITLES, type SopId } from "./sops";
import { formatDay } from "./time";

const BOX: Box = { width: 640, height: 220, pad: 32 };

export function WeeksChart({ weeks }: { weeks: AgentWeek[] }) {
  const s = weekScales(weeks, BOX);
  const bar = Math.min(36, s.slotWidth * 0.6);
  const scored = weeks
    .map((week, i) => ({ week, i }))
    .filter(({ week }) => week.average_score !== null)
    .map(({ week, i }) => ({ x: s.slotX(i) + s.slotWidth / 2, y: s.scoreY(week.average_score as number) }));
  const bottom = BOX.height - BOX.pad;
  return (
    <figure className="weeks-chart">
      <svg viewBox={`0 0 ${BOX.width} ${BOX.height}`} role="img" aria-label="Violations by SOP and average score per week; the table below has the numbers">
        <line x1={BOX.pad} x2={BOX.width - BOX.pad} y1={bottom} y2={bottom} className="axis" />
        <text x={BOX.pad - 4} y={s.violationsY(s.violationsTop)} className="tick" textAnchor="end">
          {s.violationsTop}
        </text>
        <text x={BOX.pad - 4} y={bottom} className="tick" textAnchor="end">
          0
        </text>
        <text x={BOX.width - BOX.pad + 4} y={s.scoreY(100)} className="tick score-tick">
          100
        </text>
        {weeks.map((week, i) => {
          const x = s.slotX(i) + (s.slotWidth - bar) / 2;
          return (
            <g key={week.week_start}>
              {stackViolations(week.violations).map((seg) => (
                <rect
                  key={seg.sop}
                  x={x}
                  width={bar}
                  y={s.violationsY(seg.y1)}
                  height={s.violationsY(seg.y0) - s.violationsY(seg.y1)}
                  className={`seg sop-${seg.sop}`}
                >
                  <title>{`${formatDay(week.week_start)}: ${seg.count} × ${seg.sop}`}</title>
                </rect>
              ))}
              <text x={s.slotX(i) + s.slotWidth / 2} y={bottom + 14} className="tick" textAnchor="middle">
                {formatDay(week.week_start).replace(/,? \d{4}$/, "")}
              </text>
              <text x={s.slotX(i) + s.slotWidth / 2} y={bottom + 27} className="tick muted" textAnchor="middle">
                {week.calls} calls
              </text>
            </g>
          );
        })}
        <path d={linePath(scored)} className="score-line" />
        {scored.map((p, i) => (
          <circle key={i} cx={p.x} cy={p.y} r={3.5} className="score-dot" />
        ))}
      </svg>
      <figcaption>
        <ul className="legend">
          <li>
            <span className="swatch score-line" aria-hidden="true" /> Average score (0–100)
          </li>
          {SOP_IDS.map((sop: SopId) => (
            <li key={sop}>
              <span className={`swatch sop-${sop}`} aria-hidden="true" /> {sop} {SOP_TITLES[sop]}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
