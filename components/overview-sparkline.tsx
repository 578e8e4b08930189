// A word-sized line chart: no axes, the shape only. A gap in the samples (the tab was hidden,
// refreshes paused) breaks the line instead of drawing a straight bridge over time nobody saw.
import clsx from "clsx";

export interface SparkSeries {
  /** Tailwind stroke colour, e.g. "stroke-red-600 dark:stroke-red-400". */
  className: string;
  points: { t: number; v: number }[];
}

const WIDTH = 100;

export function Sparkline({
  series,
  from,
  to,
  height = 24,
  zeroBased = true,
  gapMs,
  label,
  className,
}: {
  series: SparkSeries[];
  from: number;
  to: number;
  height?: number;
  /** Counts start at zero; rates look better scaled to their own range. */
  zeroBased?: boolean;
  /** Samples further apart than this are not joined. */
  gapMs: number;
  /** What the line shows, for screen readers and the tooltip. */
  label: string;
  className?: string;
}) {
  const values = series.flatMap((s) => s.points.map((p) => p.v));
  const top = values.length ? Math.max(...values) : 1;
  const bottom = zeroBased ? 0 : values.length ? Math.min(...values) : 0;
  const flat = top <= bottom;
  const pad = 1.5;
  const x = (t: number) => ((t - from) / Math.max(1, to - from)) * WIDTH;
  // A flat series lies on the floor when it is all zeros, in the middle otherwise.
  const y = (v: number) => (flat ? (zeroBased && v <= 0 ? height - pad : height / 2) : pad + (1 - (v - bottom) / (top - bottom)) * (height - 2 * pad));

  const path = (points: SparkSeries["points"]) =>
    points
      .map((p, i) => {
        const jump = i === 0 || p.t - (points[i - 1]?.t ?? p.t) > gapMs;
        return `${jump ? "M" : "L"}${x(p.t).toFixed(2)},${y(p.v).toFixed(2)}`;
      })
      .join("");

  return (
    <svg viewBox={`0 0 ${WIDTH} ${height}`} preserveAspectRatio="none" role="img" aria-label={label} className={clsx("block w-full overflow-visible", className)} style={{ height }}>
      <title>{label}</title>
      {series.map((s, i) => (
        <path key={i} d={path(s.points)} fill="none" strokeWidth={1.5} strokeLinejoin="round" strokeLinecap="round" vectorEffect="non-scaling-stroke" className={s.className} />
      ))}
    </svg>
  );
}
