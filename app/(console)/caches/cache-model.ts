// What the cache pages derive from the router's answer: links, ratios, and which verdict
// reason is about which figure (so that figure can be marked where it is shown).

/** The cache page of one region; the same route as entityHref.cache in server/domain/fleet-verdicts.ts. */
export function cacheHref(name: string, region?: string | null): string {
  const path = `/caches/${encodeURIComponent(name)}`;
  return region ? `${path}?region=${encodeURIComponent(region)}` : path;
}

/** Memory used / maxmemory; NaN when there is no limit (maxmemory 0). */
export function memoryRatio(cache: { memoryUsedBytes: number; memoryMaxBytes: number }): number {
  return cache.memoryMaxBytes > 0 ? cache.memoryUsedBytes / cache.memoryMaxBytes : Number.NaN;
}

/**
 * Reasons by the figure they judge. They follow the sentences of cacheHealth in
 * server/domain/health/datastores.ts ("hit ratio 42% < 80%", "memory 97% of 1 GiB > 90%",
 * "evicting 120 keys/s > 100 keys/s").
 */
export const reasonAbout = {
  hitRatio: (reason: string) => reason.startsWith("hit ratio"),
  memory: (reason: string) => reason.startsWith("memory"),
  evictions: (reason: string) => reason.startsWith("evicting"),
};

/** Numbers compared for sorting, with NaN (a figure that is 0/0) below every number. */
export function compareNumbers(a: number, b: number): number {
  const x = Number.isNaN(a) ? -Infinity : a;
  const y = Number.isNaN(b) ? -Infinity : b;
  return x === y ? 0 : x < y ? -1 : 1;
}
