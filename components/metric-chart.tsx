"use client";
// A small time-series chart: one line per region, shared colours across charts (see
// regionColor), no animation (a refresh must not make lines dance), axis text in the
// current text colour so it reads in dark and light.
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatClock } from "@/lib/format";

const PALETTE = ["#0ea5e9", "#f59e0b", "#a855f7", "#10b981", "#ef4444", "#64748b"];
export const regionColor = (index: number) => PALETTE[index % PALETTE.length] ?? "#64748b";

export interface ChartSeries {
  name: string;
  points: { t: number; value: number | null }[];
}

interface Row {
  t: number;
  [series: string]: number | null;
}

function mergeSeries(series: ChartSeries[]): Row[] {
  const rows = new Map<number, Row>();
  for (const s of series) {
    for (const point of s.points) {
      const row = rows.get(point.t) ?? { t: point.t };
      row[s.name] = point.value;
      rows.set(point.t, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.t - b.t);
}

function TooltipBody({ active, payload, label, format }: { active?: boolean; payload?: readonly { name?: unknown; value?: unknown; color?: string }[]; label?: unknown; format: (v: number) => string }) {
  if (!active || !payload?.length) return null;
  return (
    <div className="rounded border border-zinc-300 bg-white px-2 py-1 text-[11px] shadow dark:border-zinc-700 dark:bg-zinc-900">
      <div className="mb-0.5 text-zinc-500">{typeof label === "number" ? formatClock(label) : ""}</div>
      {payload.map((entry) => (
        <div key={String(entry.name)} className="flex items-center gap-1.5 tabular-nums">
          <span className="inline-block h-2 w-2 rounded-full" style={{ background: entry.color }} />
          <span className="text-zinc-600 dark:text-zinc-400">{String(entry.name)}</span>
          <span className="ml-auto pl-2 font-medium">{typeof entry.value === "number" ? format(entry.value) : "–"}</span>
        </div>
      ))}
    </div>
  );
}

export function MetricChart({
  title,
  series,
  format,
  axisFormat = format,
  domain,
  height = 120,
  thresholds = [],
  fromZero = true,
  testId,
}: {
  title: string;
  series: ChartSeries[];
  format: (value: number) => string;
  /** Shorter labels for the y axis; defaults to `format`. */
  axisFormat?: (value: number) => string;
  domain: [number, number];
  height?: number;
  /** Horizontal lines, e.g. the threshold an alert fired on; the axis stretches to show them. */
  thresholds?: { value: number; label: string }[];
  /** false: the y axis spans the values only, so a slow rise on a large figure (a lag) shows. */
  fromZero?: boolean;
  testId?: string;
}) {
  const data = mergeSeries(series);
  const spanMs = domain[1] - domain[0];
  const tick = (t: number) => {
    const d = new Date(t);
    const hh = String(d.getHours()).padStart(2, "0");
    const mm = String(d.getMinutes()).padStart(2, "0");
    if (spanMs > 2 * 86_400_000) return `${d.getMonth() + 1}/${d.getDate()} ${hh}:${mm}`;
    // A few minutes (a lag poller's window): minutes alone would repeat on every tick.
    return spanMs < 10 * 60_000 ? `${hh}:${mm}:${String(d.getSeconds()).padStart(2, "0")}` : `${hh}:${mm}`;
  };
  return (
    <figure className="min-w-0 rounded border border-zinc-200 p-2 dark:border-zinc-800" data-testid={testId}>
      <figcaption className="mb-1 text-xs font-medium text-zinc-700 dark:text-zinc-300">{title}</figcaption>
      <div className="text-zinc-500 dark:text-zinc-400" style={{ height }} role="img" aria-label={`${title} chart, one line per region`}>
        {data.length === 0 ? (
          <div className="flex h-full items-center justify-center text-xs">no data in this window</div>
        ) : (
          <ResponsiveContainer width="100%" height="100%" minWidth={0}>
            <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
              <CartesianGrid stroke="currentColor" strokeOpacity={0.15} vertical={false} />
              <XAxis
                dataKey="t"
                type="number"
                scale="time"
                domain={domain}
                allowDataOverflow
                tickFormatter={tick}
                tick={{ fill: "currentColor", fontSize: 10 }}
                stroke="currentColor"
                strokeOpacity={0.3}
                minTickGap={40}
              />
              <YAxis domain={fromZero ? [0, "auto"] : ["auto", "auto"]} tickFormatter={axisFormat} tick={{ fill: "currentColor", fontSize: 10 }} stroke="currentColor" strokeOpacity={0.3} width={40} tickCount={3} interval={0} />
              <Tooltip content={(props) => <TooltipBody {...props} format={format} />} isAnimationActive={false} />
              {thresholds.map((threshold) => (
                <ReferenceLine
                  key={threshold.label}
                  y={threshold.value}
                  stroke="#ef4444"
                  strokeDasharray="4 3"
                  ifOverflow="extendDomain"
                  label={{ value: threshold.label, position: "insideTopRight", fill: "currentColor", fontSize: 10 }}
                />
              ))}
              {series.map((s, index) => (
                <Line key={s.name} type="monotone" dataKey={s.name} name={s.name} stroke={regionColor(index)} dot={false} strokeWidth={1.5} isAnimationActive={false} connectNulls />
              ))}
            </LineChart>
          </ResponsiveContainer>
        )}
      </div>
    </figure>
  );
}

export function SeriesLegend({ names }: { names: string[] }) {
  return (
    <ul className="flex flex-wrap gap-3 text-xs text-zinc-600 dark:text-zinc-400" aria-label="Regions">
      {names.map((name, index) => (
        <li key={name} className="flex items-center gap-1">
          <span className="inline-block h-0.5 w-4" style={{ background: regionColor(index) }} aria-hidden />
          {name}
        </li>
      ))}
    </ul>
  );
}
