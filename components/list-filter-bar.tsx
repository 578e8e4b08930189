"use client";
// The pieces of a list page's filter bar: the text box that "/" focuses, a select of one name
// among many, the verdict toggles and the "clear filters" link. Each list filters on different
// things, so the page lays the pieces out and owns the state (in the URL); the pieces only
// make sure that every list's controls look, label and behave alike.
import clsx from "clsx";
import { useState, type RefObject } from "react";
import { inputClass } from "@/components/ui";
import type { Verdict } from "@/lib/api-types";
import type { QueryUpdate, useUrlState } from "@/lib/use-url-state";

export const VERDICTS: Verdict[] = ["CRIT", "WARN", "UNKNOWN", "OK"];

/** The verdicts named in the URL (`verdict=CRIT,WARN`), unknown words ignored. */
export function parseVerdicts(param: string | null): Verdict[] {
  return (param ?? "").split(",").filter((value): value is Verdict => (VERDICTS as string[]).includes(value));
}

export function countVerdicts(items: readonly { health: { verdict: Verdict } }[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { CRIT: 0, WARN: 0, UNKNOWN: 0, OK: 0 };
  for (const item of items) counts[item.health.verdict]++;
  return counts;
}

/**
 * The text filter of a list: in the URL (`q`) so a filtered list can be shared, but the input
 * keeps its own copy so typing never waits for the router.
 */
export function useFilterText(url: Pick<ReturnType<typeof useUrlState>, "get" | "set">) {
  const [text, setText] = useState(() => url.get("q") ?? "");
  const change = (value: string) => {
    setText(value);
    url.set({ q: value.trim() });
  };
  /** Empties the text and, in the same URL update, the page's other filters. */
  const clear = (otherFilters: QueryUpdate) => {
    setText("");
    url.set({ q: null, ...otherFilters });
  };
  return { text, change, clear };
}

/** The text box of a filter bar; its id is also its test id. */
export function FilterTextBox({
  id,
  label,
  inputRef,
  value,
  onChange,
  placeholder,
  widthClass,
}: {
  id: string;
  /** For screen readers: the box has no visible label. */
  label: string;
  /** What the list's "/" key focuses. */
  inputRef: RefObject<HTMLInputElement | null>;
  value: string;
  onChange: (value: string) => void;
  placeholder: string;
  widthClass: string;
}) {
  return (
    <>
      <label className="sr-only" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        ref={inputRef}
        type="search"
        value={value}
        onChange={(event) => onChange(event.target.value)}
        placeholder={placeholder}
        className={clsx(inputClass, widthClass)}
        data-testid={id}
        autoComplete="off"
      />
    </>
  );
}

/** One name among many (a region, a namespace, a cluster), "" standing for all of them. */
export function FilterSelect({
  id,
  label,
  allLabel,
  value,
  options,
  onChange,
  testId,
}: {
  id: string;
  label: string;
  /** The first option, e.g. "all regions". */
  allLabel: string;
  value: string;
  options: readonly string[];
  onChange: (value: string) => void;
  testId?: string;
}) {
  // A value from the URL stays selectable before the data arrives, or after it left the list.
  const shown = value && !options.includes(value) ? [value, ...options] : options;
  return (
    <>
      <label className="sr-only" htmlFor={id}>
        {label}
      </label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)} className={inputClass} data-testid={testId}>
        <option value="">{allLabel}</option>
        {shown.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
    </>
  );
}

const toggleClass = (active: boolean) =>
  clsx(
    "rounded border px-1.5 py-0.5 text-[11px] tabular-nums",
    active ? "border-zinc-800 bg-zinc-800 text-white dark:border-zinc-200 dark:bg-zinc-200 dark:text-zinc-900" : "border-zinc-300 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800",
  );

/** A toggle per verdict with how many rows have it; none pressed shows every verdict. */
export function VerdictToggles({ selected, counts, onChange }: { selected: readonly Verdict[]; counts: Record<Verdict, number>; onChange: (verdicts: Verdict[]) => void }) {
  return (
    <div role="group" aria-label="Filter by health verdict" className="flex items-center gap-1">
      {VERDICTS.map((verdict) => {
        const active = selected.includes(verdict);
        return (
          <button key={verdict} type="button" aria-pressed={active} onClick={() => onChange(active ? selected.filter((v) => v !== verdict) : [...selected, verdict])} className={toggleClass(active)}>
            {verdict} <span className={clsx(!active && "text-zinc-500")}>{counts[verdict]}</span>
          </button>
        );
      })}
    </div>
  );
}

export function ClearFiltersLink({ onClick }: { onClick: () => void }) {
  return (
    <button type="button" className="text-xs text-sky-700 hover:underline dark:text-sky-400" onClick={onClick}>
      clear filters
    </button>
  );
}
