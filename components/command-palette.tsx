"use client";
// The command palette (Ctrl-K / Cmd-K): jump to any page or entity by typing part of its name.
// The server sends every visible entity once (trpc.search.entities); filtering happens here, on
// each keystroke, over a precomputed index, and at most MAX_RESULTS options are rendered, so a
// fleet of 10,000 entities stays instant. A native modal <dialog> keeps the rest of the page
// inert and hands the focus back when it closes.
import { useQuery } from "@tanstack/react-query";
import clsx from "clsx";
import { usePathname, useRouter } from "next/navigation";
import { useDeferredValue, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from "react";
import type { RouterOutputs, Verdict } from "@/lib/api-types";
import { useTRPC } from "@/lib/trpc";
import { readError } from "@/lib/trpc-errors";
import { VerdictBadge } from "./badges";
import { Kbd } from "./ui";

type SearchEntity = RouterOutputs["search"]["entities"]["entities"][number];
type Kind = SearchEntity["kind"] | "page";

export interface PaletteTarget {
  id: string;
  kind: Kind;
  label: string;
  region: string | null;
  verdict: Verdict | null;
  href: string;
  /** For pages: the `g` shortcut that also goes there. */
  shortcut?: string;
}

const MAX_RESULTS = 50;
/** With nothing typed: the pages, then this many entities that are not OK, worst first. */
const MAX_IDLE_ENTITIES = 20;

const KIND_LABEL: Record<Kind, string> = {
  page: "page",
  service: "service",
  kafkaCluster: "Kafka cluster",
  topic: "topic",
  consumerGroup: "consumer group",
  cache: "cache",
  mongoCluster: "MongoDB",
  elasticsearchCluster: "Elasticsearch",
  region: "region",
};

const SEVERITY: Record<Verdict, number> = { CRIT: 0, WARN: 1, UNKNOWN: 2, OK: 3 };
const severity = (verdict: Verdict | null) => (verdict === null ? 4 : SEVERITY[verdict]);

interface Indexed {
  target: PaletteTarget;
  /** Lower-cased "label region kind": what a token may match anywhere. */
  haystack: string;
  label: string;
  /** Label then region, lower-cased: the last tie-break, compared as plain strings (fast on 10,000). */
  order: string;
  severity: number;
}

const isBoundary = (char: string | undefined) => char === undefined || /[\s/\-_.@:]/.test(char);

/** Every character of `needle` in order within `text` ("chkpay" finds "checkout/payments"). */
function isSubsequence(needle: string, text: string): boolean {
  let at = 0;
  for (const char of needle) {
    at = text.indexOf(char, at);
    if (at < 0) return false;
    at++;
  }
  return true;
}

/**
 * How well a target matches the typed words, or null when it does not: every word must appear,
 * as a substring (better at the start of a name part) or, for the name, as a subsequence.
 */
function score(entry: Indexed, tokens: readonly string[]): number | null {
  let total = 0;
  for (const token of tokens) {
    const at = entry.haystack.indexOf(token);
    if (at >= 0) {
      total += at === 0 ? 4 : isBoundary(entry.haystack[at - 1]) ? 3 : 2;
      // A whole part of the name ("payments" in "checkout/payments") beats a prefix of a longer one.
      if (isBoundary(entry.haystack[at + token.length])) total += 1;
    } else if (token.length > 1 && isSubsequence(token, entry.label)) {
      total += 1;
    } else {
      return null;
    }
  }
  return total;
}

const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function byRelevance(a: { entry: Indexed; score: number }, b: { entry: Indexed; score: number }) {
  return b.score - a.score || a.entry.severity - b.entry.severity || a.entry.label.length - b.entry.label.length || compareStrings(a.entry.order, b.entry.order);
}

function filterTargets(index: readonly Indexed[], text: string): { results: PaletteTarget[]; matches: number } {
  const tokens = text.toLowerCase().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) {
    const pages = index.filter((entry) => entry.target.kind === "page").map((entry) => entry.target);
    const troubled = index
      .filter((entry) => entry.target.verdict !== null && entry.target.verdict !== "OK")
      .sort((a, b) => a.severity - b.severity || compareStrings(a.order, b.order))
      .slice(0, MAX_IDLE_ENTITIES)
      .map((entry) => entry.target);
    return { results: [...pages, ...troubled], matches: pages.length + troubled.length };
  }
  const scored: { entry: Indexed; score: number }[] = [];
  for (const entry of index) {
    const value = score(entry, tokens);
    if (value !== null) scored.push({ entry, score: value });
  }
  scored.sort(byRelevance);
  return { results: scored.slice(0, MAX_RESULTS).map(({ entry }) => entry.target), matches: scored.length };
}

function buildIndex(pages: readonly { href: string; label: string; key: string }[], entities: readonly SearchEntity[]): Indexed[] {
  const targets: PaletteTarget[] = [
    ...pages.map((page): PaletteTarget => ({ id: `page:${page.href}`, kind: "page", label: page.label, region: null, verdict: null, href: page.href, shortcut: page.key })),
    ...entities.map((entity): PaletteTarget => ({ id: entity.id, kind: entity.kind, label: entity.label, region: entity.kind === "region" ? null : entity.region, verdict: entity.verdict, href: entity.href })),
  ];
  return targets.map((target) => ({
    target,
    label: target.label.toLowerCase(),
    haystack: `${target.label} ${target.region ?? ""} ${KIND_LABEL[target.kind]}`.toLowerCase(),
    order: `${target.label}\u0000${target.region ?? ""}`.toLowerCase(),
    severity: severity(target.verdict),
  }));
}

function isPaletteShortcut(event: KeyboardEvent) {
  return (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === "k";
}

export function CommandPalette({ pages }: { pages: readonly { href: string; label: string; key: string }[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const [active, setActive] = useState(0);
  const listId = useId();
  const titleId = useId();

  // Loaded on first open, then kept: reopening shows the last list at once and refreshes it behind.
  const [wanted, setWanted] = useState(false);
  const query = useQuery(trpc.search.entities.queryOptions(undefined, { enabled: wanted, staleTime: 30_000 }));
  const error = readError(query.error);

  const index = useMemo(() => buildIndex(pages, query.data?.entities ?? []), [pages, query.data]);
  // Typing stays responsive even if a filter pass over a huge fleet takes a frame.
  const deferredText = useDeferredValue(text);
  const { results, matches } = useMemo(() => filterTargets(index, deferredText), [index, deferredText]);
  const activeIndex = Math.min(active, Math.max(0, results.length - 1));
  const activeTarget = results[activeIndex];

  const show = () => {
    setWanted(true);
    setOpen(true);
  };
  const hide = () => setOpen(false);

  // Ctrl-K / Cmd-K anywhere, even from a filter field: the browser's own use of it (its search bar) gives way.
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (!isPaletteShortcut(event)) return;
      event.preventDefault();
      setWanted(true);
      setOpen((was) => !was);
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);

  // The dialog element follows the state; opening selects the last text so typing replaces it.
  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      inputRef.current?.select();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open]);

  useEffect(() => {
    if (!open) return;
    listRef.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: "nearest" });
  }, [open, activeIndex, results]);

  const go = (target: PaletteTarget | undefined) => {
    if (!target) return;
    hide();
    setText("");
    setActive(0);
    const [path, hash] = target.href.split("#");
    // Same page, other anchor: a hash change (which the page listens to) rather than a navigation.
    if (hash !== undefined && path === pathname) window.location.hash = hash;
    else router.push(target.href);
  };

  const onInputKeyDown = (event: ReactKeyboardEvent<HTMLInputElement>) => {
    const move = (to: number) => {
      event.preventDefault();
      if (results.length > 0) setActive((to + results.length) % results.length);
    };
    switch (event.key) {
      case "ArrowDown":
        move(activeIndex + 1);
        break;
      case "ArrowUp":
        move(activeIndex - 1);
        break;
      case "PageDown":
        move(Math.min(results.length - 1, activeIndex + 10));
        break;
      case "PageUp":
        move(Math.max(0, activeIndex - 10));
        break;
      case "Enter":
        event.preventDefault();
        go(activeTarget);
        break;
      case "Tab":
        // The field is the dialog's only stop: focus stays in the palette until it closes.
        event.preventDefault();
        break;
    }
  };

  const optionId = (i: number) => `${listId}-option-${i}`;

  return (
    <>
      <button
        type="button"
        onClick={show}
        aria-haspopup="dialog"
        aria-keyshortcuts="Control+K Meta+K"
        data-testid="palette-open"
        className="hidden h-7 w-44 shrink-0 items-center gap-2 rounded border border-zinc-300 bg-zinc-50 px-2 text-left text-xs text-zinc-500 hover:bg-zinc-100 lg:inline-flex xl:w-56 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:bg-zinc-800"
      >
        <span className="flex-1">Go to…</span>
        <Kbd>Ctrl K</Kbd>
      </button>
      <dialog
        ref={dialogRef}
        aria-labelledby={titleId}
        aria-modal="true"
        data-testid="command-palette"
        onClose={hide}
        // A click on the backdrop lands on the dialog element itself, not on its content.
        onClick={(event) => {
          if (event.target === event.currentTarget) hide();
        }}
        className="mx-auto mt-[12vh] w-[min(42rem,calc(100vw-2rem))] overflow-hidden rounded-lg border border-zinc-300 bg-white p-0 text-zinc-900 shadow-2xl backdrop:bg-zinc-950/50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
      >
        <h2 id={titleId} className="sr-only">
          Go to a page or entity
        </h2>
        <div className="flex items-center gap-2 border-b border-zinc-200 px-3 dark:border-zinc-800">
          <input
            ref={inputRef}
            type="text"
            role="combobox"
            aria-expanded="true"
            aria-controls={listId}
            aria-autocomplete="list"
            aria-activedescendant={activeTarget ? optionId(activeIndex) : undefined}
            aria-label="Search services, clusters, topics, groups, caches, regions and pages"
            placeholder="Service, cluster, topic, group, cache, region, page…"
            value={text}
            onChange={(event) => {
              setText(event.target.value);
              setActive(0);
            }}
            onKeyDown={onInputKeyDown}
            autoComplete="off"
            spellCheck={false}
            data-testid="palette-input"
            className="h-11 flex-1 bg-transparent text-sm outline-none placeholder:text-zinc-400 focus-visible:outline-none dark:placeholder:text-zinc-600"
          />
          <span className="text-[11px] text-zinc-500 tabular-nums" aria-live="polite">
            {query.isPending && wanted ? "loading…" : deferredText.trim() ? `${matches.toLocaleString("en-US")} match${matches === 1 ? "" : "es"}` : ""}
          </span>
        </div>
        {error && (
          <p role="alert" className="border-b border-zinc-200 px-3 py-1.5 text-xs text-red-700 dark:border-zinc-800 dark:text-red-400">
            Could not load the entities{query.data ? " (showing the last list)" : ""}: {error.message}
          </p>
        )}
        <ul ref={listRef} id={listId} role="listbox" aria-label="Results" className="max-h-[min(60vh,28rem)] overflow-y-auto py-1" data-testid="palette-results">
          {results.map((target, i) => {
            const selected = i === activeIndex;
            return (
              <li
                key={target.id}
                id={optionId(i)}
                role="option"
                aria-selected={selected}
                data-testid="palette-option"
                data-href={target.href}
                data-kind={target.kind}
                // The field keeps the focus; a click picks the option.
                onMouseDown={(event) => event.preventDefault()}
                onMouseMove={() => i !== activeIndex && setActive(i)}
                onClick={() => go(target)}
                className={clsx("flex cursor-pointer items-center gap-2 px-3 py-1 text-xs", selected ? "bg-sky-100 dark:bg-sky-950/70" : "hover:bg-zinc-50 dark:hover:bg-zinc-800/60")}
              >
                {target.verdict ? (
                  <VerdictBadge verdict={target.verdict} />
                ) : (
                  <span className="inline-block w-[4.5rem] shrink-0 text-center text-[10px] uppercase tracking-wide text-zinc-400">{target.kind === "page" ? "page" : ""}</span>
                )}
                <span className="min-w-0 flex-1 truncate font-medium">{target.label}</span>
                {target.region && <span className="shrink-0 font-mono text-[11px] text-zinc-500">{target.region}</span>}
                <span className="w-28 shrink-0 text-right text-[11px] text-zinc-500">{target.kind === "page" && target.shortcut ? <>g {target.shortcut}</> : KIND_LABEL[target.kind]}</span>
              </li>
            );
          })}
          {results.length === 0 && (
            <li role="presentation" className="px-3 py-4 text-center text-xs text-zinc-500">
              {query.isPending && wanted ? "Loading the fleet…" : `Nothing matches “${deferredText.trim()}”.`}
            </li>
          )}
        </ul>
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1 border-t border-zinc-200 px-3 py-1.5 text-[11px] text-zinc-500 dark:border-zinc-800">
          <span>
            <Kbd>↑</Kbd> <Kbd>↓</Kbd> choose
          </span>
          <span>
            <Kbd>Enter</Kbd> go
          </span>
          <span>
            <Kbd>Esc</Kbd> close
          </span>
          {matches > results.length && (
            <span className="ml-auto">
              first {results.length} of {matches.toLocaleString("en-US")}: type more to narrow
            </span>
          )}
          {!deferredText.trim() && results.length > pages.length && <span className="ml-auto">not OK, worst first</span>}
        </div>
      </dialog>
    </>
  );
}
