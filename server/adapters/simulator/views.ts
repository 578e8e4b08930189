// The fleet's state as the port's plain data types: what SimulatedMetrics answers, and the
// ground truth the Prometheus path is compared with.
import type {
  AutoscalerStatus, CacheStats, ConsumerGroupLag, DependencyStats, ElasticsearchClusterStats, KafkaClusterStats,
  MongoClusterStats, RegionTraffic, TopicStats,
} from "../../domain/ports";
import { activeShardsOf, statusOf } from "./elasticsearch";
import type { SimulatedFleet } from "./fleet";
import { isUnderReplicated, lagOf, retainedOf, type KafkaClusterState } from "./kafka";
import { memoryUsedOf } from "./redis";

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

export function regionTraffic(fleet: SimulatedFleet): RegionTraffic[] {
  const services = fleet.workloadStates().filter((w) => w.spec.kind === "service");
  return fleet.regionStatesView().map((region) => {
    const inRegion = services.filter((w) => w.region === region);
    const requests = sum(inRegion.map((w) => w.current.requestsPerSecond));
    const errors = sum(inRegion.map((w) => w.current.requestsPerSecond * w.current.errorRatio));
    return { environment: fleet.environment, region: region.spec.name, trafficWeight: region.weight, requestsPerSecond: requests, errorRatio: requests > 0 ? errors / requests : 0 };
  });
}

export function autoscalers(fleet: SimulatedFleet): AutoscalerStatus[] {
  return fleet.workloadStates().flatMap((w) => w.spec.hpa === null ? [] : [{
    ...w.ref,
    minReplicas: w.spec.hpa.minReplicas,
    maxReplicas: w.spec.hpa.maxReplicas,
    targetCpuUtilisation: w.spec.hpa.targetUtilisation,
    cpuUtilisation: w.current.cpuUtilisation,
    currentReplicas: w.pods.length,
    desiredReplicas: w.desiredReplicas,
  }]);
}

export function dependencies(fleet: SimulatedFleet): DependencyStats[] {
  return fleet.workloadStates().flatMap((w) => w.edges.map((edge) => ({
    environment: w.ref.environment,
    region: w.ref.region,
    namespace: w.ref.namespace,
    name: w.ref.name,
    dependency: edge.callee.spec.name,
    breakerState: edge.breaker.state,
    callsPerSecond: edge.callsPerSecond,
    retriedCallsPerSecond: edge.retriedCallsPerSecond,
    dependencyErrorRatio: edge.calleeErrorRatio,
  })));
}

export function consumerGroupLag(fleet: SimulatedFleet): ConsumerGroupLag[] {
  return fleet.kafkaClusters().flatMap((cluster) => cluster.topics.flatMap((topic) => {
    const consumer = fleet.consumerOf(cluster, topic);
    if (topic.group === null || consumer === null) return [];
    const partitions = topic.partitions.map((p) => ({
      partition: p.index, logEndOffset: Math.floor(p.logEnd), committedOffset: Math.floor(p.committed), lag: lagOf(p),
    }));
    return [{
      environment: fleet.environment, region: cluster.region, cluster: cluster.name, group: topic.group.name, topic: topic.name,
      members: consumer.availableReplicas,
      deployment: { namespace: consumer.ref.namespace, name: consumer.ref.name },
      consumedPerSecond: topic.group.consumedPerSecond,
      totalLag: sum(partitions.map((p) => p.lag)),
      partitions,
    }];
  }));
}

const underReplicatedIn = (cluster: KafkaClusterState, now: number) =>
  sum(cluster.topics.map((topic) => topic.partitions.filter((p) => isUnderReplicated(cluster, p, now)).length));

export function topics(fleet: SimulatedFleet): TopicStats[] {
  const now = fleet.now;
  return fleet.kafkaClusters().flatMap((cluster) => cluster.topics.map((topic) => ({
    environment: fleet.environment, region: cluster.region, cluster: cluster.name, topic: topic.name,
    partitions: topic.partitions.length,
    producedPerSecond: topic.producedPerSecond,
    underReplicatedPartitions: topic.partitions.filter((p) => isUnderReplicated(cluster, p, now)).length,
    retainedMessages: retainedOf(topic),
    deadLetterOf: topic.deadLetterOf,
  })));
}

export function kafkaClusters(fleet: SimulatedFleet): KafkaClusterStats[] {
  return fleet.kafkaClusters().map((cluster) => ({
    environment: fleet.environment, region: cluster.region, cluster: cluster.name,
    brokers: cluster.brokers.filter((b) => b.up).length,
    topics: cluster.topics.length,
    partitions: sum(cluster.topics.map((t) => t.partitions.length)),
    underReplicatedPartitions: underReplicatedIn(cluster, fleet.now),
  }));
}

export function caches(fleet: SimulatedFleet): CacheStats[] {
  return fleet.cacheStates().map((cache) => ({
    environment: fleet.environment, region: cache.region, cluster: cache.spec.name,
    hitRatio: cache.hitRatio,
    keys: Math.floor(cache.keys),
    memoryUsedBytes: memoryUsedOf(cache),
    memoryMaxBytes: cache.spec.maxMemoryBytes,
    evictionsPerSecond: cache.evictionsPerSecond,
    opsPerSecond: cache.opsPerSecond,
    connectedClients: cache.connectedClients,
    instances: cache.pods.map((pod, i) => ({ pod, role: i === cache.primaryIndex ? "primary" as const : "replica" as const, up: true })),
  }));
}

export function mongoClusters(fleet: SimulatedFleet): MongoClusterStats[] {
  return fleet.mongoClusters().map((cluster) => ({
    environment: fleet.environment, region: cluster.region, cluster: cluster.spec.name,
    up: cluster.up,
    balancerEnabled: cluster.balancerEnabled,
    shards: cluster.shards.map((shard) => ({
      shard: shard.id, chunks: shard.chunks, draining: shard.draining,
      members: shard.members.map((m) => ({ name: m.name, state: m.primary ? "PRIMARY" as const : "SECONDARY" as const, replicationLagSeconds: m.lagSeconds })),
    })),
  }));
}

export function elasticsearchClusters(fleet: SimulatedFleet): ElasticsearchClusterStats[] {
  return fleet.elasticsearchClusters().map((cluster) => ({
    environment: fleet.environment, region: cluster.region, cluster: cluster.spec.name,
    status: statusOf(cluster),
    nodes: cluster.nodes.filter((n) => n.up).length,
    activeShards: activeShardsOf(cluster),
    relocatingShards: cluster.relocatingShards,
    unassignedShards: cluster.unassignedShards,
    heapUsedBytes: Math.round(sum(cluster.nodes.map((n) => n.heapUsedBytes))),
    heapMaxBytes: sum(cluster.nodes.filter((n) => n.up).map(() => cluster.spec.heapMaxBytesPerNode)),
  }));
}
