// A Redis cache in one region, as the cache kinds name it.
import type { ActionPorts, CachePrimary, CacheRef } from "../action-ports";
import { ActionRefused } from "./kind";
import { dnsLabel } from "./names";

export const cacheFields = { region: dnsLabel, cache: dnsLabel };

export interface CacheParams {
  region: string;
  cache: string;
}

export const cacheRef = (params: CacheParams, environment: string): CacheRef => ({ environment, region: params.region, cache: params.cache });

/** A cache belongs to no service namespace: its actions are scoped to `redis.<cache>`. */
export const cacheTarget = (params: CacheParams, environment: string) => ({ environment, namespace: `redis.${params.cache}`, name: params.cache });

export const cacheLabel = (ref: CacheParams) => `cache ${ref.cache} in ${ref.region}`;

/** The cache's primary and Sentinels; refuses a cache the environment does not have. */
export async function requireCache(ports: ActionPorts, ref: CacheRef): Promise<CachePrimary> {
  const primary = await ports.caches.describePrimary(ref);
  if (!primary) throw new ActionRefused(`${cacheLabel(ref)} not found in ${ref.environment}`);
  return primary;
}
