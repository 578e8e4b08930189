// Where cached query results live: in this process, or in Redis, where every replica of the
// app sees them and where a lock lets one replica query Prometheus while the others wait
// for its answer.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { PrometheusErrorSummary } from "./errors";

/** What the cache keeps under a query's key: a result, or the failure that stands for one. */
export type CacheRecord<T> =
  | { ok: true; value: T; fetchedAt: number }
  | { ok: false; error: PrometheusErrorSummary; failedAt: number };

export interface GoodResult<T> {
  value: T;
  fetchedAt: number;
}

/** How waiting for another replica's query ended. */
export type WaitOutcome = "settled" | "gave_up";

export interface CacheBackend {
  /** Shared between processes: a lock and a wait are worth their round trips. */
  readonly shared: boolean;
  read<T>(key: string): Promise<CacheRecord<T> | undefined>;
  /** Stores the record under `key` for `ttlMs`, and a good result also under `staleKey` for `staleTtlMs`. */
  write<T>(key: string, record: CacheRecord<T>, ttlMs: number, stale?: { key: string; ttlMs: number }): Promise<void>;
  readStale<T>(staleKey: string): Promise<GoodResult<T> | undefined>;
  /** A token when this caller may query Prometheus for `key`; null while another holds the lock. */
  tryLock(key: string, ttlMs: number): Promise<string | null>;
  unlock(key: string, token: string): Promise<void>;
  /** Tells the waiters that `key` has a record now. */
  announce(key: string): Promise<void>;
  /** Resolves when `key` has a record or its lock is gone ("settled"), or after `timeoutMs` ("gave_up"). */
  waitFor(key: string, timeoutMs: number): Promise<WaitOutcome>;
  close(): Promise<void>;
}

interface Expiring {
  expiresAt: number;
  record: unknown;
}

/**
 * One process's cache. Values are kept as objects, not serialised: callers must treat results
 * as read-only. Bounded: past `maxEntries` the oldest entries go first.
 */
export class InProcessBackend implements CacheBackend {
  readonly shared = false;
  private readonly entries = new Map<string, Expiring>();

  constructor(
    private readonly maxEntries = 2000,
    private readonly now: () => number = Date.now,
  ) {}

  async read<T>(key: string): Promise<CacheRecord<T> | undefined> {
    return this.get(key) as CacheRecord<T> | undefined;
  }

  async write<T>(key: string, record: CacheRecord<T>, ttlMs: number, stale?: { key: string; ttlMs: number }): Promise<void> {
    this.set(key, record, ttlMs);
    if (stale && record.ok) this.set(stale.key, { value: record.value, fetchedAt: record.fetchedAt } satisfies GoodResult<T>, stale.ttlMs);
  }

  async readStale<T>(staleKey: string): Promise<GoodResult<T> | undefined> {
    return this.get(staleKey) as GoodResult<T> | undefined;
  }

  // In one process the promise map in QueryCache already makes identical queries wait for one.
  async tryLock(): Promise<string | null> {
    return "in-process";
  }

  async unlock(): Promise<void> {}

  async announce(): Promise<void> {}

  async waitFor(): Promise<WaitOutcome> {
    return "settled";
  }

  async close(): Promise<void> {
    this.entries.clear();
  }

  private get(key: string): unknown {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.record;
  }

  private set(key: string, record: unknown, ttlMs: number): void {
    this.entries.delete(key); // re-inserting moves it to the young end of the Map's order
    this.entries.set(key, { expiresAt: this.now() + ttlMs, record });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }
}

// JSON has no NaN or Infinity, and Prometheus results contain both (0/0 ratios, +Inf buckets).
const NON_FINITE_MARKER = "$nonFinite";

function encodeNonFinite(_key: string, value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) {
    return { [NON_FINITE_MARKER]: Number.isNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf" };
  }
  return value;
}

function decodeNonFinite(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === "object" && NON_FINITE_MARKER in value) {
    const marker = (value as Record<string, unknown>)[NON_FINITE_MARKER];
    return marker === "NaN" ? Number.NaN : marker === "+Inf" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }
  return value;
}

export function serialiseRecord(record: unknown): string {
  return JSON.stringify(record, encodeNonFinite);
}

export function deserialiseRecord(text: string): unknown {
  // The reviver costs a call per node; most results have no non-finite value and skip it.
  return text.includes(NON_FINITE_MARKER) ? JSON.parse(text, decodeNonFinite) : JSON.parse(text);
}

const RELEASE_LOCK_SCRIPT = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

export interface RedisBackendOptions {
  /** Every key and the pub/sub channel start with it; one prefix per app (and per test). */
  keyPrefix: string;
  /** A waiter checks Redis this often too, in case a pub/sub message was lost in a reconnect. */
  pollIntervalMs?: number;
  /** A Redis command slower than this counts as failed: the cache then works without Redis. */
  commandTimeoutMs?: number;
  /** Called when Redis fails; the cache goes on without it (queries go straight to Prometheus). */
  onError?: (error: unknown) => void;
  /** Quit `redis` on close: the backend made the connection. */
  ownsConnection?: boolean;
}

/** A connection in these states would only queue commands; skip Redis until it is back. */
const REDIS_AWAY = new Set(["reconnecting", "close", "end"]);

/**
 * Results in Redis (JSON with a PX expiry), a SET NX PX lock per key, and one pub/sub channel on
 * which a replica announces the keys it has just filled. A waiter needs its own connection
 * for the subscription (a subscribed connection can run no other command), made on first need.
 */
export class RedisBackend implements CacheBackend {
  readonly shared = true;
  private readonly channel: string;
  private readonly pollIntervalMs: number;
  private readonly commandTimeoutMs: number;
  private subscriber: Redis | undefined;
  private subscribed: Promise<void> | undefined;
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisBackendOptions,
  ) {
    this.channel = `${options.keyPrefix}announce`;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 1000;
  }

  private key(name: string): string {
    return `${this.options.keyPrefix}${name}`;
  }

  private lockKey(name: string): string {
    return `${this.options.keyPrefix}lock:${name}`;
  }

  /** Redis trouble must not take pages down with it: a failed command is a miss. */
  private async attempt<T>(operation: () => Promise<T>, fallback: T): Promise<T> {
    if (REDIS_AWAY.has(this.redis.status)) return fallback;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        operation(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`Redis did not answer within ${this.commandTimeoutMs} ms`)), this.commandTimeoutMs);
        }),
      ]);
    } catch (error) {
      this.options.onError?.(error);
      return fallback;
    } finally {
      clearTimeout(timer);
    }
  }

  async read<T>(key: string): Promise<CacheRecord<T> | undefined> {
    const text = await this.attempt(() => this.redis.get(this.key(key)), null);
    return text === null ? undefined : (deserialiseRecord(text) as CacheRecord<T>);
  }

  async write<T>(key: string, record: CacheRecord<T>, ttlMs: number, stale?: { key: string; ttlMs: number }): Promise<void> {
    await this.attempt(async () => {
      const pipeline = this.redis.multi().set(this.key(key), serialiseRecord(record), "PX", Math.max(1, Math.round(ttlMs)));
      if (stale && record.ok) {
        const good: GoodResult<T> = { value: record.value, fetchedAt: record.fetchedAt };
        pipeline.set(this.key(stale.key), serialiseRecord(good), "PX", Math.max(1, Math.round(stale.ttlMs)));
      }
      await pipeline.exec();
    }, undefined);
  }

  async readStale<T>(staleKey: string): Promise<GoodResult<T> | undefined> {
    const text = await this.attempt(() => this.redis.get(this.key(staleKey)), null);
    return text === null ? undefined : (deserialiseRecord(text) as GoodResult<T>);
  }

  async tryLock(key: string, ttlMs: number): Promise<string | null> {
    const token = randomUUID();
    // Without Redis nobody can coordinate: query Prometheus as if the lock were ours.
    const answer = await this.attempt(() => this.redis.set(this.lockKey(key), token, "PX", Math.max(1, Math.round(ttlMs)), "NX"), "OK" as const);
    return answer === "OK" ? token : null;
  }

  async unlock(key: string, token: string): Promise<void> {
    await this.attempt(() => this.redis.eval(RELEASE_LOCK_SCRIPT, 1, this.lockKey(key), token), 0);
  }

  async announce(key: string): Promise<void> {
    await this.attempt(() => this.redis.publish(this.channel, key), 0);
  }

  async waitFor(key: string, timeoutMs: number): Promise<WaitOutcome> {
    const deadline = Date.now() + timeoutMs;
    const woken = this.register(key);
    try {
      await this.attempt(() => this.subscribe(), undefined);
      for (;;) {
        // Checked after subscribing, so a record written just before is not missed.
        if (await this.settled(key)) return "settled";
        const remaining = deadline - Date.now();
        if (remaining <= 0) return "gave_up";
        await Promise.race([woken.promise, delay(Math.min(this.pollIntervalMs, remaining))]);
      }
    } finally {
      woken.dispose();
    }
  }

  /** A record is there, or nobody holds the lock any more (the winner gave up or died). */
  private async settled(key: string): Promise<boolean> {
    const answers = await this.attempt(() => this.redis.multi().exists(this.key(key)).exists(this.lockKey(key)).exec(), null);
    if (!answers) return true; // Redis is failing: stop waiting, query Prometheus directly
    const [recordExists, lockExists] = answers.map(([, count]) => count);
    return recordExists === 1 || lockExists === 0;
  }

  private register(key: string): { promise: Promise<void>; dispose: () => void } {
    let wake: () => void = () => {};
    const promise = new Promise<void>((resolve) => {
      wake = resolve;
    });
    const set = this.waiters.get(key) ?? new Set();
    set.add(wake);
    this.waiters.set(key, set);
    return {
      promise,
      dispose: () => {
        set.delete(wake);
        if (set.size === 0) this.waiters.delete(key);
      },
    };
  }

  private subscribe(): Promise<void> {
    this.subscribed ??= (async () => {
      const subscriber = this.redis.duplicate();
      this.subscriber = subscriber;
      subscriber.on("error", (error: unknown) => this.options.onError?.(error));
      subscriber.on("message", (channel: string, key: string) => {
        if (channel !== this.channel) return;
        for (const wake of this.waiters.get(key) ?? []) wake();
      });
      await subscriber.subscribe(this.channel);
    })().catch((error: unknown) => {
      this.subscribed = undefined; // try again on the next wait
      throw error;
    });
    return this.subscribed;
  }

  async close(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    this.subscribed = undefined;
    if (subscriber) await subscriber.quit().catch(() => subscriber.disconnect());
    if (this.options.ownsConnection) await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Removes every key under a prefix with SCAN + DEL in batches (never KEYS, which blocks Redis). */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== "0");
}
