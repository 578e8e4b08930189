// Verdicts for the data systems: Redis caches, sharded MongoDB clusters, Elasticsearch clusters.
import type { CacheStats, ElasticsearchClusterStats, MongoClusterStats, MongoShardStats } from "../ports";
import { contrast, formatBytes, formatCount, formatPercent, formatRate, formatSeconds } from "./format";
import { DEFAULT_HEALTH_THRESHOLDS, type HealthThresholds } from "./thresholds";
import { above, atLeast, below, crit, judge, unknown, type Finding, type Health } from "./verdict";

const percentVs = (value: number, level: number) => contrast(value, level, formatPercent);

/** A finding at a configured severity, for states that are a problem or not (balancer off, status yellow). */
const at = (severity: "OK" | "WARN" | "CRIT", reason: string): Finding | null => (severity === "OK" ? null : { verdict: severity, reason });

export function cacheHealth(stats: CacheStats | undefined, thresholds: HealthThresholds["caches"] = DEFAULT_HEALTH_THRESHOLDS.caches): Health {
  if (!stats) return unknown("no figures for this cache");
  if (stats.instances.length === 0) return unknown("no instances reported");
  const down = stats.instances.filter((instance) => !instance.up);
  const primaryDown = down.find((instance) => instance.role === "primary");
  const memoryRatio = stats.memoryMaxBytes > 0 ? stats.memoryUsedBytes / stats.memoryMaxBytes : Number.NaN;
  return judge([
    primaryDown ? crit(`primary ${primaryDown.pod} down`) : null,
    atLeast(down.length, thresholds.instancesDown, () => `${down.length} of ${stats.instances.length} instances down`),
    // An idle cache's hit ratio is a handful of lookups, or 0/0.
    stats.opsPerSecond >= thresholds.minOpsPerSecondForHitRatio
      ? below(stats.hitRatio, thresholds.hitRatio, (level) => {
        const [ratio, limit] = percentVs(stats.hitRatio, level);
        return `hit ratio ${ratio} < ${limit}`;
      })
      : null,
    // maxmemory 0 is Redis' "no limit".
    above(memoryRatio, thresholds.memoryUsedRatio, (level) => {
      const [ratio, limit] = percentVs(memoryRatio, level);
      return `memory ${ratio} of ${formatBytes(stats.memoryMaxBytes)} > ${limit}`;
    }),
    above(stats.evictionsPerSecond, thresholds.evictionsPerSecond, (level) => {
      const [rate, limit] = contrast(stats.evictionsPerSecond, level, (x, extra) => formatRate(x, "keys/s", extra));
      return `evicting ${rate} > ${limit}`;
    }),
  ]);
}

/** The spread MongoDB's balancer tolerates before it migrates chunks (by the cluster's chunk count). */
export function mongoMigrationThreshold(totalChunks: number): number {
  return totalChunks < 20 ? 2 : totalChunks < 80 ? 4 : 8;
}

function chunkImbalance(shards: readonly MongoShardStats[], levels: HealthThresholds["mongoClusters"]["chunkImbalance"]): Finding | null {
  // A draining shard is meant to empty; it takes no part in the balance.
  const active = shards.filter((shard) => !shard.draining);
  if (active.length < 2) return null;
  const fullest = active.reduce((max, shard) => (shard.chunks > max.chunks ? shard : max));
  const emptiest = active.reduce((min, shard) => (shard.chunks < min.chunks ? shard : min));
  const total = active.reduce((sum, shard) => sum + shard.chunks, 0);
  const spread = fullest.chunks - emptiest.chunks;
  if (spread <= mongoMigrationThreshold(total)) return null;
  const imbalance = spread / (total / active.length);
  return above(imbalance, levels, (level) => {
    const [ratio, limit] = percentVs(imbalance, level);
    return `chunks uneven by ${ratio} of the mean > ${limit}: ${fullest.shard} has ${formatCount(fullest.chunks)}, ${emptiest.shard} ${formatCount(emptiest.chunks)}`;
  });
}

function shardFindings(shard: MongoShardStats, levels: HealthThresholds["mongoClusters"]["replicationLagSeconds"]): Finding[] {
  if (shard.members.length === 0) return [];
  if (!shard.members.some((member) => member.state === "PRIMARY")) return [crit(`${shard.shard} has no primary`)];
  const secondaries = shard.members.filter((member) => member.state === "SECONDARY");
  if (secondaries.length === 0) return [];
  const laggiest = secondaries.reduce((max, member) => (member.replicationLagSeconds > max.replicationLagSeconds ? member : max));
  const finding = above(laggiest.replicationLagSeconds, levels, (level) => {
    const [lag, limit] = contrast(laggiest.replicationLagSeconds, level, formatSeconds);
    return `replication lag ${lag} on ${laggiest.name} > ${limit}`;
  });
  return finding === null ? [] : [finding];
}

export function mongoClusterHealth(stats: MongoClusterStats | undefined, thresholds: HealthThresholds["mongoClusters"] = DEFAULT_HEALTH_THRESHOLDS.mongoClusters): Health {
  if (!stats) return unknown("no figures for this MongoDB cluster");
  return judge([
    stats.up ? null : crit("mongos down"),
    ...stats.shards.flatMap((shard) => shardFindings(shard, thresholds.replicationLagSeconds)),
    chunkImbalance(stats.shards, thresholds.chunkImbalance),
    stats.balancerEnabled ? null : at(thresholds.balancerOff, "balancer off"),
  ]);
}

export function elasticsearchHealth(
  stats: ElasticsearchClusterStats | undefined,
  thresholds: HealthThresholds["elasticsearchClusters"] = DEFAULT_HEALTH_THRESHOLDS.elasticsearchClusters,
): Health {
  if (!stats) return unknown("no figures for this Elasticsearch cluster");
  if (stats.nodes === 0) return judge([crit("no node up")]);
  const unassigned = stats.unassignedShards === 1 ? "1 shard unassigned" : `${formatCount(stats.unassignedShards)} shards unassigned`;
  const heapRatio = stats.heapMaxBytes > 0 ? stats.heapUsedBytes / stats.heapMaxBytes : Number.NaN;
  return judge([
    stats.status === "red" ? at(thresholds.red, `status red, ${unassigned}`) : null,
    stats.status === "yellow" ? at(thresholds.yellow, `status yellow, ${unassigned}`) : null,
    atLeast(stats.unassignedShards, thresholds.unassignedShards, (level) => `${unassigned} ≥ ${formatCount(level)}`),
    above(heapRatio, thresholds.heapUsedRatio, (level) => {
      const [ratio, limit] = percentVs(heapRatio, level);
      return `heap ${ratio} > ${limit}`;
    }),
  ]);
}
