// What an incident does to the fleet's parts: which entities its target names, what happens
// when it starts and ends (a broker stops, a cache is flushed, the balancer is switched off)
// and the effects that last while it is active (more traffic, slower consumers, failing
// services, a region cut off), which are recomputed whenever an incident starts or ends.
import type { CacheState } from "./redis";
import { flushCache } from "./redis";
import {
  DEPENDENCY_ERROR_RATIO, IncidentRejectedError, SLOW_CONSUMER_CAPACITY_SHARE, SLOW_CONSUMER_MAX_THROUGHPUT_FACTOR,
  SPIKE_TRAFFIC_FACTOR, type IncidentRequest,
} from "./incidents";
import { setBrokerUp, type KafkaClusterState } from "./kafka";
import type { MongoClusterState } from "./mongo";
import type { RegionState, WorkloadState } from "./workload";

export interface FleetParts {
  regions: readonly RegionState[];
  /** Services and workers, every region. */
  workloads: readonly WorkloadState[];
  kafka: readonly KafkaClusterState[];
  caches: readonly CacheState[];
  mongo: readonly MongoClusterState[];
}

/** The entities an incident acts on, resolved once when it is injected. */
export type IncidentTargets =
  | {
    kind: "workloads";
    workloads: WorkloadState[];
    /** A slow consumer's per-replica throughput factor for each worker, set when it starts. */
    throughputFactors?: Map<WorkloadState, number>;
  }
  | { kind: "broker"; brokers: { cluster: KafkaClusterState; brokerId: number }[] }
  | { kind: "caches"; caches: CacheState[] }
  | { kind: "mongo"; clusters: MongoClusterState[] }
  | { kind: "regions"; regions: RegionState[] };

export interface ResolvedIncident {
  targets: IncidentTargets;
  /** For people: what it hits. */
  description: string;
  regions: string[];
}

const MAX_LISTED = 8;
const listed = (names: string[]) => {
  const unique = [...new Set(names)];
  return unique.length > MAX_LISTED ? `${unique.slice(0, MAX_LISTED).join(", ")}, … (${unique.length} in all)` : unique.join(", ");
};

function inRegion<T>(items: readonly T[], regionOf: (item: T) => string, region: string | undefined, parts: FleetParts): T[] {
  if (region === undefined) return [...items];
  if (!parts.regions.some((r) => r.spec.name === region)) {
    throw new IncidentRejectedError(`unknown region ${region}; regions: ${listed(parts.regions.map((r) => r.spec.name))}`);
  }
  return items.filter((item) => regionOf(item) === region);
}

const matchesService = (w: WorkloadState, target: string) => target === w.spec.name || target === `${w.spec.namespace}/${w.spec.name}`;

/** The service most others call: where dependency errors hurt the most. */
function mostCalled(services: readonly WorkloadState[]): string | undefined {
  const callers = new Map<string, number>();
  for (const w of services) for (const edge of w.edges) callers.set(edge.callee.spec.name, (callers.get(edge.callee.spec.name) ?? 0) + 1);
  return [...callers.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

function regionsOf(names: string[]): string[] {
  return [...new Set(names)].sort();
}

export function resolveIncident(request: IncidentRequest, parts: FleetParts): ResolvedIncident {
  const { scenario, target, region } = request;
  const none = (what: string, known: string[]) =>
    new IncidentRejectedError(`${scenario}: no ${what} ${target ?? ""}${region ? ` in ${region}` : ""}; known: ${listed(known)}`.replace(/ {2}/g, " "));

  switch (scenario) {
    case "traffic spike":
    case "dependency errors": {
      const services = inRegion(parts.workloads.filter((w) => w.spec.kind === "service"), (w) => w.ref.region, region, parts);
      const name = target ?? (scenario === "dependency errors" ? mostCalled(services) : undefined);
      const hit = name === undefined ? services : services.filter((w) => matchesService(w, name));
      if (hit.length === 0) throw none("service", services.map((w) => `${w.spec.namespace}/${w.spec.name}`));
      const first = hit[0];
      const description = name === undefined || first === undefined ? "every service" : `${first.spec.namespace}/${first.spec.name}`;
      return { targets: { kind: "workloads", workloads: hit }, description, regions: regionsOf(hit.map((w) => w.ref.region)) };
    }
    case "slow consumer": {
      const workers = inRegion(parts.workloads.filter((w) => w.spec.consumes !== null), (w) => w.ref.region, region, parts);
      const name = target ?? workers[0]?.spec.consumes?.group;
      const hit = name === undefined ? [] : workers.filter((w) => w.spec.consumes?.group === name || matchesService(w, name));
      if (hit.length === 0) throw none("consumer group", workers.map((w) => w.spec.consumes?.group ?? w.spec.name));
      return { targets: { kind: "workloads", workloads: hit }, description: `consumer group ${hit[0]?.spec.consumes?.group ?? name}`, regions: regionsOf(hit.map((w) => w.ref.region)) };
    }
    case "broker down": {
      const clusters = inRegion(parts.kafka, (c) => c.region, region, parts);
      const name = target ?? clusters[0]?.name;
      const hit = clusters.filter((c) => c.name === name);
      if (hit.length === 0) throw none("Kafka cluster", clusters.map((c) => c.name));
      // The last broker: the one a rolling restart would take down first, never the controller 0.
      const brokers = hit.map((cluster) => ({ cluster, brokerId: cluster.brokers.length - 1 }));
      return { targets: { kind: "broker", brokers }, description: `${name} broker ${brokers[0]?.brokerId ?? "?"}`, regions: regionsOf(hit.map((c) => c.region)) };
    }
    case "cache flush": {
      const caches = inRegion(parts.caches, (c) => c.region, region, parts);
      const name = target ?? caches[0]?.spec.name;
      const hit = caches.filter((c) => c.spec.name === name);
      if (hit.length === 0) throw none("cache", caches.map((c) => c.spec.name));
      return { targets: { kind: "caches", caches: hit }, description: `cache ${name}`, regions: regionsOf(hit.map((c) => c.region)) };
    }
    case "shard imbalance": {
      const clusters = inRegion(parts.mongo, (c) => c.region, region, parts);
      const name = target ?? clusters[0]?.spec.name;
      const hit = clusters.filter((c) => c.spec.name === name);
      if (hit.length === 0) throw none("MongoDB cluster", clusters.map((c) => c.spec.name));
      return { targets: { kind: "mongo", clusters: hit }, description: `MongoDB cluster ${name}`, regions: regionsOf(hit.map((c) => c.region)) };
    }
    case "region outage": {
      if (target !== undefined && region !== undefined && target !== region) {
        throw new IncidentRejectedError(`region outage: target ${target} and region ${region} disagree; give one`);
      }
      const name = target ?? region ?? parts.regions.at(-1)?.spec.name;
      const hit = parts.regions.filter((r) => r.spec.name === name);
      if (hit.length === 0) throw none("region", parts.regions.map((r) => r.spec.name));
      return { targets: { kind: "regions", regions: hit }, description: `region ${name}`, regions: hit.map((r) => r.spec.name) };
    }
  }
}

/** Messages per second the topic a worker consumes receives now; 0 for a worker with none. */
function producedFor(worker: WorkloadState, parts: FleetParts): number {
  const consumes = worker.spec.consumes;
  if (consumes === null) return 0;
  const topic = parts.kafka
    .filter((cluster) => cluster.region === worker.ref.region)
    .flatMap((cluster) => cluster.topics)
    .find((candidate) => candidate.name === consumes.topic && candidate.group?.name === consumes.group);
  return topic?.producedPerSecond ?? 0;
}

/** A slow consumer's factor: its replicas manage SLOW_CONSUMER_CAPACITY_SHARE of what is produced now. */
function slowConsumerFactor(worker: WorkloadState, parts: FleetParts): number {
  const capacity = worker.availableReplicas * worker.spec.capacityPerReplica;
  if (capacity <= 0) return SLOW_CONSUMER_MAX_THROUGHPUT_FACTOR;
  return Math.min(SLOW_CONSUMER_MAX_THROUGHPUT_FACTOR, (SLOW_CONSUMER_CAPACITY_SHARE * producedFor(worker, parts)) / capacity);
}

/** One-off changes at the start of an incident. */
export function startIncident(scenario: IncidentRequest["scenario"], targets: IncidentTargets, parts: FleetParts, now: number): void {
  if (scenario === "slow consumer" && targets.kind === "workloads") {
    targets.throughputFactors = new Map(targets.workloads.map((worker) => [worker, slowConsumerFactor(worker, parts)]));
  }
  if (scenario === "broker down" && targets.kind === "broker") {
    for (const { cluster, brokerId } of targets.brokers) setBrokerUp(cluster, brokerId, false, now);
  }
  if (scenario === "cache flush" && targets.kind === "caches") for (const cache of targets.caches) flushCache(cache);
  if (scenario === "shard imbalance" && targets.kind === "mongo") {
    for (const cluster of targets.clusters) {
      cluster.balancerEnabled = false;
      cluster.hotShard = cluster.shards.at(-1)?.id ?? null;
    }
  }
}

/** One-off changes at its end; what follows is the platform recovering on its own. */
export function endIncident(scenario: IncidentRequest["scenario"], targets: IncidentTargets, now: number): void {
  if (scenario === "broker down" && targets.kind === "broker") {
    for (const { cluster, brokerId } of targets.brokers) setBrokerUp(cluster, brokerId, true, now);
  }
  if (scenario === "shard imbalance" && targets.kind === "mongo") {
    for (const cluster of targets.clusters) {
      cluster.balancerEnabled = true;
      cluster.hotShard = null;
    }
  }
}

/** Lasting effects of the active incidents, from a clean slate. */
export function applyActiveEffects(parts: FleetParts, active: readonly { scenario: IncidentRequest["scenario"]; targets: IncidentTargets }[]): void {
  for (const w of parts.workloads) {
    w.trafficFactor = 1;
    w.throughputFactor = 1;
    w.extraErrorRatio = 0;
  }
  for (const region of parts.regions) region.outage = false;
  for (const { scenario, targets } of active) {
    if (targets.kind === "workloads") {
      for (const w of targets.workloads) {
        if (scenario === "traffic spike") w.trafficFactor *= SPIKE_TRAFFIC_FACTOR;
        // Two slowdowns of one consumer do not compound: the slower sets its pace.
        if (scenario === "slow consumer") w.throughputFactor = Math.min(w.throughputFactor, targets.throughputFactors?.get(w) ?? SLOW_CONSUMER_MAX_THROUGHPUT_FACTOR);
        if (scenario === "dependency errors") w.extraErrorRatio = Math.min(1, w.extraErrorRatio + DEPENDENCY_ERROR_RATIO);
      }
    }
    if (targets.kind === "regions" && scenario === "region outage") for (const region of targets.regions) region.outage = true;
  }
}
