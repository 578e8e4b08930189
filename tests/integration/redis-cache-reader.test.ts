// The Redis cache reader against a real primary and replica (Sentinels watching them), configured
// by endpoints: figures checked against what the test did to the instances and against Redis's
// own accounting.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "@/server/config/schema";
import { RedisCacheReader, type RedisCacheReaderOptions } from "@/server/adapters/redis/cache-reader";
import { cachesFrom, redisCacheReadersFor } from "@/server/adapters/redis/from-config";
import type { KeyspaceBreakdown } from "@/server/adapters/redis/types";
import { freePort, waitUntil } from "../helpers/prometheus";
import { startTestRedisSet, type TestRedisSet } from "../helpers/redis-servers";

let set: TestRedisSet;
let primary: Redis;
let replica: Redis;
const readers: RedisCacheReader[] = [];

function connect(address: string): Redis {
  const [host, port] = address.split(":");
  const client = new Redis({ host, port: Number(port), maxRetriesPerRequest: 1 });
  // The last test kills the primary; this client's reconnect attempts are expected to fail.
  client.on("error", () => undefined);
  return client;
}

function reader(options: Partial<RedisCacheReaderOptions> = {}): RedisCacheReader {
  const created = new RedisCacheReader({
    environment: "test",
    region: "local",
    cluster: "sessions",
    connection: { kind: "redis", endpoints: [set.primary, set.replica], tls: false },
    // The tests refresh and sample when they choose; one test checks the background on its own.
    refreshIntervalMs: 600_000,
    keyspace: { intervalMs: 0 },
    ...options,
  });
  readers.push(created);
  return created;
}

async function infoField(client: Redis, section: string, field: string): Promise<number> {
  const line = (await client.info(section)).split("\r\n").find((entry) => entry.startsWith(`${field}:`));
  return Number(line?.slice(field.length + 1));
}

/** Empties the test primary (never the machine's shared Redis) and waits until the replica has too. */
async function emptyCache(): Promise<void> {
  await primary.flushall();
  await primary.wait(1, 5000);
}

async function writeKeys(prefix: string, count: number, valueBytes: number): Promise<void> {
  const value = "v".repeat(valueBytes);
  for (let start = 0; start < count; start += 500) {
    const pipeline = primary.pipeline();
    for (let i = start; i < Math.min(count, start + 500); i++) pipeline.set(`${prefix}${i}`, value);
    await pipeline.exec();
  }
}

beforeAll(async () => {
  set = await startTestRedisSet();
  primary = connect(set.primary);
  replica = connect(set.replica);
});

afterAll(async () => {
  await Promise.all(readers.map((r) => r.close()));
  primary?.disconnect();
  replica?.disconnect();
  await set?.stop();
});

describe("RedisCacheReader on a primary and a replica", () => {
  it("reads every instance with its role, the replication link and the memory limit", async () => {
    const cache = reader();
    await primary.set("probe", "1");
    await primary.wait(1, 5000);
    await cache.refresh();
    const { value: detail, stale } = await cache.detail();
    const clientsAfter = await infoField(primary, "clients", "connected_clients");

    expect(stale).toBe(false);
    expect(detail.stats.instances).toEqual([
      { pod: set.primary, role: "primary", up: true },
      { pod: set.replica, role: "replica", up: true },
    ]);
    expect(detail.stats).toMatchObject({ environment: "test", region: "local", cluster: "sessions", memoryMaxBytes: set.maxmemoryBytes });
    expect(detail.memoryPolicy).toBe("allkeys-lru");
    expect(detail.stats.connectedClients).toBe(clientsAfter);
    expect(detail.replication.primary).toBe(set.primary);
    expect(detail.replication.connectedReplicas).toBe(1);
    expect(detail.replication.replicas).toHaveLength(1);
    expect(detail.replication.replicas[0]).toMatchObject({ address: set.replica, state: "online", linkStatus: "up" });
    // The primary streams Sentinel hellos to the replica all the time; acknowledged once a second.
    expect(detail.replication.replicas[0]?.lagBytes).toBeLessThan(64 * 1024);
    expect(detail.instances[1]?.figures?.masterLinkStatus).toBe("up");
    expect(detail.instances[0]?.figures?.redisVersion).toMatch(/^\d+\.\d+/);
    expect(detail.sentinel).toBeNull();
  });

  it("builds one reader per configured cache and answers them all as the port's caches()", async () => {
    const config = configSchema.parse({
      version: 1,
      environments: {
        staging: {
          source: "simulator",
          regions: {
            "eu-west": { clusters: { sessions: { kind: "redis", endpoints: [set.primary, set.replica] }, events: { kind: "kafka", brokers: ["127.0.0.1:9"] } } },
            "us-east": { clusters: { carts: { kind: "redis", endpoints: [set.primary] } } },
          },
        },
      },
    });
    const staging = config.environments.staging;
    if (!staging) throw new Error("the parsed configuration lost its environment");
    const configured = redisCacheReadersFor("staging", staging, { keyspace: { intervalMs: 0 } });
    readers.push(...configured);
    const answer = await cachesFrom(configured);
    expect(answer.stale).toBe(false);
    expect(answer.value.map((stats) => [stats.environment, stats.region, stats.cluster, stats.instances.length])).toEqual([
      ["staging", "eu-west", "sessions", 2],
      ["staging", "us-east", "carts", 1],
    ]);
    expect((await cachesFrom(configured, "production")).value).toEqual([]);
  });

  it("computes the hit ratio exactly from the lookups between two refreshes", async () => {
    await emptyCache();
    await writeKeys("hr:", 40, 16);
    const cache = reader();
    await cache.refresh();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 30; i++) await primary.get(`hr:${i}`); // 90 hits
      for (let i = 0; i < 10; i++) await primary.get(`hr:missing:${round}:${i}`); // 30 misses
    }
    await cache.refresh();
    const { value } = await cache.detail();
    expect(value.stats.hitRatio).toBe(0.75);
    expect(value.hitRatioBasis).toBe("interval");
    expect(value.ratesBasis).toBe("interval");
    expect(value.intervalSeconds).toBeGreaterThan(0);
    expect(value.lookupsPerSecond * (value.intervalSeconds ?? 0)).toBeCloseTo(120, 6);
  });

  it("answers the cumulative hit ratio before it has two refreshes", async () => {
    await primary.config("RESETSTAT");
    await replica.config("RESETSTAT");
    for (let i = 0; i < 10; i++) await primary.get(`hr:${i}`);
    for (let i = 0; i < 30; i++) await replica.get(`hr:missing:${i}`);
    const { value } = await reader().detail();
    // Hits and misses of every instance count: replicas serve reads too.
    expect(value.stats.hitRatio).toBe(0.25);
    expect(value.hitRatioBasis).toBe("cumulative");
    expect(value.ratesBasis).toBe("since-start");
  });

  it("counts keys and memory as Redis accounts them, and commands per second from the primary's counter", async () => {
    await emptyCache();
    await writeKeys("mem:", 1000, 1024);
    await primary.wait(1, 5000);
    const cache = reader();
    await cache.refresh();
    for (let i = 0; i < 2000; i++) void primary.ping();
    await primary.ping();
    await cache.refresh();
    const { value } = await cache.detail();
    const usedMemory = await infoField(primary, "memory", "used_memory");

    expect(value.stats.keys).toBe(1000);
    expect(value.instances[1]?.figures?.keys).toBe(1000);
    expect(value.stats.memoryUsedBytes).toBeGreaterThan(1000 * 1024);
    // Between the reader's INFO and the test's, only client buffers move.
    expect(Math.abs(value.stats.memoryUsedBytes - usedMemory)).toBeLessThan(0.05 * usedMemory);
    // 2,001 pings, plus what the replica and the three Sentinels send every second.
    const commands = value.stats.opsPerSecond * (value.intervalSeconds ?? 0);
    expect(commands).toBeGreaterThanOrEqual(2001);
    expect(commands).toBeLessThan(2001 + 30 * (value.intervalSeconds ?? 0) + 20);
  });

  it("counts evictions once the cache is filled past maxmemory", async () => {
    await emptyCache();
    const cache = reader();
    await cache.refresh();
    const evictedBefore = await infoField(primary, "stats", "evicted_keys");
    // 6,000 × 4 KiB is well past the 16 MiB limit: allkeys-lru must evict.
    await writeKeys("fill:", 6000, 4096);
    const full = await infoField(primary, "memory", "used_memory");
    // Room again, so that no command after this point (INFO's own output buffer) evicts more.
    const pipeline = primary.pipeline();
    for (let i = 3000; i < 6000; i++) pipeline.unlink(`fill:${i}`);
    await pipeline.exec();
    await primary.wait(1, 5000);
    const evictedAfter = await infoField(primary, "stats", "evicted_keys");
    const keysAfter = await primary.dbsize();
    await cache.refresh();
    const { value } = await cache.detail();

    expect(full).toBeGreaterThan(0.9 * set.maxmemoryBytes);
    expect(evictedAfter - evictedBefore).toBeGreaterThan(0);
    expect(value.stats.evictionsPerSecond * (value.intervalSeconds ?? 0)).toBeCloseTo(evictedAfter - evictedBefore, 6);
    expect(value.stats.keys).toBe(keysAfter);
    expect(keysAfter).toBeLessThan(3000);
  });

  it("reads the slowlog's length", async () => {
    const cache = reader();
    try {
      await primary.config("SET", "slowlog-max-len", "7");
      await primary.config("SET", "slowlog-log-slower-than", "0");
      await primary.slowlog("RESET");
      for (let i = 0; i < 20; i++) await primary.ping();
      await cache.refresh();
      expect((await cache.detail()).value.slowlogLength).toBe(7);
      expect((await cache.detail()).value.instances[0]?.figures?.slowlogLength).toBe(7);

      await primary.config("SET", "slowlog-log-slower-than", "-1");
      await primary.slowlog("RESET");
      await cache.refresh();
      expect((await cache.detail()).value.slowlogLength).toBe(0);
    } finally {
      await primary.config("SET", "slowlog-log-slower-than", "10000");
      await primary.config("SET", "slowlog-max-len", "128");
    }
  });

  describe("key-namespace breakdown", () => {
    const layout = [
      { prefix: "user:", count: 3000, valueBytes: 64 },
      { prefix: "session:", count: 1500, valueBytes: 512 },
      { prefix: "feed:", count: 500, valueBytes: 4096 },
      { prefix: "plain-", count: 100, valueBytes: 64 },
    ];
    const total = layout.reduce((sum, entry) => sum + entry.count, 0);
    /** MEMORY USAGE of every key on the replica, by row: the truth the sample estimates. */
    const truth = new Map<string | null, { keys: number; bytes: number }>();

    beforeAll(async () => {
      await emptyCache();
      for (const entry of layout) await writeKeys(entry.prefix, entry.count, entry.valueBytes);
      await primary.wait(1, 5000);
      for (const entry of layout) {
        const pipeline = replica.pipeline();
        for (let i = 0; i < entry.count; i++) pipeline.call("MEMORY", "USAGE", `${entry.prefix}${i}`, "SAMPLES", "0");
        const results = (await pipeline.exec()) ?? [];
        const bytes = results.reduce((sum, [, usage]) => sum + Number(usage), 0);
        truth.set(entry.prefix.endsWith(":") ? entry.prefix.slice(0, -1) : null, { keys: entry.count, bytes });
      }
    });

    const rowOf = (keyspace: KeyspaceBreakdown | null, prefix: string | null) =>
      keyspace?.prefixes.find((row) => row.prefix === prefix && row.kind !== "other");

    it("estimates each prefix's share of keys and memory from a bounded sample on the replica", async () => {
      const cache = reader({ keyspace: { intervalMs: 0, sampleSize: 2000 } });
      await cache.sampleKeyspace();
      const { keyspace, keyspaceError } = (await cache.detail()).value;

      expect(keyspaceError).toBeNull();
      expect(keyspace).toMatchObject({ sampledOn: { address: set.replica, role: "replica" }, estimate: true, stoppedBy: "sample-size", totalKeys: total, sampledKeys: 2000 });
      expect(keyspace?.scaleFactor).toBeCloseTo(total / 2000, 9);
      expect(keyspace?.prefixes.map((row) => row.prefix)).toEqual(["feed", "session", "user", null]);

      const totalBytes = [...truth.values()].reduce((sum, row) => sum + row.bytes, 0);
      const n = 2000;
      const populationCorrection = Math.sqrt((total - n) / (total - 1));
      for (const [prefix, expected] of truth) {
        const row = rowOf(keyspace, prefix);
        const share = expected.keys / total;
        const keyError = Math.sqrt((share * (1 - share)) / n) * populationCorrection;
        // The reported margin can only use the share the sample saw, not the true one.
        const sampledShare = (row?.sampledKeys ?? 0) / n;
        expect(row?.keyShareMargin).toBeCloseTo(1.96 * Math.sqrt((sampledShare * (1 - sampledShare)) / n) * populationCorrection, 9);
        expect(Math.abs((row?.keyShare ?? -1) - share)).toBeLessThanOrEqual(4 * keyError);
        // The memory share is a ratio of two sample sums; its standard error by the delta method.
        const memoryShare = expected.bytes / totalBytes;
        const meanBytes = totalBytes / total;
        let variance = 0;
        for (const [otherPrefix, other] of truth) {
          const bytesPerKey = other.bytes / other.keys;
          const influence = ((otherPrefix === prefix ? bytesPerKey : 0) - memoryShare * bytesPerKey) / meanBytes;
          variance += (other.keys / total) * influence ** 2;
        }
        const memoryError = Math.sqrt(variance / n) * populationCorrection;
        expect(Math.abs((row?.memoryShare ?? -1) - memoryShare)).toBeLessThanOrEqual(4 * memoryError);
        expect(row?.estimatedKeys).toBe(Math.round((row?.sampledKeys ?? 0) * (keyspace?.scaleFactor ?? 0)));
      }
    });

    it("counts exactly when the scan covers every key, and folds prefixes beyond the limit into one row", async () => {
      const cache = reader({ keyspace: { intervalMs: 0, sampleSize: 10_000, maxPrefixes: 2 } });
      await cache.sampleKeyspace();
      const { keyspace } = (await cache.detail()).value;

      expect(keyspace).toMatchObject({ estimate: false, stoppedBy: "complete", totalKeys: total, sampledKeys: total, scaleFactor: 1 });
      expect(keyspace?.prefixes.map((row) => [row.kind, row.prefix])).toEqual([["prefix", "feed"], ["prefix", "session"], ["no-prefix", null], ["other", null]]);
      for (const prefix of ["feed", "session", null]) {
        expect(rowOf(keyspace, prefix)).toMatchObject({ sampledKeys: truth.get(prefix)?.keys, estimatedKeys: truth.get(prefix)?.keys, sampledBytes: truth.get(prefix)?.bytes, keyShareMargin: 0 });
      }
      expect(keyspace?.prefixes.find((row) => row.kind === "other")).toMatchObject({ sampledKeys: truth.get("user")?.keys, sampledBytes: truth.get("user")?.bytes });
    });
  });

  it("refreshes and samples in the background without being asked", async () => {
    const cache = reader({ refreshIntervalMs: 300, keyspace: { intervalMs: 300, sampleSize: 100 } });
    const first = await cache.detail();
    await primary.set("background:new", "1");
    const keysNow = await primary.dbsize();
    const later = await waitUntil(async () => {
      const answer = await cache.detail();
      return answer.value.takenAt > first.value.takenAt && answer.value.stats.keys === keysNow && answer.value.keyspace ? answer : null;
    }, 20_000, "a background refresh and sample");
    expect(later.stale).toBe(false);
    expect(later.value.ratesBasis).toBe("interval");
  });

  it("answers a cache it never reached with its instances down and the reason", async () => {
    const nobody = `127.0.0.1:${await freePort()}`;
    const cache = reader({ connection: { kind: "redis", endpoints: [nobody], tls: false } });
    const answer = await cache.stats();
    expect(answer.stale).toBe(true);
    expect(answer.error?.kind).toBe("unavailable");
    expect(answer.error?.message).toContain(nobody);
    expect(answer.value.instances).toEqual([{ pod: nobody, role: "primary", up: false }]);
  });

  it("keeps the last snapshot, marked stale with the error, when the primary dies; then follows the promoted replica", async () => {
    const cache = reader();
    await cache.refresh();
    const before = await cache.stats();
    expect(before.stale).toBe(false);

    set.kill(set.primary);
    await waitUntil(async () => (await primary.ping().catch(() => "down")) === "down", 5000, "the primary to die");
    await cache.refresh();
    const after = await cache.stats();
    expect(after.stale).toBe(true);
    expect(after.error?.kind).toBe("unavailable");
    expect(after.error?.message).toContain(set.primary);
    expect(after.value).toEqual(before.value);
    expect(after.ageSeconds).toBeGreaterThanOrEqual(before.ageSeconds);

    // The Sentinels promote the replica within seconds; the endpoints are the same two.
    const promoted = await waitUntil(async () => {
      await cache.refresh();
      const answer = await cache.stats();
      return !answer.stale && answer.value.instances[0]?.pod === set.replica ? answer : null;
    }, 30_000, "the replica's promotion");
    expect(promoted.value.instances).toEqual([
      { pod: set.replica, role: "primary", up: true },
      { pod: set.primary, role: "replica", up: false },
    ]);
  });
});
