// Ports: what the domain needs from the outside world. Adapters (server/adapters/*)
// implement them for real systems and for the fleet simulator.

/** Where a workload lives. `region` is omitted when a service runs in one region only. */
export interface WorkloadRef {
  environment: string;
  namespace: string;
  name: string;
  region?: string;
}

export interface Workload extends Required<WorkloadRef> {
  kind: "Deployment" | "StatefulSet";
  /** spec.replicas */
  desiredReplicas: number;
  /** status.availableReplicas */
  availableReplicas: number;
  /** Bounds the platform enforces for this workload (HPA min/max, or policy). */
  minReplicas: number;
  maxReplicas: number;
}

/** Scaling through the scale subresource; the Kubernetes adapter implements the same. */
export interface WorkloadPort {
  listWorkloads(environment?: string): Promise<Workload[]>;
  getWorkload(ref: WorkloadRef): Promise<Workload | null>;
  /**
   * Sets spec.replicas through the scale subresource. Resolves once the change is accepted,
   * not when pods are ready; with `dryRun` the change is checked and not applied.
   */
  scaleWorkload(ref: WorkloadRef, replicas: number, options?: { dryRun?: boolean }): Promise<void>;
}

/** Request, error and duration figures per service (RED) and saturation, at one instant. */
export interface ServiceStats {
  environment: string;
  namespace: string;
  name: string;
  region: string;
  requestsPerSecond: number;
  /** 0..1 */
  errorRatio: number;
  p95LatencyMs: number;
  /** 0..1 of the CPU requested */
  cpuUtilisation: number;
}

export interface TimePoint {
  /** epoch milliseconds */
  t: number;
  requestsPerSecond: number;
  errorRatio: number;
  p95LatencyMs: number;
  cpuUtilisation: number;
  replicas: number;
}

export interface TimeWindow {
  /** epoch milliseconds */
  from: number;
  to: number;
  /** seconds between points */
  stepSeconds: number;
}

// Figures of the platform's other entities at one instant. Rates are per second over a short
// window (the simulator's last second; Prometheus' rate window), so the two sources agree
// within the tolerance of that window. docs/metrics.md maps each field to its PromQL.

/** A region's share of global traffic and what it serves. */
export interface RegionTraffic {
  environment: string;
  region: string;
  /** 0..1; the weights of an environment's regions sum to 1. */
  trafficWeight: number;
  /** Requests per second served by the region's HTTP services. */
  requestsPerSecond: number;
  /** 0..1, weighted by traffic. */
  errorRatio: number;
}

/** A HorizontalPodAutoscaler on CPU utilisation and the deployment it scales (same name). */
export interface AutoscalerStatus {
  environment: string;
  namespace: string;
  /** The HPA's name, which is also its target deployment's. */
  name: string;
  region: string;
  minReplicas: number;
  maxReplicas: number;
  /** 0..1 of the CPU requested */
  targetCpuUtilisation: number;
  /** 0..1 of the CPU requested, averaged over the deployment's ready pods. */
  cpuUtilisation: number;
  currentReplicas: number;
  desiredReplicas: number;
}

/** Circuit breaker and retries on one caller → dependency edge (same region). */
export interface DependencyStats {
  environment: string;
  region: string;
  namespace: string;
  /** The calling service. */
  name: string;
  /** The called service's name (unique across namespaces). */
  dependency: string;
  breakerState: "closed" | "open" | "half-open";
  /** Calls attempted per second (not counting retries); 0 while the breaker is open. */
  callsPerSecond: number;
  /** Calls per second that needed at least one retry. */
  retriedCallsPerSecond: number;
  /** 0..1 of the dependency's answers that are errors, before retries. */
  dependencyErrorRatio: number;
}

export interface PartitionLag {
  partition: number;
  /** Next offset to be written (kafka_topic_partition_current_offset). */
  logEndOffset: number;
  /** The group's committed offset. */
  committedOffset: number;
  /** logEndOffset - committedOffset */
  lag: number;
}

/** A consumer group on one topic, with lag per partition. */
export interface ConsumerGroupLag {
  environment: string;
  region: string;
  /** The Kafka cluster. */
  cluster: string;
  group: string;
  topic: string;
  /** Consumers in the group: the ready pods of its deployment. */
  members: number;
  /** The deployment that runs the consumers (scale it to change the consume rate). */
  deployment: { namespace: string; name: string };
  consumedPerSecond: number;
  totalLag: number;
  /** By partition number. */
  partitions: PartitionLag[];
}

export interface TopicStats {
  environment: string;
  region: string;
  cluster: string;
  topic: string;
  partitions: number;
  /** Messages written per second, all partitions. */
  producedPerSecond: number;
  underReplicatedPartitions: number;
  /** Messages retained: log-end minus oldest offset, summed over partitions (a DLQ's depth). */
  retainedMessages: number;
  /** For a dead-letter topic (`<topic>.dlq`), the topic whose failed messages it collects. */
  deadLetterOf: string | null;
}

export interface KafkaClusterStats {
  environment: string;
  region: string;
  cluster: string;
  /** Brokers up (what kafka_brokers reports; a broker that is down is absent from the metadata). */
  brokers: number;
  topics: number;
  partitions: number;
  underReplicatedPartitions: number;
}

/** A Redis cache: a primary and its replicas. */
export interface CacheStats {
  environment: string;
  region: string;
  /** The cache's name. */
  cluster: string;
  /** 0..1: hits / (hits + misses). */
  hitRatio: number;
  keys: number;
  memoryUsedBytes: number;
  memoryMaxBytes: number;
  evictionsPerSecond: number;
  /** Commands per second on the primary. */
  opsPerSecond: number;
  /** Clients connected to the primary. */
  connectedClients: number;
  instances: { pod: string; role: "primary" | "replica"; up: boolean }[];
}

export interface MongoShardStats {
  /** The shard's id, also its replica set's name. */
  shard: string;
  chunks: number;
  /** Being removed: the balancer moves its chunks away. */
  draining: boolean;
  members: { name: string; state: "PRIMARY" | "SECONDARY"; replicationLagSeconds: number }[];
}

/** A sharded MongoDB cluster, as its mongos and shard members report it. */
export interface MongoClusterStats {
  environment: string;
  region: string;
  cluster: string;
  up: boolean;
  balancerEnabled: boolean;
  shards: MongoShardStats[];
}

export interface ElasticsearchClusterStats {
  environment: string;
  region: string;
  cluster: string;
  status: "green" | "yellow" | "red";
  nodes: number;
  activeShards: number;
  relocatingShards: number;
  unassignedShards: number;
  /** Summed over nodes. */
  heapUsedBytes: number;
  heapMaxBytes: number;
}

/** Typed metric queries. The Prometheus adapter answers them with PromQL; the simulator directly. */
export interface MetricsSource {
  currentServiceStats(environment?: string): Promise<ServiceStats[]>;
  serviceSeries(ref: WorkloadRef, window: TimeWindow): Promise<TimePoint[]>;
  /** For /api/health: can the source answer at all. */
  ping(): Promise<void>;
  regionTraffic(environment?: string): Promise<RegionTraffic[]>;
  autoscalers(environment?: string): Promise<AutoscalerStatus[]>;
  dependencies(environment?: string): Promise<DependencyStats[]>;
  consumerGroupLag(environment?: string): Promise<ConsumerGroupLag[]>;
  topics(environment?: string): Promise<TopicStats[]>;
  kafkaClusters(environment?: string): Promise<KafkaClusterStats[]>;
  caches(environment?: string): Promise<CacheStats[]>;
  mongoClusters(environment?: string): Promise<MongoClusterStats[]>;
  elasticsearchClusters(environment?: string): Promise<ElasticsearchClusterStats[]>;
}

/** Why a source could not answer freshly (Prometheus down, a timeout, a refused query). */
export interface SourceError {
  kind: string;
  message: string;
}

/** How current an answer is. A stale answer is the last good one, kept while the source fails. */
export interface Freshness {
  stale: boolean;
  /** Age of the oldest figure in the answer, in seconds. */
  ageSeconds: number;
  /** Why some figure is stale, when one is. */
  error?: SourceError;
}

/** An answer with its freshness, for pages that show "stale, 2 min old" rather than hide it. */
export type Observed<T> = { value: T } & Freshness;

type MetricQueries = Omit<MetricsSource, "ping">;

/** MetricsSource whose answers say how fresh they are; what the routers read. */
export type ObservedMetricsSource = {
  [K in keyof MetricQueries]: (...args: Parameters<MetricQueries[K]>) => Promise<Observed<Awaited<ReturnType<MetricQueries[K]>>>>;
} & Pick<MetricsSource, "ping">;

export function freshAnswer<T>(value: T): Observed<T> {
  return { value, stale: false, ageSeconds: 0 };
}

/** Several answers' freshness as one: stale when any is, as old as the oldest. */
export function combineFreshness(answers: ReadonlyArray<Freshness>): Freshness {
  const stale = answers.find((answer) => answer.stale);
  return {
    stale: stale !== undefined,
    ageSeconds: Math.max(0, ...answers.map((answer) => answer.ageSeconds)),
    ...(stale?.error ? { error: stale.error } : {}),
  };
}
