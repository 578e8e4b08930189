// What the shard pages derive from the router's answer: links, the balance of the chunks,
// the worst replication lag, and which verdict reason is about which figure.
import type { RouterOutputs } from "@/lib/api-types";

export type MongoCluster = RouterOutputs["shards"]["list"]["mongoClusters"][number];
export type ElasticsearchCluster = RouterOutputs["shards"]["list"]["elasticsearchClusters"][number];
export type MongoShard = MongoCluster["shards"][number];

/** A cluster's page in one region; the same route as entityHref.shardCluster in server/domain/fleet-verdicts.ts. */
export function shardHref(cluster: string, region?: string | null): string {
  const path = `/shards/${encodeURIComponent(cluster)}`;
  return region ? `${path}?region=${encodeURIComponent(region)}` : path;
}

/**
 * The balance the balancer works on: the shards that are not draining (a draining shard is
 * meant to empty, as mongoClusterHealth also reckons). `baseline` is the fewest chunks; a shard
 * past `baseline + migrationThreshold` is one the balancer moves chunks off.
 */
export function chunkBalance(cluster: Pick<MongoCluster, "shards" | "distribution">) {
  const active = cluster.shards.filter((shard) => !shard.draining);
  const counts = active.map((shard) => shard.chunks);
  const least = counts.length > 0 ? Math.min(...counts) : 0;
  const most = counts.length > 0 ? Math.max(...counts) : 0;
  const total = counts.reduce((sum, count) => sum + count, 0);
  return {
    least,
    most,
    spread: most - least,
    mean: counts.length > 0 ? total / counts.length : 0,
    threshold: cluster.distribution.migrationThreshold,
    draining: cluster.shards.length - active.length,
  };
}

/** The most a secondary lags behind its primary, over every shard; null without secondaries. */
export function maxReplicationLag(cluster: Pick<MongoCluster, "shards">): { seconds: number; member: string } | null {
  let worst: { seconds: number; member: string } | null = null;
  for (const shard of cluster.shards) {
    for (const member of shard.members) {
      if (member.state === "PRIMARY") continue;
      if (worst === null || member.replicationLagSeconds > worst.seconds) worst = { seconds: member.replicationLagSeconds, member: member.name };
    }
  }
  return worst;
}

/**
 * Reasons by the figure they judge. They follow the sentences of mongoClusterHealth and
 * elasticsearchHealth in server/domain/health/datastores.ts.
 */
export const reasonAbout = {
  mongosDown: (reason: string) => reason === "mongos down",
  balancer: (reason: string) => reason === "balancer off",
  chunks: (reason: string) => reason.startsWith("chunks uneven"),
  replicationLag: (reason: string) => reason.startsWith("replication lag"),
  lagOf: (member: string) => (reason: string) => reason.startsWith("replication lag") && reason.includes(` on ${member} >`),
  noPrimary: (shard: string) => (reason: string) => reason === `${shard} has no primary`,
  heap: (reason: string) => reason.startsWith("heap"),
  unassigned: (reason: string) => reason.includes("unassigned"),
};
