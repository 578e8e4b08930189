// The fleet's state in the Prometheus text format, under the metric and label names of the
// exporters a real platform runs (docs/metrics.md is the map). Every series carries `region`,
// data systems also `cluster`; `environment`, `job` and `instance` come from the scrape.
import { activeShardsOf, statusOf } from "./elasticsearch";
import type { SimulatedFleet } from "./fleet";
import { inSyncReplicas, isUnderReplicated, lagOf, leaderOf } from "./kafka";
import { DURATION_BUCKETS_SECONDS } from "./latency-histogram";
import { chunksAreBalanced } from "./mongo";
import { ExpositionWriter, labelPairs } from "./prometheus-text";
import { instanceCounters, memoryUsedOf } from "./redis";
import { updatedPods } from "./rollout";
import { podMemoryBytes, type PodState, type WorkloadState } from "./workload";

const BOUNDS = DURATION_BUCKETS_SECONDS.map(String);
const REDIS_VERSION = "7.2.5";
const BREAKER_STATES = [["closed", "closed"], ["open", "open"], ["half-open", "half_open"]] as const;
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/**
 * Label strings of long-lived entities (workloads, pods, edges, partitions), rendered once:
 * at 5,000 services a scrape writes ~700,000 series, and re-rendering their labels every
 * time is most of its cost.
 */
const labelCache = new WeakMap<object, Map<string, string>>();
function cached(owner: object, key: string, render: () => string): string {
  let byKey = labelCache.get(owner);
  if (byKey === undefined) {
    byKey = new Map();
    labelCache.set(owner, byKey);
  }
  let text = byKey.get(key);
  if (text === undefined) {
    text = render();
    byKey.set(key, text);
  }
  return text;
}

/** The whole exposition as one string. */
export function renderExposition(fleet: SimulatedFleet): string {
  return writeExposition(fleet).toString();
}

/** The exposition as UTF-8 blocks of about 1 MiB, for a streamed response. */
export function renderExpositionChunks(fleet: SimulatedFleet): Uint8Array[] {
  return writeExposition(fleet).chunks();
}

function writeExposition(fleet: SimulatedFleet): ExpositionWriter {
  const out = new ExpositionWriter();
  writeRegions(out, fleet);
  writeKubernetes(out, fleet.workloadStates());
  writeContainers(out, fleet.workloadStates());
  writeRequestDurations(out, fleet.workloadStates());
  writeBreakers(out, fleet.workloadStates());
  writeKafka(out, fleet);
  writeRedis(out, fleet);
  writeMongo(out, fleet);
  writeElasticsearch(out, fleet);
  return out;
}

function writeRegions(out: ExpositionWriter, fleet: SimulatedFleet): void {
  out.family("scaleplane_region_traffic_weight", "gauge", "Share of global traffic the load balancer sends to the region (simulator; no standard exporter has it).");
  for (const region of fleet.regionStatesView()) out.sample("scaleplane_region_traffic_weight", labelPairs({ region: region.spec.name }), region.weight);
}

function writeKubernetes(out: ExpositionWriter, workloads: readonly WorkloadState[]): void {
  const deployment = workloads.map((w) => cached(w, "deployment", () => labelPairs({ namespace: w.ref.namespace, deployment: w.ref.name, region: w.ref.region })));
  const gauge = (name: string, help: string, value: (w: WorkloadState) => number) => {
    out.family(name, "gauge", help);
    workloads.forEach((w, i) => out.sample(name, deployment[i] ?? "", value(w)));
  };
  gauge("kube_deployment_spec_replicas", "Number of desired pods for a deployment.", (w) => w.desiredReplicas);
  gauge("kube_deployment_status_replicas_available", "The number of available replicas per deployment.", (w) => w.availableReplicas);
  gauge("kube_deployment_status_replicas_updated", "The number of updated replicas per deployment.", updatedPods);

  const scaled = workloads.filter((w) => w.spec.hpa !== null);
  const hpa = scaled.map((w) => cached(w, "hpa", () => labelPairs({ namespace: w.ref.namespace, horizontalpodautoscaler: w.ref.name, region: w.ref.region })));
  const hpaGauge = (name: string, help: string, value: (w: WorkloadState) => number, extra = "") => {
    out.family(name, "gauge", help);
    scaled.forEach((w, i) => out.sample(name, hpa[i] ?? "", value(w), extra));
  };
  out.family("kube_horizontalpodautoscaler_info", "gauge", "Information about this autoscaler.");
  scaled.forEach((w, i) => out.sample("kube_horizontalpodautoscaler_info", hpa[i] ?? "", 1, labelPairs({ scaletargetref_kind: "Deployment", scaletargetref_name: w.ref.name })));
  hpaGauge("kube_horizontalpodautoscaler_spec_min_replicas", "Lower limit for the number of pods that can be set by the autoscaler, default 1.", (w) => w.spec.hpa?.minReplicas ?? 0);
  hpaGauge("kube_horizontalpodautoscaler_spec_max_replicas", "Upper limit for the number of pods that can be set by the autoscaler; cannot be smaller than MinReplicas.", (w) => w.spec.hpa?.maxReplicas ?? 0);
  hpaGauge("kube_horizontalpodautoscaler_spec_target_metric", "The metric specifications used by this autoscaler when calculating the desired replica count.",
    (w) => Math.round((w.spec.hpa?.targetUtilisation ?? 0) * 100), labelPairs({ metric_name: "cpu", metric_target_type: "utilization" }));
  hpaGauge("kube_horizontalpodautoscaler_status_current_replicas", "Current number of replicas of pods managed by this autoscaler.", (w) => w.pods.length);
  hpaGauge("kube_horizontalpodautoscaler_status_desired_replicas", "Desired number of replicas of pods managed by this autoscaler.", (w) => w.desiredReplicas);

  out.family("kube_pod_container_resource_requests", "gauge", "The number of requested request resource by a container. Ready pods only.");
  for (const w of workloads) {
    for (const pod of w.pods) {
      if (!pod.ready) continue;
      out.sample("kube_pod_container_resource_requests", podLabels(w, pod), w.spec.cpuRequestCores, 'resource="cpu",unit="core"');
    }
  }
}

const podLabels = (w: WorkloadState, pod: PodState) =>
  cached(pod, "pod", () => labelPairs({ namespace: w.ref.namespace, pod: pod.name, container: w.ref.name, region: w.ref.region }));

function writeContainers(out: ExpositionWriter, workloads: readonly WorkloadState[]): void {
  out.family("container_cpu_usage_seconds_total", "counter", "Cumulative cpu time consumed in seconds.");
  for (const w of workloads) for (const pod of w.pods) if (pod.ready) out.sample("container_cpu_usage_seconds_total", podLabels(w, pod), pod.cpuSecondsTotal);
  out.family("container_memory_working_set_bytes", "gauge", "Current working set in bytes.");
  for (const w of workloads) {
    const bytes = Math.round(podMemoryBytes(w));
    for (const pod of w.pods) if (pod.ready) out.sample("container_memory_working_set_bytes", podLabels(w, pod), bytes);
  }
}

function writeRequestDurations(out: ExpositionWriter, workloads: readonly WorkloadState[]): void {
  const http = "http_server_request_duration_seconds";
  out.family(http, "histogram", "Duration of HTTP server requests.");
  for (const w of workloads) {
    if (w.spec.kind !== "service") continue;
    const base = { service_namespace: w.ref.namespace, service_name: w.ref.name, region: w.ref.region, http_request_method: "GET" };
    const d = w.durations;
    out.histogram(http, cached(w, "http-200", () => labelPairs({ ...base, http_response_status_code: "200" })), BOUNDS, d.okBuckets, d.okSumSeconds, d.okCount);
    out.histogram(http, cached(w, "http-500", () => labelPairs({ ...base, http_response_status_code: "500" })), BOUNDS, d.errorBuckets, d.errorSumSeconds, d.errorCount);
  }
  const messaging = "messaging_process_duration_seconds";
  out.family(messaging, "histogram", "Duration of processing operation.");
  for (const w of workloads) {
    if (w.spec.consumes === null) continue;
    const base = {
      service_namespace: w.ref.namespace, service_name: w.ref.name, region: w.ref.region, messaging_system: "kafka",
      messaging_consumer_group_name: w.spec.consumes.group, messaging_destination_name: w.spec.consumes.topic,
    };
    const d = w.durations;
    out.histogram(messaging, cached(w, "messaging-ok", () => labelPairs(base)), BOUNDS, d.okBuckets, d.okSumSeconds, d.okCount);
    out.histogram(messaging, cached(w, "messaging-error", () => labelPairs({ ...base, error_type: "processing_failed" })), BOUNDS, d.errorBuckets, d.errorSumSeconds, d.errorCount);
  }
}

function writeBreakers(out: ExpositionWriter, workloads: readonly WorkloadState[]): void {
  const edges = workloads.flatMap((w) => w.edges.map((edge) => ({
    edge, labels: cached(edge, "edge", () => labelPairs({ service_namespace: w.ref.namespace, service_name: w.ref.name, region: w.ref.region, name: edge.callee.spec.name })),
  })));
  out.family("resilience4j_circuitbreaker_state", "gauge", "The states of the circuit breaker");
  for (const { edge, labels } of edges) {
    for (const [state, label] of BREAKER_STATES) out.sample("resilience4j_circuitbreaker_state", labels, edge.breaker.state === state ? 1 : 0, `state="${label}"`);
  }
  out.family("resilience4j_circuitbreaker_not_permitted_calls_total", "counter", "Total number of not permitted calls");
  // Calls are whole: counters report them floored, as a real client would.
  for (const { edge, labels } of edges) out.sample("resilience4j_circuitbreaker_not_permitted_calls_total", labels, Math.floor(edge.notPermittedTotal), 'kind="not_permitted"');
  out.family("resilience4j_retry_calls_total", "counter", "The number of calls");
  for (const { edge, labels } of edges) {
    out.sample("resilience4j_retry_calls_total", labels, Math.floor(edge.successfulWithoutRetryTotal), 'kind="successful_without_retry"');
    out.sample("resilience4j_retry_calls_total", labels, Math.floor(edge.successfulWithRetryTotal), 'kind="successful_with_retry"');
    out.sample("resilience4j_retry_calls_total", labels, Math.floor(edge.failedWithRetryTotal), 'kind="failed_with_retry"');
  }
}

function writeKafka(out: ExpositionWriter, fleet: SimulatedFleet): void {
  const now = fleet.now;
  const clusters = fleet.kafkaClusters().map((cluster) => ({ cluster, labels: labelPairs({ region: cluster.region, cluster: cluster.name }) }));
  out.family("kafka_brokers", "gauge", "Number of Brokers in the Kafka Cluster.");
  for (const { cluster, labels } of clusters) out.sample("kafka_brokers", labels, cluster.brokers.filter((b) => b.up).length);
  out.family("kafka_broker_info", "gauge", "Information about the Kafka Broker.");
  for (const { cluster, labels } of clusters) {
    for (const broker of cluster.brokers) {
      if (broker.up) out.sample("kafka_broker_info", labels, 1, labelPairs({ id: broker.id, address: `${cluster.name}-${broker.id}.${cluster.name}.${cluster.region}:9092` }));
    }
  }
  out.family("kafka_topic_partitions", "gauge", "Number of partitions for this Topic");
  for (const { cluster, labels } of clusters) for (const topic of cluster.topics) out.sample("kafka_topic_partitions", labels, topic.partitions.length, labelPairs({ topic: topic.name }));

  const partitions = clusters.flatMap(({ cluster, labels }) => cluster.topics.flatMap((topic) =>
    topic.partitions.map((partition) => ({ cluster, topic, partition, labels: cached(partition, "partition", () => `${labels},${labelPairs({ topic: topic.name, partition: partition.index })}`) }))));
  const partitionGauge = (name: string, help: string, value: (p: (typeof partitions)[number]) => number) => {
    out.family(name, "gauge", help);
    for (const p of partitions) out.sample(name, p.labels, value(p));
  };
  partitionGauge("kafka_topic_partition_current_offset", "Current Offset of a Broker at Topic/Partition", (p) => Math.floor(p.partition.logEnd));
  partitionGauge("kafka_topic_partition_oldest_offset", "Oldest Offset of a Broker at Topic/Partition", (p) => Math.floor(p.partition.oldest));
  partitionGauge("kafka_topic_partition_replicas", "Number of Replicas for this Topic/Partition", (p) => p.partition.replicas.length);
  partitionGauge("kafka_topic_partition_in_sync_replica", "Number of In-Sync Replicas for this Topic/Partition", (p) => inSyncReplicas(p.cluster, p.partition, now));
  partitionGauge("kafka_topic_partition_leader", "Leader Broker ID of this Topic/Partition", (p) => leaderOf(p.cluster, p.partition, now));
  partitionGauge("kafka_topic_partition_under_replicated_partition", "1 if Topic/Partition is under Replicated", (p) => (isUnderReplicated(p.cluster, p.partition, now) ? 1 : 0));

  const consumed = partitions.filter((p) => p.topic.group !== null);
  const groupOf = (p: (typeof partitions)[number]) => p.topic.group?.name ?? "";
  out.family("kafka_consumergroup_current_offset", "gauge", "Current Offset of a ConsumerGroup at Topic/Partition");
  for (const p of consumed) out.sample("kafka_consumergroup_current_offset", p.labels, Math.floor(p.partition.committed), labelPairs({ consumergroup: groupOf(p) }));
  out.family("kafka_consumergroup_lag", "gauge", "Current Approximate Lag of a ConsumerGroup at Topic/Partition");
  for (const p of consumed) out.sample("kafka_consumergroup_lag", p.labels, lagOf(p.partition), labelPairs({ consumergroup: groupOf(p) }));

  const groups = clusters.flatMap(({ cluster, labels }) => cluster.topics.flatMap((topic) =>
    topic.group === null ? [] : [{ cluster, topic, group: topic.group, labels: `${labels},${labelPairs({ consumergroup: topic.group.name })}` }]));
  out.family("kafka_consumergroup_current_offset_sum", "gauge", "Current Offset of a ConsumerGroup at Topic for all partitions");
  for (const g of groups) out.sample("kafka_consumergroup_current_offset_sum", g.labels, sum(g.topic.partitions.map((p) => Math.floor(p.committed))), labelPairs({ topic: g.topic.name }));
  out.family("kafka_consumergroup_lag_sum", "gauge", "Current Approximate Lag of a ConsumerGroup at Topic for all partitions");
  for (const g of groups) out.sample("kafka_consumergroup_lag_sum", g.labels, sum(g.topic.partitions.map(lagOf)), labelPairs({ topic: g.topic.name }));
  out.family("kafka_consumergroup_members", "gauge", "Amount of members in a consumer group");
  for (const g of groups) out.sample("kafka_consumergroup_members", g.labels, fleet.consumerOf(g.cluster, g.topic)?.availableReplicas ?? 0);
}

function writeRedis(out: ExpositionWriter, fleet: SimulatedFleet): void {
  const instances = fleet.cacheStates().flatMap((cache) => cache.pods.map((pod, i) => ({
    cache, primary: i === cache.primaryIndex, counters: instanceCounters(cache, i), labels: labelPairs({ region: cache.region, cluster: cache.spec.name, pod }),
  })));
  type Instance = (typeof instances)[number];
  const metric = (name: string, type: "gauge" | "counter", help: string, value: (i: Instance) => number, extra = "") => {
    out.family(name, type, help);
    for (const instance of instances) out.sample(name, instance.labels, value(instance), extra);
  };
  metric("redis_up", "gauge", "Information about the Redis instance", () => 1);
  out.family("redis_instance_info", "gauge", "Information about the Redis instance");
  for (const i of instances) out.sample("redis_instance_info", i.labels, 1, labelPairs({ role: i.primary ? "master" : "slave", redis_mode: "standalone", redis_version: REDIS_VERSION }));
  // Reads go to the primary; replicas apply its writes and key expiries.
  metric("redis_keyspace_hits_total", "counter", "keyspace_hits metric", (i) => Math.floor(i.counters.hits));
  metric("redis_keyspace_misses_total", "counter", "keyspace_misses metric", (i) => Math.floor(i.counters.misses));
  metric("redis_commands_processed_total", "counter", "commands_processed metric", (i) => Math.floor(i.counters.commands));
  metric("redis_evicted_keys_total", "counter", "evicted_keys metric", (i) => Math.floor(i.counters.evicted));
  metric("redis_memory_used_bytes", "gauge", "memory_used metric", (i) => memoryUsedOf(i.cache));
  metric("redis_memory_max_bytes", "gauge", "memory_max_bytes metric", (i) => i.cache.spec.maxMemoryBytes);
  // A replica's clients: its replication link and the exporter.
  metric("redis_connected_clients", "gauge", "connected_clients metric", (i) => (i.primary ? i.cache.connectedClients : 2));
  metric("redis_db_keys", "gauge", "Total number of keys by DB", (i) => Math.floor(i.cache.keys), 'db="db0"');
}

function writeMongo(out: ExpositionWriter, fleet: SimulatedFleet): void {
  const clusters = fleet.mongoClusters().map((cluster) => ({ cluster, labels: labelPairs({ region: cluster.region, cluster: cluster.spec.name }) }));
  type Cluster = (typeof clusters)[number];
  const gauge = (name: string, help: string, value: (c: Cluster) => number) => {
    out.family(name, "gauge", help);
    for (const c of clusters) out.sample(name, c.labels, value(c));
  };
  gauge("mongodb_up", "Whether MongoDB is up.", (c) => (c.cluster.up ? 1 : 0));
  gauge("mongodb_mongos_sharding_balancer_enabled", "Boolean reporting if cluster balancer is enabled (1 = enabled/0 = disabled)", (c) => (c.cluster.balancerEnabled ? 1 : 0));
  out.family("mongodb_mongos_sharding_shard_chunks_total", "gauge", "Total number of chunks per shard");
  for (const c of clusters) for (const shard of c.cluster.shards) out.sample("mongodb_mongos_sharding_shard_chunks_total", c.labels, shard.chunks, labelPairs({ shard: shard.id }));
  gauge("mongodb_mongos_sharding_chunks_total", "Total number of chunks", (c) => sum(c.cluster.shards.map((s) => s.chunks)));
  gauge("mongodb_mongos_sharding_chunks_is_balanced", "Shards are balanced", (c) => (chunksAreBalanced(c.cluster) ? 1 : 0));
  gauge("mongodb_mongos_sharding_shards_total", "Total # of Shards", (c) => c.cluster.shards.length);
  gauge("mongodb_mongos_sharding_shards_draining_total", "Total # of Shards that are draining", (c) => c.cluster.shards.filter((s) => s.draining).length);
  const members = clusters.flatMap((c) => c.cluster.shards.flatMap((shard) => shard.members.map((member) => ({
    member, labels: `${c.labels},${labelPairs({ set: shard.id, name: member.name })}`,
  }))));
  out.family("mongodb_mongod_replset_member_state", "gauge", "The value of state can be 0-10 (1 = PRIMARY, 2 = SECONDARY)");
  for (const { member, labels } of members) out.sample("mongodb_mongod_replset_member_state", labels, member.primary ? 1 : 2);
  out.family("mongodb_mongod_replset_member_replication_lag", "gauge", "The replication lag that this member has with the primary.");
  for (const { member, labels } of members) out.sample("mongodb_mongod_replset_member_replication_lag", labels, member.lagSeconds, labelPairs({ state: member.primary ? "PRIMARY" : "SECONDARY" }));
}

function writeElasticsearch(out: ExpositionWriter, fleet: SimulatedFleet): void {
  const clusters = fleet.elasticsearchClusters().map((cluster) => ({ cluster, labels: labelPairs({ region: cluster.region, cluster: cluster.spec.name }) }));
  type Cluster = (typeof clusters)[number];
  const gauge = (name: string, help: string, value: (c: Cluster) => number) => {
    out.family(name, "gauge", help);
    for (const c of clusters) out.sample(name, c.labels, value(c));
  };
  gauge("elasticsearch_cluster_health_up", "Was the last scrape of the Elasticsearch cluster health endpoint successful.", () => 1);
  out.family("elasticsearch_cluster_health_status", "gauge", "Whether all primary and replica shards are allocated.");
  for (const c of clusters) {
    const status = statusOf(c.cluster);
    for (const color of ["green", "yellow", "red"] as const) out.sample("elasticsearch_cluster_health_status", c.labels, status === color ? 1 : 0, `color="${color}"`);
  }
  const upNodes = (c: Cluster) => c.cluster.nodes.filter((n) => n.up).length;
  gauge("elasticsearch_cluster_health_number_of_nodes", "Number of nodes in the cluster.", upNodes);
  gauge("elasticsearch_cluster_health_number_of_data_nodes", "Number of data nodes in the cluster.", upNodes);
  gauge("elasticsearch_cluster_health_active_shards", "The number of primary and replica shards in the cluster.", (c) => activeShardsOf(c.cluster));
  gauge("elasticsearch_cluster_health_active_primary_shards", "The number of primary shards in your cluster.", (c) => c.cluster.spec.primaryShards - c.cluster.unassignedPrimaries);
  gauge("elasticsearch_cluster_health_relocating_shards", "The number of shards that are currently moving from one node to another node.", (c) => c.cluster.relocatingShards);
  gauge("elasticsearch_cluster_health_initializing_shards", "Count of shards that are being freshly created.", (c) => c.cluster.initializingShards);
  gauge("elasticsearch_cluster_health_unassigned_shards", "The number of shards that exist in the cluster state, but cannot be found in the cluster itself.", (c) => c.cluster.unassignedShards);
  const nodes = clusters.flatMap((c) => c.cluster.nodes.filter((n) => n.up).map((node) => ({
    c, node, labels: `${c.labels},${labelPairs({ name: node.name, host: node.host, area: "heap" })}`,
  })));
  out.family("elasticsearch_jvm_memory_used_bytes", "gauge", "JVM memory currently used by area");
  for (const { node, labels } of nodes) out.sample("elasticsearch_jvm_memory_used_bytes", labels, Math.round(node.heapUsedBytes));
  out.family("elasticsearch_jvm_memory_max_bytes", "gauge", "JVM memory max");
  for (const { c, labels } of nodes) out.sample("elasticsearch_jvm_memory_max_bytes", labels, c.cluster.spec.heapMaxBytesPerNode);
}
