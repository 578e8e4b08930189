// What actions change in the outside world. Each port has a real adapter (server/adapters/
// kubernetes, kafka, redis, breakers) and the simulator's; the runtime routes every call to the
// adapter of the environment, region and cluster the reference names.
//
// Writes take `dryRun`: the system checks the change as it would apply it (Kubernetes
// `dryRun: All`, Kafka `validateOnly`) and answers without changing anything. Previews are
// built from that answer, so a request the system would refuse is refused before approval.
import type { WorkloadPort, WorkloadRef } from "./ports";

export interface WriteOptions {
  dryRun?: boolean;
}

/** A region's workload: the region is required for a change. */
export type RegionalWorkloadRef = Required<WorkloadRef>;

// ── Kubernetes: autoscalers, rollouts, traffic ────────────────────────────────────────────

export interface AutoscalerSpec {
  minReplicas: number;
  maxReplicas: number;
  /** Whole percent of the CPU requested, as an autoscaling/v2 HPA's averageUtilization. */
  targetCpuUtilisationPercent: number;
}

export interface Autoscaler extends RegionalWorkloadRef, AutoscalerSpec {
  currentReplicas: number;
  desiredReplicas: number;
}

export interface AutoscalerPort {
  /** The HPA scaling the workload (same name), or null when it has none. */
  getAutoscaler(ref: RegionalWorkloadRef): Promise<Autoscaler | null>;
  /** Merge-patches the HPA; answers the HPA as the server (or its dry run) returned it. */
  patchAutoscaler(ref: RegionalWorkloadRef, changes: Partial<AutoscalerSpec>, options?: WriteOptions): Promise<Autoscaler>;
}

export interface RolloutStatus {
  /** The pod template's kubectl.kubernetes.io/restartedAt annotation (ISO time), if any. */
  restartedAt: string | null;
  replicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  /** metadata.generation and status.observedGeneration: equal once the controller saw the change. */
  generation: number;
  observedGeneration: number;
}

export interface RolloutPort {
  getRollout(ref: RegionalWorkloadRef): Promise<RolloutStatus | null>;
  /** Sets the restartedAt template annotation to `at` (ISO time), as `kubectl rollout restart` does. */
  restartRollout(ref: RegionalWorkloadRef, at: string, options?: WriteOptions): Promise<void>;
}

export interface TrafficPort {
  /**
   * Each region's weight in the environment's traffic split (whole numbers, as an HTTPRoute's
   * backendRefs hold them; a region's share is its weight over the sum). Null when the
   * environment has no traffic split configured.
   */
  getRegionWeights(environment: string): Promise<Record<string, number> | null>;
  setRegionWeights(environment: string, weights: Readonly<Record<string, number>>, options?: WriteOptions): Promise<void>;
}

// ── Kafka ──────────────────────────────────────────────────────────────────────────────

/** A data-system cluster: its name in the configuration, and where it runs. */
export interface ClusterRef {
  environment: string;
  region: string;
  cluster: string;
}

export interface TopicRef extends ClusterRef {
  topic: string;
}

export interface ConsumerGroupRef extends ClusterRef {
  group: string;
}

export interface PartitionOffsets {
  partition: number;
  /** The log start (oldest offset still held). */
  low: number;
  /** The log end (next offset to be written). */
  high: number;
}

export interface TopicDescription {
  topic: string;
  partitions: PartitionOffsets[];
}

export interface GroupPartitionOffset {
  topic: string;
  partition: number;
  /** null when the group never committed on this partition. */
  committed: number | null;
  low: number;
  high: number;
}

export interface ConsumerGroupDescription {
  group: string;
  /** Kafka's group state: Empty, Stable, PreparingRebalance, CompletingRebalance, Dead. */
  state: string;
  members: number;
  partitions: GroupPartitionOffset[];
}

export type OffsetResetTarget =
  | { to: "earliest" }
  | { to: "latest" }
  /** The first offset at or after this time (epoch ms); the log end where none is. */
  | { to: "timestamp"; timestamp: number }
  | { to: "explicit"; offsets: Array<{ partition: number; offset: number }> };

export interface PartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

/** Replaying a dead-letter topic into the topic it collects failures of. */
export interface ReplaySpec {
  /** The action request: names the replay's own progress (consumer group, transactional id). */
  replayId: string;
  deadLetters: TopicRef;
  /** The topic the messages are written back to (same cluster). */
  target: string;
  maxMessages: number;
  messagesPerSecond: number;
}

export interface ReplayProgress {
  /** Messages this replay will copy at most: min(maxMessages, the backlog when it started). */
  planned: number;
  replayed: number;
  done: boolean;
}

/** What a new replay of a dead-letter topic into a target would find. */
export interface DeadLetterBacklog {
  /** Messages the dead-letter topic holds: log end minus log start, summed over partitions. */
  retained: number;
  /** Of those, the ones earlier replays into the same target already got past (copied, or skipped as aborted). */
  replayedBefore: number;
}

export interface QueueAdminPort {
  describeTopic(ref: TopicRef): Promise<TopicDescription | null>;
  /** Raises the topic's partition count to `total` (Kafka cannot lower it). */
  addPartitions(ref: TopicRef, total: number, options?: WriteOptions): Promise<void>;
  describeConsumerGroup(ref: ConsumerGroupRef): Promise<ConsumerGroupDescription | null>;
  /** The offsets a reset of the group on `topic` would commit, per partition (for the preview). */
  resolveOffsetReset(ref: ConsumerGroupRef, topic: string, target: OffsetResetTarget): Promise<PartitionOffset[]>;
  /** Commits the offsets; refused (ActionRefused) while the group has active members. */
  resetOffsets(ref: ConsumerGroupRef, offsets: readonly PartitionOffset[]): Promise<void>;
  /** The workload consuming as the group (to scale it), or null when none is known. */
  consumerWorkload(ref: ConsumerGroupRef): Promise<RegionalWorkloadRef | null>;
  /**
   * Runs (or resumes) a replay until it is done or `signal` aborts. Safe to call again after a
   * crash: what was copied is never copied twice. Reports progress as it goes.
   */
  replayDeadLetters(spec: ReplaySpec, onProgress: (progress: ReplayProgress) => void, signal?: AbortSignal): Promise<ReplayProgress>;
  /**
   * What a new replay of `ref` into `target` would start from: a replay continues after what
   * earlier replays into the same target got to. Refused (ActionRefused) while another replay
   * of the topic into `target` runs, and when the topic does not exist.
   */
  deadLetterBacklog(ref: TopicRef, target: string): Promise<DeadLetterBacklog>;
  /** The replay's progress as recorded in the cluster, or null if it never started. */
  replayProgress(spec: ReplaySpec): Promise<ReplayProgress | null>;
}

// ── Redis ──────────────────────────────────────────────────────────────────────────────

export interface CacheRef {
  environment: string;
  region: string;
  cache: string;
}

export interface KeyPatternEstimate {
  /** Keys matching the pattern: counted when the keyspace is small, estimated from a sample otherwise. */
  matching: number;
  exact: boolean;
  totalKeys: number;
}

export interface InvalidationProgress {
  scanned: number;
  deleted: number;
  done: boolean;
}

export interface WarmSource {
  name: string;
  description: string;
  /** Keys it loads when known in advance (a key list); null for a replay of the hottest keys. */
  keys: number | null;
}

export interface WarmProgress {
  loaded: number;
  failed: number;
  total: number;
  done: boolean;
}

export interface CachePrimary {
  /** host:port of the primary, as the Sentinels (or the instances) name it. */
  primary: string;
  replicas: string[];
  /** Sentinels that agree on the primary, and how many a failover needs; 0 when the cache is not managed by Sentinels. */
  sentinels: number;
  quorum: number;
  /** Whether the Sentinels could fail over now: false without Sentinels, without a replica up and connected, or without their quorum. */
  failoverPossible: boolean;
}

export interface CacheAdminPort {
  estimateKeys(ref: CacheRef, pattern: string): Promise<KeyPatternEstimate>;
  /** SCAN + UNLINK in batches, never KEYS and never blocking the server. */
  invalidate(ref: CacheRef, pattern: string, onProgress: (progress: InvalidationProgress) => void, signal?: AbortSignal): Promise<InvalidationProgress>;
  warmSources(ref: CacheRef): Promise<WarmSource[]>;
  warm(ref: CacheRef, source: string, onProgress: (progress: WarmProgress) => void, signal?: AbortSignal): Promise<WarmProgress>;
  describePrimary(ref: CacheRef): Promise<CachePrimary | null>;
  /** SENTINEL FAILOVER; resolves once a Sentinel accepted it (verify by asking for the primary). */
  failover(ref: CacheRef): Promise<void>;
}

// ── Circuit breakers ────────────────────────────────────────────────────────────────────

export interface BreakerRef extends RegionalWorkloadRef {
  /** The called service. */
  dependency: string;
}

export type BreakerState = "closed" | "open" | "half-open";
/** `auto` hands the breaker back to its own rules. */
export type BreakerOverride = "open" | "closed" | "auto";

export interface BreakerStatus {
  state: BreakerState;
  /** The override in force, or null when the breaker follows its own rules. */
  forced: "open" | "closed" | null;
}

export interface BreakerPort {
  getBreaker(ref: BreakerRef): Promise<BreakerStatus | null>;
  forceBreaker(ref: BreakerRef, override: BreakerOverride): Promise<void>;
}

/** The ports an action may read and change. */
export interface ActionPorts {
  workloads: WorkloadPort;
  autoscalers: AutoscalerPort;
  rollouts: RolloutPort;
  traffic: TrafficPort;
  queues: QueueAdminPort;
  caches: CacheAdminPort;
  breakers: BreakerPort;
}
