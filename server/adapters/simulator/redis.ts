// A Redis cache used cache-aside: every lookup is a GET on the primary, every miss reads the
// backing service and SETs the key (replicated to the replicas). Keys expire after a TTL and
// are evicted once memory is full. Access is skewed (a few keys are hot), so the hit ratio
// is the cached share of the working set to a power below 1: half the keys serve ~80 % of reads.
import type { CacheSpec } from "./catalog";

export interface CacheState {
  readonly spec: CacheSpec;
  readonly region: string;
  /** Instance pods; the first is the primary. */
  readonly pods: readonly string[];
  keys: number;
  hitRatio: number;
  lookupsPerSecond: number;
  missesPerSecond: number;
  evictionsPerSecond: number;
  opsPerSecond: number;
  connectedClients: number;
  hitsTotal: number;
  missesTotal: number;
  evictedTotal: number;
  primaryCommandsTotal: number;
  replicaCommandsTotal: number;
}

const TTL_SECONDS = 3600;
const ACCESS_SKEW = 0.3;
const BASE_MEMORY_BYTES = 4 * 1024 * 1024;
export const CACHE_REPLICAS = 2;

export const maxKeysOf = (spec: CacheSpec) => Math.floor((spec.maxMemoryBytes - BASE_MEMORY_BYTES) / spec.bytesPerKey);
export const memoryUsedOf = (cache: CacheState) => BASE_MEMORY_BYTES + Math.floor(cache.keys) * cache.spec.bytesPerKey;
export const hitRatioFor = (keys: number, workingSetKeys: number) => Math.min(1, Math.max(0, keys / workingSetKeys)) ** ACCESS_SKEW;

export function createCache(spec: CacheSpec, region: string): CacheState {
  return {
    spec, region,
    pods: Array.from({ length: 1 + CACHE_REPLICAS }, (_, i) => `${spec.name}-${i}`),
    keys: 0, hitRatio: 0, lookupsPerSecond: 0, missesPerSecond: 0, evictionsPerSecond: 0, opsPerSecond: 0, connectedClients: 0,
    hitsTotal: 0, missesTotal: 0, evictedTotal: 0, primaryCommandsTotal: 0, replicaCommandsTotal: 0,
  };
}

/** Advances the cache by `dtSeconds` of `lookupsPerSecond`. */
export function stepCache(cache: CacheState, lookupsPerSecond: number, dtSeconds: number): void {
  const hitRatio = hitRatioFor(cache.keys, cache.spec.workingSetKeys);
  const lookups = lookupsPerSecond * dtSeconds;
  const misses = lookups * (1 - hitRatio);
  const expired = (cache.keys * dtSeconds) / TTL_SECONDS;
  // Every miss writes its key back; a key of the working set is only cached once.
  let keys = Math.min(cache.spec.workingSetKeys, cache.keys - expired + misses);
  const evicted = Math.max(0, keys - maxKeysOf(cache.spec));
  keys -= evicted;
  cache.keys = Math.max(0, keys);
  cache.hitRatio = hitRatio;
  cache.lookupsPerSecond = lookupsPerSecond;
  cache.missesPerSecond = misses / dtSeconds;
  cache.evictionsPerSecond = evicted / dtSeconds;
  cache.opsPerSecond = (lookups + misses) / dtSeconds;
  cache.hitsTotal += lookups - misses;
  cache.missesTotal += misses;
  cache.evictedTotal += evicted;
  cache.primaryCommandsTotal += lookups + misses;
  cache.replicaCommandsTotal += misses + expired;
}

/** Runs the cache to its steady state for a lookup rate, without counting (it predates the simulation). */
export function warmCache(cache: CacheState, lookupsPerSecond: number): void {
  for (let i = 0; i < 2000; i++) stepCache(cache, lookupsPerSecond, 10);
  Object.assign(cache, { hitsTotal: 0, missesTotal: 0, evictedTotal: 0, primaryCommandsTotal: 0, replicaCommandsTotal: 0 });
}

/** FLUSHALL: every key gone at once, the hit ratio with them. */
export function flushCache(cache: CacheState): void {
  cache.keys = 0;
  cache.hitRatio = 0;
}
