// Warming a cache: each key of a source is fetched from the source's loader
// (`GET <loaderUrl>?key=<key>`, the body is the value) and SET on the primary, a few keys at a
// time. A key the loader cannot serve is counted as failed and the others go on: a warm-up is
// an optimisation, never a reason to stop.
//
// The keys are a list (in the configuration, or a file of one key a line), or "the hottest
// keys": the `count` keys of a sample the cache reads most, reloaded so that what is read most
// gets a fresh value first (after a fix in the data behind the cache, say, instead of a flush
// that would send every read to the backend at once). Hotness is what Redis keeps for eviction:
// the access-frequency counter (OBJECT FREQ) under an LFU maxmemory-policy, otherwise the time
// since the last access (OBJECT IDLETIME, lower is hotter). Neither command counts as an access.
// The sample is taken on the primary, whose counters see the reads that go to it.
import { readFile } from "node:fs/promises";
import type { Redis } from "ioredis";
import type { WarmProgress, WarmSource } from "../../domain/action-ports";
import { ActionRefused } from "../../domain/actions/kind";
import { mapWithConcurrency } from "../kafka/collect";
import type { RedisCacheConfig } from "./connection";
import { parseInfo } from "./info";
import { SCAN_STEP } from "./key-patterns";

export type WarmSourceConfig = NonNullable<RedisCacheConfig["warmSources"]>[string];

export interface WarmOptions {
  /** Loader requests in flight at once. */
  concurrency: number;
  /** Longest one loader request may take; a slower key counts as failed. */
  requestTimeoutMs: number;
  /** Progress is reported at most this often, and once more at the end. */
  progressIntervalMs: number;
  /** Longest the sample for the hottest keys may take. */
  hottestTimeBudgetMs: number;
  fetch: typeof fetch;
}

export const DEFAULT_WARM: Omit<WarmOptions, "fetch"> = { concurrency: 8, requestTimeoutMs: 10_000, progressIntervalMs: 1000, hottestTimeBudgetMs: 5000 };

/** Keys sampled to find the `count` hottest: ten times as many, at least 10,000, at most 200,000. */
function hottestSampleSize(count: number): number {
  return Math.min(200_000, Math.max(10_000, count * 10));
}

async function keysFromFile(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ActionRefused(`the key list ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); fix the file or the warm source's keysFile`);
  }
  return [...new Set(text.split(/\r?\n/).filter((line) => line !== ""))];
}

/** The listed keys (read from the file now), or null for the hottest keys, known only when sampled. */
export async function listedKeys(source: WarmSourceConfig): Promise<string[] | null> {
  if (source.keys) return [...new Set(source.keys)];
  if (source.keysFile) return keysFromFile(source.keysFile);
  return null;
}

export async function describeWarmSource(name: string, source: WarmSourceConfig): Promise<WarmSource> {
  const loader = new URL(source.loaderUrl).origin;
  const ttl = source.ttlSeconds ? `, kept ${source.ttlSeconds} s` : "";
  if (source.hottest) {
    return { name, description: `the ${source.hottest.count} hottest keys of the cache, reloaded from ${loader}${ttl}`, keys: null };
  }
  const from = source.keysFile ? `the keys listed in ${source.keysFile}` : "the keys listed in the configuration";
  try {
    const keys = await listedKeys(source);
    return { name, description: `${from}, loaded from ${loader}${ttl}`, keys: keys?.length ?? 0 };
  } catch (error) {
    // Listed with the reason, so the other sources stay usable and the page says what is wrong.
    return { name, description: `${from}, loaded from ${loader}${ttl}: ${(error as Error).message}`, keys: 0 };
  }
}

/** The `count` hottest keys among a sample of the keys of database 0, hottest first. */
export async function hottestKeys(client: Redis, count: number, timeBudgetMs: number, now: () => number = Date.now): Promise<string[]> {
  const policy = parseInfo(await client.info("memory")).get("maxmemory_policy") ?? "";
  const byFrequency = policy.includes("lfu");
  const sampleSize = hottestSampleSize(count);
  const deadline = now() + timeBudgetMs;
  const sampled = new Set<string>();
  let cursor = "0";
  do {
    const [next, keys] = await client.scanBuffer(cursor, "COUNT", SCAN_STEP);
    cursor = next.toString();
    for (const key of keys) {
      // The loader is asked by name: a key that is not UTF-8 text cannot be named in its URL.
      const text = key.toString("utf8");
      if (Buffer.byteLength(text) === key.length && !text.includes("\uFFFD")) sampled.add(text);
    }
  } while (cursor !== "0" && sampled.size < sampleSize && now() < deadline);

  const candidates = [...sampled];
  const heat = new Map<string, number>();
  for (let start = 0; start < candidates.length; start += 500) {
    const batch = candidates.slice(start, start + 500);
    const pipeline = client.pipeline();
    for (const key of batch) {
      if (byFrequency) pipeline.object("FREQ", key);
      else pipeline.object("IDLETIME", key);
    }
    const results = (await pipeline.exec()) ?? [];
    batch.forEach((key, index) => {
      const [error, value] = results[index] ?? [null, null];
      // An error: the key expired or was evicted since the scan.
      if (!error && typeof value === "number") heat.set(key, byFrequency ? value : -value);
    });
  }
  return [...heat.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, count)
    .map(([key]) => key);
}

/**
 * Loads each key from the loader and SETs it on the primary behind `client`, with the source's
 * TTL (without one a key keeps the TTL it had). Resolves with `done: false` when `signal`
 * aborts; keys loaded by then stay loaded.
 */
export async function loadKeys(
  client: Redis,
  keys: readonly string[],
  source: WarmSourceConfig,
  options: WarmOptions,
  onProgress: (progress: WarmProgress) => void,
  signal?: AbortSignal,
  now: () => number = Date.now,
): Promise<WarmProgress> {
  let loaded = 0;
  let failed = 0;
  let lastReport = Number.NEGATIVE_INFINITY;
  const report = (done: boolean): WarmProgress => {
    const progress = { loaded, failed, total: keys.length, done };
    onProgress(progress);
    lastReport = now();
    return progress;
  };

  const loadOne = async (key: string): Promise<void> => {
    const url = new URL(source.loaderUrl);
    url.searchParams.set("key", key);
    const timeout = AbortSignal.timeout(options.requestTimeoutMs);
    const response = await options.fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`the loader answered ${response.status} for ${key}`);
    }
    const value = Buffer.from(await response.arrayBuffer());
    if (source.ttlSeconds) await client.set(key, value, "EX", source.ttlSeconds);
    else await client.set(key, value, "KEEPTTL");
  };

  await mapWithConcurrency(keys, options.concurrency, async (key) => {
    if (signal?.aborted) return;
    try {
      await loadOne(key);
      loaded += 1;
    } catch {
      if (signal?.aborted) return;
      failed += 1;
    }
    if (now() - lastReport >= options.progressIntervalMs) report(false);
  });
  return report(!signal?.aborted && loaded + failed === keys.length);
}
