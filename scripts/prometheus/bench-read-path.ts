// Benchmark of the Prometheus read path at fleet scale: the fleet simulator (2,000 services by
// default) scraped by a real Prometheus every 5 s, then the five PromQL queries of the services
// overview timed three ways: sent straight to Prometheus, through PrometheusServiceMetrics with
// an empty cache (queries + parsing + joining), and from a warm cache (in process and Redis).
// Also compares the figures with the simulator's own (its ground truth).
//
//   scripts/with-node.sh node --import tsx scripts/prometheus/bench-read-path.ts [services] [iterations]
//
// Starts its own Prometheus on a free port with data in .tmp/bench-prometheus (removed after).
// Redis: REDIS_URL (default redis://127.0.0.1:6379/13), keys under a prefix of its own, removed after.
import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { createSimulatedFleet, renderExposition } from "../../server/adapters/simulator";
import { CachedPrometheus, createQueryCache } from "../../server/adapters/prometheus/cache";
import { deleteKeysWithPrefix } from "../../server/adapters/prometheus/cache-backends";
import { PrometheusClient } from "../../server/adapters/prometheus/client";
import { PrometheusServiceMetrics } from "../../server/adapters/prometheus/metrics-source";
import { demoConfig } from "../../server/config/demo";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const SERVICES = Number(process.argv[2] ?? 2000);
const ITERATIONS = Number(process.argv[3] ?? 40);
const SCRAPE_INTERVAL_SECONDS = 5;
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379/13";
const KEY_PREFIX = `scaleplane-bench:${process.pid}:`;
const DATA_ROOT = path.join(ROOT, ".tmp/bench-prometheus");

function log(message: string) {
  console.log(`[bench] ${message}`);
}

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

async function timeIt(label: string, iterations: number, action: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  const durations: number[] = [];
  for (let index = 0; index < iterations; index++) {
    const started = performance.now();
    await action();
    durations.push(performance.now() - started);
  }
  durations.sort((a, b) => a - b);
  const result = { p50: percentile(durations, 0.5), p95: percentile(durations, 0.95) };
  log(`${label.padEnd(48)} p50 ${result.p50.toFixed(1).padStart(7)} ms   p95 ${result.p95.toFixed(1).padStart(7)} ms`);
  return result;
}

async function main() {
  const simulated = createSimulatedFleet({ services: SERVICES, seed: 42 });
  simulated.fleet.start(1000);
  const exposition = http.createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(renderExposition(simulated.fleet));
  });
  await new Promise<void>((resolve) => exposition.listen(0, "127.0.0.1", resolve));
  const exporterPort = (exposition.address() as AddressInfo).port;

  const prometheusPort = await freePort();
  const scriptEnv = {
    ...process.env,
    SCALEPLANE_OBSERVABILITY_DIR: DATA_ROOT,
    PROMETHEUS_PORT: String(prometheusPort),
    ALERTMANAGER_PORT: String(await freePort()),
    SIMULATOR_METRICS_URL: `http://127.0.0.1:${exporterPort}/metrics`,
    APP_METRICS_URL: "",
    SCRAPE_INTERVAL_SECONDS: String(SCRAPE_INTERVAL_SECONDS),
    START_ALERTMANAGER: "0",
    PROMETHEUS_RETENTION: "1d",
  };
  await run(path.join(ROOT, "scripts/prometheus/start.sh"), [], { env: scriptEnv });
  const redis = new Redis(REDIS_URL);
  try {
    const prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
    const client = new PrometheusClient({ baseUrl: prometheusUrl, timeoutMs: 120_000 });
    const labels = demoConfig().environments.demo?.labels;
    if (!labels) throw new Error("the demo configuration has no label mapping");
    // The rate window (1 m at a 5 s scrape) must be covered by samples before figures are right.
    const warmUpMs = 75_000;
    log(`${SERVICES} services; waiting ${warmUpMs / 1000} s for Prometheus to fill its 1 m rate windows`);
    await new Promise((resolve) => setTimeout(resolve, warmUpMs));
    const series = await client.query('count({environment="demo"})');
    log(`series in Prometheus: ${series.resultType === "vector" ? series.samples[0]?.value : "?"}; exposition ${(renderExposition(simulated.fleet).length / 1e6).toFixed(1)} MB`);

    const sourceWith = (cache: ReturnType<typeof createQueryCache>, now: () => number = Date.now) =>
      new PrometheusServiceMetrics({ environment: "demo", reader: new CachedPrometheus(client, cache, now), labels, scrapeIntervalSeconds: SCRAPE_INTERVAL_SECONDS });
    // Warm-cache timings stay inside one cache interval: a clock that stands still.
    const frozenAt = Date.now();
    const frozen = () => frozenAt;
    // The queries the source sends, captured once, to send them straight as well.
    const queries: string[] = [];
    const capturing = new PrometheusServiceMetrics({
      environment: "demo",
      reader: new CachedPrometheus(
        Object.assign(Object.create(client) as PrometheusClient, {
          query: (promql: string, time?: number) => {
            queries.push(promql);
            return client.query(promql, time);
          },
        }),
        createQueryCache({ scrapeIntervalSeconds: SCRAPE_INTERVAL_SECONDS }),
      ),
      labels,
      scrapeIntervalSeconds: SCRAPE_INTERVAL_SECONDS,
    });
    const fromPrometheus = await capturing.currentServiceStats();
    log(`${queries.length} queries per overview`);

    const direct = await timeIt("5 queries straight to Prometheus (fetch + JSON.parse)", ITERATIONS, () => Promise.all(queries.map((promql) => fetch(`${prometheusUrl}/api/v1/query`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ query: promql }) }).then((response) => response.json()))));
    const cold = await timeIt("currentServiceStats, empty cache each time", ITERATIONS, () => sourceWith(createQueryCache({ scrapeIntervalSeconds: SCRAPE_INTERVAL_SECONDS })).currentServiceStats());
    const warmCache = createQueryCache({ scrapeIntervalSeconds: SCRAPE_INTERVAL_SECONDS, now: frozen });
    const warm = sourceWith(warmCache, frozen);
    if ((await warm.currentServiceStats()).length !== fromPrometheus.length) throw new Error("the warm cache holds a different answer");
    await timeIt("currentServiceStats, warm in-process cache", ITERATIONS, () => warm.currentServiceStats());
    const redisCache = createQueryCache({ scrapeIntervalSeconds: SCRAPE_INTERVAL_SECONDS, redis, keyPrefix: KEY_PREFIX, now: frozen });
    const viaRedis = sourceWith(redisCache, frozen);
    if ((await viaRedis.currentServiceStats()).length !== fromPrometheus.length) throw new Error("the warm Redis cache holds a different answer");
    await timeIt("currentServiceStats, warm Redis cache", ITERATIONS, () => viaRedis.currentServiceStats());
    log(`ratio empty-cache p50 / direct p50: ${(cold.p50 / direct.p50).toFixed(2)}; p95: ${(cold.p95 / direct.p95).toFixed(2)}`);
    const memory = process.memoryUsage();
    log(`process memory: rss ${(memory.rss / 1e6).toFixed(0)} MB, heap used ${(memory.heapUsed / 1e6).toFixed(0)} MB (includes the simulator)`);

    // Ground truth: the simulator's own figures against what Prometheus says of them.
    const truth = new Map((await simulated.metrics.currentServiceStats()).map((entry) => [`${entry.namespace}/${entry.name}@${entry.region}`, entry]));
    const relativeErrors = { requestsPerSecond: [] as number[], errorRatio: [] as number[], p95LatencyMs: [] as number[], cpuUtilisation: [] as number[] };
    for (const entry of fromPrometheus) {
      const expected = truth.get(`${entry.namespace}/${entry.name}@${entry.region}`);
      if (!expected) continue;
      for (const figure of Object.keys(relativeErrors) as Array<keyof typeof relativeErrors>) {
        const scale = Math.max(Math.abs(expected[figure]), figure === "errorRatio" ? 0.01 : figure === "cpuUtilisation" ? 0.05 : 1);
        relativeErrors[figure].push(Math.abs(entry[figure] - expected[figure]) / scale);
      }
    }
    log(`services matched: ${relativeErrors.requestsPerSecond.length} of ${truth.size} (Prometheus: ${fromPrometheus.length})`);
    for (const [figure, errors] of Object.entries(relativeErrors)) {
      errors.sort((a, b) => a - b);
      log(`${figure.padEnd(18)} relative difference to the simulator: median ${(percentile(errors, 0.5) * 100).toFixed(1)} %, p95 ${(percentile(errors, 0.95) * 100).toFixed(1)} %`);
    }
    log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
    await Promise.all([warmCache.close(), redisCache.close()]);
  } finally {
    await deleteKeysWithPrefix(redis, KEY_PREFIX);
    await redis.quit();
    simulated.fleet.stop();
    exposition.close();
    await run(path.join(ROOT, "scripts/prometheus/stop.sh"), [], { env: scriptEnv });
    rmSync(DATA_ROOT, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
