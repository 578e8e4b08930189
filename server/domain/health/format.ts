// Figures as reasons show them: "12,400", "2.3%", "812 ms", "6 min", "1.5 GiB". English
// number formatting whatever the server's locale, so reasons read the same everywhere.

const grouped = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** Drops trailing zeros a fixed precision added: "1.50" → "1.5", "2.00" → "2". */
const trimmed = (text: string) => (text.includes(".") ? text.replace(/\.?0+$/, "") : text);

/** A count: "12,400". */
export const formatCount = (value: number) => grouped.format(Math.round(value));

/** Decimals that keep about two significant digits for small figures and none for large ones. */
const naturalDecimals = (magnitude: number) => (magnitude >= 10 ? 0 : magnitude >= 1 ? 1 : 2);

/** A 0..1 ratio as a percentage: 0.91 → "91%", 0.023 → "2.3%", 0.005 → "0.5%". */
export function formatPercent(ratio: number, extraDecimals = 0): string {
  const percent = ratio * 100;
  return `${trimmed(percent.toFixed(naturalDecimals(Math.abs(percent)) + extraDecimals))}%`;
}

export function formatMs(ms: number, extraDecimals = 0): string {
  return `${extraDecimals === 0 ? grouped.format(ms) : trimmed(ms.toFixed(extraDecimals))} ms`;
}

export function formatSeconds(seconds: number, extraDecimals = 0): string {
  return `${trimmed(seconds.toFixed(naturalDecimals(Math.abs(seconds)) + extraDecimals))} s`;
}

/** A per-second rate: 0.38 → "0.38 msg/s", 1204 → "1,204 msg/s". */
export function formatRate(perSecond: number, unit: string, extraDecimals = 0): string {
  const decimals = naturalDecimals(Math.abs(perSecond)) + extraDecimals;
  const text = decimals === 0 ? grouped.format(perSecond) : trimmed(perSecond.toFixed(decimals));
  return `${text} ${unit}`;
}

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB"] as const;

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${trimmed(value.toFixed(unit === 0 ? 0 : 1))} ${BYTE_UNITS[unit]}`;
}

/** An elapsed time, rounded down to what an operator reads at a glance: "45 s", "6 min", "2 h 5 min", "3 d 4 h". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/**
 * A figure and the level it crossed, precise enough to tell apart: an error ratio of 1.04%
 * against a 1% SLO reads "1.04% > 1%", not "1% > 1%".
 */
export function contrast(value: number, limit: number, render: (figure: number, extraDecimals: number) => string): [string, string] {
  for (let extra = 0; extra < 4; extra += 1) {
    const pair: [string, string] = [render(value, extra), render(limit, extra)];
    if (pair[0] !== pair[1]) return pair;
  }
  return [render(value, 4), render(limit, 4)];
}
