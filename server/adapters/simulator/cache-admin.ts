// Redis administration over the simulated caches. The simulator counts keys per namespace
// rather than holding them, so a pattern's keys are estimated from a sample of keys of each
// namespace's shape, and deleting or loading keys changes the counts (and so the hit ratio) at
// once; the cache refills through its misses afterwards, as a real one does.
import type {
  CacheAdminPort, CachePrimary, CacheRef, InvalidationProgress, KeyPatternEstimate, WarmProgress, WarmSource,
} from "../../domain/action-ports";
import { ActionRefused } from "../../domain/actions/kind";
import { redisGlobMatcher } from "../redis/glob";
import type { SimulatedFleet } from "./fleet";
import { matchingShare, warmSourcesOf } from "./keyspace";
import { matchingKeys, type CacheState } from "./redis";

const SENTINELS = 3;
const QUORUM = 2;
const REDIS_PORT = 6379;

const cacheLabel = (ref: CacheRef) => `cache ${ref.cache} in ${ref.region} (${ref.environment})`;
const addressOf = (cache: CacheState, pod: string) => `${pod}.${cache.spec.name}.${cache.region}:${REDIS_PORT}`;

/** Each namespace's share of keys the pattern matches. */
const sharesOf = (cache: CacheState, pattern: string) => {
  const matches = redisGlobMatcher(pattern);
  return cache.namespaces.map((ns) => matchingShare(ns.template, matches));
};

export class SimulatedCacheAdmin implements CacheAdminPort {
  constructor(private readonly fleet: SimulatedFleet) {}

  async estimateKeys(ref: CacheRef, pattern: string): Promise<KeyPatternEstimate> {
    const cache = this.requireCache(ref);
    const totalKeys = Math.floor(cache.keys);
    const matching = Math.min(totalKeys, Math.round(matchingKeys(cache, pattern, sharesOf(cache, pattern))));
    return { matching, exact: totalKeys === 0, totalKeys };
  }

  async invalidate(ref: CacheRef, pattern: string, onProgress: (progress: InvalidationProgress) => void, signal?: AbortSignal): Promise<InvalidationProgress> {
    const cache = this.requireCache(ref);
    if (signal?.aborted) return { scanned: 0, deleted: 0, done: false };
    const scanned = Math.floor(cache.keys);
    const deleted = Math.round(this.fleet.deleteCacheKeys(ref.cache, ref.region, pattern, sharesOf(cache, pattern)));
    const progress = { scanned, deleted, done: true };
    onProgress(progress);
    return progress;
  }

  async warmSources(ref: CacheRef): Promise<WarmSource[]> {
    const cache = this.cache(ref);
    if (cache === undefined) return [];
    return warmSourcesOf(cache.spec).map((source) => ({
      name: source.name,
      description: source.description,
      keys: source.listed ? this.hottestKeys(cache, source.namespace, source.hottestShare) : null,
    }));
  }

  async warm(ref: CacheRef, sourceName: string, onProgress: (progress: WarmProgress) => void, signal?: AbortSignal): Promise<WarmProgress> {
    const cache = this.requireCache(ref);
    const sources = warmSourcesOf(cache.spec);
    const source = sources.find((s) => s.name === sourceName);
    if (source === undefined) {
      throw new ActionRefused(`The ${cacheLabel(ref)} has no warm source ${sourceName}; its sources: ${sources.map((s) => s.name).join(", ") || "none"}`);
    }
    const total = this.hottestKeys(cache, source.namespace, source.hottestShare);
    if (signal?.aborted) return { loaded: 0, failed: 0, total, done: false };
    const namespace = cache.namespaces.findIndex((ns) => ns.template === source.namespace);
    this.fleet.loadCacheKeys(ref.cache, ref.region, namespace, total);
    const progress = { loaded: total, failed: 0, total, done: true };
    onProgress(progress);
    return progress;
  }

  async describePrimary(ref: CacheRef): Promise<CachePrimary | null> {
    const cache = this.cache(ref);
    if (cache === undefined) return null;
    const primary = cache.pods[cache.primaryIndex] ?? "";
    return {
      primary: addressOf(cache, primary),
      replicas: cache.pods.filter((pod) => pod !== primary).map((pod) => addressOf(cache, pod)),
      sentinels: SENTINELS,
      quorum: QUORUM,
      failoverPossible: true,
    };
  }

  async failover(ref: CacheRef): Promise<void> {
    this.requireCache(ref);
    this.fleet.failoverCache(ref.cache, ref.region);
  }

  private hottestKeys(cache: CacheState, template: string, share: number): number {
    const namespace = cache.namespaces.find((ns) => ns.template === template);
    return Math.round((namespace?.share ?? 0) * cache.spec.workingSetKeys * share);
  }

  private cache(ref: CacheRef): CacheState | undefined {
    return ref.environment === this.fleet.environment ? this.fleet.cacheState(ref.cache, ref.region) : undefined;
  }

  private requireCache(ref: CacheRef): CacheState {
    const cache = this.cache(ref);
    if (cache === undefined) throw new ActionRefused(`There is no ${cacheLabel(ref)}`);
    return cache;
  }
}
