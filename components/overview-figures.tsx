// Small figures the overview and the regions page share: verdict counts as words and as a
// stacked bar, and a traffic weight bar. Colour always comes with text.
import clsx from "clsx";
import type { Verdict } from "@/lib/api-types";
import { formatPercent } from "@/lib/format";

export type VerdictCountsValue = Record<Verdict, number>;

const COUNT_TEXT: Record<Verdict, string> = {
  CRIT: "text-red-700 dark:text-red-400",
  WARN: "text-amber-700 dark:text-amber-400",
  UNKNOWN: "text-zinc-600 dark:text-zinc-300",
  OK: "text-emerald-700 dark:text-emerald-400",
};

export const VERDICT_BAR: Record<Verdict, string> = {
  CRIT: "bg-red-600 dark:bg-red-500",
  WARN: "bg-amber-400",
  UNKNOWN: "bg-zinc-400 dark:bg-zinc-500",
  OK: "bg-emerald-500/70 dark:bg-emerald-600/70",
};

/** The left edge of a card in its verdict's colour. */
export const VERDICT_EDGE: Record<Verdict, string> = {
  CRIT: "border-l-red-600",
  WARN: "border-l-amber-400",
  UNKNOWN: "border-l-zinc-400",
  OK: "border-l-emerald-500",
};

/** "3 CRIT · 5 WARN · 64 OK" (UNKNOWN only when there are some); zeros stay, quietly, so the line never jumps. */
export function VerdictCounts({ counts, className, testId }: { counts: VerdictCountsValue; className?: string; testId?: string }) {
  const shown: Verdict[] = counts.UNKNOWN > 0 ? ["CRIT", "WARN", "UNKNOWN", "OK"] : ["CRIT", "WARN", "OK"];
  return (
    <span className={clsx("tabular-nums", className)} data-testid={testId}>
      {shown.map((verdict, i) => (
        <span key={verdict}>
          {i > 0 && <span className="text-zinc-400 dark:text-zinc-600"> · </span>}
          <span className={clsx(counts[verdict] > 0 && verdict !== "OK" ? clsx("font-semibold", COUNT_TEXT[verdict]) : counts[verdict] > 0 ? COUNT_TEXT.OK : "text-zinc-400 dark:text-zinc-500")}>
            {counts[verdict].toLocaleString("en-US")} {verdict}
          </span>
        </span>
      ))}
    </span>
  );
}

/** The share of each verdict as one thin bar, worst on the left. */
export function VerdictBar({ counts, className }: { counts: VerdictCountsValue; className?: string }) {
  const total = counts.CRIT + counts.WARN + counts.UNKNOWN + counts.OK;
  return (
    <span className={clsx("flex h-1.5 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800", className)} aria-hidden>
      {total > 0 &&
        (["CRIT", "WARN", "UNKNOWN", "OK"] as const).map((verdict) =>
          counts[verdict] > 0 ? <span key={verdict} className={VERDICT_BAR[verdict]} style={{ width: `${(counts[verdict] / total) * 100}%`, minWidth: verdict === "OK" ? undefined : 3 }} /> : null,
        )}
    </span>
  );
}

/** A traffic weight (0..1) as a bar with its percentage. */
export function WeightBar({ weight, className, label }: { weight: number | null | undefined; className?: string; label?: string }) {
  const value = typeof weight === "number" && Number.isFinite(weight) ? Math.max(0, Math.min(1, weight)) : null;
  return (
    <span className={clsx("inline-flex items-center gap-1.5", className)}>
      <span
        className="relative h-2 flex-1 overflow-hidden rounded-sm bg-zinc-200 dark:bg-zinc-800"
        role="meter"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={value === null ? undefined : Math.round(value * 100)}
        aria-label={label ?? "traffic weight"}
      >
        {value !== null && <span className="absolute inset-y-0 left-0 bg-sky-600 dark:bg-sky-500" style={{ width: `${value * 100}%` }} />}
      </span>
      <span className="w-10 text-right tabular-nums">{formatPercent(value, 0)}</span>
    </span>
  );
}
