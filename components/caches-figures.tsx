// Big, glanceable figures for an entity's page: a label, a number, its unit, and the colour
// of the verdict reason about it (if any).
import clsx from "clsx";
import type { ReactNode } from "react";
import { toneText, type UsageTone } from "./caches-usage-bar";

export function FigureTile({ label, value, unit, tone = "normal", hint, testId }: { label: string; value: ReactNode; unit?: string; tone?: UsageTone; hint?: string; testId?: string }) {
  return (
    <div
      className={clsx(
        "min-w-0 rounded border px-2.5 py-1.5",
        tone === "crit" ? "border-red-300 bg-red-50 dark:border-red-800 dark:bg-red-950/40" : tone === "warn" ? "border-amber-300 bg-amber-50 dark:border-amber-700 dark:bg-amber-950/40" : "border-zinc-200 dark:border-zinc-800",
      )}
      title={hint}
      data-testid={testId}
    >
      <dt className="truncate text-[11px] text-zinc-500">{label}</dt>
      <dd className={clsx("truncate text-xl leading-7 font-semibold tabular-nums", toneText(tone))}>
        {value}
        {unit && <span className="ml-1 text-xs font-normal text-zinc-500">{unit}</span>}
      </dd>
    </div>
  );
}

/** A grid of tiles; a definition list, so screen readers pair each label with its figure. */
export function FigureGrid({ children, className }: { children: ReactNode; className?: string }) {
  return <dl className={clsx("grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-5", className)}>{children}</dl>;
}
