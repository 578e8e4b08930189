// How a sharded MongoDB cluster's chunks are spread: one bar per shard from zero, so an
// imbalance looks as large as it is, with the balancer's migration threshold drawn across
// every bar. A shard whose bar passes the line is one the balancer moves chunks off.
import clsx from "clsx";
import { DrainingMark } from "./shards-badges";
import type { UsageTone } from "./caches-usage-bar";

export interface ChunkShard {
  shard: string;
  chunks: number;
  draining: boolean;
}

const OVER: Record<UsageTone, string> = {
  // Past the line but not what the verdict complains about (a spread the balancer is working off).
  normal: "bg-indigo-500 dark:bg-indigo-400",
  warn: "bg-amber-500 dark:bg-amber-400",
  crit: "bg-red-600 dark:bg-red-500",
};

const GRID = "grid grid-cols-[minmax(8rem,12rem)_minmax(0,2fr)_4rem_minmax(8rem,1fr)] items-center gap-2";

const pct = (value: number, scale: number) => `${Math.max(0, Math.min(100, (value / scale) * 100))}%`;

export function ChunkDistributionChart({
  shards,
  baseline,
  threshold,
  overTone,
  caption,
}: {
  shards: readonly ChunkShard[];
  /** The fewest chunks on a shard that is not draining. */
  baseline: number;
  /** The spread the balancer tolerates before it migrates. */
  threshold: number;
  /** Colour of the bars past the line: the verdict's, when one of its reasons is the imbalance. */
  overTone: UsageTone;
  caption: string;
}) {
  const limit = baseline + threshold;
  const most = Math.max(0, ...shards.map((shard) => shard.chunks));
  // Room past the longest bar and the line, so neither touches the edge.
  const scale = Math.max(1, most, limit) * 1.04;
  // The right-hand view: chunks above the fewest, where the threshold is a large share of the
  // width, so a spread of 25 over 8 is plain even when every shard holds about 450.
  const excessScale = Math.max(most - baseline, threshold * 2, 1) * 1.04;
  const ordered = [...shards].sort((a, b) => a.shard.localeCompare(b.shard, undefined, { numeric: true }));
  const overClass = (over: boolean) => clsx("tabular-nums", over && "font-semibold", over && overTone === "crit" && "text-red-700 dark:text-red-400", over && overTone === "warn" && "text-amber-700 dark:text-amber-400", over && overTone === "normal" && "text-indigo-700 dark:text-indigo-300");

  return (
    <figure className="min-w-0" data-testid="chunk-chart" data-limit={limit}>
      <figcaption className="sr-only">{caption}</figcaption>
      <div aria-hidden className={clsx(GRID, "mb-0.5 text-[11px] text-zinc-500")}>
        <span>shard</span>
        <span>chunks, from zero</span>
        <span className="text-right">chunks</span>
        <span>above the fewest</span>
      </div>
      <ul className="space-y-1">
        {ordered.map((shard) => {
          const over = !shard.draining && shard.chunks > limit;
          const excess = Math.max(0, shard.chunks - baseline);
          const label = `${shard.shard}: ${shard.chunks.toLocaleString("en-US")} chunks, ${excess.toLocaleString("en-US")} above the fewest${shard.draining ? ", draining" : over ? `, past the migration threshold of ${threshold}` : ""}`;
          const fill = shard.draining ? "bg-[repeating-linear-gradient(135deg,rgb(139_92_246/0.6)_0_4px,transparent_4px_7px)]" : over ? OVER[overTone] : "bg-sky-500/80 dark:bg-sky-600";
          return (
            <li key={shard.shard} className={clsx(GRID, "text-xs")} aria-label={label} data-testid="chunk-bar" data-shard={shard.shard} data-over={over}>
              <span className="flex min-w-0 items-center gap-1">
                <span className="truncate font-mono text-[11px]" title={shard.shard}>
                  {shard.shard}
                </span>
                {shard.draining && <DrainingMark />}
              </span>
              <span aria-hidden className="relative h-4 rounded-sm bg-zinc-100 dark:bg-zinc-900">
                {/* The tolerated band: from the fewest chunks to the threshold above it. */}
                <span className="absolute inset-y-0 bg-emerald-200/70 dark:bg-emerald-900/50" style={{ left: pct(baseline, scale), width: pct(threshold, scale) }} />
                <span className={clsx("absolute inset-y-0.5 left-0 rounded-r-sm", fill)} style={{ width: pct(shard.chunks, scale) }} />
                <span className="absolute -inset-y-0.5 w-0 border-l-2 border-dashed border-zinc-700 dark:border-zinc-300" style={{ left: pct(limit, scale) }} />
              </span>
              <span className={clsx("text-right", overClass(over))}>{shard.chunks.toLocaleString("en-US")}</span>
              <span aria-hidden className="flex items-center gap-1.5">
                <span className="relative h-4 min-w-0 flex-1 rounded-sm bg-zinc-100 dark:bg-zinc-900">
                  <span className="absolute inset-y-0 left-0 bg-emerald-200/70 dark:bg-emerald-900/50" style={{ width: pct(threshold, excessScale) }} />
                  <span className={clsx("absolute inset-y-0.5 left-0 rounded-r-sm", fill)} style={{ width: pct(excess, excessScale) }} />
                  <span className="absolute -inset-y-0.5 w-0 border-l-2 border-dashed border-zinc-700 dark:border-zinc-300" style={{ left: pct(threshold, excessScale) }} />
                </span>
                <span className={clsx("w-10 text-right", overClass(over))}>+{excess.toLocaleString("en-US")}</span>
              </span>
            </li>
          );
        })}
      </ul>
      <div aria-hidden className="mt-1.5 flex flex-wrap items-center gap-x-4 gap-y-0.5 text-[11px] text-zinc-500">
        <span className="inline-flex items-center gap-1">
          <span className="inline-block h-3 w-0 border-l-2 border-dashed border-zinc-700 dark:border-zinc-300" />
          migration threshold: fewest {baseline.toLocaleString("en-US")} + {threshold.toLocaleString("en-US")}
        </span>
        <span className="inline-flex items-center gap-1">
          <span className="inline-block h-2.5 w-3 bg-emerald-200/70 dark:bg-emerald-900/70" />
          spread the balancer tolerates
        </span>
        <span className="inline-flex items-center gap-1">
          <span className={clsx("inline-block h-2.5 w-3", OVER[overTone])} />
          past the threshold
        </span>
      </div>
    </figure>
  );
}
