// The Redis caches of one configured environment, each read by its own RedisCacheReader, and
// the port's `caches()` answer over all of them.
import type { EnvironmentConfig } from "../../config/schema";
import { combineFreshness, type CacheStats, type Observed } from "../../domain/ports";
import { RedisCacheAdmin } from "./cache-admin";
import { RedisCacheReader, type RedisCacheReaderOptions } from "./cache-reader";

/** The reader settings that are not in the configuration file. */
export type RedisReaderTuning = Omit<RedisCacheReaderOptions, "environment" | "region" | "cluster" | "connection">;

/** Every `kind: redis` cluster of the environment, placed. */
function redisClustersOf(environment: string, config: EnvironmentConfig) {
  return Object.entries(config.regions).flatMap(([region, regionConfig]) =>
    Object.entries(regionConfig.clusters).flatMap(([cluster, connection]) => (connection.kind === "redis" ? [{ environment, region, cluster, connection }] : [])),
  );
}

/** One reader per `kind: redis` cluster of the environment; each starts reading at once. */
export function redisCacheReadersFor(environment: string, config: EnvironmentConfig, tuning: RedisReaderTuning = {}): RedisCacheReader[] {
  return redisClustersOf(environment, config).map((placed) => new RedisCacheReader({ ...tuning, ...placed }));
}

/** The CacheAdminPort of each `kind: redis` cluster; connections open when first needed. */
export function redisCacheAdminsFor(environment: string, config: EnvironmentConfig): RedisCacheAdmin[] {
  return redisClustersOf(environment, config).map((placed) => new RedisCacheAdmin(placed));
}

/** Every reader's last snapshot, by environment, region and name; as stale as the stalest. */
export async function cachesFrom(readers: readonly RedisCacheReader[], environment?: string): Promise<Observed<CacheStats[]>> {
  const chosen = readers.filter((reader) => environment === undefined || reader.environment === environment);
  const answers = await Promise.all(chosen.map((reader) => reader.stats()));
  const value = answers
    .map((answer) => answer.value)
    .sort((a, b) => a.environment.localeCompare(b.environment) || a.region.localeCompare(b.region) || a.cluster.localeCompare(b.cluster));
  return { value, ...combineFreshness(answers) };
}
