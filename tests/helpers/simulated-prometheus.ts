// The fleet simulator scraped by a real Prometheus every second, for tests that compare what
// the Prometheus adapter reads with the simulator's own figures (its ground truth).
import { CachedPrometheus, createQueryCache, type QueryCache } from "../../server/adapters/prometheus/cache";
import { PrometheusClient } from "../../server/adapters/prometheus/client";
import type { QueryScope } from "../../server/adapters/prometheus/promql";
import { vectorSamples } from "../../server/adapters/prometheus/results";
import { createSimulatedFleet, renderExposition, type SimulatedPlatform, type SimulatedPlatformOptions } from "../../server/adapters/simulator";
import { demoConfig } from "../../server/config/demo";
import { serveExposition, startTestPrometheus, waitUntil, type TestPrometheus } from "./prometheus";

export interface SimulatedPrometheus {
  platform: SimulatedPlatform;
  prometheus: TestPrometheus;
  /** Straight to Prometheus, no cache. */
  client: PrometheusClient;
  /** Through a cache of its own (in process, 1 s). */
  reader: CachedPrometheus;
  cache: QueryCache;
  /** The demo environment's labels, a 5 s rate window (five scrapes). */
  scope: QueryScope;
  /** Waits until Prometheus holds `count` more scrapes than now. */
  waitForScrapes(count: number): Promise<void>;
  stop(): Promise<void>;
}

/** The rate window of these tests: five scrapes of one second. */
export const TEST_RATE_WINDOW_SECONDS = 5;

async function scrapesSoFar(client: PrometheusClient): Promise<number> {
  const samples = vectorSamples(await client.query('count_over_time(up{job="scaleplane-simulator"}[10m])'));
  return samples[0]?.value ?? 0;
}

/**
 * A ticking simulator (1 s), its exposition on a free port, and a Prometheus scraping it every
 * second. Resolves once Prometheus holds enough scrapes for the rate window (about 8 s).
 */
export async function startSimulatedPrometheus(options: SimulatedPlatformOptions = {}): Promise<SimulatedPrometheus> {
  const platform = createSimulatedFleet({ seed: 42, ...options });
  platform.fleet.start(1000);
  const exporter = await serveExposition(() => renderExposition(platform.fleet));
  let prometheus: TestPrometheus | undefined;
  try {
    prometheus = await startTestPrometheus({ scrapeUrl: exporter.metricsUrl, scrapeIntervalSeconds: 1 });
    const client = new PrometheusClient({ baseUrl: prometheus.url, timeoutMs: 15_000 });
    const cache = createQueryCache({ scrapeIntervalSeconds: 1 });
    const labels = demoConfig().environments.demo?.labels;
    if (!labels) throw new Error("the demo configuration has no labels");
    const waitForScrapes = async (count: number) => {
      const target = (await scrapesSoFar(client).catch(() => 0)) + count;
      await waitUntil(async () => (await scrapesSoFar(client)) >= target, 10_000 + count * 2000, `${count} scrapes`);
    };
    await waitForScrapes(TEST_RATE_WINDOW_SECONDS + 3);
    const started = prometheus;
    return {
      platform,
      prometheus: started,
      client,
      reader: new CachedPrometheus(client, cache),
      cache,
      scope: { environment: platform.fleet.environment, labels, rateWindow: `${TEST_RATE_WINDOW_SECONDS}s` },
      waitForScrapes,
      async stop() {
        platform.fleet.stop();
        await cache.close();
        await started.stop();
        await exporter.close();
      },
    };
  } catch (error) {
    platform.fleet.stop();
    await prometheus?.stop().catch(() => undefined);
    await exporter.close();
    throw error;
  }
}
