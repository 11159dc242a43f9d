// The customer's sentiment over the call, -1 (upset) to 1 (pleased), as a small SVG line.

import { memo } from "react";
import type { SentimentPoint } from "./api";
import { type Box, linePath, plotSentiment, sentimentWord } from "./chart";
import { formatClock } from "./time";

const BOX: Box = { width: 320, height: 96, pad: 8 };

export const SentimentChart = memo(function SentimentChart({
  points,
  start,
  end,
  onSeek,
}: {
  points: SentimentPoint[];
  start: number | null;
  end: number | null;
  onSeek?: (time: number) => void;
}) {
  if (points.length === 0) return <p className="muted">The customer said nothing that carries a feeling.</p>;
  const plotted = plotSentiment(points, BOX);
  const zero = BOX.height / 2;
  const summary =
    start !== null && end !== null
      ? `The customer started ${sentimentWord(start)} (${start.toFixed(2)}) and ended ${sentimentWord(end)} (${end.toFixed(2)}).`
      : `${points.length} customer turns scored.`;
  return (
    <figure className="sentiment">
      <svg viewBox={`0 0 ${BOX.width} ${BOX.height}`} role="img" aria-label={`Customer sentiment. ${summary}`}>
        <rect x="0" y="0" width={BOX.width} height={zero} className="band pleased" />
        <rect x="0" y={zero} width={BOX.width} height={zero} className="band upset" />
        <line x1={BOX.pad} x2={BOX.width - BOX.pad} y1={zero} y2={zero} className="axis" />
        <path d={linePath(plotted)} className="line" />
        {plotted.map(({ x, y, point }) => (
          <circle
            key={point.turn_index}
            cx={x}
            cy={y}
            r={4}
            className={`dot ${sentimentWord(point.score)}`}
            onClick={point.time !== null && onSeek ? () => onSeek(point.time as number) : undefined}
          >
            <title>
              {point.time !== null ? `${formatClock(point.time)}: ` : `Turn ${point.turn_index}: `}
              {point.score.toFixed(2)} ({sentimentWord(point.score)})
            </title>
          </circle>
        ))}
      </svg>
      <figcaption className="detail">{summary} Top: pleased, bottom: upset.</figcaption>
    </figure>
  );
});
