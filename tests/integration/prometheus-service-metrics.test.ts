// The service figures read through a real Prometheus, from an exposition that uses the
// exporters' metric and label names (docs/metrics.md) with known rates, so every figure has
// an exact expected value: requests, errors, p95 from the histogram buckets, CPU, replicas.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CachedPrometheus, createQueryCache, type QueryCache } from "../../server/adapters/prometheus/cache";
import { PrometheusClient } from "../../server/adapters/prometheus/client";
import { PrometheusServiceMetrics } from "../../server/adapters/prometheus/service-metrics";
import { vectorSamples } from "../../server/adapters/prometheus/results";
import { demoConfig } from "../../server/config/demo";
import { serveExposition, startCountingProxy, startTestPrometheus, waitUntil, type CountingProxy, type TestPrometheus, type TestServer } from "../helpers/prometheus";

const startedAt = Date.now();
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
/** Services beyond the four below, to show the query count does not grow with the fleet. */
let extraServices = 0;

/** A histogram family's lines for requests that all take between `above` and the next bucket bound. */
function histogram(family: string, labels: string, perSecond: number, above: number, elapsed: number, extraLabels = ""): string[] {
  const count = (perSecond * elapsed).toFixed(3);
  const lines = BUCKETS.map((bound) => `${family}_bucket{${labels}${extraLabels},le="${bound}"} ${bound > above ? count : 0}`);
  lines.push(`${family}_bucket{${labels}${extraLabels},le="+Inf"} ${count}`, `${family}_count{${labels}${extraLabels}} ${count}`);
  return lines;
}

function exposition(): string {
  const elapsed = (Date.now() - startedAt) / 1000;
  const counter = (perSecond: number) => (perSecond * elapsed).toFixed(3);
  const lines: string[] = [];
  const deployment = (namespace: string, name: string, region: string, desired: number, available: number) =>
    lines.push(
      `kube_deployment_spec_replicas{namespace="${namespace}",deployment="${name}",region="${region}"} ${desired}`,
      `kube_deployment_status_replicas_available{namespace="${namespace}",deployment="${name}",region="${region}"} ${available}`,
    );
  const pod = (namespace: string, container: string, region: string, pod: string, coresUsed: number, coresRequested: number) =>
    lines.push(
      `container_cpu_usage_seconds_total{namespace="${namespace}",pod="${pod}",container="${container}",region="${region}"} ${counter(coresUsed)}`,
      `kube_pod_container_resource_requests{namespace="${namespace}",pod="${pod}",container="${container}",region="${region}",resource="cpu",unit="core"} ${coresRequested}`,
    );
  const service = (namespace: string, name: string, region: string) => `service_namespace="${namespace}",service_name="${name}",region="${region}",http_request_method="GET"`;

  // checkout, eu-west-1: 18 ok + 2 failed requests/s, all within 50-75 ms; 2 pods at 0.25 of 0.5 cores.
  deployment("shop", "checkout", "eu-west-1", 2, 2);
  pod("shop", "checkout", "eu-west-1", "checkout-7d9f8b6c5d-abcde", 0.25, 0.5);
  pod("shop", "checkout", "eu-west-1", "checkout-7d9f8b6c5d-fghij", 0.25, 0.5);
  lines.push(...histogram("http_server_request_duration_seconds", service("shop", "checkout", "eu-west-1"), 18, 0.05, elapsed, ',http_response_status_code="200"'));
  lines.push(...histogram("http_server_request_duration_seconds", service("shop", "checkout", "eu-west-1"), 2, 0.05, elapsed, ',http_response_status_code="500"'));
  // checkout, us-east-1: 10 requests/s, no error series at all, 250-500 ms; 1 pod at 0.9 of 1 core.
  deployment("shop", "checkout", "us-east-1", 2, 1);
  pod("shop", "checkout", "us-east-1", "checkout-5f6d7c8b9a-klmno", 0.9, 1);
  lines.push(...histogram("http_server_request_duration_seconds", service("shop", "checkout", "us-east-1"), 10, 0.25, elapsed, ',http_response_status_code="200"'));
  // fulfilment-worker, a Kafka consumer: 30 messages/s processed, 3 failing, 25-50 ms.
  deployment("orders", "fulfilment-worker", "eu-west-1", 3, 3);
  pod("orders", "fulfilment-worker", "eu-west-1", "fulfilment-worker-6c7d8e9f0a-pqrst", 0.3, 0.5);
  const consumer = 'service_namespace="orders",service_name="fulfilment-worker",region="eu-west-1",messaging_system="kafka",messaging_consumer_group_name="order-fulfilment",messaging_destination_name="orders"';
  lines.push(...histogram("messaging_process_duration_seconds", consumer, 27, 0.025, elapsed));
  lines.push(...histogram("messaging_process_duration_seconds", consumer, 3, 0.025, elapsed, ',error_type="processing_failed"'));
  // idle: a deployment without traffic or pods.
  deployment("shop", "idle", "eu-west-1", 1, 0);
  for (let index = 0; index < extraServices; index++) {
    deployment("bulk", `service-${index}`, "eu-west-1", 1, 1);
    lines.push(`http_server_request_duration_seconds_count{${service("bulk", `service-${index}`, "eu-west-1")},http_response_status_code="200"} ${counter(1)}`);
  }
  return `${lines.join("\n")}\n`;
}

describe("service figures from PromQL, through a real Prometheus", () => {
  let exporter: TestServer & { metricsUrl: string };
  let prometheus: TestPrometheus;
  let proxy: CountingProxy;
  let cache: QueryCache;
  let metrics: PrometheusServiceMetrics;

  beforeAll(async () => {
    exporter = await serveExposition(exposition);
    prometheus = await startTestPrometheus({ scrapeUrl: exporter.metricsUrl, scrapeIntervalSeconds: 1 });
    proxy = await startCountingProxy(prometheus.url);
    const client = new PrometheusClient({ baseUrl: proxy.url, timeoutMs: 5000 });
    cache = createQueryCache({ scrapeIntervalSeconds: 1 });
    const labels = demoConfig().environments.demo?.labels;
    if (!labels) throw new Error("the demo configuration has no labels");
    metrics = new PrometheusServiceMetrics({ environment: "demo", labels, rateWindow: "5s" }, new CachedPrometheus(client, cache));
    // The 5 s rate windows of the series test's points, 5 s back and more, must be fully
    // covered by scrapes (rate() underestimates over a partly covered window).
    const direct = new PrometheusClient({ baseUrl: prometheus.url });
    await waitUntil(async () => {
      const counts = vectorSamples(await direct.query('count_over_time(kube_deployment_spec_replicas{deployment="idle"}[13s])'));
      return (counts[0]?.value ?? 0) >= 13;
    }, 40_000, "thirteen scrapes");
  });

  afterAll(async () => {
    await cache?.close();
    await proxy?.close();
    await prometheus?.stop();
    await exporter?.close();
  });

  it("reads every service's current figures in five queries", async () => {
    const before = proxy.count("/api/v1/query");
    const stats = (await metrics.currentServiceStats()).value;
    expect(proxy.count("/api/v1/query") - before).toBe(5);
    const byKey = Object.fromEntries(stats.map((entry) => [`${entry.namespace}/${entry.name}@${entry.region}`, entry]));
    expect(Object.keys(byKey)).toEqual(["orders/fulfilment-worker@eu-west-1", "shop/checkout@eu-west-1", "shop/checkout@us-east-1", "shop/idle@eu-west-1"]);
    const euCheckout = byKey["shop/checkout@eu-west-1"];
    expect(euCheckout?.environment).toBe("demo");
    expect(euCheckout?.requestsPerSecond).toBeCloseTo(20, 0);
    expect(euCheckout?.errorRatio).toBeCloseTo(0.1, 2);
    expect(euCheckout?.p95LatencyMs).toBeCloseTo(73.75, 1); // 50 + 25 × 0.95 ms, interpolated in the 50-75 ms bucket
    expect(euCheckout?.cpuUtilisation).toBeCloseTo(0.5, 1);
    const usCheckout = byKey["shop/checkout@us-east-1"];
    expect(usCheckout?.requestsPerSecond).toBeCloseTo(10, 0);
    expect(usCheckout?.errorRatio).toBe(0); // no 5xx series at all: 0, not missing
    expect(usCheckout?.p95LatencyMs).toBeCloseTo(487.5, 1);
    expect(usCheckout?.cpuUtilisation).toBeCloseTo(0.9, 1);
    const worker = byKey["orders/fulfilment-worker@eu-west-1"];
    expect(worker?.requestsPerSecond).toBeCloseTo(30, 0);
    expect(worker?.errorRatio).toBeCloseTo(0.1, 2);
    expect(worker?.p95LatencyMs).toBeCloseTo(48.75, 1);
    expect(worker?.cpuUtilisation).toBeCloseTo(0.6, 1);
    expect(byKey["shop/idle@eu-west-1"]).toMatchObject({ requestsPerSecond: 0, errorRatio: 0, p95LatencyMs: 0, cpuUtilisation: 0 });
    expect((await metrics.currentServiceStats("production")).value).toEqual([]);
  });

  it("reads one service's series in one region and across regions", async () => {
    const to = Date.now() - 1000;
    const window = { from: to - 4000, to, stepSeconds: 1 };
    const eu = (await metrics.serviceSeries({ environment: "demo", namespace: "shop", name: "checkout", region: "eu-west-1" }, window)).value;
    expect(eu.length).toBeGreaterThanOrEqual(4);
    for (const point of eu) {
      expect(point.t % 1000).toBe(0);
      expect(point.requestsPerSecond).toBeCloseTo(20, 0);
      expect(point.errorRatio).toBeCloseTo(0.1, 2);
      expect(point.p95LatencyMs).toBeCloseTo(73.75, 1);
      expect(point.replicas).toBe(2);
    }
    const combined = (await metrics.serviceSeries({ environment: "demo", namespace: "shop", name: "checkout" }, window)).value;
    const last = combined.at(-1);
    expect(last?.requestsPerSecond).toBeCloseTo(30, 0);
    expect(last?.errorRatio).toBeCloseTo(2 / 30, 2);
    expect(last?.p95LatencyMs).toBeCloseTo(487.5, 1); // the slower region's
    expect(last?.cpuUtilisation).toBeCloseTo((0.5 + 0.9) / (1 + 1), 1);
    expect(last?.replicas).toBe(3);
    expect((await metrics.serviceSeries({ environment: "demo", namespace: "shop", name: "nope" }, window)).value).toEqual([]);
  });

  it("sends the same five queries for 2,004 services as for four", async () => {
    extraServices = 2000;
    const direct = new PrometheusClient({ baseUrl: prometheus.url });
    await waitUntil(async () => vectorSamples(await direct.query('count(kube_deployment_spec_replicas{namespace="bulk"})')).at(0)?.value === 2000, 15_000, "the bigger fleet's first scrape");
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the next cache interval
    const before = proxy.count("/api/v1/query");
    const stats = (await metrics.currentServiceStats()).value;
    expect(proxy.count("/api/v1/query") - before).toBe(5);
    expect(stats).toHaveLength(2004);
    extraServices = 0;
  });

  it("returns the last figures marked stale when Prometheus fails", async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const fresh = await metrics.currentServiceStats();
    expect(fresh.stale).toBe(false);
    proxy.failWithStatus = 503;
    try {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const stale = await metrics.currentServiceStats();
      expect(stale).toMatchObject({ stale: true, error: { kind: "unavailable" } });
      expect(stale.ageSeconds).toBeGreaterThanOrEqual(1);
      expect(stale.value).toEqual(fresh.value);
    } finally {
      proxy.failWithStatus = undefined;
    }
  });
});
