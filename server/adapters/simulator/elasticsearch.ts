// An Elasticsearch cluster: data nodes with a JVM heap that saw-tooths between collections
// and rises with search load; shard copies that go unassigned when a node leaves (yellow,
// or red once a primary has no copy left), are recovered after the delayed-allocation timeout
// and relocate back when the node returns.
import type { ElasticsearchSpec } from "./catalog";
import { hash32, uniformAt } from "./random";

export interface ElasticsearchNodeState {
  readonly name: string;
  readonly host: string;
  up: boolean;
  readonly gcPhase: number;
  heapUsedBytes: number;
}

export interface ElasticsearchClusterState {
  readonly spec: ElasticsearchSpec;
  readonly region: string;
  readonly nodes: ElasticsearchNodeState[];
  unassignedShards: number;
  initializingShards: number;
  relocatingShards: number;
  /** Unassigned primaries: red until they are back. */
  unassignedPrimaries: number;
  lastNodeLeftAt: number;
  recoveryCarry: number;
}

/** index.unassigned.node_left.delayed_timeout's default. */
const DELAYED_ALLOCATION_MS = 60_000;
/** Shard copies recovered (or relocated) per second, cluster-wide. */
const RECOVERIES_PER_SECOND = 0.5;
const GC_PERIOD_MS = 45_000;
/** Search requests per second per node that keep the heap at its busy level. */
const SEARCHES_PER_NODE_AT_FULL_LOAD = 400;

export const totalShardsOf = (spec: ElasticsearchSpec) => spec.primaryShards * (1 + spec.replicasPerPrimary);

export function createElasticsearchCluster(spec: ElasticsearchSpec, region: string, seed: number): ElasticsearchClusterState {
  return {
    spec, region,
    nodes: Array.from({ length: spec.nodes }, (_, n) => ({
      name: `${spec.name}-data-${n}`,
      host: `10.${(hash32(seed, n) % 200) + 20}.${n + 1}.${(hash32(seed, n, 1) % 250) + 2}`,
      up: true,
      gcPhase: uniformAt(seed, 0xe5, n),
      heapUsedBytes: 0,
    })),
    unassignedShards: 0, initializingShards: 0, relocatingShards: 0, unassignedPrimaries: 0, lastNodeLeftAt: 0, recoveryCarry: 0,
  };
}

export function statusOf(cluster: ElasticsearchClusterState): "green" | "yellow" | "red" {
  if (cluster.unassignedPrimaries > 0) return "red";
  return cluster.unassignedShards + cluster.initializingShards > 0 ? "yellow" : "green";
}

export const activeShardsOf = (cluster: ElasticsearchClusterState) =>
  totalShardsOf(cluster.spec) - cluster.unassignedShards - cluster.initializingShards;

export function setNodeUp(cluster: ElasticsearchClusterState, nodeName: string, up: boolean, now: number): void {
  const node = cluster.nodes.find((n) => n.name === nodeName);
  if (node === undefined) throw new RangeError(`Elasticsearch cluster ${cluster.spec.name} in ${cluster.region} has no node ${nodeName}`);
  if (node.up === up) return;
  node.up = up;
  const upNodes = cluster.nodes.filter((n) => n.up).length;
  const copiesPerNode = Math.round(totalShardsOf(cluster.spec) / cluster.spec.nodes);
  if (!up) {
    cluster.unassignedShards += copiesPerNode;
    cluster.lastNodeLeftAt = now;
    // Once more nodes are down than there are replicas, some shards have lost every copy.
    const down = cluster.spec.nodes - upNodes;
    if (down > cluster.spec.replicasPerPrimary) cluster.unassignedPrimaries += Math.ceil(copiesPerNode / (cluster.spec.replicasPerPrimary + 1));
  } else {
    // Its copies on disk are reused: what was lost comes back, and the cluster rebalances onto it.
    cluster.unassignedPrimaries = 0;
    cluster.initializingShards += Math.min(cluster.unassignedShards, copiesPerNode);
    cluster.unassignedShards = Math.max(0, cluster.unassignedShards - copiesPerNode);
    cluster.relocatingShards += Math.floor(copiesPerNode / 2);
  }
}

export function stepElasticsearch(cluster: ElasticsearchClusterState, searchesPerSecond: number, t: number, dtSeconds: number): void {
  const upNodes = cluster.nodes.filter((n) => n.up);
  const load = upNodes.length > 0 ? Math.min(1.5, searchesPerSecond / (upNodes.length * SEARCHES_PER_NODE_AT_FULL_LOAD)) : 0;
  for (const node of cluster.nodes) {
    const sawtooth = ((t / GC_PERIOD_MS + node.gcPhase) % 1 + 1) % 1;
    node.heapUsedBytes = node.up ? cluster.spec.heapMaxBytesPerNode * Math.min(0.97, 0.3 + 0.25 * load + 0.3 * sawtooth) : 0;
  }
  cluster.recoveryCarry += RECOVERIES_PER_SECOND * dtSeconds;
  let budget = Math.floor(cluster.recoveryCarry);
  cluster.recoveryCarry -= budget;
  // Copies already recovering finish first, then relocations, then new recoveries.
  const finishing = Math.min(budget, cluster.initializingShards);
  cluster.initializingShards -= finishing;
  budget -= finishing;
  const relocated = Math.min(budget, cluster.relocatingShards);
  cluster.relocatingShards -= relocated;
  budget -= relocated;
  const canReallocate = t - cluster.lastNodeLeftAt >= DELAYED_ALLOCATION_MS && upNodes.length > cluster.spec.replicasPerPrimary;
  if (canReallocate && cluster.unassignedPrimaries === 0) {
    const started = Math.min(budget, cluster.unassignedShards);
    cluster.unassignedShards -= started;
    cluster.initializingShards += started;
  }
}
