// Small pieces every PromQL query of the adapter is built from: label matchers, the
// environment selector, and reading Prometheus's NaN/absent answers as the port's numbers.
import type { LabelMapping } from "../../config/schema";
import type { Sample } from "./results";

/** `name="value"`, the value quoted as a PromQL string (JSON's escapes are a subset of Go's, which PromQL uses). */
export function equals(name: string, value: string): string {
  return `${name}=${JSON.stringify(value)}`;
}

/** Prometheus writes a ratio of nothing as NaN; a page shows an idle entity as 0. */
export function finiteOrZero(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) ? value : 0;
}

/** What every query of one environment shares: its label names and its matchers. */
export interface QueryScope {
  /** The environment's name in Scaleplane, and its value of the environment label. */
  environment: string;
  labels: LabelMapping;
  /** Restricts every query to these regions (a region with a Prometheus of its own). */
  regions?: readonly string[];
  /** The window of rate() and friends, e.g. "1m". */
  rateWindow: string;
}

/** `{environment="demo"[, region=~"a|b"], <matchers>}` */
export function selector(scope: QueryScope, ...matchers: string[]): string {
  const own = [equals(scope.labels.environment, scope.environment)];
  if (scope.regions && scope.regions.length > 0) {
    const alternatives = scope.regions.map((region) => region.replace(/[.\\+*?^$()[\]{}|]/g, "\\$&")).join("|");
    own.push(`${scope.labels.region}=~${JSON.stringify(alternatives)}`);
  }
  return `{${[...own, ...matchers].join(", ")}}`;
}

/** The rate window: at least four scrape intervals and a minute, as Prometheus's docs advise. */
export function defaultRateWindow(scrapeIntervalSeconds: number): string {
  return `${Math.max(60, 4 * scrapeIntervalSeconds)}s`;
}

/** Joins samples by some of their labels: `key(sample.labels)` → value. */
export function indexSamples(samples: readonly Sample[], key: (labels: Record<string, string>) => string): Map<string, number> {
  return new Map(samples.map((sample) => [key(sample.labels), sample.value]));
}

/** A map key from label values; \u0000 cannot occur in a label value's UTF-8. */
export function joinKey(...parts: Array<string | undefined>): string {
  return parts.map((part) => part ?? "").join("\u0000");
}
