// The overview's read path against a real Prometheus scraping the real simulator, through the
// app's own router: how many PromQL requests one overview costs (the same at 30 and at 2,000
// services), that 50 viewers at once cost no more than one, and that a failing Prometheus
// gives the last good figures marked stale instead of an error.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CachedPrometheus, createQueryCache, type QueryCache } from "../../server/adapters/prometheus/cache";
import { PrometheusClient } from "../../server/adapters/prometheus/client";
import { PrometheusMetricsSource } from "../../server/adapters/prometheus/metrics-source";
import { vectorSamples } from "../../server/adapters/prometheus/results";
import { createSimulatedFleet, renderExposition, type SimulatedPlatform } from "../../server/adapters/simulator";
import { demoConfig } from "../../server/config/demo";
import { callerFor, readingRuntime } from "../helpers/callers";
import { serveExposition, startCountingProxy, startTestPrometheus, waitUntil, type CountingProxy, type TestPrometheus, type TestServer } from "../helpers/prometheus";

interface Fleet {
  platform: SimulatedPlatform;
  exporter: TestServer;
  prometheus: TestPrometheus;
  proxy: CountingProxy;
}

async function startFleet(services: number, scrapeIntervalSeconds: number): Promise<Fleet> {
  const platform = createSimulatedFleet({ services, seed: 42 });
  platform.fleet.start(1000);
  const exporter = await serveExposition(() => renderExposition(platform.fleet));
  const prometheus = await startTestPrometheus({ scrapeUrl: exporter.metricsUrl, scrapeIntervalSeconds });
  const proxy = await startCountingProxy(prometheus.url);
  const direct = new PrometheusClient({ baseUrl: prometheus.url });
  // Two scrapes: every series is there and rate() has its two samples.
  await waitUntil(async () => (vectorSamples(await direct.query('count_over_time(up{job="scaleplane-simulator"}[10m])'))[0]?.value ?? 0) >= 2, 60_000, "two scrapes");
  return { platform, exporter, prometheus, proxy };
}

async function stopFleet(fleet: Fleet | undefined): Promise<void> {
  if (!fleet) return;
  fleet.platform.fleet.stop();
  await fleet.proxy.close();
  await fleet.prometheus.stop();
  await fleet.exporter.close();
}

const caches: QueryCache[] = [];

/**
 * The app's router as a viewer of every environment, reading `fleet` through its proxy with a
 * cache of its own. Its clock stands still, so no call straddles two cache intervals (which
 * would rightly ask Prometheus again, and make the counts below depend on timing).
 */
function overviewReader(fleet: Fleet, clock?: () => number) {
  const frozenAt = Date.now();
  const now = clock ?? (() => frozenAt);
  const cache = createQueryCache({ scrapeIntervalSeconds: 1, now });
  caches.push(cache);
  const labels = demoConfig().environments.demo?.labels;
  if (!labels) throw new Error("the demo configuration has no labels");
  const source = new PrometheusMetricsSource({ environment: "demo", labels, rateWindow: "10s" }, new CachedPrometheus(new PrometheusClient({ baseUrl: fleet.proxy.url, timeoutMs: 30_000 }), cache, now));
  return callerFor(readingRuntime({ source, workloads: fleet.platform.workloads, simulator: fleet.platform }));
}

/** Requests that reached Prometheus while `work` ran. */
async function prometheusRequestsDuring(proxy: CountingProxy, work: () => Promise<unknown>): Promise<number> {
  const before = proxy.requests.length;
  await work();
  return proxy.requests.length - before;
}

describe("the overview through a real Prometheus", () => {
  let small: Fleet | undefined;
  let large: Fleet | undefined;

  beforeAll(async () => {
    small = await startFleet(30, 1);
    // 2,000 services render ~50 MB per scrape; every 5 s keeps the machine responsive.
    large = await startFleet(2000, 5);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(caches.map((cache) => cache.close()));
    await stopFleet(small);
    await stopFleet(large);
  });

  it("sends as many PromQL requests for 2,000 services as for 30", async () => {
    if (!small || !large) throw new Error("fleets not started");
    const smallReader = overviewReader(small);
    const largeReader = overviewReader(large);
    let smallOverview: Awaited<ReturnType<typeof smallReader.overview.get>> | undefined;
    let largeOverview: typeof smallOverview;
    const smallCount = await prometheusRequestsDuring(small.proxy, async () => (smallOverview = await smallReader.overview.get()));
    const largeCount = await prometheusRequestsDuring(large.proxy, async () => (largeOverview = await largeReader.overview.get()));
    expect(smallCount).toBeGreaterThan(5);
    expect(largeCount).toBe(smallCount);
    // Both read real fleets: every workload of each is counted (two regions each).
    const services = (overview: typeof smallOverview) => overview?.areas.find((area) => area.area === "services")?.total;
    expect(services(smallOverview)).toBe(small.platform.fleet.listWorkloads().length);
    expect(services(largeOverview)).toBe(large.platform.fleet.listWorkloads().length);
    expect(services(largeOverview)).toBeGreaterThan(4000);
  }, 120_000);

  it("answers 50 concurrent viewers with one request per query", async () => {
    if (!small) throw new Error("fleet not started");
    const reader = overviewReader(small);
    const alone = await prometheusRequestsDuring(small.proxy, () => overviewReader(small!).overview.get());
    small.proxy.delayMs = 200; // the 50 calls overlap while the first requests are in flight
    try {
      const together = await prometheusRequestsDuring(small.proxy, () => Promise.all(Array.from({ length: 50 }, () => reader.overview.get())));
      expect(together).toBe(alone);
    } finally {
      small.proxy.delayMs = 0;
    }
  }, 60_000);

  it("gives the last good overview, marked stale with its age, while Prometheus fails", async () => {
    if (!small) throw new Error("fleet not started");
    let clock = Date.now();
    const reader = overviewReader(small, () => clock);
    const fresh = await reader.overview.get();
    expect(fresh.freshness.stale).toBe(false);
    small.proxy.failWithStatus = 503;
    try {
      clock += 1000; // the next cache interval: every figure is asked again, and fails
      const stale = await reader.overview.get();
      expect(stale.freshness).toMatchObject({ stale: true, error: { kind: "unavailable" } });
      expect(stale.freshness.ageSeconds).toBeGreaterThanOrEqual(1);
      expect(stale.areas.map((area) => area.total)).toEqual(fresh.areas.map((area) => area.total));
    } finally {
      small.proxy.failWithStatus = undefined;
    }
  }, 60_000);
});
