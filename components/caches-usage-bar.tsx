// A "used of max" bar (cache memory, Elasticsearch heap), coloured by what the server's verdict
// says of that figure rather than by levels of its own: the page and the verdict never disagree.
import clsx from "clsx";
import type { Verdict } from "@/lib/api-types";
import { formatPercent } from "@/lib/format";
import { formatBytes } from "@/server/domain/health/format";

export type UsageTone = "normal" | "warn" | "crit";

/**
 * How a figure is doing, by whether one of the verdict's reasons is about it (reasons start
 * with the figure's name: "memory 97% of 1 GiB > 90%", "heap 91% > 85%"). A verdict holds its
 * worst reason's level, so a WARN reason under a CRIT verdict reads as CRIT here: close enough
 * for colour, and the reason's own text is always shown beside it.
 */
export function toneOf(health: { verdict: Verdict; reasons: string[] }, about: (reason: string) => boolean): UsageTone {
  if (!health.reasons.some(about)) return "normal";
  return health.verdict === "CRIT" ? "crit" : "warn";
}

/** Text classes for a figure in a table cell, from its tone. */
export function toneText(tone: UsageTone): string | undefined {
  if (tone === "crit") return "font-semibold text-red-700 dark:text-red-400";
  if (tone === "warn") return "font-semibold text-amber-700 dark:text-amber-400";
  return undefined;
}

const FILL: Record<UsageTone, string> = {
  normal: "bg-sky-500 dark:bg-sky-500",
  warn: "bg-amber-500 dark:bg-amber-400",
  crit: "bg-red-600 dark:bg-red-500",
};

export function UsageBar({
  used,
  max,
  tone,
  label,
  size = "sm",
  showText = true,
  testId,
}: {
  used: number;
  /** 0 means "no limit" (Redis' maxmemory 0). */
  max: number;
  tone: UsageTone;
  /** What is measured, for screen readers: "memory", "heap". */
  label: string;
  size?: "sm" | "lg";
  /** Beside the bar: the percentage (sm) or "used / max" (lg). */
  showText?: boolean;
  testId?: string;
}) {
  const limited = max > 0 && Number.isFinite(max);
  const ratio = limited ? used / max : Number.NaN;
  const valueText = limited ? `${formatBytes(used)} of ${formatBytes(max)} (${formatPercent(ratio, 0)})` : `${formatBytes(used)}, no limit`;
  const width = limited ? Math.max(0, Math.min(1, ratio)) * 100 : 0;
  return (
    <span className={clsx("inline-flex items-center gap-1.5", size === "lg" && "w-full")} title={`${label}: ${valueText}`} data-testid={testId} data-tone={tone}>
      <span
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={limited ? max : undefined}
        aria-valuenow={used}
        aria-valuetext={valueText}
        className={clsx(
          "relative inline-block overflow-hidden rounded-sm bg-zinc-200 dark:bg-zinc-800",
          size === "lg" ? "h-3 min-w-24 flex-1" : "h-2 w-16 shrink-0",
          !limited && "bg-[repeating-linear-gradient(135deg,transparent_0_3px,rgb(161_161_170/0.35)_3px_5px)]",
        )}
      >
        <span className={clsx("absolute inset-y-0 left-0", FILL[tone])} style={{ width: `${width}%` }} />
      </span>
      {showText && (
        <span className={clsx("whitespace-nowrap tabular-nums", toneText(tone))}>
          {size === "lg" ? (limited ? `${formatBytes(used)} / ${formatBytes(max)}` : `${formatBytes(used)} (no limit)`) : limited ? formatPercent(ratio, 0) : "no limit"}
        </span>
      )}
    </span>
  );
}
