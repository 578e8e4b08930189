// A seeded, deterministic simulation of a platform: services in several regions whose
// traffic follows the day, whose pods start like pods do and are added and removed by their
// HPA, whose latency and errors respond to their load and to the services they call; Kafka
// topics and the consumers that drain them, Redis caches, a sharded MongoDB cluster and
// Elasticsearch clusters; and incidents that hit them.
//
// Time moves in fixed steps of one second, only when `tick(now)` is called (by `start()` in a
// running app, by hand in tests), so the same seed and the same calls (ticks, actions,
// incidents) always give the same figures, however often it is ticked.
import type { WriteOptions } from "../../domain/action-ports";
import { ActionRefused } from "../../domain/actions/kind";
import type { ServiceStats, TimePoint, Workload, WorkloadRef } from "../../domain/ports";
import { nextBreaker } from "./breaker";
import { DIURNAL_AMPLITUDE, type RegionSpec } from "./catalog";
import { createElasticsearchCluster, setNodeUp, stepElasticsearch, type ElasticsearchClusterState } from "./elasticsearch";
import { autoscale, HPA_SYNC_PERIOD_MS, type AutoscalerSpec } from "./hpa";
import {
  applyActiveEffects, endIncident, resolveIncident, startIncident, type FleetParts, type IncidentTargets,
} from "./incident-effects";
import {
  incidentRequestSchema, formatIssues, IncidentRejectedError,
  type Incident, type IncidentRequest, type IncidentStatus, type PlannedIncident, type ScenarioPlan,
} from "./incidents";
import {
  addPartitions, addTopic, consume, createKafkaCluster, offsetProblem, produce, setBrokerUp, type KafkaClusterState, type TopicState,
} from "./kafka";
import { diurnalFactor, trafficNoise } from "./model";
import { createMongoCluster, stepMongo, type MongoClusterState } from "./mongo";
import { platformSpec, type PlatformSpec } from "./platform";
import { mulberry32 } from "./random";
import {
  createCache, deleteMatching, failoverCache, flushCache as flushCacheState, loadHottestKeys, stepCache, warmCache, type CacheState,
} from "./redis";
import { createReplay, progressOf, stepReplay, type ReplayRequest, type ReplayState } from "./replays";
import { restartWorkload, stepRollout } from "./rollout";
import {
  applyEdges, connect, countSecond, createWorkload, readyPods, serviceFigures, setDesiredReplicas, workerFigures, workloadKey,
  type RegionState, type WorkloadSpec, type WorkloadState,
} from "./workload";

export interface FleetOptions {
  /** Default "demo". */
  environment?: string;
  /** Default 1. */
  seed?: number;
  /** Epoch ms the simulation starts at; history is pre-filled up to it. Default Date.now(). */
  startAt?: number;
  /** Spacing of the recorded history. Default 30. */
  historyStepSeconds?: number;
  /** How much history each workload keeps. Default 6, or 1 above 500 services (memory). */
  historyHours?: number;
  /** HTTP services, from the 8 of the hand-written catalog to 5,000. Default 30. */
  services?: number;
  /** Incidents to run, relative to `startAt`. */
  scenario?: ScenarioPlan;
}

export type ScaleRejection = "not-found" | "ambiguous" | "invalid-replicas" | "out-of-bounds";

/** A scale request the platform refuses; `reason` lets callers map it to a status code. */
export class ScaleRejectedError extends ActionRefused {
  override name = "ScaleRejectedError";

  constructor(readonly reason: ScaleRejection, message: string) {
    super(message);
  }
}

export interface IncidentView extends Incident {
  status: IncidentStatus;
}

export const STEP_MS = 1000;
const TRAFFIC_NOISE_AMPLITUDE = 0.05;
/** After a longer pause (a laptop asleep) the simulation skips ahead instead of replaying it all. */
const MAX_CATCH_UP_MS = 10 * 60_000;
/** Consumers are sized for the peak hour with this much room to spare. */
const CONSUMER_HEADROOM = 1.3;
/** Connections each pod of a cache's front service keeps open. */
const CACHE_CONNECTIONS_PER_POD = 4;
const ENDED_INCIDENTS_KEPT = 50;
const LARGE_FLEET_SERVICES = 500;
/** Far more than any topic of the catalog needs; keeps a mistyped count from eating the memory. */
const MAX_PARTITIONS = 1000;

interface TopicLink {
  cluster: KafkaClusterState;
  topic: TopicState;
  deadLetters: TopicState | null;
  producer: WorkloadState;
  messagesPerRequest: number;
  consumer: WorkloadState | null;
}

interface CacheLink {
  cache: CacheState;
  front: WorkloadState;
  backing: WorkloadState | null;
}

interface MongoLink {
  cluster: MongoClusterState;
  writer: WorkloadState;
}

interface ElasticsearchLink {
  cluster: ElasticsearchClusterState;
  searcher: WorkloadState;
}

interface IncidentRecord {
  incident: Incident;
  targets: IncidentTargets;
  phase: "scheduled" | "active" | "ended";
}

export class SimulatedFleet {
  readonly environment: string;
  readonly seed: number;
  readonly regions: readonly RegionSpec[];
  readonly historyStepMs: number;
  readonly startedAt: number;
  private readonly platform: PlatformSpec;
  private readonly historyMs: number;
  private readonly regionStates: RegionState[];
  private readonly states = new Map<string, WorkloadState>();
  /** Services callees first, so a caller sees its dependencies' figures of the same second; then workers. */
  private readonly ordered: WorkloadState[] = [];
  private readonly kafka: KafkaClusterState[] = [];
  private readonly topicLinks: TopicLink[] = [];
  private readonly cacheLinks: CacheLink[] = [];
  private readonly mongoLinks: MongoLink[] = [];
  private readonly elasticsearchLinks: ElasticsearchLink[] = [];
  private readonly incidentRecords: IncidentRecord[] = [];
  /** Workloads whose pods a rolling update is replacing. */
  private readonly rollingOut = new Set<WorkloadState>();
  private readonly replays = new Map<string, ReplayState>();
  /** The region weights last set, as given (whole numbers from the traffic port), while they hold. */
  private requestedWeights: Record<string, number> | null = null;
  private readonly planned: { entry: PlannedIncident; nextAt: number }[];
  private incidentsCreated = 0;
  private clock: number;
  private lastStep: number;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: FleetOptions = {}) {
    this.environment = options.environment ?? "demo";
    this.seed = options.seed ?? 1;
    this.platform = platformSpec(options.services);
    this.regions = this.platform.regions;
    this.historyStepMs = (options.historyStepSeconds ?? 30) * 1000;
    const defaultHours = this.platform.services.length > LARGE_FLEET_SERVICES ? 1 : 6;
    this.historyMs = (options.historyHours ?? defaultHours) * 3_600_000;
    const startAt = options.startAt ?? Date.now();
    this.startedAt = startAt;
    this.clock = startAt;
    this.lastStep = Math.floor(startAt / STEP_MS) * STEP_MS;
    this.regionStates = this.regions.map((spec) => ({ spec, weight: spec.trafficWeight, outage: false }));

    const caches = this.buildWorkloads(startAt);
    this.buildDataSystems(caches);
    this.prefillHistory(startAt);
    this.planned = (options.scenario?.incidents ?? []).map((entry) => ({ entry, nextAt: startAt + entry.startAfterSeconds * 1000 }));
    // A plan naming something that does not exist should fail now, not an hour into the demo.
    for (const { entry } of this.planned) resolveIncident(entry, this.parts());
    this.runScheduledIncidents(startAt);
  }

  /** The simulated instant: the time of the last tick. */
  get now(): number {
    return this.clock;
  }

  /**
   * Advances the simulation to `now` (epoch ms) one second at a time, recording a history
   * point at every multiple of the history step on the way. Calls with a time not after the
   * current one are ignored: simulated time never goes back.
   */
  tick(now: number): void {
    if (!Number.isFinite(now) || now <= this.clock) return;
    if (now - this.lastStep > MAX_CATCH_UP_MS) this.lastStep = Math.floor((now - MAX_CATCH_UP_MS) / STEP_MS) * STEP_MS;
    for (let t = this.lastStep + STEP_MS; t <= now; t += STEP_MS) this.step(t);
    this.clock = now;
  }

  /** Ticks with the wall clock every `tickMs` until `stop()`; does not keep the process alive. */
  start(tickMs = 1000): void {
    if (this.timer !== undefined) return;
    const timer = setInterval(() => this.tick(Date.now()), tickMs);
    // Node's timer, typed as the DOM's number too because the project includes both libs.
    if (typeof timer === "object") timer.unref();
    this.timer = timer;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  listWorkloads(): Workload[] {
    return this.ordered.map(toWorkload);
  }

  /** Workloads matching `ref`; every region of the service when `ref.region` is omitted. */
  find(ref: WorkloadRef): Workload[] {
    return this.ordered
      .filter((state) =>
        state.ref.environment === ref.environment &&
        state.ref.namespace === ref.namespace &&
        state.ref.name === ref.name &&
        (ref.region === undefined || state.ref.region === ref.region))
      .map(toWorkload);
  }

  /** Services' request figures; workers' are their messages (rate, failures, processing time). */
  currentStats(): ServiceStats[] {
    return this.ordered.map(({ ref, current }) => ({
      ...ref,
      requestsPerSecond: current.requestsPerSecond,
      errorRatio: current.errorRatio,
      p95LatencyMs: current.p95LatencyMs,
      cpuUtilisation: current.cpuUtilisation,
    }));
  }

  /** Recorded points of one workload, oldest first; empty for an unknown workload. */
  history(ref: Required<WorkloadRef>): TimePoint[] {
    return this.states.get(workloadKey(ref))?.history.toArray() ?? [];
  }

  // ---- actions ------------------------------------------------------------------------

  /**
   * Sets desired replicas at the current simulated instant. The HPA counts the new figure
   * as one of its recommendations, so it holds for the scale-down stabilisation window
   * before the HPA may take it back (Kubernetes would revert it at the next sync).
   * A dry run checks the change and applies nothing.
   */
  scale(ref: Required<WorkloadRef>, replicas: number, options: WriteOptions = {}): void {
    const state = this.states.get(workloadKey(ref));
    const label = labelOf(ref);
    if (state === undefined) throw new ScaleRejectedError("not-found", `No workload ${label}`);
    if (!Number.isInteger(replicas)) {
      throw new ScaleRejectedError("invalid-replicas", `Replicas must be a whole number, got ${replicas} for ${label}`);
    }
    const { minReplicas, maxReplicas } = boundsOf(state);
    if (replicas < minReplicas || replicas > maxReplicas) {
      throw new ScaleRejectedError("out-of-bounds", `Replicas ${replicas} for ${label} is outside its bounds [${minReplicas}, ${maxReplicas}]`);
    }
    if (options.dryRun) return;
    setDesiredReplicas(state, replicas, this.seed, this.clock);
    if (state.spec.hpa !== null) state.hpaRecommendations.push({ t: this.clock, replicas });
    this.refreshFigures(state);
  }

  /**
   * Changes the HPA's bounds or target (0..1 of the CPU requested); answers the HPA as it is
   * after the change, or would be after a dry run. The HPA acts on it at its next sync.
   */
  setAutoscaler(ref: Required<WorkloadRef>, changes: Partial<AutoscalerSpec>, options: WriteOptions = {}): AutoscalerSpec {
    const state = this.requireWorkload(ref);
    if (state.spec.hpa === null) throw new ActionRefused(`${labelOf(ref)} has no autoscaler`);
    const next = { ...state.spec.hpa, ...changes };
    if (!(Number.isInteger(next.minReplicas) && Number.isInteger(next.maxReplicas) && next.minReplicas >= 1 && next.minReplicas <= next.maxReplicas)) {
      throw new ActionRefused(`The autoscaler of ${labelOf(ref)} needs whole-number bounds with 1 ≤ min ≤ max; the change gives [${next.minReplicas}, ${next.maxReplicas}]`);
    }
    if (!(next.targetUtilisation > 0 && next.targetUtilisation <= 1)) {
      throw new ActionRefused(`The autoscaler of ${labelOf(ref)} needs a CPU target above 0 % and at most 100 %, got ${Math.round(next.targetUtilisation * 100)} %`);
    }
    if (!options.dryRun) state.spec.hpa = next;
    return { ...next };
  }

  /**
   * Shares of global traffic per region; every region must be named, and they are normalised to
   * sum to 1. What was given is kept, so the weights read back as they were set.
   */
  setRegionWeights(weights: Readonly<Record<string, number>>, options: WriteOptions = {}): void {
    const names = this.regionStates.map((r) => r.spec.name);
    const unknown = Object.keys(weights).filter((name) => !names.includes(name));
    if (unknown.length > 0) throw new ActionRefused(`The environment ${this.environment} has unknown regions ${unknown.join(", ")}; its regions: ${names.join(", ")}`);
    const values = names.map((name) => weights[name]);
    if (values.some((v) => v === undefined || !Number.isFinite(v) || v < 0)) throw new ActionRefused(`Give every region (${names.join(", ")}) a weight ≥ 0`);
    const total = values.reduce<number>((sum, v) => sum + (v ?? 0), 0);
    if (!(total > 0)) throw new ActionRefused("No region would receive traffic: at least one needs a weight above 0");
    if (options.dryRun) return;
    this.regionStates.forEach((region, i) => {
      region.weight = (values[i] ?? 0) / total;
    });
    this.requestedWeights = Object.fromEntries(names.map((name, i) => [name, values[i] ?? 0]));
  }

  regionWeights(): Record<string, number> {
    return Object.fromEntries(this.regionStates.map((r) => [r.spec.name, r.weight]));
  }

  /** The region weights as last set, when they still give the current shares; null otherwise. */
  requestedRegionWeights(): Record<string, number> | null {
    const requested = this.requestedWeights;
    if (requested === null) return null;
    const total = Object.values(requested).reduce((sum, v) => sum + v, 0);
    const holds = this.regionStates.every((r) => Math.abs((requested[r.spec.name] ?? 0) / total - r.weight) < 1e-12);
    return holds ? { ...requested } : null;
  }

  /** FLUSHALL on a cache: its hit ratio drops, and its misses land on the backing service. */
  flushCache(cache: string, region: string): void {
    flushCacheState(this.requireCache(cache, region));
  }

  /** Deletes the keys a pattern matches (its share of each namespace, see matchingKeys); returns the keys deleted. */
  deleteCacheKeys(cache: string, region: string, pattern: string, shares: readonly number[]): number {
    return deleteMatching(this.requireCache(cache, region), pattern, shares);
  }

  /** Loads a namespace's hottest keys (a warm-up); returns the keys it added. */
  loadCacheKeys(cache: string, region: string, namespace: number, hottest: number): number {
    return loadHottestKeys(this.requireCache(cache, region), namespace, hottest);
  }

  /** A Sentinel failover of the cache; refused while one is still switching. Returns the new primary's pod. */
  failoverCache(cache: string, region: string): string {
    const state = this.requireCache(cache, region);
    if (state.unavailableSeconds > 0) throw new ActionRefused(`A failover of cache ${cache} in ${region} is in progress; wait a few seconds and ask for the primary again`);
    return failoverCache(state);
  }

  /** Forces a caller's breaker on a dependency open or closed, or hands it back to its failure detection. */
  setBreaker(caller: Required<WorkloadRef>, dependency: string, state: "open" | "closed" | "auto"): void {
    const workload = this.requireWorkload(caller);
    const edge = workload.edges.find((e) => e.callee.spec.name === dependency);
    if (edge === undefined) {
      const calls = workload.edges.map((e) => e.callee.spec.name);
      throw new ActionRefused(`${labelOf(caller)} does not call ${dependency}${calls.length > 0 ? `; it calls ${calls.join(", ")}` : "; it calls no other service"}`);
    }
    edge.breaker = state === "auto" ? { ...edge.breaker, forced: false } : { state, since: this.clock, forced: true };
  }

  /** `kubectl rollout restart`: a new pod template, rolled out over the next seconds. */
  restartRollout(ref: Required<WorkloadRef>, at: string, options: WriteOptions = {}): void {
    const state = this.requireWorkload(ref);
    if (Number.isNaN(Date.parse(at))) throw new ActionRefused(`The restart time of ${labelOf(ref)} must be an ISO time, got "${at}"`);
    if (options.dryRun) return;
    restartWorkload(state, at);
    this.rollingOut.add(state);
  }

  /** Raises a topic's partition count; a consumer may then run as many members as partitions. */
  addPartitions(region: string, cluster: string, topic: string, total: number, options: WriteOptions = {}): void {
    const kafka = this.requireKafka(region, cluster);
    const state = kafka.topics.find((t) => t.name === topic);
    if (state === undefined) throw new ActionRefused(`Kafka cluster ${cluster} in ${region} has no topic ${topic}`);
    const count = state.partitions.length;
    if (!Number.isInteger(total)) throw new ActionRefused(`The partition count of topic ${topic} must be a whole number, got ${total}`);
    if (total < count) throw new ActionRefused(`Topic ${topic} has ${count} partitions; Kafka cannot lower it to ${total}`);
    if (total === count) throw new ActionRefused(`Topic ${topic} already has ${count} partitions`);
    if (total > MAX_PARTITIONS) throw new ActionRefused(`Topic ${topic} cannot have more than ${MAX_PARTITIONS} partitions in the simulator, asked for ${total}`);
    if (options.dryRun) return;
    addPartitions(kafka, state, total, this.seed);
    const consumer = this.consumerOf(kafka, state);
    if (consumer !== null) consumer.spec.maxReplicas = Math.max(consumer.spec.maxReplicas, total);
  }

  /** Commits the group's offsets on its topic; refused while the group has members. */
  commitOffsets(region: string, cluster: string, topic: string, offsets: ReadonlyArray<{ partition: number; offset: number }>): void {
    const kafka = this.requireKafka(region, cluster);
    const state = kafka.topics.find((t) => t.name === topic);
    const group = state?.group ?? null;
    if (state === undefined || group === null) throw new ActionRefused(`No consumer group reads topic ${topic} in Kafka cluster ${cluster} in ${region}`);
    const consumer = this.consumerOf(kafka, state);
    const members = consumer?.availableReplicas ?? 0;
    if (members > 0) {
      const who = consumer === null ? "" : ` (${consumer.ref.namespace}/${consumer.ref.name})`;
      throw new ActionRefused(`Consumer group ${group.name} has ${members} active members${who}; scale it to 0 before resetting its offsets on ${topic}`);
    }
    for (const { partition, offset } of offsets) {
      const problem = offsetProblem(state, partition, offset);
      if (problem !== null) throw new ActionRefused(problem);
    }
    for (const { partition, offset } of offsets) {
      const target = state.partitions[partition];
      if (target) target.committed = offset;
    }
  }

  /**
   * Starts a dead-letter replay, or finds the one started under the same id (its plan and
   * progress kept). It copies while it has runners (see ReplayState.runners).
   */
  replayFor(request: ReplayRequest): ReplayState {
    const existing = this.replays.get(request.id);
    if (existing !== undefined) return existing;
    if (!(Number.isInteger(request.maxMessages) && request.maxMessages >= 1)) throw new ActionRefused(`A replay copies at least 1 whole message, got maxMessages ${request.maxMessages}`);
    if (!(Number.isFinite(request.messagesPerSecond) && request.messagesPerSecond > 0)) throw new ActionRefused(`A replay needs a rate above 0 messages per second, got ${request.messagesPerSecond}`);
    const replay = createReplay(request);
    this.replays.set(request.id, replay);
    return replay;
  }

  replay(id: string): ReplayState | undefined {
    return this.replays.get(id);
  }

  setBalancer(cluster: string, enabled: boolean): void {
    this.requireMongo(cluster).balancerEnabled = enabled;
  }

  /** Starts removing a shard: the balancer moves its chunks to the others. */
  drainShard(cluster: string, shard: string): void {
    const target = this.requireMongo(cluster).shards.find((s) => s.id === shard);
    if (target === undefined) throw new RangeError(`MongoDB cluster ${cluster} has no shard ${shard}`);
    target.draining = true;
  }

  setBrokerUp(cluster: string, region: string, brokerId: number, up: boolean): void {
    const kafka = this.kafka.find((c) => c.name === cluster && c.region === region);
    if (kafka === undefined) throw new RangeError(`no Kafka cluster ${cluster} in ${region}`);
    setBrokerUp(kafka, brokerId, up, this.clock);
  }

  setElasticsearchNodeUp(cluster: string, region: string, node: string, up: boolean): void {
    const link = this.elasticsearchLinks.find((l) => l.cluster.spec.name === cluster && l.cluster.region === region);
    if (link === undefined) throw new RangeError(`no Elasticsearch cluster ${cluster} in ${region}`);
    setNodeUp(link.cluster, node, up, this.clock);
  }

  /**
   * Starts an incident at the current instant (it takes effect at the next second). Throws
   * IncidentRejectedError for an invalid request or a target that does not exist.
   */
  injectIncident(request: IncidentRequest): IncidentView {
    const parsed = incidentRequestSchema.safeParse(request);
    if (!parsed.success) throw new IncidentRejectedError(formatIssues(parsed.error));
    return viewOf(this.schedule(parsed.data, this.clock));
  }

  /** Scheduled and active incidents, then the latest ended ones; each with its status now. */
  incidents(): IncidentView[] {
    return this.incidentRecords.map(viewOf);
  }

  // ---- read access for the views and the exposition (do not mutate) -------------------

  workloadStates(): readonly WorkloadState[] {
    return this.ordered;
  }

  regionStatesView(): readonly RegionState[] {
    return this.regionStates;
  }

  kafkaClusters(): readonly KafkaClusterState[] {
    return this.kafka;
  }

  workloadState(ref: Required<WorkloadRef>): WorkloadState | undefined {
    return this.states.get(workloadKey(ref));
  }

  kafkaCluster(region: string, name: string): KafkaClusterState | undefined {
    return this.kafka.find((c) => c.name === name && c.region === region);
  }

  consumerOf(cluster: KafkaClusterState, topic: TopicState): WorkloadState | null {
    return this.topicLinks.find((l) => l.cluster === cluster && l.topic === topic)?.consumer ?? null;
  }

  cacheStates(): readonly CacheState[] {
    return this.cacheLinks.map((l) => l.cache);
  }

  cacheState(name: string, region: string): CacheState | undefined {
    return this.cacheLinks.find((l) => l.cache.spec.name === name && l.cache.region === region)?.cache;
  }

  mongoClusters(): readonly MongoClusterState[] {
    return this.mongoLinks.map((l) => l.cluster);
  }

  elasticsearchClusters(): readonly ElasticsearchClusterState[] {
    return this.elasticsearchLinks.map((l) => l.cluster);
  }

  // ---- construction ---------------------------------------------------------------------

  /** Returns the caches, warmed up, for buildDataSystems to link once every workload exists. */
  private buildWorkloads(startAt: number): CacheState[] {
    const { services, workers, topics } = this.platform;
    const regionCount = this.regionStates.length;
    const specs: WorkloadSpec[] = services.map((catalogEntry, serviceIndex) => {
      // Each seed gives a slightly different platform, so demos do not all look alike.
      const random = mulberry32(this.seed * 7919 + serviceIndex);
      return {
        kind: "service",
        namespace: catalogEntry.namespace,
        name: catalogEntry.name,
        meanRps: catalogEntry.meanRps * (0.85 + 0.3 * random()),
        capacityPerReplica: catalogEntry.capacityPerReplicaRps * (0.9 + 0.2 * random()),
        baseLatencyMs: catalogEntry.baseLatencyMs,
        baseErrorRatio: catalogEntry.baseErrorRatio,
        minReplicas: catalogEntry.minReplicas,
        maxReplicas: catalogEntry.maxReplicas,
        cpuRequestCores: [0.25, 0.5, 1][Math.floor(random() * 3)] ?? 0.5,
        dependencies: catalogEntry.dependencies,
        hpa: { minReplicas: catalogEntry.minReplicas, maxReplicas: catalogEntry.maxReplicas, targetUtilisation: catalogEntry.hpaTargetUtilisation },
        consumes: null,
      };
    });
    // Steady cache misses belong to the traffic a backing service is sized for.
    const { caches, steadyMisses } = this.warmCaches(specs, startAt);
    const byName = new Map<string, WorkloadState[]>();
    specs.forEach((spec, serviceIndex) => {
      const catalogEntry = services[serviceIndex];
      const startingUtilisation = catalogEntry?.startingUtilisation ?? 0.6;
      this.regionStates.forEach((region, regionIndex) => {
        const stream = serviceIndex * regionCount + regionIndex;
        const offered = this.baseOfferedRps(spec, region, stream, startAt, 1) + (steadyMisses.get(`${spec.name}@${region.spec.name}`) ?? 0);
        // Sized for the traffic at `startAt`, so the starting utilisation is what the catalog
        // asks for whatever the time of day; an overloaded service rounds down so it starts
        // at or above its target.
        const ideal = offered / (spec.capacityPerReplica * startingUtilisation);
        const rounded = startingUtilisation > 0.9 ? Math.floor(ideal) : Math.round(ideal);
        const replicas = Math.min(spec.maxReplicas, Math.max(spec.minReplicas, rounded));
        const state = createWorkload({ ...spec, hpa: spec.hpa && { ...spec.hpa } }, region, this.environment, stream, replicas, this.historyCapacity(), startAt);
        state.cacheMissRps = steadyMisses.get(`${spec.name}@${region.spec.name}`) ?? 0;
        this.states.set(workloadKey(state.ref), state);
        byName.set(spec.name, [...(byName.get(spec.name) ?? []), state]);
      });
    });

    workers.forEach((worker, workerIndex) => {
      const topic = topics.find((t) => t.name === worker.topic);
      const producer = services.findIndex((s) => s.name === topic?.producer);
      const producerSpec = specs[producer];
      this.regionStates.forEach((region, regionIndex) => {
        const stream = (services.length + workerIndex) * regionCount + regionIndex;
        const meanRate = (producerSpec?.meanRps ?? 0) * region.weight * (topic?.messagesPerRequest ?? 0);
        const peak = meanRate * (1 + DIURNAL_AMPLITUDE) * CONSUMER_HEADROOM;
        const partitions = topic?.partitions ?? 1;
        const replicas = Math.min(partitions, Math.max(1, Math.ceil(peak / worker.perReplicaThroughput)));
        const spec: WorkloadSpec = {
          kind: "worker", namespace: worker.namespace, name: worker.name, meanRps: 0,
          capacityPerReplica: worker.perReplicaThroughput, baseLatencyMs: worker.baseLatencyMs, baseErrorRatio: worker.baseErrorRatio,
          // A deployment without an autoscaler may be scaled to 0 (to reset the group's offsets).
          minReplicas: 0, maxReplicas: partitions, cpuRequestCores: 0.5, dependencies: worker.dependencies, hpa: null,
          consumes: { group: worker.group, topic: worker.topic },
        };
        const state = createWorkload(spec, region, this.environment, stream, replicas, this.historyCapacity(), startAt);
        this.states.set(workloadKey(state.ref), state);
        byName.set(spec.name, [...(byName.get(spec.name) ?? []), state]);
      });
    });

    for (const state of this.states.values()) {
      for (const dependency of state.spec.dependencies) {
        const callee = byName.get(dependency.service)?.find((s) => s.region === state.region);
        if (callee) connect(state, callee, dependency.callShare, startAt);
      }
    }
    this.ordered.push(...calleesFirst([...this.states.values()].filter((s) => s.spec.kind === "service")));
    this.ordered.push(...[...this.states.values()].filter((s) => s.spec.kind === "worker"));
    return caches;
  }

  /** Every cache at its steady state for the traffic at `startAt`, and the misses each backing service takes from them. */
  private warmCaches(specs: readonly WorkloadSpec[], startAt: number): { caches: CacheState[]; steadyMisses: Map<string, number> } {
    const misses = new Map<string, number>();
    const caches: CacheState[] = [];
    const regionCount = this.regionStates.length;
    for (const cacheSpec of this.platform.caches) {
      const frontIndex = specs.findIndex((s) => s.name === cacheSpec.front);
      const front = specs[frontIndex];
      if (front === undefined) continue;
      this.regionStates.forEach((region, regionIndex) => {
        const cache = createCache(cacheSpec, region.spec.name);
        const lookups = this.baseOfferedRps(front, region, frontIndex * regionCount + regionIndex, startAt, 1) * cacheSpec.lookupsPerRequest;
        warmCache(cache, lookups);
        caches.push(cache);
        if (cacheSpec.backing !== null) {
          const key = `${cacheSpec.backing}@${region.spec.name}`;
          misses.set(key, (misses.get(key) ?? 0) + cache.missesPerSecond);
        }
      });
    }
    return { caches, steadyMisses: misses };
  }

  private buildDataSystems(caches: readonly CacheState[]): void {
    const workload = (name: string, region: string) => {
      const state = this.ordered.find((s) => s.spec.name === name && s.ref.region === region);
      if (state === undefined) throw new Error(`simulator: no workload ${name} in ${region}`);
      return state;
    };
    for (const cache of caches) {
      this.cacheLinks.push({
        cache,
        front: workload(cache.spec.front, cache.region),
        backing: cache.spec.backing === null ? null : workload(cache.spec.backing, cache.region),
      });
    }
    for (const region of this.regionStates) {
      for (const spec of this.platform.kafka) {
        const cluster = createKafkaCluster(spec.name, region.spec.name, spec.brokers, spec.replicationFactor);
        this.kafka.push(cluster);
        for (const topicSpec of this.platform.topics) {
          const producer = workload(topicSpec.producer, region.spec.name);
          const consumer = this.ordered.find((s) => s.spec.consumes?.topic === topicSpec.name && s.ref.region === region.spec.name) ?? null;
          const meanRate = producer.spec.meanRps * region.weight * topicSpec.messagesPerRequest;
          const topic = addTopic(cluster, { name: topicSpec.name, partitions: topicSpec.partitions, meanRatePerSecond: meanRate, consumerGroup: consumer?.spec.consumes?.group ?? null, seed: this.seed });
          const deadLetters = consumer === null ? null : addTopic(cluster, { name: `${topicSpec.name}.dlq`, partitions: 1, meanRatePerSecond: 0, consumerGroup: null, deadLetterOf: topicSpec.name, seed: this.seed });
          this.topicLinks.push({ cluster, topic, deadLetters, producer, messagesPerRequest: topicSpec.messagesPerRequest, consumer });
        }
      }
      for (const spec of this.platform.elasticsearch) {
        this.elasticsearchLinks.push({ cluster: createElasticsearchCluster(spec, region.spec.name, this.seed), searcher: workload(spec.searcher, region.spec.name) });
      }
    }
    const home = this.regionStates[0]?.spec.name ?? "";
    this.platform.mongo.forEach((spec, index) => {
      this.mongoLinks.push({ cluster: createMongoCluster(spec, home, this.seed, index), writer: workload(spec.writer, home) });
    });
  }

  private historyCapacity(): number {
    return Math.max(1, Math.floor(this.historyMs / this.historyStepMs));
  }

  /**
   * History before `startAt`: the figures at every history step with the starting replicas,
   * caches at their steady state and nothing failing, so charts are not empty at start.
   */
  private prefillHistory(startAt: number): void {
    const step = this.historyStepMs;
    const first = (Math.floor((startAt - this.historyMs) / step) + 1) * step;
    for (let t = first; t <= startAt; t += step) {
      this.evaluateSteady(t);
      for (const state of this.ordered) state.history.push(state.current);
    }
    this.evaluateSteady(startAt);
  }

  private evaluateSteady(t: number): void {
    for (const state of this.ordered) {
      if (state.spec.kind === "service") {
        state.offeredRps = this.baseOfferedRps(state.spec, state.region, state.stream, t, 1) + state.cacheMissRps;
        applyEdges(state);
        state.current = { t, ...serviceFigures(state) };
      }
    }
    for (const link of this.topicLinks) {
      const produced = this.producedPerSecond(link);
      link.topic.producedPerSecond = produced;
      if (link.consumer === null || link.topic.group === null) continue;
      // In the steady state a consumer keeps up: it consumes what is produced.
      link.topic.group.consumedPerSecond = produced;
      link.consumer.offeredRps = produced;
      applyEdges(link.consumer);
      link.consumer.current = { t, ...workerFigures(link.consumer, produced) };
    }
  }

  // ---- one second -------------------------------------------------------------------------

  private step(t: number): void {
    const dt = (t - this.lastStep) / 1000;
    this.lastStep = t;
    this.runScheduledIncidents(t);
    for (const state of this.ordered) readyPods(state, t);
    for (const state of this.rollingOut) if (!stepRollout(state, this.seed, t)) this.rollingOut.delete(state);
    if (t % HPA_SYNC_PERIOD_MS === 0) this.runAutoscalers(t);

    for (const state of this.ordered) state.cacheMissRps = 0;
    for (const link of this.cacheLinks) if (link.backing) link.backing.cacheMissRps += link.cache.missesPerSecond;

    for (const state of this.ordered) {
      if (state.spec.kind !== "service") continue;
      state.offeredRps = this.baseOfferedRps(state.spec, state.region, state.stream, t, state.trafficFactor) + state.cacheMissRps;
      for (const edge of state.edges) edge.breaker = nextBreaker(edge.breaker, edge.callee.current.errorRatio, t);
      applyEdges(state);
      state.current = { t, ...serviceFigures(state) };
    }

    for (const link of this.topicLinks) {
      produce(link.topic, this.producedPerSecond(link), dt);
      const consumer = link.consumer;
      if (consumer === null) continue;
      const consumed = consume(link.topic, consumer.availableReplicas, consumer.spec.capacityPerReplica * consumer.throughputFactor, dt);
      consumer.offeredRps = consumed;
      for (const edge of consumer.edges) edge.breaker = nextBreaker(edge.breaker, edge.callee.current.errorRatio, t);
      applyEdges(consumer);
      consumer.current = { t, ...workerFigures(consumer, consumed) };
      // Messages that fail processing are parked on the dead-letter topic.
      if (link.deadLetters) produce(link.deadLetters, consumed * consumer.current.errorRatio, dt);
    }
    this.runReplays(dt);

    for (const link of this.cacheLinks) {
      stepCache(link.cache, link.front.current.requestsPerSecond * link.cache.spec.lookupsPerRequest, dt);
      link.cache.connectedClients = link.front.availableReplicas * CACHE_CONNECTIONS_PER_POD + 2;
    }
    for (const link of this.mongoLinks) {
      const writes = link.writer.current.requestsPerSecond * (1 - link.writer.current.errorRatio) * link.cluster.spec.writesPerRequest;
      stepMongo(link.cluster, writes, this.seed, t, dt);
    }
    for (const link of this.elasticsearchLinks) stepElasticsearch(link.cluster, link.searcher.current.requestsPerSecond, t, dt);

    for (const state of this.ordered) countSecond(state, dt, state.spec.cpuRequestCores);
    if (t % this.historyStepMs === 0) for (const state of this.ordered) state.history.push(state.current);
  }

  /** Copies each running replay's second of messages, then tells its runners. */
  private runReplays(dt: number): void {
    for (const replay of this.replays.values()) {
      if (replay.done) continue;
      const moved = stepReplay(replay, dt);
      replay.target.producedPerSecond += moved / dt;
      const progress = progressOf(replay);
      for (const runner of [...replay.runners]) runner(progress);
    }
  }

  private runAutoscalers(t: number): void {
    for (const state of this.ordered) {
      const hpa = state.spec.hpa;
      if (hpa === null) continue;
      const decision = autoscale({
        now: t, specReplicas: state.desiredReplicas, readyReplicas: state.availableReplicas,
        utilisation: state.current.cpuUtilisation, spec: hpa, recommendations: state.hpaRecommendations,
      });
      state.hpaRecommendations = decision.recommendations;
      if (decision.desiredReplicas !== state.desiredReplicas) setDesiredReplicas(state, decision.desiredReplicas, this.seed, t);
    }
  }

  /** Offered traffic before cache misses: the day's curve, noise, the region's share and any spike. */
  private baseOfferedRps(spec: WorkloadSpec, region: RegionState, stream: number, t: number, trafficFactor: number): number {
    return spec.meanRps * region.weight *
      diurnalFactor(t, region.spec.peakHourUtc, DIURNAL_AMPLITUDE) *
      trafficNoise(this.seed, stream, t, TRAFFIC_NOISE_AMPLITUDE) *
      trafficFactor;
  }

  /** A request that failed wrote nothing. */
  private producedPerSecond(link: TopicLink): number {
    const { requestsPerSecond, errorRatio } = link.producer.current;
    return requestsPerSecond * (1 - errorRatio) * link.messagesPerRequest;
  }

  private refreshFigures(state: WorkloadState): void {
    state.current = state.spec.kind === "service"
      ? { t: this.clock, ...serviceFigures(state) }
      : { t: this.clock, ...workerFigures(state, state.current.requestsPerSecond) };
  }

  // ---- incidents --------------------------------------------------------------------------

  private parts(): FleetParts {
    return { regions: this.regionStates, workloads: this.ordered, kafka: this.kafka, caches: this.cacheStates(), mongo: this.mongoClusters() };
  }

  private schedule(request: IncidentRequest, startsAt: number): IncidentRecord {
    const resolved = resolveIncident(request, this.parts());
    this.incidentsCreated += 1;
    const record: IncidentRecord = {
      incident: {
        id: `incident-${this.incidentsCreated}`,
        scenario: request.scenario,
        target: resolved.description,
        regions: resolved.regions,
        startsAt,
        endsAt: startsAt + request.durationSeconds * 1000,
      },
      targets: resolved.targets,
      phase: "scheduled",
    };
    this.incidentRecords.push(record);
    return record;
  }

  /** Starts planned incidents that are due, then moves every incident to its phase at `t`. */
  private runScheduledIncidents(t: number): void {
    for (const plan of this.planned) {
      while (plan.nextAt <= t) {
        this.schedule(plan.entry, plan.nextAt);
        plan.nextAt = plan.entry.repeatEverySeconds === undefined ? Number.POSITIVE_INFINITY : plan.nextAt + plan.entry.repeatEverySeconds * 1000;
      }
    }
    let changed = false;
    for (const record of this.incidentRecords) {
      if (record.phase === "scheduled" && record.incident.startsAt <= t) {
        record.phase = "active";
        startIncident(record.incident.scenario, record.targets, this.parts(), t);
        changed = true;
      }
      if (record.phase === "active" && record.incident.endsAt <= t) {
        record.phase = "ended";
        endIncident(record.incident.scenario, record.targets, t);
        changed = true;
      }
    }
    if (!changed) return;
    applyActiveEffects(this.parts(), this.incidentRecords.filter((r) => r.phase === "active").map((r) => ({ scenario: r.incident.scenario, targets: r.targets })));
    const ended = this.incidentRecords.filter((r) => r.phase === "ended");
    for (const old of ended.slice(0, Math.max(0, ended.length - ENDED_INCIDENTS_KEPT))) this.incidentRecords.splice(this.incidentRecords.indexOf(old), 1);
  }

  private requireWorkload(ref: Required<WorkloadRef>): WorkloadState {
    const state = this.states.get(workloadKey(ref));
    if (state === undefined) throw new ActionRefused(`No workload ${labelOf(ref)}`);
    return state;
  }

  private requireCache(name: string, region: string): CacheState {
    const cache = this.cacheState(name, region);
    if (cache === undefined) {
      const known = [...new Set(this.cacheLinks.filter((l) => l.cache.region === region).map((l) => l.cache.spec.name))];
      throw new ActionRefused(`There is no cache ${name} in ${region}${known.length > 0 ? `; its caches: ${known.join(", ")}` : ""}`);
    }
    return cache;
  }

  private requireKafka(region: string, name: string): KafkaClusterState {
    const cluster = this.kafkaCluster(region, name);
    if (cluster === undefined) throw new ActionRefused(`There is no Kafka cluster ${name} in ${region}`);
    return cluster;
  }


  private requireMongo(cluster: string): MongoClusterState {
    const found = this.mongoLinks.find((l) => l.cluster.spec.name === cluster)?.cluster;
    if (found === undefined) throw new RangeError(`no MongoDB cluster ${cluster}`);
    return found;
  }
}

/** An incident's status is its phase in the simulation: it starts and ends on a whole second. */
function viewOf(record: IncidentRecord): IncidentView {
  return { ...record.incident, regions: [...record.incident.regions], status: record.phase };
}

const labelOf = (ref: Required<WorkloadRef>) => `${ref.namespace}/${ref.name} in ${ref.region} (${ref.environment})`;

/** The autoscaler's bounds when there is one, else the deployment's own. */
function boundsOf(state: WorkloadState): { minReplicas: number; maxReplicas: number } {
  const { minReplicas, maxReplicas } = state.spec.hpa ?? state.spec;
  return { minReplicas, maxReplicas };
}

function toWorkload(state: WorkloadState): Workload {
  return {
    ...state.ref,
    kind: "Deployment",
    desiredReplicas: state.desiredReplicas,
    availableReplicas: state.availableReplicas,
    ...boundsOf(state),
  };
}

/** Depth-first: every service after the services it calls (the call graph is acyclic). */
function calleesFirst(services: readonly WorkloadState[]): WorkloadState[] {
  const ordered: WorkloadState[] = [];
  const placed = new Set<WorkloadState>();
  const visiting = new Set<WorkloadState>();
  const visit = (state: WorkloadState) => {
    if (placed.has(state)) return;
    if (visiting.has(state)) throw new Error(`simulator catalog: call cycle through ${state.spec.name}`);
    visiting.add(state);
    for (const edge of state.edges) visit(edge.callee);
    visiting.delete(state);
    placed.add(state);
    ordered.push(state);
  };
  for (const state of services) visit(state);
  return ordered;
}
