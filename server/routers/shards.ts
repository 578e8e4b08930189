import { elasticsearchHealth, mongoClusterHealth, mongoMigrationThreshold } from "../domain/health";
import type { MongoClusterStats } from "../domain/ports";
import type { Fleet } from "../fleet/read";
import type { Runtime } from "../runtime";
import { createTRPCRouter, permissionProcedure } from "../trpc";
import { entityInput, entityName, environmentInput, readVisibleFleet } from "./fleet-input";
import { TRPCError } from "@trpc/server";

/** How evenly a MongoDB cluster's chunks are spread: what the balancer would do about it. */
function chunkDistribution(cluster: MongoClusterStats) {
  const counts = cluster.shards.map((shard) => shard.chunks);
  const total = counts.reduce((sum, count) => sum + count, 0);
  const most = Math.max(0, ...counts);
  const least = counts.length > 0 ? Math.min(...counts) : 0;
  return { totalChunks: total, mostChunks: most, leastChunks: least, spread: most - least, migrationThreshold: mongoMigrationThreshold(total) };
}

function judgeShards(runtime: Runtime, fleet: Fleet) {
  const { thresholds } = runtime.judging();
  return {
    mongoClusters: fleet.mongoClusters.map((cluster) => ({ ...cluster, distribution: chunkDistribution(cluster), health: mongoClusterHealth(cluster, thresholds.mongoClusters) })),
    elasticsearchClusters: fleet.elasticsearchClusters.map((cluster) => ({ ...cluster, health: elasticsearchHealth(cluster, thresholds.elasticsearchClusters) })),
  };
}

export const shardsRouter = createTRPCRouter({
  /** Every sharded MongoDB and Elasticsearch cluster of the environment, judged. */
  list: permissionProcedure("service.read")
    .input(environmentInput)
    .query(async ({ ctx, input }) => {
      const { runtime, fleet } = await readVisibleFleet(ctx, input?.environment);
      return { environment: fleet.environment, ...judgeShards(runtime, fleet), freshness: fleet.freshness };
    }),

  /** One cluster by name (MongoDB or Elasticsearch), in each region it runs in. */
  get: permissionProcedure("service.read")
    .input(entityInput({ cluster: entityName }))
    .query(async ({ ctx, input }) => {
      const { runtime, fleet } = await readVisibleFleet(ctx, input.environment);
      const judged = judgeShards(runtime, fleet);
      const matches = <T extends { cluster: string; region: string }>(cluster: T) => cluster.cluster === input.cluster && (input.region === undefined || cluster.region === input.region);
      const mongoClusters = judged.mongoClusters.filter(matches);
      const elasticsearchClusters = judged.elasticsearchClusters.filter(matches);
      if (mongoClusters.length + elasticsearchClusters.length === 0) {
        throw new TRPCError({ code: "NOT_FOUND", message: `cluster ${input.cluster} not found${input.region ? ` in ${input.region}` : ""}` });
      }
      return { environment: fleet.environment, mongoClusters, elasticsearchClusters, freshness: fleet.freshness };
    }),
});
