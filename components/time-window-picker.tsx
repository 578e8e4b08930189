"use client";
// A segmented control for the charts' time window. The page keeps the choice in the URL.
import clsx from "clsx";

export const WINDOWS = [
  { key: "15m", label: "15m", ms: 15 * 60_000 },
  { key: "1h", label: "1h", ms: 3_600_000 },
  { key: "6h", label: "6h", ms: 6 * 3_600_000 },
] as const;
export type WindowKey = (typeof WINDOWS)[number]["key"];

export const isWindowKey = (value: string | null): value is WindowKey => WINDOWS.some((w) => w.key === value);
export const windowMs = (key: WindowKey) => WINDOWS.find((w) => w.key === key)?.ms ?? 3_600_000;

export function TimeWindowPicker({ value, onChange, custom }: { value: WindowKey | null; onChange: (key: WindowKey) => void; custom?: string }) {
  return (
    <div role="group" aria-label="Time window" className="inline-flex items-center overflow-hidden rounded border border-zinc-300 text-xs dark:border-zinc-700">
      {WINDOWS.map((option) => {
        const active = option.key === value;
        return (
          <button
            key={option.key}
            type="button"
            aria-pressed={active}
            onClick={() => onChange(option.key)}
            className={clsx(
              "px-2 py-0.5 not-last:border-r not-last:border-zinc-300 dark:not-last:border-zinc-700",
              active ? "bg-zinc-800 text-white dark:bg-zinc-200 dark:text-zinc-900" : "hover:bg-zinc-100 dark:hover:bg-zinc-800",
            )}
          >
            {option.label}
          </button>
        );
      })}
      {custom && value === null && <span className="border-l border-zinc-300 bg-zinc-800 px-2 py-0.5 text-white dark:border-zinc-700 dark:bg-zinc-200 dark:text-zinc-900">{custom}</span>}
    </div>
  );
}
