// Big, glanceable figures for an entity's page: a label, a number, its unit, and the colour
// of the verdict reason about it (if any).
import clsx from "clsx";
import type { ReactNode } from "react";
import { toneText, type UsageTone } from "./caches-usage-bar";
import { Skeleton } from "./ui";

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

/** A card of figures still loading: its heading and a row of tiles, then placeholders for what the card shows below them. */
export function FigureCardSkeleton({ tiles, children }: { tiles: 5 | 6; children: ReactNode }) {
  return (
    <div className="rounded border border-zinc-200 p-3 dark:border-zinc-800" aria-busy aria-label="Loading">
      <Skeleton className="mb-3 h-5 w-48" />
      <div className={clsx("grid grid-cols-2 gap-2 sm:grid-cols-3", tiles === 5 ? "lg:grid-cols-5" : "lg:grid-cols-6")}>
        {Array.from({ length: tiles }, (_, index) => (
          <Skeleton key={index} className="h-12" />
        ))}
      </div>
      {children}
    </div>
  );
}
