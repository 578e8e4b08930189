// The Prometheus sources of one configured environment: one per distinct Prometheus (the
// environment's, and each region's own), each with a cache whose lifetime is that
// Prometheus's scrape interval, in Redis when the app has one.
import type { Redis } from "ioredis";
import type { EnvironmentConfig, PrometheusConfig } from "../../config/schema";
import { secretFromEnvironment } from "../../env";
import type { EnvironmentPart } from "../environment-metrics";
import { CachedPrometheus, createQueryCache, type QueryCache } from "./cache";
import { PrometheusClient } from "./client";
import { PrometheusMetricsSource } from "./metrics-source";
import { defaultRateWindow } from "./promql";

export interface PrometheusSources {
  parts: EnvironmentPart[];
  caches: QueryCache[];
}

function clientFor(prometheus: PrometheusConfig): PrometheusClient {
  const token = prometheus.bearerTokenEnv ? secretFromEnvironment(prometheus.bearerTokenEnv) : undefined;
  if (prometheus.bearerTokenEnv && token === undefined) {
    throw new Error(`Prometheus ${prometheus.url}: the environment variable ${prometheus.bearerTokenEnv} (bearerTokenEnv) is not set`);
  }
  return new PrometheusClient({
    baseUrl: prometheus.url,
    timeoutMs: prometheus.timeoutSeconds * 1000,
    ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
  });
}

export function prometheusSourcesFor(environment: string, config: EnvironmentConfig, options: { redis?: Redis; onRedisError?: (error: unknown) => void }): PrometheusSources {
  if (config.source !== "prometheus") return { parts: [], caches: [] };
  // Regions without a Prometheus of their own share the environment's: one source for them all.
  const groups = new Map<PrometheusConfig, string[]>();
  for (const [region, regionConfig] of Object.entries(config.regions)) {
    const prometheus = regionConfig.prometheus ?? config.prometheus;
    if (!prometheus) continue; // the schema refuses this; nothing to read from
    groups.set(prometheus, [...(groups.get(prometheus) ?? []), region]);
  }
  const parts: EnvironmentPart[] = [];
  const caches: QueryCache[] = [];
  for (const [prometheus, regions] of groups) {
    const ownsEveryRegion = prometheus === config.prometheus && regions.length === Object.keys(config.regions).length;
    const cache = createQueryCache({
      scrapeIntervalSeconds: prometheus.scrapeIntervalSeconds,
      queryTimeoutMs: prometheus.timeoutSeconds * 1000,
      // A page never waits on a slow Prometheus while the previous interval's answer will do.
      serveWhileRefreshingMs: (2 * prometheus.scrapeIntervalSeconds + prometheus.timeoutSeconds) * 1000,
      ...(options.redis ? { redis: options.redis, keyPrefix: `scaleplane:prometheus:${environment}:` } : {}),
      ...(options.onRedisError ? { onRedisError: options.onRedisError } : {}),
    });
    caches.push(cache);
    const scope = {
      environment,
      labels: config.labels,
      rateWindow: defaultRateWindow(prometheus.scrapeIntervalSeconds),
      ...(ownsEveryRegion ? {} : { regions }),
    };
    parts.push({
      environment,
      ...(ownsEveryRegion ? {} : { regions }),
      source: new PrometheusMetricsSource(scope, new CachedPrometheus(clientFor(prometheus), cache)),
    });
  }
  return { parts, caches };
}
