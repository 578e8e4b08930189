// A Redis cache used cache-aside: every lookup is a GET on the primary, every miss reads the
// backing service and SETs the key (replicated to the replicas). Keys expire after a TTL and
// are evicted once memory is full. Access is skewed (a few keys are hot), so the hit ratio
// is the cached share of the working set to a power below 1: half the keys serve ~80 % of reads.
// Keys come in namespaces (product:*, session:*), each its share of the working set and of the
// lookups, so invalidating or warming one namespace moves the hit ratio by that namespace's part.
import type { CacheSpec, KeyNamespaceSpec } from "./catalog";
import { keyspaceOf } from "./keyspace";

/** What one instance's exporter reports as counters. */
export interface InstanceCounters {
  hits: number;
  misses: number;
  evicted: number;
  commands: number;
}

/**
 * The keys of one namespace a pattern matched when they were invalidated: the namespace's other
 * keys stay, these come back only as misses write them again. Kept until they are back.
 */
interface InvalidatedKeys {
  namespace: number;
  pattern: string;
  /** The pattern's share of the namespace's keys. */
  share: number;
  /** Of them, cached again since. */
  cached: number;
}

interface InstanceState {
  /** Counted in the instance's earlier roles. */
  banked: InstanceCounters;
  /** The cache's totals for the instance's role when it took that role. */
  baseline: InstanceCounters;
}

export interface CacheState {
  readonly spec: CacheSpec;
  readonly region: string;
  /** Instance pods, in a fixed order; `primaryIndex` names the primary. */
  readonly pods: readonly string[];
  primaryIndex: number;
  readonly namespaces: readonly KeyNamespaceSpec[];
  /** Keys held per namespace, in the order of `namespaces`; they sum to `keys`. */
  readonly namespaceKeys: number[];
  keys: number;
  readonly invalidated: InvalidatedKeys[];
  hitRatio: number;
  lookupsPerSecond: number;
  missesPerSecond: number;
  evictionsPerSecond: number;
  opsPerSecond: number;
  connectedClients: number;
  /** Seconds left of a failover's switch, during which clients cannot reach the cache. */
  unavailableSeconds: number;
  hitsTotal: number;
  missesTotal: number;
  evictedTotal: number;
  primaryCommandsTotal: number;
  replicaCommandsTotal: number;
  readonly instances: InstanceState[];
}

const TTL_SECONDS = 3600;
const ACCESS_SKEW = 0.3;
const BASE_MEMORY_BYTES = 4 * 1024 * 1024;
export const CACHE_REPLICAS = 2;
/** Clients reconnect to the promoted replica within a few seconds of a Sentinel failover. */
export const FAILOVER_SWITCH_SECONDS = 3;

export const maxKeysOf = (spec: CacheSpec) => Math.floor((spec.maxMemoryBytes - BASE_MEMORY_BYTES) / spec.bytesPerKey);
export const memoryUsedOf = (cache: CacheState) => BASE_MEMORY_BYTES + Math.floor(cache.keys) * cache.spec.bytesPerKey;
export const hitRatioFor = (keys: number, workingSetKeys: number) => Math.min(1, Math.max(0, keys / workingSetKeys)) ** ACCESS_SKEW;

const zeroCounters = (): InstanceCounters => ({ hits: 0, misses: 0, evicted: 0, commands: 0 });
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

export function createCache(spec: CacheSpec, region: string): CacheState {
  const namespaces = keyspaceOf(spec);
  const pods = Array.from({ length: 1 + CACHE_REPLICAS }, (_, i) => `${spec.name}-${i}`);
  return {
    spec, region, pods, primaryIndex: 0, namespaces, namespaceKeys: namespaces.map(() => 0),
    keys: 0, invalidated: [], hitRatio: 0, lookupsPerSecond: 0, missesPerSecond: 0, evictionsPerSecond: 0, opsPerSecond: 0, connectedClients: 0,
    unavailableSeconds: 0,
    hitsTotal: 0, missesTotal: 0, evictedTotal: 0, primaryCommandsTotal: 0, replicaCommandsTotal: 0,
    instances: pods.map(() => ({ banked: zeroCounters(), baseline: zeroCounters() })),
  };
}

const workingSetOf = (cache: CacheState, index: number) => (cache.namespaces[index]?.share ?? 0) * cache.spec.workingSetKeys;

/** The share of lookups that hit: each namespace's hit ratio, weighted by its lookups. */
export function currentHitRatio(cache: CacheState): number {
  if (cache.unavailableSeconds > 0) return 0;
  return sum(cache.namespaces.map((ns, i) => ns.share * hitRatioFor(cache.namespaceKeys[i] ?? 0, workingSetOf(cache, i))));
}

/** Evicts whatever exceeds memory, from every namespace alike; returns the keys evicted. */
function evictOverflow(cache: CacheState): number {
  const keys = sum(cache.namespaceKeys);
  const evicted = Math.max(0, keys - maxKeysOf(cache.spec));
  if (evicted > 0) {
    const kept = (keys - evicted) / keys;
    cache.namespaceKeys.forEach((held, i) => {
      cache.namespaceKeys[i] = held * kept;
    });
  }
  cache.keys = Math.max(0, keys - evicted);
  return evicted;
}

/** Advances the cache by `dtSeconds` of `lookupsPerSecond`. */
export function stepCache(cache: CacheState, lookupsPerSecond: number, dtSeconds: number): void {
  const reachable = cache.unavailableSeconds <= 0;
  const hitRatio = currentHitRatio(cache);
  const lookups = lookupsPerSecond * dtSeconds;
  const misses = lookups * (1 - hitRatio);
  // While clients cannot reach the cache every lookup falls through, and nothing is written back.
  const written = reachable ? misses : 0;
  let expired = 0;
  cache.namespaces.forEach((ns, i) => {
    const held = cache.namespaceKeys[i] ?? 0;
    const expiring = (held * dtSeconds) / TTL_SECONDS;
    expired += expiring;
    // Every miss writes its key back; a key of the working set is only cached once.
    cache.namespaceKeys[i] = Math.max(0, Math.min(workingSetOf(cache, i), held - expiring + written * ns.share));
  });
  const evicted = evictOverflow(cache);
  refillInvalidated(cache, written, dtSeconds);
  cache.hitRatio = hitRatio;
  cache.lookupsPerSecond = lookupsPerSecond;
  cache.missesPerSecond = misses / dtSeconds;
  cache.evictionsPerSecond = evicted / dtSeconds;
  cache.opsPerSecond = reachable ? (lookups + misses) / dtSeconds : 0;
  if (reachable) {
    cache.hitsTotal += lookups - misses;
    cache.missesTotal += misses;
    cache.primaryCommandsTotal += lookups + misses;
  }
  cache.evictedTotal += evicted;
  cache.replicaCommandsTotal += written + expired;
  cache.unavailableSeconds = Math.max(0, cache.unavailableSeconds - dtSeconds);
}

/** Runs the cache to its steady state for a lookup rate, without counting (it predates the simulation). */
export function warmCache(cache: CacheState, lookupsPerSecond: number): void {
  for (let i = 0; i < 2000; i++) stepCache(cache, lookupsPerSecond, 10);
  Object.assign(cache, { hitsTotal: 0, missesTotal: 0, evictedTotal: 0, primaryCommandsTotal: 0, replicaCommandsTotal: 0 });
}

/** FLUSHALL: every key gone at once, the hit ratio with them. */
export function flushCache(cache: CacheState): void {
  cache.namespaceKeys.fill(0);
  cache.invalidated.length = 0;
  cache.keys = 0;
  cache.hitRatio = 0;
}

/**
 * Keys matching `pattern`, from each namespace's share of matching keys (`shares`, 0..1 per
 * namespace, measured on a sample): none of a namespace's keys the same pattern invalidated
 * unless they were cached again since.
 */
export function matchingKeys(cache: CacheState, pattern: string, shares: readonly number[]): number {
  return sum(cache.namespaceKeys.map((held, i) => {
    const invalidated = cache.invalidated.find((entry) => entry.namespace === i && entry.pattern === pattern);
    return invalidated ? invalidated.cached : held * clampShare(shares[i]);
  }));
}

/** Deletes the keys `pattern` matches (`shares` as for matchingKeys); returns the keys deleted. */
export function deleteMatching(cache: CacheState, pattern: string, shares: readonly number[]): number {
  const deleted = matchingKeys(cache, pattern, shares);
  cache.namespaceKeys.forEach((held, i) => {
    const share = clampShare(shares[i]);
    if (share === 0) return;
    const index = cache.invalidated.findIndex((entry) => entry.namespace === i && entry.pattern === pattern);
    const gone = index >= 0 ? (cache.invalidated[index]?.cached ?? 0) : held * share;
    cache.namespaceKeys[i] = Math.max(0, held - gone);
    const kept = held > 0 ? (held - gone) / held : 0;
    // Keys earlier invalidations let back in are deleted alike.
    for (const entry of cache.invalidated) if (entry.namespace === i) entry.cached *= kept;
    if (index >= 0) cache.invalidated.splice(index, 1);
    // A whole namespace needs no record: what it holds again is what matches.
    if (share < 1) cache.invalidated.push({ namespace: i, pattern, share, cached: 0 });
  });
  cache.keys = sum(cache.namespaceKeys);
  cache.hitRatio = currentHitRatio(cache);
  return deleted;
}

const clampShare = (share: number | undefined) => Math.min(1, Math.max(0, share ?? 0));

/**
 * Invalidated keys come back as they are looked up and missed: each namespace's writes in
 * proportion to the pattern's share, and they expire like any key. Once they are back to their
 * share of the namespace, the record goes.
 */
function refillInvalidated(cache: CacheState, written: number, dtSeconds: number): void {
  for (let i = cache.invalidated.length - 1; i >= 0; i--) {
    const entry = cache.invalidated[i];
    if (entry === undefined) continue;
    const share = cache.namespaces[entry.namespace]?.share ?? 0;
    const held = cache.namespaceKeys[entry.namespace] ?? 0;
    entry.cached += written * share * entry.share - (entry.cached * dtSeconds) / TTL_SECONDS;
    if (entry.cached >= held * entry.share) cache.invalidated.splice(i, 1);
  }
}

/**
 * Loads a namespace's `hottest` keys. The cached keys of a namespace are its hottest ones (what
 * the skewed access keeps), so only the part of the hottest keys not cached yet adds keys.
 * Returns the keys added.
 */
export function loadHottestKeys(cache: CacheState, namespace: number, hottest: number): number {
  const held = cache.namespaceKeys[namespace];
  if (held === undefined) return 0;
  const added = Math.max(0, Math.min(hottest, workingSetOf(cache, namespace)) - held);
  cache.namespaceKeys[namespace] = held + added;
  const evicted = evictOverflow(cache);
  cache.evictedTotal += evicted;
  cache.primaryCommandsTotal += hottest;
  cache.replicaCommandsTotal += added;
  cache.hitRatio = currentHitRatio(cache);
  return added;
}

/** The totals an instance in this role counts: reads on the primary, replicated writes on every instance. */
function roleTotals(cache: CacheState, primary: boolean): InstanceCounters {
  return primary
    ? { hits: cache.hitsTotal, misses: cache.missesTotal, evicted: cache.evictedTotal, commands: cache.primaryCommandsTotal }
    : { hits: 0, misses: 0, evicted: 0, commands: cache.replicaCommandsTotal };
}

/** What instance `index`'s exporter reports: its own counters only ever grow, whatever role it held. */
export function instanceCounters(cache: CacheState, index: number): InstanceCounters {
  const instance = cache.instances[index];
  if (instance === undefined) return zeroCounters();
  const totals = roleTotals(cache, index === cache.primaryIndex);
  const { banked, baseline } = instance;
  return {
    hits: banked.hits + totals.hits - baseline.hits,
    misses: banked.misses + totals.misses - baseline.misses,
    evicted: banked.evicted + totals.evicted - baseline.evicted,
    commands: banked.commands + totals.commands - baseline.commands,
  };
}

/**
 * A Sentinel failover: the first replica is promoted and the old primary follows it. Clients
 * lose the cache for a few seconds while they reconnect. Returns the new primary's pod.
 */
export function failoverCache(cache: CacheState): string {
  const promoted = (cache.primaryIndex + 1) % cache.pods.length;
  for (const index of [cache.primaryIndex, promoted]) {
    const instance = cache.instances[index];
    if (instance === undefined) continue;
    instance.banked = instanceCounters(cache, index);
    instance.baseline = roleTotals(cache, index === promoted);
  }
  cache.primaryIndex = promoted;
  cache.unavailableSeconds = FAILOVER_SWITCH_SECONDS;
  cache.hitRatio = 0;
  return cache.pods[promoted] ?? "";
}
