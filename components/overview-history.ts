"use client";
// The overview's recent past, as this browser tab saw it: the server keeps no history of the
// fleet's verdict counts, so the page remembers its own answers (one every few seconds) for the
// last ten minutes in sessionStorage. It survives a click into a service and back, and a reload,
// but not a new tab; the sparklines drawn from it say so.
import { useSyncExternalStore } from "react";

export const HISTORY_WINDOW_MS = 10 * 60_000;
const STORAGE_KEY = "scaleplane.overview-history.v1";
/** A generous ceiling (one answer a second for ten minutes) so a stuck clock cannot grow the store. */
const MAX_SAMPLES = 600;

export interface VerdictTally {
  CRIT: number;
  WARN: number;
  UNKNOWN: number;
  OK: number;
}

export interface OverviewSample {
  /** When the answer arrived (this browser's clock, ms). */
  t: number;
  areas: Record<string, VerdictTally>;
  regions: Record<string, { requestsPerSecond: number; errorRatio: number }>;
}

type Store = Record<string, OverviewSample[]>;

const EMPTY: OverviewSample[] = [];
const listeners = new Set<() => void>();
let store: Store | null = null;

function load(): Store {
  if (store) return store;
  store = {};
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? "{}") as unknown;
    if (saved && typeof saved === "object") store = saved as Store;
  } catch {
    // Unreadable or unavailable storage: start afresh, in memory only.
  }
  return store;
}

function save(next: Store) {
  store = next;
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  } catch {
    // Storage full or disabled: the history still lives while the page is open.
  }
  for (const listener of listeners) listener();
}

/** Adds one answer for an environment and forgets what is older than the window. */
export function recordOverviewSample(environment: string, sample: OverviewSample) {
  const current = load()[environment] ?? EMPTY;
  const last = current.at(-1);
  if (last && sample.t <= last.t) return;
  const kept = current.filter((old) => old.t > sample.t - HISTORY_WINDOW_MS).slice(-(MAX_SAMPLES - 1));
  save({ ...load(), [environment]: [...kept, sample] });
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The samples of an environment, oldest first (the same array until a sample is added). */
export function useOverviewHistory(environment: string | undefined): OverviewSample[] {
  return useSyncExternalStore(
    subscribe,
    () => (environment ? (load()[environment] ?? EMPTY) : EMPTY),
    () => EMPTY,
  );
}
