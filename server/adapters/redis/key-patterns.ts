// Counting and deleting the keys a glob pattern matches without stopping the server: SCAN walks
// the keyspace a bounded step at a time (KEYS would walk all of it in one command, and every
// other client would wait for it), and the keys found are UNLINKed a batch at a time, with a
// pause after each batch so the commands of other clients are served in between. UNLINK frees
// large values in a background thread, where DEL would free them in the command itself.
import type { Redis } from "ioredis";
import type { InvalidationProgress, KeyPatternEstimate } from "../../domain/action-ports";
import { redisGlobMatcher } from "./glob";

export interface KeyCountOptions {
  /** Up to this many keys (DBSIZE) every key is visited and the count is exact. */
  exactCountLimit: number;
  /** Above it, this many keys are sampled and the share matching is scaled up to DBSIZE. */
  sampleSize: number;
  /** Longest the sample may take; a smaller sample is scaled up when it runs out. */
  sampleTimeBudgetMs: number;
}

export const DEFAULT_KEY_COUNT: KeyCountOptions = { exactCountLimit: 50_000, sampleSize: 20_000, sampleTimeBudgetMs: 2000 };

/**
 * How hard an invalidation may press on the server. A command holds the server for its whole
 * run, so the batch size bounds how long another client's command can wait behind one of ours
 * (tests/bench/README.md: SCAN MATCH and UNLINK each take about 1 µs a key, 0.2–0.4 ms at 200
 * keys); the pause after each batch leaves the server, and the machine's CPUs, to the other
 * clients in between. Batches of 1,000 back to back doubled the other clients' p99 (to 7 ms and
 * more) where these defaults kept it at its baseline.
 */
export interface InvalidationPacing {
  /** SCAN's COUNT, and the most keys one UNLINK names. */
  batchSize: number;
  /** The least pause after each batch. */
  pauseMs: number;
  /**
   * The most of the wall time the batches may take: after a batch that took t ms (round trips
   * included) the pause is at least t × (1 / duty − 1), so a busy server or machine, which makes
   * the batches slower, is given more room.
   */
  duty: number;
  /** Progress is reported at most this often, and once more at the end. */
  progressIntervalMs: number;
}

export const DEFAULT_INVALIDATION_PACING: InvalidationPacing = { batchSize: 200, pauseMs: 1, duty: 0.25, progressIntervalMs: 1000 };

/** SCAN's COUNT when counting or sampling: each step stays a short command (well under a millisecond). */
export const SCAN_STEP = 500;

/** A pattern without wildcards or escapes names one key. */
function literalKey(pattern: string): string | null {
  return /[*?[\\]/.test(pattern) ? null : pattern;
}

/**
 * Keys matching `pattern` in database 0 of the instance behind `client`: counted by SCAN MATCH
 * when the database holds at most `exactCountLimit` keys, otherwise estimated from a SCAN
 * sample (SCAN visits the hash table in an order unrelated to key names, so its first keys are
 * a fair sample of all of them).
 */
export async function countKeysMatching(client: Redis, pattern: string, options: KeyCountOptions, now: () => number = Date.now): Promise<KeyPatternEstimate> {
  const literal = literalKey(pattern);
  if (literal !== null) {
    const [matching, totalKeys] = await Promise.all([client.exists(literal), client.dbsize()]);
    return { matching, exact: true, totalKeys };
  }
  const totalKeys = await client.dbsize();
  if (totalKeys <= options.exactCountLimit) {
    // SCAN may return a key twice (when the table is resized meanwhile): count it once.
    const seen = new Set<string>();
    let cursor = "0";
    do {
      const [next, keys] = await client.scanBuffer(cursor, "MATCH", pattern, "COUNT", SCAN_STEP);
      cursor = next.toString();
      for (const key of keys) seen.add(key.toString("latin1"));
    } while (cursor !== "0");
    return { matching: seen.size, exact: true, totalKeys: Math.max(totalKeys, seen.size) };
  }

  const matches = redisGlobMatcher(pattern);
  const deadline = now() + options.sampleTimeBudgetMs;
  const sampled = new Map<string, boolean>();
  let cursor = "0";
  do {
    const [next, keys] = await client.scanBuffer(cursor, "COUNT", SCAN_STEP);
    cursor = next.toString();
    for (const key of keys) sampled.set(key.toString("latin1"), matches(key));
  } while (cursor !== "0" && sampled.size < options.sampleSize && now() < deadline);
  const matchingInSample = [...sampled.values()].filter(Boolean).length;
  if (cursor === "0") return { matching: matchingInSample, exact: true, totalKeys: Math.max(totalKeys, sampled.size) };
  const share = sampled.size > 0 ? matchingInSample / sampled.size : 0;
  return { matching: Math.round(share * totalKeys), exact: false, totalKeys };
}

export class InvalidationInterrupted extends Error {
  override readonly name = "InvalidationInterrupted";

  constructor(
    message: string,
    readonly progress: InvalidationProgress,
  ) {
    super(message);
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Deletes the keys matching `pattern` on the primary behind `client`, a SCAN step and an UNLINK
 * at a time. Resolves with `done: false` when `signal` aborts (what was deleted stays deleted;
 * running it again finishes the rest). A failure mid-way throws InvalidationInterrupted with
 * the progress so far.
 */
export async function unlinkMatching(
  client: Redis,
  pattern: string,
  pacing: InvalidationPacing,
  onProgress: (progress: InvalidationProgress) => void,
  signal?: AbortSignal,
  now: () => number = Date.now,
): Promise<InvalidationProgress> {
  let scanned = 0;
  let deleted = 0;
  let cursor = "0";
  let lastReport = Number.NEGATIVE_INFINITY;
  const report = (done: boolean): InvalidationProgress => {
    const progress = { scanned, deleted, done };
    onProgress(progress);
    lastReport = now();
    return progress;
  };
  try {
    do {
      if (signal?.aborted) return report(false);
      const batchStarted = performance.now();
      const [next, keys] = await client.scanBuffer(cursor, "MATCH", pattern, "COUNT", pacing.batchSize);
      cursor = next.toString();
      scanned += keys.length;
      for (let start = 0; start < keys.length; start += pacing.batchSize) {
        deleted += await client.unlink(keys.slice(start, start + pacing.batchSize));
      }
      if (now() - lastReport >= pacing.progressIntervalMs) report(false);
      const batchMs = performance.now() - batchStarted;
      if (cursor !== "0") await pause(Math.max(pacing.pauseMs, batchMs * (1 / pacing.duty - 1)), signal);
    } while (cursor !== "0");
  } catch (error) {
    throw new InvalidationInterrupted((error as Error).message, { scanned, deleted, done: false });
  }
  return report(true);
}
