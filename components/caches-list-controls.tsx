"use client";
// Controls the cache and shard pages share: their list filters (text, region, verdict, built
// from the common filter-bar pieces) and the region switch of a detail page.
import clsx from "clsx";
import { useMemo, type RefObject } from "react";
import { ClearFiltersLink, FilterSelect, FilterTextBox, parseVerdicts, useFilterText, VerdictToggles } from "@/components/list-filter-bar";
import type { Verdict } from "@/lib/api-types";
import type { useUrlState } from "@/lib/use-url-state";

/** Worst first: an entity without figures worries more than a healthy one. */
export const VERDICT_RANK: Record<Verdict, number> = { CRIT: 3, WARN: 2, UNKNOWN: 1, OK: 0 };

/** An entity's regions worst first, then by name. */
export const byVerdictThenRegion = (a: { region: string; health: { verdict: Verdict } }, b: { region: string; health: { verdict: Verdict } }) =>
  VERDICT_RANK[b.health.verdict] - VERDICT_RANK[a.health.verdict] || a.region.localeCompare(b.region);

/** The verdict of an entity over the regions shown: the worst of theirs; UNKNOWN when none is shown. */
export function worstOf(items: readonly { health: { verdict: Verdict } }[]): Verdict {
  return items.reduce<Verdict>((worst, item) => (VERDICT_RANK[item.health.verdict] > VERDICT_RANK[worst] ? item.health.verdict : worst), items.length ? "OK" : "UNKNOWN");
}

/** The filters of the cache and shard lists, all in the URL: the text (`q`), the region and the verdicts. */
export function useListFilters(url: Pick<ReturnType<typeof useUrlState>, "get" | "set">) {
  const filterText = useFilterText(url);
  const region = url.get("region") ?? "";
  const verdictParam = url.get("verdict");
  const verdicts = useMemo(() => parseVerdicts(verdictParam), [verdictParam]);
  return {
    text: filterText.text,
    region,
    verdicts,
    /** What ListFilters shows of them and how it changes them. */
    controls: {
      text: filterText.text,
      onText: filterText.change,
      region,
      onRegion: (value: string) => url.set({ region: value }),
      verdicts,
      onVerdicts: (next: Verdict[]) => url.set({ verdict: next.join(",") }),
      onClear: () => filterText.clear({ region: null, verdict: null }),
    },
  };
}

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
  return (
    <div className="mb-2 flex flex-wrap items-center gap-2" role="search" aria-label={`Filter ${noun}`}>
      <FilterTextBox id={`${idPrefix}-filter`} label={`Filter ${noun} by name or region`} inputRef={filterRef} value={text} onChange={onText} placeholder={placeholder} widthClass="w-60" />
      <FilterSelect id={`${idPrefix}-region`} label="Region" allLabel="all regions" value={region} options={regions} onChange={onRegion} testId={`${idPrefix}-region-filter`} />
      <VerdictToggles selected={verdicts} counts={counts} onChange={onVerdicts} />
      {(text || region || verdicts.length > 0) && <ClearFiltersLink onClick={onClear} />}
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
