// The query cache against a real Prometheus behind a counting proxy: concurrent identical
// queries reach Prometheus once, in one process and across "replicas" sharing Redis, and a
// Prometheus that fails yields the last good data marked stale.
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CachedPrometheus, createQueryCache, type CachedResult, type QueryCache } from "../../server/adapters/prometheus/cache";
import { deleteKeysWithPrefix } from "../../server/adapters/prometheus/cache-backends";
import { PrometheusClient } from "../../server/adapters/prometheus/client";
import { PrometheusError } from "../../server/adapters/prometheus/errors";
import { vectorSamples, type Sample } from "../../server/adapters/prometheus/results";
import { serveExposition, startCountingProxy, startTestPrometheus, waitUntil, type CountingProxy, type TestPrometheus, type TestServer } from "../helpers/prometheus";

/** A Redis database index of the test's own; only keys under KEY_PREFIX are touched. */
const REDIS_URL = "redis://127.0.0.1:6379/13";
const KEY_PREFIX = `scaleplane-test:prometheus-cache:${process.pid}:`;
const CONCURRENT_REQUESTS = 50;
const SCRAPE_INTERVAL_SECONDS = 5;

function exposition(): string {
  return ["# TYPE cache_test_value gauge", 'cache_test_value{service="checkout"} 7', 'cache_test_value{service="search"} 3', ""].join("\n");
}

/**
 * A clock the test moves forward by whole cache intervals to reach the next cache key. It
 * stands still otherwise, so a slow request never crosses into the next
 * scrape interval by itself: with real time, a request straddling an interval boundary
 * made these tests flaky.
 * It starts in the middle of the current interval.
 */
function steppingClock() {
  const intervalMs = SCRAPE_INTERVAL_SECONDS * 1000;
  const startMs = Math.floor(Date.now() / intervalMs) * intervalMs + intervalMs / 2;
  let offsetMs = 0;
  return {
    now: () => startMs + offsetMs,
    advance(milliseconds: number) {
      offsetMs += milliseconds;
    },
  };
}

const deleteTestKeys = (redis: Redis) => deleteKeysWithPrefix(redis, KEY_PREFIX);

function values(result: CachedResult<Sample[]>): Record<string, number> {
  return Object.fromEntries(result.value.map((sample) => [sample.labels.service ?? "", sample.value]));
}

describe("Prometheus query cache against a real Prometheus", () => {
  let exporter: TestServer & { metricsUrl: string };
  let prometheus: TestPrometheus;
  let proxy: CountingProxy;
  let client: PrometheusClient;
  let redis: Redis;
  const caches: QueryCache[] = [];

  function newCache(options: { redis: boolean; now: () => number; lockTtlMs?: number }): QueryCache {
    const cache = createQueryCache({
      scrapeIntervalSeconds: SCRAPE_INTERVAL_SECONDS,
      // A fresh connection per cache, as two app replicas would have.
      redisUrl: options.redis ? REDIS_URL : undefined,
      keyPrefix: KEY_PREFIX,
      now: options.now,
      lockTtlMs: options.lockTtlMs ?? 6000,
    });
    caches.push(cache);
    return cache;
  }

  beforeAll(async () => {
    exporter = await serveExposition(exposition);
    prometheus = await startTestPrometheus({ scrapeUrl: exporter.metricsUrl, scrapeIntervalSeconds: 1 });
    proxy = await startCountingProxy(prometheus.url);
    client = new PrometheusClient({ baseUrl: proxy.url, timeoutMs: 3000 });
    redis = new Redis(REDIS_URL);
    await deleteTestKeys(redis);
    // Cached instant queries are evaluated at the start of their interval, up to 5 s back:
    // wait until Prometheus has data that far back.
    await waitUntil(
      async () => vectorSamples(await client.query("cache_test_value", Date.now() - (SCRAPE_INTERVAL_SECONDS + 1) * 1000)).length === 2,
      30_000,
      "scrapes older than one cache interval",
    );
  });

  afterEach(async () => {
    proxy.delayMs = 0;
    proxy.failWithStatus = undefined;
    for (const cache of caches.splice(0)) await cache.close();
  });

  afterAll(async () => {
    if (redis) {
      await deleteTestKeys(redis);
      await redis.quit();
    }
    await proxy?.close();
    await prometheus?.stop();
    await exporter?.close();
  });

  it(`sends ${CONCURRENT_REQUESTS} concurrent identical queries to Prometheus once (in process)`, async () => {
    const clock = steppingClock();
    const reader = new CachedPrometheus(client, newCache({ redis: false, now: clock.now }), clock.now);
    proxy.delayMs = 200; // the requests overlap for sure
    const before = proxy.count("/api/v1/query");
    const results = await Promise.all(Array.from({ length: CONCURRENT_REQUESTS }, () => reader.instant("cache_test_value")));
    expect(proxy.count("/api/v1/query") - before).toBe(1);
    for (const result of results) {
      expect(result.stale).toBe(false);
      expect(values(result)).toEqual({ checkout: 7, search: 3 });
    }
    expect(reader.cache.stats).toMatchObject({ requests: 50, fetches: 1, coalescedInProcess: 49, hits: 0 });
    // Later in the same interval: answered from the cache.
    await reader.instant("cache_test_value");
    expect(proxy.count("/api/v1/query") - before).toBe(1);
    // The next interval asks again.
    clock.advance(SCRAPE_INTERVAL_SECONDS * 1000);
    await reader.instant("cache_test_value");
    expect(proxy.count("/api/v1/query") - before).toBe(2);
  });

  it(`sends ${CONCURRENT_REQUESTS} concurrent identical range queries to Prometheus once (in process)`, async () => {
    const clock = steppingClock();
    const reader = new CachedPrometheus(client, newCache({ redis: false, now: clock.now }), clock.now);
    proxy.delayMs = 200;
    const before = proxy.count("/api/v1/query_range");
    const end = Date.now();
    const results = await Promise.all(
      // Slightly different ends inside one step: aligned, they are the same question.
      Array.from({ length: CONCURRENT_REQUESTS }, (_, index) => reader.range("cache_test_value", { start: end - 60_000, end: end - (end % 10_000) + 100 + (index % 10) * 100, stepSeconds: 10 })),
    );
    expect(proxy.count("/api/v1/query_range") - before).toBe(1);
    expect(new Set(results.map((result) => JSON.stringify(result.value.window))).size).toBe(1);
    expect(results[0]?.value.series).toHaveLength(2);
  });

  it(`sends ${CONCURRENT_REQUESTS} concurrent identical queries to Prometheus once (Redis)`, async () => {
    const clock = steppingClock();
    const reader = new CachedPrometheus(client, newCache({ redis: true, now: clock.now }), clock.now);
    proxy.delayMs = 200;
    const before = proxy.count("/api/v1/query");
    const results = await Promise.all(Array.from({ length: CONCURRENT_REQUESTS }, () => reader.instant('cache_test_value{service="checkout"}')));
    expect(proxy.count("/api/v1/query") - before).toBe(1);
    expect(results.every((result) => values(result).checkout === 7)).toBe(true);
    // The result is in Redis, readable by a cache that never asked.
    const other = new CachedPrometheus(client, newCache({ redis: true, now: clock.now }), clock.now);
    expect(values(await other.instant('cache_test_value{service="checkout"}'))).toEqual({ checkout: 7 });
    expect(other.cache.stats).toMatchObject({ hits: 1, fetches: 0 });
    expect(proxy.count("/api/v1/query") - before).toBe(1);
  });

  it("coalesces across two replicas sharing Redis: one request per query reaches Prometheus", async () => {
    const clock = steppingClock();
    const replicaA = new CachedPrometheus(client, newCache({ redis: true, now: clock.now }), clock.now);
    const replicaB = new CachedPrometheus(client, newCache({ redis: true, now: clock.now }), clock.now);
    proxy.delayMs = 300;
    const rounds = 5;
    const before = proxy.count("/api/v1/query");
    for (let round = 0; round < rounds; round++) {
      const query = `cache_test_value * ${round + 1}`;
      // Interleaved, so both replicas' first requests race for the lock.
      const results = await Promise.all(
        Array.from({ length: CONCURRENT_REQUESTS }, (_, index) => (index % 2 === 0 ? replicaA : replicaB).instant(query)),
      );
      expect(results.every((result) => values(result).checkout === 7 * (round + 1))).toBe(true);
    }
    expect(proxy.count("/api/v1/query") - before).toBe(rounds);
    const [a, b] = [replicaA.cache.stats, replicaB.cache.stats];
    expect(a.fetches + b.fetches).toBe(rounds);
    expect(a.servedByOtherReplica + b.servedByOtherReplica).toBe(rounds);
    expect(a.requests + b.requests).toBe(rounds * CONCURRENT_REQUESTS);
  });

  it("returns the last good result marked stale, with its age and the error, when Prometheus fails", async () => {
    const clock = steppingClock();
    const reader = new CachedPrometheus(client, newCache({ redis: false, now: clock.now }), clock.now);
    const fresh = await reader.instant("cache_test_value");
    expect(fresh.stale).toBe(false);

    proxy.failWithStatus = 503;
    clock.advance(3 * SCRAPE_INTERVAL_SECONDS * 1000);
    const before = proxy.count("/api/v1/query");
    const stale = await reader.instant("cache_test_value");
    expect(stale).toMatchObject({ stale: true, value: fresh.value, fetchedAt: fresh.fetchedAt, error: { kind: "unavailable" } });
    expect(stale.ageSeconds).toBeGreaterThanOrEqual(3 * SCRAPE_INTERVAL_SECONDS);
    expect(stale.stale && stale.error.message).toMatch(/HTTP 503/);
    // The failure is remembered for the interval: other viewers get the stale answer at once.
    const again = await Promise.all(Array.from({ length: 10 }, () => reader.instant("cache_test_value")));
    expect(again.every((result) => result.stale)).toBe(true);
    expect(proxy.count("/api/v1/query") - before).toBe(1);

    // Prometheus is back: the next interval is fresh again.
    proxy.failWithStatus = undefined;
    clock.advance(SCRAPE_INTERVAL_SECONDS * 1000);
    const recovered = await reader.instant("cache_test_value");
    expect(recovered.stale).toBe(false);
    expect(values(recovered)).toEqual({ checkout: 7, search: 3 });
  });

  it("answers stale within the client's timeout when Prometheus hangs, instead of hanging too", async () => {
    const clock = steppingClock();
    const impatient = new PrometheusClient({ baseUrl: proxy.url, timeoutMs: 400 });
    const reader = new CachedPrometheus(impatient, newCache({ redis: false, now: clock.now }), clock.now);
    await reader.instant("cache_test_value");
    proxy.delayMs = 5000;
    clock.advance(SCRAPE_INTERVAL_SECONDS * 1000);
    const started = performance.now();
    const result = await reader.instant("cache_test_value");
    expect(performance.now() - started).toBeLessThan(1500);
    expect(result).toMatchObject({ stale: true, error: { kind: "timeout" } });
  });

  it("shares the last good result between replicas through Redis", async () => {
    const clock = steppingClock();
    const replicaA = new CachedPrometheus(client, newCache({ redis: true, now: clock.now }), clock.now);
    const replicaB = new CachedPrometheus(client, newCache({ redis: true, now: clock.now }), clock.now);
    const good = await replicaA.instant('cache_test_value{service="search"}');
    proxy.failWithStatus = 503;
    clock.advance(2 * SCRAPE_INTERVAL_SECONDS * 1000);
    // Replica B never saw a good answer itself.
    const result = await replicaB.instant('cache_test_value{service="search"}');
    expect(result).toMatchObject({ stale: true, value: good.value, error: { kind: "unavailable" } });
    expect(result.ageSeconds).toBeGreaterThanOrEqual(2 * SCRAPE_INTERVAL_SECONDS);
  });

  it("fails with the error when Prometheus fails and there is no good result to fall back on", async () => {
    const clock = steppingClock();
    const reader = new CachedPrometheus(client, newCache({ redis: true, now: clock.now }), clock.now);
    proxy.failWithStatus = 503;
    await expect(reader.instant("cache_test_value + 1000")).rejects.toSatisfy(
      (error: unknown) => error instanceof PrometheusError && error.kind === "unavailable",
    );
  });

  it("does not cache a bad query as if Prometheus were down", async () => {
    const clock = steppingClock();
    const reader = new CachedPrometheus(client, newCache({ redis: false, now: clock.now }), clock.now);
    await expect(reader.instant("sum(")).rejects.toSatisfy((error: unknown) => error instanceof PrometheusError && error.kind === "bad_query");
  });
});
