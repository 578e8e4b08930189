// Prometheus's JSON results as typed samples. Parsed by hand rather than with a schema
// library: a range query over a whole fleet returns millions of points, and this runs on
// every one of them.
import { PrometheusError } from "./errors";

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  labels: Labels;
  /** epoch milliseconds */
  time: number;
  /** NaN, +Infinity and -Infinity are kept: Prometheus produces them (0/0, empty histograms). */
  value: number;
}

export interface Point {
  /** epoch milliseconds */
  time: number;
  value: number;
}

export interface Series {
  labels: Labels;
  /** Oldest first, as Prometheus returns them. */
  points: Point[];
}

export type QueryResult =
  | { resultType: "vector"; samples: Sample[]; warnings: string[] }
  | { resultType: "matrix"; series: Series[]; warnings: string[] }
  | { resultType: "scalar"; time: number; value: number; warnings: string[] }
  | { resultType: "string"; time: number; value: string; warnings: string[] };

export interface RangeResult {
  series: Series[];
  warnings: string[];
}

/** Prometheus writes sample values as strings, with Go's spelling of the special values. */
export function parseSampleValue(text: unknown): number {
  if (typeof text !== "string") throw malformed(`a sample value is ${JSON.stringify(text)}, not a string`);
  switch (text) {
    case "NaN":
      return Number.NaN;
    case "+Inf":
    case "Inf":
      return Number.POSITIVE_INFINITY;
    case "-Inf":
      return Number.NEGATIVE_INFINITY;
  }
  const value = Number(text);
  if (Number.isNaN(value)) throw malformed(`a sample value is ${JSON.stringify(text)}, not a number`);
  return value;
}

/** Prometheus's timestamps are float seconds; milliseconds are exact to its precision. */
function parseTime(value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw malformed(`a timestamp is ${JSON.stringify(value)}`);
  return Math.round(value * 1000);
}

function parseLabels(value: unknown): Labels {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw malformed("a series has no label set");
  return value as Labels;
}

/** `[time, "value"]` */
function parsePair(value: unknown): Point {
  if (!Array.isArray(value) || value.length !== 2) throw malformed("a sample is not a [time, value] pair");
  return { time: parseTime(value[0]), value: parseSampleValue(value[1]) };
}

function parseVector(result: unknown): Sample[] {
  if (!Array.isArray(result)) throw malformed("a vector result is not a list");
  const samples: Sample[] = [];
  for (const entry of result as Array<{ metric?: unknown; value?: unknown }>) {
    // Native histograms (`histogram` instead of `value`) are an experimental feature no
    // Scaleplane query asks for; skipping them keeps a mixed result usable.
    if (entry.value === undefined) continue;
    const { time, value } = parsePair(entry.value);
    samples.push({ labels: parseLabels(entry.metric), time, value });
  }
  return samples;
}

function parseMatrix(result: unknown): Series[] {
  if (!Array.isArray(result)) throw malformed("a matrix result is not a list");
  return (result as Array<{ metric?: unknown; values?: unknown }>).map((entry) => {
    const values = entry.values ?? [];
    if (!Array.isArray(values)) throw malformed("a series' values are not a list");
    const points = new Array<Point>(values.length);
    for (let index = 0; index < values.length; index++) points[index] = parsePair(values[index]);
    return { labels: parseLabels(entry.metric), points };
  });
}

function parseWarnings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((warning): warning is string => typeof warning === "string") : [];
}

/** The `data` of a successful /api/v1/query or /api/v1/query_range answer. */
export function parseQueryData(body: unknown): QueryResult {
  if (body === null || typeof body !== "object") throw malformed("the answer is not a JSON object");
  const { status, data, warnings } = body as { status?: unknown; data?: unknown; warnings?: unknown };
  if (status !== "success") throw malformed(`the answer's status is ${JSON.stringify(status)}`);
  if (data === null || typeof data !== "object") throw malformed("the answer has no data");
  const { resultType, result } = data as { resultType?: unknown; result?: unknown };
  const parsedWarnings = parseWarnings(warnings);
  switch (resultType) {
    case "vector":
      return { resultType, samples: parseVector(result), warnings: parsedWarnings };
    case "matrix":
      return { resultType, series: parseMatrix(result), warnings: parsedWarnings };
    case "scalar": {
      const { time, value } = parsePair(result);
      return { resultType, time, value, warnings: parsedWarnings };
    }
    case "string": {
      if (!Array.isArray(result) || result.length !== 2 || typeof result[1] !== "string") throw malformed("a string result is not a [time, text] pair");
      return { resultType, time: parseTime(result[0]), value: result[1], warnings: parsedWarnings };
    }
    default:
      throw malformed(`unknown result type ${JSON.stringify(resultType)}`);
  }
}

function malformed(reason: string): PrometheusError {
  return new PrometheusError("bad_response", `Prometheus's answer could not be read: ${reason}`);
}

/** One number per label set, e.g. the latest value of every service. */
export function vectorSamples(result: QueryResult): Sample[] {
  switch (result.resultType) {
    case "vector":
      return result.samples;
    case "scalar":
      return [{ labels: {}, time: result.time, value: result.value }];
    default:
      throw new PrometheusError("bad_response", `Expected an instant vector from the query, got a ${result.resultType}`);
  }
}
