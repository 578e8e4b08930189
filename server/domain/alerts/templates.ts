// Prometheus's alert annotation templates, for the alerts Scaleplane evaluates itself (the
// simulator's, server/adapters/simulator/alert-rules.ts): the subset the deployed rules use,
// `{{ $labels.<name> }}`, `{{ $value }}` and `$value` piped through `humanize`,
// `humanizePercentage` or `humanizeDuration`, formatted as Prometheus formats them. Pure.
// Anything else is left as written, so a rule using more shows its template, not a lie.

/** Go's `%.4g`: four significant digits, no trailing zeros. */
function fourSignificant(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";
  return String(Number(value.toPrecision(4)));
}

const LARGE_PREFIXES = ["", "k", "M", "G", "T", "P", "E", "Z", "Y"];
const SMALL_PREFIXES = ["", "m", "u", "n", "p", "f", "a", "z", "y"];

/** `humanize`: SI prefixes, 1234 → "1.234k", 0.0125 → "12.5m". */
export function humanize(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return fourSignificant(value);
  let scaled = value;
  let prefix = 0;
  if (Math.abs(value) >= 1) {
    while (Math.abs(scaled) >= 1000 && prefix < LARGE_PREFIXES.length - 1) {
      scaled /= 1000;
      prefix++;
    }
    return `${fourSignificant(scaled)}${LARGE_PREFIXES[prefix]}`;
  }
  while (Math.abs(scaled) < 1 && prefix < SMALL_PREFIXES.length - 1) {
    scaled *= 1000;
    prefix++;
  }
  return `${fourSignificant(scaled)}${SMALL_PREFIXES[prefix]}`;
}

/** `humanizePercentage`: 0.0712 → "7.12%". */
export function humanizePercentage(value: number): string {
  return `${fourSignificant(value * 100)}%`;
}

/** `humanizeDuration` of seconds: 90 → "1m 30s", 0.25 → "250ms". */
export function humanizeDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return fourSignificant(seconds);
  if (seconds === 0) return "0s";
  const sign = seconds < 0 ? "-" : "";
  const magnitude = Math.abs(seconds);
  if (magnitude < 1) {
    let scaled = magnitude;
    let prefix = 0;
    while (scaled < 1 && prefix < SMALL_PREFIXES.length - 1) {
      scaled *= 1000;
      prefix++;
    }
    return `${sign}${fourSignificant(scaled)}${SMALL_PREFIXES[prefix]}s`;
  }
  const whole = Math.floor(magnitude);
  const days = Math.floor(whole / 86_400);
  const hours = Math.floor(whole / 3600) % 24;
  const minutes = Math.floor(whole / 60) % 60;
  const rest = whole % 60;
  if (days > 0) return `${sign}${days}d ${hours}h ${minutes}m ${rest}s`;
  if (hours > 0) return `${sign}${hours}h ${minutes}m ${rest}s`;
  if (minutes > 0) return `${sign}${minutes}m ${rest}s`;
  return `${sign}${fourSignificant(magnitude)}s`;
}

const FUNCTIONS: Readonly<Record<string, (value: number) => string>> = { humanize, humanizePercentage, humanizeDuration };

const ACTION = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** One annotation with an alert's labels and value filled in. */
export function renderAlertTemplate(template: string, labels: Readonly<Record<string, string>>, value: number): string {
  return template.replace(ACTION, (action: string, body: string) => {
    const label = /^\$labels\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(body);
    if (label) return labels[label[1] ?? ""] ?? "";
    const piped = /^\$value(?:\s*\|\s*([A-Za-z]+))?$/.exec(body);
    if (!piped) return action;
    // A bare $value prints as Go prints a float64: its shortest exact form.
    const format = piped[1] === undefined ? String : FUNCTIONS[piped[1]];
    return format ? format(value) : action;
  });
}
