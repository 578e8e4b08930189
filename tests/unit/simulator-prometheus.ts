// Test-only helpers for the simulator's exposition: a strict parser of the Prometheus text
// format 0.0.4 (what Prometheus itself would reject, it rejects) and Prometheus'
// histogram_quantile, so a test can read the exposition the way PromQL will.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** Family name → its TYPE. */
  types: Map<string, string>;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const match = LABEL.exec(text);
    if (match === null) throw new Error(`bad labels in: ${line}`);
    const [, name = "", raw = ""] = match;
    if (name in labels) throw new Error(`label ${name} twice in: ${line}`);
    labels[name] = raw.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
  }
  return labels;
}

function parseValue(text: string, line: string): number {
  if (text === "+Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  if (text === "NaN") return Number.NaN;
  const value = Number(text);
  if (!Number.isFinite(value) || text.trim() === "") throw new Error(`bad value in: ${line}`);
  return value;
}

/** The family a sample belongs to: its name without a histogram's suffix. */
function familyOf(name: string, types: Map<string, string>): string {
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    const base = name.slice(0, -suffix.length);
    if (name.endsWith(suffix) && types.get(base) === "histogram") return base;
  }
  return name;
}

export function parseExposition(text: string): Exposition {
  if (!text.endsWith("\n")) throw new Error("the exposition must end with a newline");
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const finished = new Set<string>();
  const seen = new Set<string>();
  let current = "";
  for (const line of text.slice(0, -1).split("\n")) {
    if (line.startsWith("# HELP ")) continue;
    if (line.startsWith("# TYPE ")) {
      const [name = "", type = ""] = line.slice(7).split(" ");
      if (types.has(name)) throw new Error(`second TYPE for ${name}`);
      if (!["gauge", "counter", "histogram", "summary", "untyped"].includes(type)) throw new Error(`bad TYPE in: ${line}`);
      types.set(name, type);
      continue;
    }
    const match = SAMPLE_LINE.exec(line);
    if (match === null) throw new Error(`not a sample: ${line}`);
    const [, name = "", labelText = "", valueText = ""] = match;
    const family = familyOf(name, types);
    if (!types.has(family)) throw new Error(`sample before its TYPE: ${line}`);
    // A family's samples must be contiguous.
    if (family !== current) {
      if (finished.has(family)) throw new Error(`samples of ${family} are not together`);
      if (current !== "") finished.add(current);
      current = family;
    }
    const labels = parseLabels(labelText, line);
    const key = `${name}{${Object.entries(labels).sort().map(([k, v]) => `${k}=${v}`).join(",")}}`;
    if (seen.has(key)) throw new Error(`duplicate series ${key}`);
    seen.add(key);
    samples.push({ name, labels, value: parseValue(valueText, line) });
  }
  return { samples, types };
}

/** Prometheus' histogram_quantile over cumulative buckets (the last one +Inf). */
export function histogramQuantile(q: number, buckets: readonly { le: number; count: number }[]): number {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total <= 0) return Number.NaN;
  const rank = q * total;
  const index = sorted.findIndex((b) => b.count >= rank);
  const bucket = sorted[index];
  if (bucket === undefined) return Number.NaN;
  if (bucket.le === Number.POSITIVE_INFINITY) return sorted[index - 1]?.le ?? Number.NaN;
  const start = index === 0 ? 0 : (sorted[index - 1]?.le ?? 0);
  const below = index === 0 ? 0 : (sorted[index - 1]?.count ?? 0);
  const inBucket = bucket.count - below;
  return inBucket <= 0 ? bucket.le : start + ((bucket.le - start) * (rank - below)) / inBucket;
}

/** Samples of one metric whose labels include `match`. */
export function select(exposition: Exposition, name: string, match: Record<string, string> = {}): Sample[] {
  return exposition.samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
}

export function only(exposition: Exposition, name: string, match: Record<string, string> = {}): Sample {
  const found = select(exposition, name, match);
  if (found.length !== 1) throw new Error(`expected one ${name} ${JSON.stringify(match)}, found ${found.length}`);
  return found[0] as Sample;
}
