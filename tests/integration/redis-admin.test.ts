// The Redis cache admin against a real primary, replica and three Sentinels: invalidation by
// pattern (exactly the matching keys, in batches, abortable), key counts and estimates checked
// against the server's own matching, warming from a loader served over HTTP, and a failover
// through the Sentinels, checked by asking the Sentinels and the old primary afterwards.
import { writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CacheRef, InvalidationProgress } from "@/server/domain/action-ports";
import { ActionRefused } from "@/server/domain/actions/kind";
import { RedisCacheAdmin, type RedisCacheAdminOptions } from "@/server/adapters/redis/cache-admin";
import { redisGlobMatcher } from "@/server/adapters/redis/glob";
import { configSchema } from "@/server/config/schema";
import { waitUntil } from "../helpers/prometheus";
import { startTestRedisSet, type TestRedisSet } from "../helpers/redis-servers";

const ref: CacheRef = { environment: "test", region: "local", cache: "orders" };
let set: TestRedisSet;
let primary: Redis;
let replica: Redis;
const admins: RedisCacheAdmin[] = [];
const clients: Redis[] = [];

function connect(address: string): Redis {
  const [host, port] = address.split(":");
  const client = new Redis({ host, port: Number(port), maxRetriesPerRequest: 1 });
  // The last test kills an instance; reconnect attempts to it are expected to fail.
  client.on("error", () => undefined);
  clients.push(client);
  return client;
}

function admin(options: Partial<RedisCacheAdminOptions> = {}): RedisCacheAdmin {
  const created = new RedisCacheAdmin({
    environment: "test",
    region: "local",
    cluster: "orders",
    connection: { kind: "redis", endpoints: [set.primary, set.replica], tls: false },
    ...options,
  });
  admins.push(created);
  return created;
}

async function writeKeys(prefix: string, count: number, from = 0): Promise<void> {
  const pipeline = primary.pipeline();
  for (let i = from; i < from + count; i++) pipeline.set(`${prefix}${i}`, `value ${i}`);
  await pipeline.exec();
}

/** Every key of the test primary, by what precedes its last ":". */
async function keysByPrefix(client: Redis): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "COUNT", 1000);
    cursor = next;
    for (const key of new Set(keys)) {
      const prefix = key.slice(0, key.lastIndexOf(":") + 1);
      counts[prefix] = (counts[prefix] ?? 0) + 1;
    }
  } while (cursor !== "0");
  return counts;
}

async function commandCalls(client: Redis, command: string): Promise<number> {
  const line = (await client.info("commandstats")).split("\r\n").find((entry) => entry.startsWith(`cmdstat_${command}:`));
  return Number(/calls=(\d+)/.exec(line ?? "")?.[1] ?? 0);
}

/** The cache every invalidation test starts from: 2,000 keys to delete among 3,300 to keep. */
async function fillCache(): Promise<void> {
  await primary.flushall();
  await writeKeys("session:", 2000);
  await writeKeys("user:", 3000);
  // Near misses of "session:*".
  await writeKeys("sessions:", 200);
  await writeKeys("x:session:", 100);
  await primary.wait(1, 5000);
}

beforeAll(async () => {
  set = await startTestRedisSet({ masterName: "orders-cache" });
  primary = connect(set.primary);
  replica = connect(set.replica);
});

afterAll(async () => {
  for (const created of admins) created.close();
  for (const client of clients) client.disconnect();
  await set?.stop();
});

describe("invalidating keys by pattern", () => {
  it("deletes exactly the matching keys with SCAN and batches of UNLINK on the primary, reporting progress", async () => {
    await fillCache();
    await primary.config("RESETSTAT");
    const progress: InvalidationProgress[] = [];
    const result = await admin({ invalidation: { batchSize: 100, pauseMs: 0, duty: 1, progressIntervalMs: 0 } }).invalidate(ref, "session:*", (p) => progress.push(p));

    expect(result).toMatchObject({ deleted: 2000, done: true });
    expect(result.scanned).toBeGreaterThanOrEqual(2000);
    expect(await keysByPrefix(primary)).toEqual({ "user:": 3000, "sessions:": 200, "x:session:": 100 });
    // The invalidation waits for the replica, where counts are read, to have its deletions.
    expect(await keysByPrefix(replica)).toEqual({ "user:": 3000, "sessions:": 200, "x:session:": 100 });

    expect(progress.length).toBeGreaterThan(10);
    expect(progress.at(-1)).toEqual(result);
    expect(progress.slice(0, -1).every((p) => !p.done)).toBe(true);
    for (let i = 1; i < progress.length; i++) expect(progress[i]?.deleted).toBeGreaterThanOrEqual(progress[i - 1]?.deleted ?? 0);
    expect(await commandCalls(primary, "keys")).toBe(0);
    expect(await commandCalls(primary, "unlink")).toBeGreaterThanOrEqual(20);
    expect(await commandCalls(primary, "scan")).toBeGreaterThanOrEqual(50);
  });

  it("stops when aborted, and a second run deletes the rest", async () => {
    await fillCache();
    const controller = new AbortController();
    const cache = admin({ invalidation: { batchSize: 100, pauseMs: 5, progressIntervalMs: 0 } });
    const first = await cache.invalidate(ref, "session:*", (p) => {
      if (p.deleted >= 300) controller.abort();
    }, controller.signal);
    expect(first.done).toBe(false);
    expect(first.deleted).toBeGreaterThanOrEqual(300);
    expect(first.deleted).toBeLessThan(2000);
    expect((await keysByPrefix(primary))["session:"]).toBe(2000 - first.deleted);

    const second = await cache.invalidate(ref, "session:*", () => undefined);
    expect(second).toMatchObject({ deleted: 2000 - first.deleted, done: true });
    expect(await keysByPrefix(primary)).toEqual({ "user:": 3000, "sessions:": 200, "x:session:": 100 });
  });

  it("refuses an empty pattern", async () => {
    const refused = admin().invalidate(ref, "", () => undefined);
    await expect(refused).rejects.toThrow(ActionRefused);
    await expect(refused).rejects.toThrow(/key pattern for Redis cache orders is empty/);
  });
});

describe("counting the keys a pattern matches", () => {
  it("counts exactly on a small keyspace, on the replica rather than the primary", async () => {
    await fillCache();
    await Promise.all([primary.config("RESETSTAT"), replica.config("RESETSTAT")]);
    expect(await admin().estimateKeys(ref, "session:*")).toEqual({ matching: 2000, exact: true, totalKeys: 5300 });
    expect(await admin().estimateKeys(ref, "user:1?")).toEqual({ matching: 10, exact: true, totalKeys: 5300 });
    expect(await admin().estimateKeys(ref, "user:17")).toEqual({ matching: 1, exact: true, totalKeys: 5300 });
    expect(await commandCalls(replica, "scan")).toBeGreaterThan(0);
    expect(await commandCalls(primary, "scan")).toBe(0);
  });

  it("estimates from a sample when the keyspace is larger than the exact-count limit", async () => {
    await fillCache();
    const estimate = await admin({ keyCount: { exactCountLimit: 1000, sampleSize: 2000 } }).estimateKeys(ref, "session:*");
    expect(estimate.exact).toBe(false);
    expect(estimate.totalKeys).toBe(5300);
    // 2,000 of 5,300 sampled: the share's 95% margin is about ±1.7 points, ±90 keys.
    expect(Math.abs(estimate.matching - 2000)).toBeLessThan(200);
  });

  it("matches a sample's keys as the server's SCAN MATCH does", async () => {
    await primary.flushall();
    const keys = ["user:1", "user:10", "user:2", "User:1", "a*b", "a?b", "a[b", "a]b", "a\\b", "a-b", "ab", "café:1", "x\ny", "[x]", "^x", ""];
    for (const key of keys) await primary.set(key, "1");
    const patterns = [
      "user:*", "user:?", "user:??", "user:[0-1]*", "user:[^1]*", "user:[1-0]", "[uU]ser:1", "a\\*b", "a[*]b", "a[\\]]b", "a[]b", "a[^]b",
      "a[-]b", "a[a-]b", "caf?:1", "caf??:1", "x?y", "\\[x]", "[^]x", "a[b", "a\\", "*", "?", "[", "**b", "a*?b",
    ];
    for (const pattern of patterns) {
      const [, byServer] = await primary.scan("0", "MATCH", pattern, "COUNT", 1000);
      const matches = redisGlobMatcher(pattern);
      const byMatcher = keys.filter((key) => matches(Buffer.from(key)));
      expect({ pattern, keys: byMatcher.sort() }).toEqual({ pattern, keys: byServer.sort() });
    }
  });
});

describe("warming from a loader", () => {
  let loader: http.Server;
  let loaderUrl: string;
  let requested: string[] = [];
  let inFlight = 0;
  let mostInFlight = 0;

  beforeAll(async () => {
    loader = http.createServer((request, response) => {
      const url = new URL(request.url ?? "/", "http://loader");
      const key = url.searchParams.get("key") ?? "";
      requested.push(key);
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      // A short delay, so that loads overlap as they would against a real backend.
      setTimeout(() => {
        inFlight -= 1;
        if (key === "product:broken" || url.searchParams.get("tenant") !== "eu") response.writeHead(500).end("the backend failed");
        else response.writeHead(200, { "content-type": "application/octet-stream" }).end(`loaded ${key}`);
      }, 15);
    });
    await new Promise<void>((resolve) => loader.listen(0, "127.0.0.1", resolve));
    loaderUrl = `http://127.0.0.1:${(loader.address() as AddressInfo).port}/load?tenant=eu`;
  });
  afterAll(async () => {
    loader.closeAllConnections();
    await new Promise((resolve) => loader.close(resolve));
  });

  function warmer(): RedisCacheAdmin {
    const keysFile = path.join(os.tmpdir(), `scaleplane-warm-${process.pid}.txt`);
    writeFileSync(keysFile, "home:eu\r\nhome:us\n\nhome:eu\n");
    const products = Array.from({ length: 30 }, (_, i) => `product:${i}`);
    return admin({
      connection: {
        kind: "redis",
        endpoints: [set.primary, set.replica],
        tls: false,
        warmSources: {
          catalogue: { keys: [...products.slice(0, 12), "product:broken", ...products.slice(12)], loaderUrl, ttlSeconds: 120 },
          "home-pages": { keysFile, loaderUrl },
          hottest: { hottest: { count: 5 }, loaderUrl },
          gone: { keysFile: "/nonexistent/scaleplane-keys.txt", loaderUrl },
        },
      },
      warm: { progressIntervalMs: 0 },
    });
  }

  it("lists the configured sources", async () => {
    expect(await warmer().warmSources(ref)).toEqual([
      { name: "catalogue", description: expect.stringContaining("the keys listed in the configuration"), keys: 31 },
      { name: "home-pages", description: expect.stringMatching(/the keys listed in .*scaleplane-warm/), keys: 2 },
      { name: "hottest", description: expect.stringContaining("the 5 hottest keys"), keys: null },
      { name: "gone", description: expect.stringContaining("the key list /nonexistent/scaleplane-keys.txt cannot be read (ENOENT)"), keys: 0 },
    ]);
  });

  it("loads each listed key, 8 at a time, with its TTL; a key the loader fails is counted and the rest go on", async () => {
    await primary.flushall();
    requested = [];
    mostInFlight = 0;
    const progress: unknown[] = [];
    const result = await warmer().warm(ref, "catalogue", (p) => progress.push(p));
    expect(result).toEqual({ loaded: 30, failed: 1, total: 31, done: true });
    expect(progress.at(-1)).toEqual(result);
    expect(progress.length).toBeGreaterThan(10);
    expect(requested).toHaveLength(31);
    expect(mostInFlight).toBe(8);
    expect(await primary.get("product:29")).toBe("loaded product:29");
    expect(await primary.exists("product:broken")).toBe(0);
    expect(await primary.dbsize()).toBe(30);
    const ttl = await primary.ttl("product:3");
    expect(ttl).toBeGreaterThan(100);
    expect(ttl).toBeLessThanOrEqual(120);

    const fromFile = await warmer().warm(ref, "home-pages", () => undefined);
    expect(fromFile).toEqual({ loaded: 2, failed: 0, total: 2, done: true });
    expect(await primary.ttl("home:us")).toBe(-1);
  });

  it("reloads the hottest keys: by access frequency under an LFU policy, by recency otherwise", async () => {
    const policy = (await primary.config("GET", "maxmemory-policy"))[1] ?? "allkeys-lru";
    try {
      // lfu-log-factor 0: every access counts, so five reads make a key hotter than one.
      await primary.config("SET", "maxmemory-policy", "allkeys-lfu", "lfu-log-factor", "0");
      await primary.flushall();
      await writeKeys("page:", 40);
      for (let round = 0; round < 5; round++) for (const i of [3, 7, 11, 19, 23]) await primary.get(`page:${i}`);
      requested = [];
      expect(await warmer().warm(ref, "hottest", () => undefined)).toEqual({ loaded: 5, failed: 0, total: 5, done: true });
      expect(requested.sort()).toEqual(["page:11", "page:19", "page:23", "page:3", "page:7"]);
      expect(await primary.get("page:19")).toBe("loaded page:19");
      expect(await primary.get("page:20")).toBe("value 20");

      await primary.config("SET", "maxmemory-policy", "allkeys-lru");
      await primary.flushall();
      await writeKeys("page:", 40);
      // OBJECT IDLETIME counts whole seconds.
      await new Promise((resolve) => setTimeout(resolve, 2100));
      for (const i of [2, 4, 6, 8, 10]) await primary.get(`page:${i}`);
      requested = [];
      await warmer().warm(ref, "hottest", () => undefined);
      expect(requested.sort()).toEqual(["page:10", "page:2", "page:4", "page:6", "page:8"]);
    } finally {
      await primary.config("SET", "maxmemory-policy", policy, "lfu-log-factor", "10");
    }
  });

  it("refuses a source that is not configured, naming the ones that are, and one whose key list cannot be read", async () => {
    await expect(warmer().warm(ref, "everything", () => undefined)).rejects.toThrow(
      new ActionRefused('Redis cache orders has no warm source "everything"; its sources are catalogue, home-pages, hottest, gone'),
    );
    await expect(warmer().warm(ref, "gone", () => undefined)).rejects.toThrow(ActionRefused);
  });

  it("is configured under warmSources, one kind of key list per source", () => {
    const config = (warmSources: unknown) => ({
      version: 1,
      environments: {
        test: {
          source: "simulator",
          regions: { local: { clusters: { orders: { kind: "redis", endpoints: ["127.0.0.1:6380"], warmSources } } } },
        },
      },
    });
    expect(configSchema.safeParse(config({ catalogue: { keys: ["a"], loaderUrl: "http://loader/load", ttlSeconds: 60 } })).success).toBe(true);
    expect(configSchema.safeParse(config({ hot: { hottest: { count: 100 }, loaderUrl: "http://loader/load" } })).success).toBe(true);
    const both = configSchema.safeParse(config({ mixed: { keys: ["a"], hottest: { count: 1 }, loaderUrl: "http://loader/load" } }));
    expect(both.error?.issues[0]?.message).toBe("needs exactly one of `keys`, `keysFile` or `hottest`");
    expect(configSchema.safeParse(config({ relative: { keysFile: "keys.txt", loaderUrl: "http://loader/load" } })).success).toBe(false);
  });
});

describe("the primary and failover", () => {
  const bySentinels = () =>
    admin({ connection: { kind: "redis", sentinel: { masterName: set.masterName, sentinels: set.sentinels }, tls: false } });

  it("without Sentinels: describes the primary by its endpoints and refuses a failover", async () => {
    const cache = admin();
    expect(await cache.describePrimary(ref)).toEqual({ primary: set.primary, replicas: [set.replica], sentinels: 0, quorum: 0, failoverPossible: false });
    const refused = cache.failover(ref);
    await expect(refused).rejects.toThrow(ActionRefused);
    await expect(refused).rejects.toThrow(/Redis cache orders is not managed by Sentinels/);
  });

  it("describes the primary the Sentinels agree on", async () => {
    expect(await bySentinels().describePrimary(ref)).toEqual({ primary: set.primary, replicas: [set.replica], sentinels: 3, quorum: 2, failoverPossible: true });
  });

  it("fails over through the Sentinels: they name the replica the primary, and the old primary replicates from it", async () => {
    const cache = bySentinels();
    await cache.failover(ref);
    const sentinel = connect(set.sentinels[2] ?? "");
    await waitUntil(async () => {
      const [, port] = (await sentinel.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", set.masterName)) as [string, string];
      return `127.0.0.1:${port}` === set.replica;
    }, 20_000, "the Sentinels to name the replica the primary");
    await waitUntil(async () => {
      const info = await primary.info("replication");
      return info.includes("role:slave") && info.includes(`master_port:${set.replica.split(":")[1]}`) && info.includes("master_link_status:up");
    }, 20_000, "the old primary to replicate from the new one");
    expect(await cache.describePrimary(ref)).toMatchObject({ primary: set.replica, replicas: [set.primary], sentinels: 3 });

    // Later calls follow the failover to the new primary.
    await replica.set("after:1", "x");
    expect(await cache.invalidate(ref, "after:*", () => undefined)).toMatchObject({ deleted: 1, done: true });
  });

  it("refuses with the Sentinels' reason when no replica can be promoted", async () => {
    const cache = bySentinels();
    set.kill(set.primary);
    await waitUntil(async () => (await cache.describePrimary(ref)).failoverPossible === false, 20_000, "the Sentinels to see the replica down");
    const refused = cache.failover(ref);
    await expect(refused).rejects.toThrow(ActionRefused);
    await expect(refused).rejects.toThrow(/found no replica of "orders-cache" fit to be promoted \(NOGOODSLAVE/);
  });
});
