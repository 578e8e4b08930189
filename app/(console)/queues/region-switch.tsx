"use client";
// The region selector of the detail pages. The server answers for the region asked (or all),
// so the regions offered are the ones seen in any answer on this page: after "all regions"
// every region is there; from a deep link to one region, "all regions" brings the others.
import clsx from "clsx";
import { useState } from "react";
import { useUrlState } from "@/lib/use-url-state";

function useKnownRegions(seen: readonly string[]): string[] {
  const [known, setKnown] = useState<string[]>([]);
  const merged = [...new Set([...known, ...seen])].sort();
  // Adjusting state while rendering (React's pattern for derived state): no extra effect pass.
  if (merged.length !== known.length) setKnown(merged);
  return merged;
}

export function RegionSwitch({ seen }: { seen: readonly string[] }) {
  const url = useUrlState();
  const region = url.get("region") ?? "";
  const known = useKnownRegions(region ? [...seen, region] : seen);
  const options = ["", ...known];
  return (
    <div role="group" aria-label="Region" className="inline-flex items-center overflow-hidden rounded border border-zinc-300 text-xs dark:border-zinc-700" data-testid="region-switch">
      {options.map((option) => {
        const active = option === region;
        return (
          <button
            key={option || "all"}
            type="button"
            aria-pressed={active}
            onClick={() => url.set({ region: option || null })}
            className={clsx(
              "px-2 py-0.5 not-last:border-r not-last:border-zinc-300 dark:not-last:border-zinc-700",
              option && "font-mono text-[11px]",
              active ? "bg-zinc-800 text-white dark:bg-zinc-200 dark:text-zinc-900" : "hover:bg-zinc-100 dark:hover:bg-zinc-800",
            )}
          >
            {option || "all regions"}
          </button>
        );
      })}
    </div>
  );
}
