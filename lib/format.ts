// Number and time formatting for dense tables: short, fixed-ish width, tabular figures.

const DASH = "–";

const isNumber = (value: number | null | undefined): value is number => typeof value === "number" && Number.isFinite(value);

/** 0.4 → "0.4", 12.3 → "12.3", 1234 → "1,234", 12345 → "12.3k". */
export function formatRate(value: number | null | undefined): string {
  if (!isNumber(value)) return DASH;
  const abs = Math.abs(value);
  if (abs >= 10_000) return `${(value / 1000).toFixed(1)}k`;
  if (abs >= 100) return Math.round(value).toLocaleString("en-US");
  return value.toFixed(1);
}

/** A ratio 0..1 as a percentage; small ratios keep two decimals so 0.04 % is not "0 %". */
export function formatPercent(ratio: number | null | undefined, digits?: number): string {
  if (!isNumber(ratio)) return DASH;
  const percent = ratio * 100;
  const places = digits ?? (Math.abs(percent) < 1 ? 2 : Math.abs(percent) < 10 ? 1 : 0);
  return `${percent.toFixed(places)}%`;
}

/** Milliseconds: "42", "1,204" (the column header carries the unit). */
export function formatMs(ms: number | null | undefined): string {
  if (!isNumber(ms)) return DASH;
  return ms < 10 ? ms.toFixed(1) : Math.round(ms).toLocaleString("en-US");
}

/** Axis labels: as short as possible ("0", "250", "1.5k", "12k"). */
export function formatAxisNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1000) return `${Number((value / 1000).toFixed(abs >= 10_000 ? 0 : 1))}k`;
  return String(Number(value.toFixed(abs < 10 ? 1 : 0)));
}

/** Axis labels for ratios: "0%", "2.5%", "80%". */
export function formatAxisPercent(ratio: number): string {
  const percent = ratio * 100;
  const abs = Math.abs(percent);
  return `${Number(percent.toFixed(abs < 1 ? 2 : abs < 10 ? 1 : 0))}%`;
}

/** "+$36.50/mo", "−$18.25/mo", "$0.00/mo". */
export function formatMonthlyCost(delta: number | null | undefined): string {
  if (!isNumber(delta)) return DASH;
  const sign = delta > 0 ? "+" : delta < 0 ? "−" : "";
  return `${sign}$${Math.abs(delta).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}/mo`;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Local time, sortable: "2026-11-27 07:15:03". */
export function formatDateTime(value: Date | string | number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return DASH;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** Local clock time: "07:15:03". */
export function formatClock(value: Date | number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  const date = value instanceof Date ? value : new Date(value);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** "12s ago", "5m ago", "3h ago", "2d ago"; with `future`, "in 40m" for a deadline. */
export function formatRelative(value: Date | number, now: number = Date.now(), { future = false }: { future?: boolean } = {}): string {
  const then = value instanceof Date ? value.getTime() : value;
  const seconds = Math.round((now - then) / 1000);
  // For past events: the page's clock ticks every few seconds, so what happened since its
  // last tick (seemingly in the future) is "just now".
  if (!future && seconds < 5) return "just now";
  const abs = Math.abs(seconds);
  const text = abs < 60 ? `${abs}s` : abs < 3600 ? `${Math.floor(abs / 60)}m` : abs < 86_400 ? `${Math.floor(abs / 3600)}h` : `${Math.floor(abs / 86_400)}d`;
  return seconds >= 0 ? `${text} ago` : `in ${text}`;
}

/** A duration in ms: "850 ms", "12.4 s", "3m 05s". */
export function formatDuration(ms: number | null | undefined): string {
  if (!isNumber(ms)) return DASH;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m ${pad(Math.round((ms % 60_000) / 1000))}s`;
}

/** The first 8 characters of a UUID, enough to tell requests apart on screen. */
export const shortId = (id: string) => id.slice(0, 8);
