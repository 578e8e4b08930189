// Scaleplane's own metrics, served at /api/metrics in Prometheus exposition format: how
// its HTTP endpoints and tRPC procedures answer, plus Node's process metrics. One registry
// per process, kept on globalThis: Next.js may evaluate this module once per bundle
// (instrumentation, each route), and registering the same metric twice throws.
import { collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** Seconds; from a cached read (a few ms) to a slow adapter call. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Label values come from request URLs, which clients control. Past this many distinct
 * values a label folds new ones into "other", so a scanner cannot grow the series without bound.
 */
const MAX_DISTINCT_LABEL_VALUES = 200;
const PROCEDURE_PATH = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/;

export interface ScaleplaneMetrics {
  registry: Registry;
  /** `_count` is the number of calls; `outcome` is "ok" or the tRPC error code. */
  trpcDuration: Histogram<"path" | "outcome">;
  httpDuration: Histogram<"route" | "method" | "status">;
  seenPaths: Set<string>;
}

function createMetrics(): ScaleplaneMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    trpcDuration: new Histogram({
      name: "scaleplane_trpc_request_duration_seconds",
      help: "tRPC procedure calls by procedure path and outcome (ok or the tRPC error code)",
      labelNames: ["path", "outcome"],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "scaleplane_http_request_duration_seconds",
      help: "HTTP requests to Scaleplane's API route handlers by route, method and status",
      labelNames: ["route", "method", "status"],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    seenPaths: new Set(),
  };
}

const holder = globalThis as unknown as { scaleplaneMetrics?: ScaleplaneMetrics };

export function getMetrics(): ScaleplaneMetrics {
  holder.scaleplaneMetrics ??= createMetrics();
  return holder.scaleplaneMetrics;
}

function boundedPath(metrics: ScaleplaneMetrics, path: string): string {
  if (!PROCEDURE_PATH.test(path) || path.length > 100) return "invalid";
  if (metrics.seenPaths.has(path)) return path;
  if (metrics.seenPaths.size >= MAX_DISTINCT_LABEL_VALUES) return "other";
  metrics.seenPaths.add(path);
  return path;
}

/** Records one tRPC procedure call. `outcome` is "ok" or the tRPC error code (e.g. "FORBIDDEN"). */
export function observeTrpcRequest(path: string, outcome: string, seconds: number): void {
  const metrics = getMetrics();
  metrics.trpcDuration.observe({ path: boundedPath(metrics, path), outcome }, seconds);
}

/** Records one request to a route handler; `route` is the route's pattern, never the raw URL. */
export function observeHttpRequest(route: string, method: string, status: number, seconds: number): void {
  getMetrics().httpDuration.observe({ route, method, status: String(status) }, seconds);
}

export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  const { registry } = getMetrics();
  return { contentType: registry.contentType, body: await registry.metrics() };
}
