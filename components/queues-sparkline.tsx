// A consumer lag sparkline: the recent course of a lag, coloured by where it is heading (rising
// amber, falling green, flat grey). The vertical range fits the line, so +2,000 on a lag of 45,000
// shows as a climb, but never less than a tenth of the peak, so a flat lag's jitter stays flat.
// Plain SVG: a partition table can hold hundreds of them, refreshed every few seconds.
import clsx from "clsx";

export interface LagPoint {
  /** epoch ms */
  t: number;
  lag: number;
}

export type LagDirection = "rising" | "falling" | "flat";

/** Where a lag went over its points; a change under 1 % of its peak (or one message) is flat. */
export function lagDirection(points: readonly LagPoint[]): LagDirection {
  const first = points[0];
  const last = points.at(-1);
  if (!first || !last || points.length < 2) return "flat";
  const peak = Math.max(...points.map((point) => point.lag));
  const change = last.lag - first.lag;
  if (Math.abs(change) <= Math.max(1, peak * 0.01)) return "flat";
  return change > 0 ? "rising" : "falling";
}

const STROKE: Record<LagDirection, string> = {
  rising: "text-amber-600 dark:text-amber-400",
  falling: "text-emerald-600 dark:text-emerald-400",
  flat: "text-zinc-400 dark:text-zinc-500",
};

const count = (value: number) => Math.round(value).toLocaleString("en-US");

export function LagSparkline({
  points,
  width = 72,
  height = 16,
  label,
  className,
  testId,
}: {
  points: readonly LagPoint[];
  width?: number;
  height?: number;
  /** What the line is the lag of, for the accessible description ("partition 3"). */
  label?: string;
  className?: string;
  testId?: string;
}) {
  const first = points[0];
  const last = points.at(-1);
  if (!first || !last || points.length < 2) {
    return (
      <span className={clsx("inline-block text-[10px] text-zinc-400", className)} style={{ width }} data-testid={testId}>
        no history yet
      </span>
    );
  }
  const direction = lagDirection(points);
  const lags = points.map((point) => point.lag);
  const peak = Math.max(1, ...lags);
  const range = Math.max(peak * 0.1, Math.max(...lags) - Math.min(...lags), 1);
  // Centre a narrow line within its minimum range; never below zero.
  const floor = Math.max(0, (Math.max(...lags) + Math.min(...lags)) / 2 - range / 2);
  const span = Math.max(1, last.t - first.t);
  // One pixel of room so the stroke is not cut at the top and bottom edges.
  const x = (t: number) => ((t - first.t) / span) * (width - 2) + 1;
  const y = (lag: number) => height - 1 - ((lag - floor) / range) * (height - 2);
  const line = points.map((point) => `${x(point.t).toFixed(1)},${y(point.lag).toFixed(1)}`).join(" ");
  const area = `${x(first.t).toFixed(1)},${height} ${line} ${x(last.t).toFixed(1)},${height}`;
  const description = `${label ? `${label}: ` : ""}lag ${count(first.lag)} → ${count(last.lag)} over ${Math.round(span / 1000)} s, ${direction}`;
  return (
    <svg
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={description}
      className={clsx("inline-block shrink-0 overflow-visible align-middle", STROKE[direction], className)}
      data-testid={testId}
      data-direction={direction}
    >
      <title>{description}</title>
      <polygon points={area} fill="currentColor" fillOpacity={0.15} />
      <polyline points={line} fill="none" stroke="currentColor" strokeWidth={1.25} strokeLinejoin="round" strokeLinecap="round" />
      <circle cx={x(last.t)} cy={y(last.lag)} r={1.6} fill="currentColor" />
    </svg>
  );
}
