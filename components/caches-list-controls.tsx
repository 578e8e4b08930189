"use client";
// Controls the cache and shard pages share: the list filters (text, region, verdict), the
// region switch of a detail page, and the verdict reasons spelled out.
import clsx from "clsx";
import type { ReactNode, RefObject } from "react";
import { inputClass } from "@/components/ui";
import type { Verdict } from "@/lib/api-types";

export const VERDICTS: Verdict[] = ["CRIT", "WARN", "UNKNOWN", "OK"];
/** Worst first: an entity without figures worries more than a healthy one. */
export const VERDICT_RANK: Record<Verdict, number> = { CRIT: 3, WARN: 2, UNKNOWN: 1, OK: 0 };

export function countVerdicts(items: readonly { health: { verdict: Verdict } }[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { CRIT: 0, WARN: 0, UNKNOWN: 0, OK: 0 };
  for (const item of items) counts[item.health.verdict]++;
  return counts;
}

/** The verdicts named in the URL (`verdict=CRIT,WARN`), unknown words ignored. */
export function parseVerdicts(param: string | null): Verdict[] {
  return (param ?? "").split(",").filter((value): value is Verdict => (VERDICTS as string[]).includes(value));
}

const toggleClass = (active: boolean) =>
  clsx(
    "rounded border px-1.5 py-0.5 text-[11px] tabular-nums",
    active ? "border-zinc-800 bg-zinc-800 text-white dark:border-zinc-200 dark:bg-zinc-200 dark:text-zinc-900" : "border-zinc-300 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800",
  );

export function ListFilters({
  idPrefix,
  noun,
  text,
  onText,
  filterRef,
  placeholder,
  regions,
  region,
  onRegion,
  verdicts,
  counts,
  onVerdicts,
  onClear,
  shown,
  total,
}: {
  idPrefix: string;
  /** Plural, for labels and the count: "caches". */
  noun: string;
  text: string;
  onText: (text: string) => void;
  filterRef: RefObject<HTMLInputElement | null>;
  placeholder: string;
  regions: string[];
  region: string;
  onRegion: (region: string) => void;
  verdicts: Verdict[];
  counts: Record<Verdict, number>;
  onVerdicts: (verdicts: Verdict[]) => void;
  onClear: () => void;
  shown: number;
  total: number;
}) {
  // A region from the URL stays selectable before the data arrives, or after it left the fleet.
  const regionOptions = region && !regions.includes(region) ? [region, ...regions] : regions;
  return (
    <div className="mb-2 flex flex-wrap items-center gap-2" role="search" aria-label={`Filter ${noun}`}>
      <label className="sr-only" htmlFor={`${idPrefix}-filter`}>
        Filter {noun} by name or region
      </label>
      <input
        id={`${idPrefix}-filter`}
        ref={filterRef}
        type="search"
        value={text}
        onChange={(event) => onText(event.target.value)}
        placeholder={placeholder}
        className={clsx(inputClass, "w-60")}
        data-testid={`${idPrefix}-filter`}
        autoComplete="off"
      />
      <label className="sr-only" htmlFor={`${idPrefix}-region`}>
        Region
      </label>
      <select id={`${idPrefix}-region`} value={region} onChange={(event) => onRegion(event.target.value)} className={inputClass} data-testid={`${idPrefix}-region-filter`}>
        <option value="">all regions</option>
        {regionOptions.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
      <div role="group" aria-label="Filter by health verdict" className="flex items-center gap-1">
        {VERDICTS.map((verdict) => {
          const active = verdicts.includes(verdict);
          return (
            <button
              key={verdict}
              type="button"
              aria-pressed={active}
              onClick={() => onVerdicts(active ? verdicts.filter((v) => v !== verdict) : [...verdicts, verdict])}
              className={toggleClass(active)}
            >
              {verdict} <span className={clsx(!active && "text-zinc-500")}>{counts[verdict]}</span>
            </button>
          );
        })}
      </div>
      {(text || region || verdicts.length > 0) && (
        <button type="button" className="text-xs text-sky-700 hover:underline dark:text-sky-400" onClick={onClear}>
          clear filters
        </button>
      )}
      <span className="ml-auto text-xs text-zinc-500 tabular-nums" data-testid={`${idPrefix}-count`}>
        {shown} of {total} {noun}
      </span>
    </div>
  );
}

/** "All regions" or one of them; the page keeps the choice in the URL (`region`). */
export function RegionSwitch({ regions, value, onChange }: { regions: string[]; value: string | null; onChange: (region: string | null) => void }) {
  if (regions.length < 2 && value === null) return null;
  const options = value !== null && !regions.includes(value) ? [...regions, value] : regions;
  return (
    <div role="group" aria-label="Region" className="inline-flex items-center overflow-hidden rounded border border-zinc-300 text-xs dark:border-zinc-700" data-testid="region-switch">
      {[null, ...options].map((region) => {
        const active = region === value;
        return (
          <button
            key={region ?? "all"}
            type="button"
            aria-pressed={active}
            onClick={() => onChange(region)}
            className={clsx(
              "px-2 py-0.5 not-last:border-r not-last:border-zinc-300 dark:not-last:border-zinc-700",
              region && "font-mono text-[11px]",
              active ? "bg-zinc-800 text-white dark:bg-zinc-200 dark:text-zinc-900" : "hover:bg-zinc-100 dark:hover:bg-zinc-800",
            )}
          >
            {region ?? "all regions"}
          </button>
        );
      })}
    </div>
  );
}

/** A verdict's reasons as a visible list, not only a tooltip. */
export function ReasonList({ reasons, label, className, testId }: { reasons: ReactNode[]; label: string; className?: string; testId?: string }) {
  if (reasons.length === 0) return null;
  return (
    <ul className={clsx("flex flex-wrap gap-x-4 gap-y-0.5 text-xs text-zinc-700 dark:text-zinc-300", className)} aria-label={label} data-testid={testId}>
      {reasons.map((reason, index) => (
        <li key={index} className="before:mr-1 before:text-zinc-400 before:content-['•']">
          {reason}
        </li>
      ))}
    </ul>
  );
}

/** The placeholder of a figure still loading: keeps the layout from jumping when it arrives. */
export function Skeleton({ className }: { className?: string }) {
  return <span aria-hidden className={clsx("inline-block animate-pulse rounded bg-zinc-100 dark:bg-zinc-800", className)} />;
}
