// The simulator's Prometheus exposition read the way PromQL will read it: valid text format,
// the real exporters' names and labels, counters that only grow, and figures that give the
// simulated ground truth back (rates, the 5xx share, histogram_quantile's p95, lag).
import { beforeAll, describe, expect, it } from "vitest";
import { createSimulatedFleet, EXPOSITION_CONTENT_TYPE, renderExposition, renderExpositionChunks, type SimulatedPlatform } from "../../server/adapters/simulator";
import { DURATION_BUCKETS_SECONDS } from "../../server/adapters/simulator/latency-histogram";
import type { ServiceStats } from "../../server/domain/ports";
import { histogramQuantile, only, parseExposition, select, type Exposition, type Sample } from "./simulator-prometheus";

const START = Date.UTC(2025, 0, 15, 12, 0, 7);
const WINDOW_SECONDS = 60;
const EU = "eu-west-1";

const REQUIRED: Record<string, string> = {
  kube_deployment_spec_replicas: "gauge",
  kube_deployment_status_replicas_available: "gauge",
  kube_horizontalpodautoscaler_spec_min_replicas: "gauge",
  kube_horizontalpodautoscaler_spec_max_replicas: "gauge",
  kube_horizontalpodautoscaler_spec_target_metric: "gauge",
  kube_horizontalpodautoscaler_status_current_replicas: "gauge",
  kube_horizontalpodautoscaler_status_desired_replicas: "gauge",
  kube_pod_container_resource_requests: "gauge",
  container_cpu_usage_seconds_total: "counter",
  container_memory_working_set_bytes: "gauge",
  http_server_request_duration_seconds: "histogram",
  messaging_process_duration_seconds: "histogram",
  resilience4j_circuitbreaker_state: "gauge",
  resilience4j_retry_calls_total: "counter",
  kafka_brokers: "gauge",
  kafka_topic_partitions: "gauge",
  kafka_topic_partition_current_offset: "gauge",
  kafka_topic_partition_oldest_offset: "gauge",
  kafka_topic_partition_under_replicated_partition: "gauge",
  kafka_consumergroup_current_offset: "gauge",
  kafka_consumergroup_lag: "gauge",
  kafka_consumergroup_members: "gauge",
  redis_up: "gauge",
  redis_keyspace_hits_total: "counter",
  redis_keyspace_misses_total: "counter",
  redis_memory_used_bytes: "gauge",
  redis_memory_max_bytes: "gauge",
  redis_evicted_keys_total: "counter",
  redis_connected_clients: "gauge",
  redis_commands_processed_total: "counter",
  redis_db_keys: "gauge",
  redis_instance_info: "gauge",
  mongodb_up: "gauge",
  mongodb_mongos_sharding_shard_chunks_total: "gauge",
  mongodb_mongod_replset_member_replication_lag: "gauge",
  mongodb_mongos_sharding_balancer_enabled: "gauge",
  elasticsearch_cluster_health_status: "gauge",
  elasticsearch_cluster_health_number_of_nodes: "gauge",
  elasticsearch_cluster_health_active_shards: "gauge",
  elasticsearch_cluster_health_relocating_shards: "gauge",
  elasticsearch_cluster_health_unassigned_shards: "gauge",
  elasticsearch_jvm_memory_used_bytes: "gauge",
  elasticsearch_jvm_memory_max_bytes: "gauge",
};

const DATA_SYSTEM_PREFIXES = ["kafka_", "redis_", "mongodb_", "elasticsearch_"];
const seriesKey = (s: Sample) => `${s.name}{${Object.entries(s.labels).sort().map(([k, v]) => `${k}=${v}`).join(",")}}`;

interface Window {
  platform: SimulatedPlatform;
  before: Exposition;
  after: Exposition;
  /** Every second's figures of every service during the window. */
  seconds: ServiceStats[][];
}

let window: Window;

beforeAll(async () => {
  const platform = createSimulatedFleet({ startAt: START, historyHours: 0.1 });
  for (let i = 0; i < 30; i++) platform.fleet.tick(platform.fleet.now + 1000);
  const before = parseExposition(renderExposition(platform.fleet));
  const seconds: ServiceStats[][] = [];
  for (let i = 0; i < WINDOW_SECONDS; i++) {
    platform.fleet.tick(platform.fleet.now + 1000);
    seconds.push(await platform.metrics.currentServiceStats());
  }
  window = { platform, before, after: parseExposition(renderExposition(platform.fleet)), seconds };
});

/** A service's figures over the window: the per-second values of one field. */
const overWindow = (name: string, region: string, field: keyof ServiceStats) =>
  window.seconds.map((stats) => Number(stats.find((s) => s.name === name && s.region === region)?.[field]));
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** increase() of every series of `name` matching `match`, summed over the window. */
function increase(name: string, match: Record<string, string>): number {
  const earlier = new Map(select(window.before, name, match).map((s) => [seriesKey(s), s.value]));
  return select(window.after, name, match).reduce((total, s) => total + s.value - (earlier.get(seriesKey(s)) ?? 0), 0);
}

describe("Prometheus exposition of the simulator", () => {
  it("is valid text format with the real exporters' families and types", () => {
    for (const [name, type] of Object.entries(REQUIRED)) expect(window.after.types.get(name), name).toBe(type);
    expect(EXPOSITION_CONTENT_TYPE).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(Buffer.concat(renderExpositionChunks(window.platform.fleet)).toString("utf8")).toBe(renderExposition(window.platform.fleet));
  });

  it("places every series with region, data systems with cluster, and leaves job and instance to Prometheus", () => {
    for (const sample of window.after.samples) {
      expect(sample.labels.region, sample.name).toMatch(/^(eu-west-1|us-east-1)$/);
      expect(sample.labels).not.toHaveProperty("job");
      expect(sample.labels).not.toHaveProperty("instance");
      if (DATA_SYSTEM_PREFIXES.some((prefix) => sample.name.startsWith(prefix))) expect(sample.labels.cluster, sample.name).toBeTruthy();
    }
  });

  it("only ever increases counters and histogram series", () => {
    const earlier = new Map(window.before.samples.map((s) => [seriesKey(s), s.value]));
    const cumulative = [...window.after.types].filter(([, type]) => type === "counter" || type === "histogram").map(([name]) => name);
    let compared = 0;
    for (const sample of window.after.samples) {
      if (!cumulative.some((name) => sample.name === name || sample.name.startsWith(`${name}_`))) continue;
      const previous = earlier.get(seriesKey(sample));
      if (previous === undefined) continue;
      expect(sample.value, seriesKey(sample)).toBeGreaterThanOrEqual(previous);
      compared += 1;
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it("reports Kubernetes objects as kube-state-metrics does", async () => {
    const workloads = await window.platform.workloads.listWorkloads();
    for (const w of workloads) {
      const labels = { namespace: w.namespace, deployment: w.name, region: w.region };
      expect(only(window.after, "kube_deployment_spec_replicas", labels).value).toBe(w.desiredReplicas);
      expect(only(window.after, "kube_deployment_status_replicas_available", labels).value).toBe(w.availableReplicas);
      const pods = select(window.after, "kube_pod_container_resource_requests", { namespace: w.namespace, container: w.name, region: w.region, resource: "cpu", unit: "core" });
      expect(pods).toHaveLength(w.availableReplicas);
      for (const pod of pods) expect(pod.labels.pod).toMatch(new RegExp(`^${w.name}-[a-z0-9]{10}-[a-z0-9]{5}$`));
    }
    const hpa = { namespace: "checkout", horizontalpodautoscaler: "checkout-api", region: EU };
    const status = (await window.platform.metrics.autoscalers()).find((a) => a.name === "checkout-api" && a.region === EU)!;
    expect(only(window.after, "kube_horizontalpodautoscaler_spec_target_metric", { ...hpa, metric_name: "cpu", metric_target_type: "utilization" }).value).toBe(70);
    expect(only(window.after, "kube_horizontalpodautoscaler_spec_min_replicas", hpa).value).toBe(status.minReplicas);
    expect(only(window.after, "kube_horizontalpodautoscaler_spec_max_replicas", hpa).value).toBe(status.maxReplicas);
    expect(only(window.after, "kube_horizontalpodautoscaler_status_desired_replicas", hpa).value).toBe(status.desiredReplicas);
    // Consumers are sized by hand: no autoscaler.
    expect(select(window.after, "kube_horizontalpodautoscaler_spec_max_replicas", { horizontalpodautoscaler: "fulfilment-worker" })).toEqual([]);
  });

  it("gives back request rate, error ratio and CPU utilisation over a rate window", () => {
    for (const name of ["payments", "catalog-api", "auth"]) {
      const labels = { service_name: name, region: EU };
      const requests = increase("http_server_request_duration_seconds_count", labels);
      const errors = increase("http_server_request_duration_seconds_count", { ...labels, http_response_status_code: "500" });
      const rps = overWindow(name, EU, "requestsPerSecond");
      const errorRatios = overWindow(name, EU, "errorRatio");
      const meanErrorRatio = rps.reduce((sum, r, i) => sum + r * (errorRatios[i] ?? 0), 0) / rps.reduce((a, b) => a + b, 0);
      expect(requests / WINDOW_SECONDS, name).toBeCloseTo(mean(rps), -1);
      expect(Math.abs(requests / WINDOW_SECONDS / mean(rps) - 1), name).toBeLessThan(0.01);
      // Counts are whole requests: the error share is exact to one request or so.
      expect(Math.abs(errors / requests - meanErrorRatio), name).toBeLessThan(3 / requests + 1e-4);
      const cpuSeconds = increase("container_cpu_usage_seconds_total", { container: name, region: EU });
      const cores = select(window.after, "kube_pod_container_resource_requests", { container: name, region: EU }).reduce((sum, s) => sum + s.value, 0);
      expect(cpuSeconds / WINDOW_SECONDS / cores, name).toBeCloseTo(mean(overWindow(name, EU, "cpuUtilisation")), 2);
    }
  });

  it("gives back the simulated p95 from histogram_quantile within the resolution of its bucket", () => {
    const bounds = DURATION_BUCKETS_SECONDS;
    for (const name of ["payments", "checkout-api", "auth", "search", "inventory"]) {
      const labels = { service_name: name, region: EU };
      const buckets = [...bounds.map(String), "+Inf"].map((le) => ({
        le: le === "+Inf" ? Number.POSITIVE_INFINITY : Number(le),
        count: increase("http_server_request_duration_seconds_bucket", { ...labels, le }),
      }));
      const estimate = histogramQuantile(0.95, buckets);
      const p95s = overWindow(name, EU, "p95LatencyMs").map((ms) => ms / 1000);
      const lower = [...bounds].reverse().find((le) => le < Math.min(...p95s)) ?? 0;
      const upper = bounds.find((le) => le >= Math.max(...p95s)) ?? Number.POSITIVE_INFINITY;
      expect(estimate, `${name}: p95 ${Math.min(...p95s)}–${Math.max(...p95s)} s`).toBeGreaterThanOrEqual(lower);
      expect(estimate, `${name}: p95 ${Math.min(...p95s)}–${Math.max(...p95s)} s`).toBeLessThanOrEqual(upper);
      // And the histogram's sum is consistent with its count: a mean below the p95.
      const meanSeconds = increase("http_server_request_duration_seconds_sum", labels) / increase("http_server_request_duration_seconds_count", labels);
      expect(meanSeconds).toBeLessThan(Math.max(...p95s));
    }
  });

  it("reports consumer lag as log-end offset minus committed offset, per partition", async () => {
    const lags = select(window.after, "kafka_consumergroup_lag");
    expect(lags.length).toBeGreaterThan(50);
    for (const lag of lags) {
      const { cluster = "", region = "", topic = "", partition = "", consumergroup = "" } = lag.labels;
      const end = only(window.after, "kafka_topic_partition_current_offset", { cluster, region, topic, partition }).value;
      const committed = only(window.after, "kafka_consumergroup_current_offset", { cluster, region, topic, partition, consumergroup }).value;
      expect(lag.value).toBe(end - committed);
      expect(only(window.after, "kafka_topic_partition_oldest_offset", { cluster, region, topic, partition }).value).toBeLessThanOrEqual(end);
    }
    const groups = await window.platform.metrics.consumerGroupLag();
    for (const g of groups) {
      expect(only(window.after, "kafka_consumergroup_members", { cluster: g.cluster, region: g.region, consumergroup: g.group }).value).toBe(g.members);
      expect(only(window.after, "kafka_topic_partitions", { cluster: g.cluster, region: g.region, topic: g.topic }).value).toBe(g.partitions.length);
      // The consumer's own metrics name its group, mapping the group to its deployment.
      expect(select(window.after, "messaging_process_duration_seconds_count", { messaging_consumer_group_name: g.group, region: g.region, service_name: g.deployment.name }).length).toBe(2);
    }
    expect(select(window.after, "kafka_topic_partitions", { topic: "orders.dlq" })).toHaveLength(2);
  });

  it("reports caches, shards and search clusters as their exporters do", async () => {
    const caches = await window.platform.metrics.caches();
    for (const cache of caches) {
      const labels = { cluster: cache.cluster, region: cache.region };
      const hits = increase("redis_keyspace_hits_total", labels);
      const misses = increase("redis_keyspace_misses_total", labels);
      expect(hits / (hits + misses)).toBeCloseTo(cache.hitRatio, 2);
      expect(select(window.after, "redis_instance_info", { ...labels, role: "master" })).toHaveLength(1);
      expect(select(window.after, "redis_instance_info", { ...labels, role: "slave" })).toHaveLength(2);
      expect(only(window.after, "redis_db_keys", { ...labels, pod: `${cache.cluster}-0`, db: "db0" }).value).toBe(cache.keys);
      expect(only(window.after, "redis_memory_max_bytes", { ...labels, pod: `${cache.cluster}-0` }).value).toBe(cache.memoryMaxBytes);
    }
    const [mongo] = await window.platform.metrics.mongoClusters();
    const labels = { cluster: mongo!.cluster, region: mongo!.region };
    const chunks = select(window.after, "mongodb_mongos_sharding_shard_chunks_total", labels);
    expect(chunks.map((s) => s.value)).toEqual(mongo!.shards.map((s) => s.chunks));
    expect(only(window.after, "mongodb_mongos_sharding_chunks_total", labels).value).toBe(chunks.reduce((sum, s) => sum + s.value, 0));
    expect(only(window.after, "mongodb_mongos_sharding_balancer_enabled", labels).value).toBe(1);
    expect(select(window.after, "mongodb_mongod_replset_member_replication_lag", { ...labels, state: "SECONDARY" })).toHaveLength(6);
    for (const es of await window.platform.metrics.elasticsearchClusters()) {
      const colours = select(window.after, "elasticsearch_cluster_health_status", { cluster: es.cluster, region: es.region });
      expect(Object.fromEntries(colours.map((s) => [s.labels.color, s.value]))).toEqual({ green: 1, yellow: 0, red: 0 });
      const heap = select(window.after, "elasticsearch_jvm_memory_used_bytes", { cluster: es.cluster, region: es.region, area: "heap" });
      expect(heap.reduce((sum, s) => sum + s.value, 0)).toBeCloseTo(es.heapUsedBytes, -3);
    }
  });

  it("shows a broker that is down: fewer brokers, under-replicated partitions", () => {
    const platform = createSimulatedFleet({ startAt: START, historyHours: 0.1 });
    platform.fleet.injectIncident({ scenario: "broker down", region: EU, durationSeconds: 60 });
    platform.fleet.tick(START + 2000);
    const text = parseExposition(renderExposition(platform.fleet));
    expect(only(text, "kafka_brokers", { cluster: "events", region: EU }).value).toBe(4);
    expect(select(text, "kafka_broker_info", { cluster: "events", region: EU }).map((s) => s.labels.id)).toEqual(["0", "1", "2", "3"]);
    const urp = select(text, "kafka_topic_partition_under_replicated_partition", { region: EU }).filter((s) => s.value === 1);
    expect(urp.length).toBeGreaterThan(0);
    for (const partition of urp) {
      expect(only(text, "kafka_topic_partition_in_sync_replica", { ...partition.labels }).value).toBe(2);
      expect(only(text, "kafka_topic_partition_leader", { ...partition.labels }).value).not.toBe(4);
    }
  });
});
