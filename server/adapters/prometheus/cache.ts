// The read path's short-term memory. Every viewer of every replica asks the same few queries
// (one per figure for the whole fleet), so:
// - a result is cached for about one scrape interval: Prometheus has nothing newer before that;
// - identical queries in flight at the same time become one request to Prometheus: in this
//   process through a promise map, across replicas through a Redis lock whose holder queries
//   while the others wait for its announcement (bounded; past it they query themselves);
// - the last good result of each query is kept much longer, and when Prometheus fails it is
//   returned marked stale with its age and the error, so pages show something true but old
//   with a banner instead of hanging or going blank. A failure is remembered for a short
//   while too, so a Prometheus that is down costs one timeout per interval, not one per viewer.
import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import { InProcessBackend, RedisBackend, type CacheBackend, type CacheRecord } from "./cache-backends";
import type { PrometheusClient, RequestOptions } from "./client";
import { PrometheusError, type PrometheusErrorSummary } from "./errors";
import { fitToPointLimit, type RangeWindow } from "./range";
import { vectorSamples, type Sample, type Series } from "./results";

export type CachedResult<T> =
  | { value: T; stale: false; fetchedAt: number; ageSeconds: number }
  | {
      value: T;
      stale: true;
      fetchedAt: number;
      ageSeconds: number;
      /** Why the data is not fresh. */
      error: PrometheusErrorSummary;
    };

export interface QueryCacheOptions {
  /** How long a result is served as fresh: the scrape interval. */
  ttlMs: number;
  /** How long the last good result is kept for stale answers. */
  staleTtlMs?: number;
  /** How long a failure is remembered (answered with stale data without asking again). */
  failureTtlMs?: number;
  /** Longest a query may hold the cross-replica lock: the Prometheus timeout plus a margin. */
  lockTtlMs?: number;
  /** Longest a replica waits for another's query before asking Prometheus itself. */
  waitForOtherReplicaMs?: number;
  /**
   * While the current interval's answer is being fetched, callers get the last good answer at
   * once if it is at most this old (its age says how old), instead of waiting for a slow
   * Prometheus. 0 (the default) makes every caller wait for the current interval's answer.
   */
  serveWhileRefreshingMs?: number;
  now?: () => number;
}

export interface QueryCacheStats {
  /** Calls of `get`. */
  requests: number;
  /** Answered from a record already in the cache. */
  hits: number;
  /** Joined a query already in flight in this process. */
  coalescedInProcess: number;
  /** Waited for another replica's query and used its record. */
  servedByOtherReplica: number;
  /** Requests that reached the fetch function (Prometheus). */
  fetches: number;
  /** Answers with stale data because of an error. */
  staleServed: number;
  /** Answered with the previous answer while the current one was being fetched. */
  servedWhileRefreshing: number;
}

/** Errors that say something about Prometheus's state, not about the question: stale data helps. */
function staleHelpsWith(error: PrometheusError): boolean {
  return error.kind !== "bad_query";
}

export class QueryCache {
  readonly stats: QueryCacheStats = { requests: 0, hits: 0, coalescedInProcess: 0, servedByOtherReplica: 0, fetches: 0, staleServed: 0, servedWhileRefreshing: 0 };
  readonly ttlMs: number;
  private readonly staleTtlMs: number;
  private readonly failureTtlMs: number;
  private readonly lockTtlMs: number;
  private readonly waitForOtherReplicaMs: number;
  private readonly serveWhileRefreshingMs: number;
  private readonly now: () => number;
  private readonly inFlight = new Map<string, Promise<CachedResult<unknown>>>();

  constructor(
    private readonly backend: CacheBackend,
    options: QueryCacheOptions,
  ) {
    if (!(options.ttlMs > 0)) throw new RangeError(`The cache TTL must be positive, got ${options.ttlMs} ms`);
    this.ttlMs = options.ttlMs;
    this.staleTtlMs = options.staleTtlMs ?? 60 * 60_000;
    this.failureTtlMs = options.failureTtlMs ?? options.ttlMs;
    this.lockTtlMs = options.lockTtlMs ?? 15_000;
    this.waitForOtherReplicaMs = options.waitForOtherReplicaMs ?? this.lockTtlMs;
    this.serveWhileRefreshingMs = options.serveWhileRefreshingMs ?? 0;
    this.now = options.now ?? Date.now;
  }

  get sharedAcrossProcesses(): boolean {
    return this.backend.shared;
  }

  /**
   * The record under `key`, or `fetch`'s result stored under it. `staleKey` names the query
   * without its time, so the last good answer can stand in for a failed one of a later time.
   */
  get<T>(key: string, staleKey: string, fetch: () => Promise<T>): Promise<CachedResult<T>> {
    this.stats.requests++;
    // Its own namespace: a caller's stale key can never hit a record of the fresh kind.
    const lastGoodKey = `last-good:${staleKey}`;
    let resolution = this.inFlight.get(key) as Promise<CachedResult<T>> | undefined;
    if (resolution) {
      this.stats.coalescedInProcess++;
    } else {
      resolution = this.resolve(key, lastGoodKey, fetch).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, resolution);
    }
    return this.serveWhileRefreshingMs > 0 ? this.answerWhileRefreshing(key, lastGoodKey, resolution) : resolution;
  }

  /** The current answer when there is one, else the previous one if young enough, else wait. */
  private async answerWhileRefreshing<T>(key: string, lastGoodKey: string, resolution: Promise<CachedResult<T>>): Promise<CachedResult<T>> {
    const current = await this.backend.read<T>(key);
    if (current) return this.answer(current, lastGoodKey);
    const previous = await this.backend.readStale<T>(lastGoodKey);
    if (!previous || this.now() - previous.fetchedAt > this.serveWhileRefreshingMs) return resolution;
    // The refresh goes on for the next caller; its failure is remembered, not thrown at nobody.
    resolution.catch(() => undefined);
    this.stats.servedWhileRefreshing++;
    return { value: previous.value, stale: false, fetchedAt: previous.fetchedAt, ageSeconds: this.ageSeconds(previous.fetchedAt) };
  }

  private async resolve<T>(key: string, staleKey: string, fetch: () => Promise<T>): Promise<CachedResult<T>> {
    const cached = await this.backend.read<T>(key);
    if (cached) {
      this.stats.hits++;
      return this.answer(cached, staleKey);
    }
    let token: string | null = null;
    if (this.backend.shared) {
      token = await this.backend.tryLock(key, this.lockTtlMs);
      if (token === null) {
        const outcome = await this.backend.waitFor(key, this.waitForOtherReplicaMs);
        const theirs = outcome === "settled" ? await this.backend.read<T>(key) : undefined;
        if (theirs) {
          this.stats.servedByOtherReplica++;
          return this.answer(theirs, staleKey);
        }
        // The other replica gave up, died, or is slower than we wait: ask Prometheus ourselves.
      } else {
        // Between our miss and our lock another replica may have finished the same query.
        const justWritten = await this.backend.read<T>(key);
        if (justWritten) {
          await this.backend.unlock(key, token);
          this.stats.servedByOtherReplica++;
          return this.answer(justWritten, staleKey);
        }
      }
    }
    try {
      return await this.fetchAndStore(key, staleKey, fetch);
    } finally {
      if (token !== null) await this.backend.unlock(key, token);
    }
  }

  private async fetchAndStore<T>(key: string, staleKey: string, fetch: () => Promise<T>): Promise<CachedResult<T>> {
    this.stats.fetches++;
    let record: CacheRecord<T>;
    try {
      record = { ok: true, value: await fetch(), fetchedAt: this.now() };
    } catch (error) {
      if (!(error instanceof PrometheusError) || !staleHelpsWith(error)) throw error;
      record = { ok: false, error: error.toSummary(), failedAt: this.now() };
    }
    const ttlMs = record.ok ? this.ttlMs : this.failureTtlMs;
    await this.backend.write(key, record, ttlMs, { key: staleKey, ttlMs: this.staleTtlMs });
    await this.backend.announce(key);
    return this.answer(record, staleKey);
  }

  private async answer<T>(record: CacheRecord<T>, staleKey: string): Promise<CachedResult<T>> {
    if (record.ok) return { value: record.value, stale: false, fetchedAt: record.fetchedAt, ageSeconds: this.ageSeconds(record.fetchedAt) };
    const lastGood = await this.backend.readStale<T>(staleKey);
    if (!lastGood) throw PrometheusError.fromSummary(record.error);
    this.stats.staleServed++;
    return { value: lastGood.value, stale: true, fetchedAt: lastGood.fetchedAt, ageSeconds: this.ageSeconds(lastGood.fetchedAt), error: record.error };
  }

  private ageSeconds(since: number): number {
    return Math.max(0, Math.round((this.now() - since) / 100) / 10);
  }

  async close(): Promise<void> {
    await this.backend.close();
  }
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("base64url").slice(0, 32);
}

export interface RangeValue {
  series: Series[];
  /** The window Prometheus was asked for (aligned, step within the point limit). */
  window: RangeWindow;
  warnings: string[];
}

/**
 * The Prometheus client behind the cache. An instant query is evaluated at the start of the
 * current cache interval rather than at "now", so everyone in that interval asks, and gets,
 * exactly the same thing; a range query's window is aligned to its step for the same reason.
 */
export class CachedPrometheus {
  constructor(
    readonly client: PrometheusClient,
    readonly cache: QueryCache,
    private readonly now: () => number = Date.now,
  ) {}

  /** Instant vector (a scalar becomes one sample without labels). */
  instant(promql: string, options?: RequestOptions): Promise<CachedResult<Sample[]>> {
    const time = Math.floor(this.now() / this.cache.ttlMs) * this.cache.ttlMs;
    const identity = `${this.client.baseUrl}\n${promql}`;
    return this.cache.get(`q:${digest(identity)}:${time}`, `q:${digest(identity)}`, async () =>
      vectorSamples(await this.client.query(promql, time, options)),
    );
  }

  range(promql: string, window: RangeWindow, options?: RequestOptions): Promise<CachedResult<RangeValue>> {
    const used = fitToPointLimit(window);
    const identity = `${this.client.baseUrl}\n${promql}\n${used.stepSeconds}`;
    return this.cache.get(
      `r:${digest(identity)}:${used.start}:${used.end}`,
      // The same chart (same length, same step) of a later moment stands in when Prometheus fails.
      `r:${digest(identity)}:${used.end - used.start}`,
      async () => {
        const { series, warnings } = await this.client.queryRange(promql, used, { ...options, exactWindow: true });
        return { series, warnings, window: used };
      },
    );
  }
}

export interface QueryCacheConfig extends Omit<QueryCacheOptions, "ttlMs"> {
  /** Prometheus's scrape interval: results are fresh for this long. */
  scrapeIntervalSeconds: number;
  /**
   * The client's per-query timeout. The cross-replica lock lasts a little longer, so other
   * replicas wait for a slow query instead of sending it again. Ignored when lockTtlMs is given.
   */
  queryTimeoutMs?: number;
  /** With it, the cache lives in Redis and is shared by every replica; without, in process. */
  redisUrl?: string;
  /** Or an existing connection (not closed by the cache). */
  redis?: Redis;
  keyPrefix?: string;
  onRedisError?: (error: unknown) => void;
}

/** A cache in Redis when one is configured, in process otherwise. */
export function createQueryCache(config: QueryCacheConfig): QueryCache {
  const { scrapeIntervalSeconds, queryTimeoutMs, redisUrl, redis, keyPrefix = "scaleplane:prometheus:", onRedisError, ...rest } = config;
  const options: QueryCacheOptions = { ...rest, ttlMs: scrapeIntervalSeconds * 1000, lockTtlMs: rest.lockTtlMs ?? (queryTimeoutMs === undefined ? undefined : queryTimeoutMs + 1000) };
  let backend: CacheBackend;
  if (redis) {
    backend = new RedisBackend(redis, { keyPrefix, onError: onRedisError });
  } else if (redisUrl) {
    // Fail fast while Redis is away; the cache then serves from Prometheus directly.
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    connection.on("error", (error: unknown) => onRedisError?.(error));
    backend = new RedisBackend(connection, { keyPrefix, onError: onRedisError, ownsConnection: true });
  } else {
    backend = new InProcessBackend(2000, options.now);
  }
  return new QueryCache(backend, options);
}
