// The query cache in process: coalescing, TTL intervals, stale answers and remembered failures.
// (Redis and the real Prometheus: tests/integration/prometheus-cache.test.ts.)
import { describe, expect, it } from "vitest";
import { deserialiseRecord, InProcessBackend, serialiseRecord } from "../../server/adapters/prometheus/cache-backends";
import { QueryCache } from "../../server/adapters/prometheus/cache";
import { PrometheusError } from "../../server/adapters/prometheus/errors";

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (milliseconds: number) => void (now += milliseconds) };
}

function cacheWith(clock: { now: () => number }, ttlMs = 5000) {
  return new QueryCache(new InProcessBackend(100, clock.now), { ttlMs, staleTtlMs: 60_000, now: clock.now });
}

/** A fetch that resolves when told to, counting its calls. */
function controllableFetch<T>() {
  let calls = 0;
  let release: (value: T) => void = () => {};
  let fail: (error: unknown) => void = () => {};
  return {
    get calls() {
      return calls;
    },
    fetch: () => {
      calls++;
      return new Promise<T>((resolve, reject) => {
        release = resolve;
        fail = reject;
      });
    },
    release: (value: T) => release(value),
    fail: (error: unknown) => fail(error),
  };
}

describe("query cache (in process)", () => {
  it("runs concurrent identical queries once and gives every caller the result", async () => {
    const clock = fakeClock();
    const cache = cacheWith(clock);
    const source = controllableFetch<number>();
    const waiting = Array.from({ length: 50 }, () => cache.get("k", "stale:k", source.fetch));
    await Promise.resolve();
    source.release(42);
    const results = await Promise.all(waiting);
    expect(source.calls).toBe(1);
    expect(results.every((result) => result.value === 42 && !result.stale)).toBe(true);
    expect(cache.stats).toMatchObject({ requests: 50, fetches: 1, coalescedInProcess: 49 });
  });

  it("serves the result until the TTL ends", async () => {
    const clock = fakeClock();
    const cache = cacheWith(clock);
    let calls = 0;
    const fetch = async () => ++calls;
    expect((await cache.get("k", "s", fetch)).value).toBe(1);
    clock.advance(4000);
    expect(await cache.get("k", "s", fetch)).toMatchObject({ value: 1, ageSeconds: 4 });
    clock.advance(1000);
    expect((await cache.get("k", "s", fetch)).value).toBe(2);
  });

  it("answers with the last good result, marked stale with its age, when the query fails", async () => {
    const clock = fakeClock();
    const cache = cacheWith(clock);
    await cache.get("q@1", "q", async () => "good");
    clock.advance(12_000);
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new PrometheusError("unavailable", "Prometheus at http://p refused the connection (is it running?)");
    };
    const result = await cache.get("q@2", "q", failing);
    expect(result).toEqual({
      value: "good",
      stale: true,
      fetchedAt: 1_000_000,
      ageSeconds: 12,
      error: { kind: "unavailable", message: "Prometheus at http://p refused the connection (is it running?)" },
    });
    // Remembered: the next callers in the interval do not wait for Prometheus again.
    await cache.get("q@2", "q", failing);
    expect(calls).toBe(1);
    expect(cache.stats.staleServed).toBe(2);
  });

  it("throws when there is no good result to fall back on, and for a bad query", async () => {
    const cache = cacheWith(fakeClock());
    await expect(cache.get("a", "a", async () => Promise.reject(new PrometheusError("timeout", "slow")))).rejects.toMatchObject({ kind: "timeout", message: "slow" });
    await cache.get("b@1", "b", async () => 1);
    await expect(cache.get("b@2", "b", async () => Promise.reject(new PrometheusError("bad_query", "parse error")))).rejects.toMatchObject({ kind: "bad_query" });
    await expect(cache.get("c", "c", async () => Promise.reject(new Error("a bug")))).rejects.toThrow("a bug");
  });

  it("forgets stale results after their own, longer TTL, and the oldest entries past its size", async () => {
    const clock = fakeClock();
    const cache = cacheWith(clock);
    await cache.get("q@1", "q", async () => "good");
    clock.advance(61_000);
    await expect(cache.get("q@2", "q", async () => Promise.reject(new PrometheusError("unavailable", "down")))).rejects.toMatchObject({ kind: "unavailable" });
    const backend = new InProcessBackend(3, clock.now);
    for (const key of ["a", "b", "c", "d"]) await backend.write(key, { ok: true, value: key, fetchedAt: 0 }, 60_000);
    expect(await backend.read("a")).toBeUndefined();
    expect(await backend.read("d")).toMatchObject({ value: "d" });
  });

  it("serialises NaN and infinities for Redis, which JSON cannot hold", () => {
    const record = { ok: true, value: [{ labels: { le: "+Inf" }, value: Number.NaN }, { labels: {}, value: Number.POSITIVE_INFINITY }, { labels: {}, value: -Infinity }, { labels: {}, value: 1.5 }], fetchedAt: 1 };
    expect(deserialiseRecord(serialiseRecord(record))).toEqual(record);
    expect(deserialiseRecord(serialiseRecord({ ok: true, value: [1, 2], fetchedAt: 1 }))).toEqual({ ok: true, value: [1, 2], fetchedAt: 1 });
  });

  it("while refreshing, answers at once with the previous interval's answer if it is young enough", async () => {
    const clock = fakeClock();
    const cache = new QueryCache(new InProcessBackend(100, clock.now), { ttlMs: 5000, staleTtlMs: 60_000, serveWhileRefreshingMs: 12_000, now: clock.now });
    expect((await cache.get("t0", "s", async () => 1)).value).toBe(1);
    clock.advance(5000);
    const slow = controllableFetch<number>();
    // The next interval: Prometheus is slow, the caller is not kept waiting.
    expect(await cache.get("t1", "s", slow.fetch)).toMatchObject({ value: 1, stale: false, ageSeconds: 5 });
    expect(await cache.get("t1", "s", slow.fetch)).toMatchObject({ value: 1, stale: false });
    expect(slow.calls).toBe(1); // one refresh, however many callers
    slow.release(2);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(await cache.get("t1", "s", slow.fetch)).toMatchObject({ value: 2, stale: false, ageSeconds: 0 });
    expect(cache.stats.servedWhileRefreshing).toBe(2);
  });

  it("while refreshing, waits when the previous answer is too old, and a failed refresh then shows as stale", async () => {
    const clock = fakeClock();
    const cache = new QueryCache(new InProcessBackend(100, clock.now), { ttlMs: 5000, staleTtlMs: 60_000, serveWhileRefreshingMs: 12_000, now: clock.now });
    await cache.get("t0", "s", async () => 1);
    clock.advance(15_000);
    const failing = controllableFetch<number>();
    const waiting = cache.get("t3", "s", failing.fetch);
    await new Promise((resolve) => setTimeout(resolve, 0));
    failing.fail(new PrometheusError("unavailable", "Prometheus is down"));
    expect(await waiting).toMatchObject({ value: 1, stale: true, ageSeconds: 15, error: { kind: "unavailable" } });
    expect(cache.stats.servedWhileRefreshing).toBe(0);
  });
});
