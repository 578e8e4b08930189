// Benchmark of the overview's read path at fleet scale, end to end on the server: the fleet
// simulator (2,000 services by default) scraped by a real Prometheus every 5 s; the tRPC call
// `overview.get` (every kind's figures through the Prometheus adapter, verdicts, aggregation)
// timed against the same PromQL queries sent straight to Prometheus. Also the warm-cache time
// and the process's memory.
//
//   scripts/with-node.sh node --import tsx tests/bench/overview-read-path.ts [services=2000] [iterations=20]
//
// Starts its own Prometheus on a free port with data in .tmp/bench-prometheus (removed after).
import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { CachedPrometheus, createQueryCache, type QueryCache } from "../../server/adapters/prometheus/cache";
import { PrometheusClient } from "../../server/adapters/prometheus/client";
import { PrometheusMetricsSource } from "../../server/adapters/prometheus/metrics-source";
import { defaultRateWindow } from "../../server/adapters/prometheus/promql";
import { createSimulatedFleet, renderExpositionChunks } from "../../server/adapters/simulator";
import { demoConfig } from "../../server/config/demo";
import { percentile } from "./stats";

// The router reads the app's settings when it loads; the bench uses no database and no sessions.
process.env.DATABASE_URL ??= "postgresql://bench@127.0.0.1:1/unused";
process.env.NEXTAUTH_SECRET ??= "bench-only-not-a-secret";
const { callerFor, readingRuntime } = await import("../helpers/callers");

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const SERVICES = Number(process.argv[2] ?? 2000);
const ITERATIONS = Number(process.argv[3] ?? 20);
const SCRAPE_INTERVAL_SECONDS = 5;
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

async function timeIt(label: string, iterations: number, action: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  const durations: number[] = [];
  for (let index = 0; index < iterations; index++) {
    const started = performance.now();
    await action();
    durations.push(performance.now() - started);
  }
  durations.sort((a, b) => a - b);
  const result = { p50: percentile(durations, 0.5), p95: percentile(durations, 0.95) };
  log(`${label.padEnd(52)} p50 ${result.p50.toFixed(1).padStart(8)} ms   p95 ${result.p95.toFixed(1).padStart(8)} ms`);
  return result;
}

/** A PrometheusClient that also writes down every instant query it sends. */
function recordingClient(client: PrometheusClient, queries: string[]): PrometheusClient {
  return Object.assign(Object.create(client) as PrometheusClient, {
    query: (promql: string, time?: number) => {
      queries.push(promql);
      return client.query(promql, time);
    },
  });
}

async function main() {
  const simulated = createSimulatedFleet({ services: SERVICES, seed: 42 });
  simulated.fleet.start(1000);
  const exposition = http.createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
    for (const chunk of renderExpositionChunks(simulated.fleet)) response.write(chunk);
    response.end();
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
  const caches: QueryCache[] = [];
  try {
    const prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
    const client = new PrometheusClient({ baseUrl: prometheusUrl, timeoutMs: 120_000 });
    const labels = demoConfig().environments.demo?.labels;
    if (!labels) throw new Error("the demo configuration has no label mapping");
    const scope = { environment: "demo", labels, rateWindow: defaultRateWindow(SCRAPE_INTERVAL_SECONDS) };
    // The rate window (1 m at a 5 s scrape) must be covered by samples before figures are right.
    const warmUpMs = 75_000;
    log(`${SERVICES} services; waiting ${warmUpMs / 1000} s for Prometheus to fill its 1 m rate windows`);
    await new Promise((resolve) => setTimeout(resolve, warmUpMs));
    const series = await client.query('count({environment="demo"})');
    log(`series in Prometheus: ${series.resultType === "vector" ? series.samples[0]?.value : "?"}`);

    /** A caller of the app's router whose runtime reads through `cache` (and records its queries). */
    const callerWith = (cache: QueryCache, queries: string[] = [], now: () => number = Date.now) => {
      caches.push(cache);
      const source = new PrometheusMetricsSource(scope, new CachedPrometheus(recordingClient(client, queries), cache, now));
      return callerFor(readingRuntime({ source, workloads: simulated.workloads, simulator: simulated }));
    };

    const queries: string[] = [];
    const overview = await callerWith(createQueryCache({ scrapeIntervalSeconds: SCRAPE_INTERVAL_SECONDS }), queries).overview.get();
    const distinct = [...new Set(queries)];
    log(`${distinct.length} PromQL queries per overview (${queries.length} sent, the rest shared through the cache)`);
    log(`overview: ${JSON.stringify(overview.areas.map((area) => ({ area: area.area, total: area.total, counts: area.counts })))}`);

    const direct = await timeIt(`${distinct.length} queries straight to Prometheus, in parallel`, ITERATIONS, () =>
      Promise.all(
        distinct.map((promql) =>
          fetch(`${prometheusUrl}/api/v1/query`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ query: promql }) }).then((response) => response.json()),
        ),
      ),
    );
    const cold = await timeIt("overview.get (tRPC caller), empty cache each time", ITERATIONS, () => callerWith(createQueryCache({ scrapeIntervalSeconds: SCRAPE_INTERVAL_SECONDS })).overview.get());
    const frozenAt = Date.now();
    const warm = callerWith(createQueryCache({ scrapeIntervalSeconds: SCRAPE_INTERVAL_SECONDS, now: () => frozenAt }), [], () => frozenAt);
    await warm.overview.get();
    await timeIt("overview.get (tRPC caller), warm in-process cache", ITERATIONS, () => warm.overview.get());
    log(`ratio tRPC (empty cache) / direct: p50 ${(cold.p50 / direct.p50).toFixed(2)}, p95 ${(cold.p95 / direct.p95).toFixed(2)}`);
    const memory = process.memoryUsage();
    log(`process memory: rss ${(memory.rss / 1e6).toFixed(0)} MB, heap used ${(memory.heapUsed / 1e6).toFixed(0)} MB (includes the simulator and its history)`);
    log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load ${os.loadavg().map((load) => load.toFixed(1)).join(" ")}, Node ${process.version}`);
  } finally {
    await Promise.all(caches.map((cache) => cache.close()));
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
