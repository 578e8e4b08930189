// The cache action kinds end to end against a real Redis: region eu-west-1 of the simulated
// environment "demo" has a real cache (a primary, a replica and three Sentinels from
// tests/helpers/redis-servers.ts) configured by its Sentinels, with warm sources whose loader is
// an HTTP server of this test, and wired by actionAdaptersFromConfig, as the app is. It is named
// product-cache, as one of the simulator's caches is: the real one takes the simulator's place.
// A second cache, session-cache, names the same two instances by their endpoints: a cache
// without Sentinels. An operator requests, an approver approves (a warm-up needs nobody), the
// pg-boss worker executes; the outcome is read back from Redis and the Sentinels directly, with
// SCAN, GET and SENTINEL commands of this test, never through the adapter under test.
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { actionAdaptersFromConfig, type ConfiguredAdapters } from "@/server/adapters/action-adapters";
import { validateConfig } from "@/server/config/load";
import { db } from "@/server/db/client";
import { callerAs, createActionPeople, refusalOf, waitForSettled, type ActionInput, type ActionPeople } from "../helpers/action-flow";
import { waitUntil } from "../helpers/prometheus";
import { startTestRedisSet, type TestRedisSet } from "../helpers/redis-servers";
import { startTestRuntime, TEST_ENVIRONMENT, type TestRuntime } from "../helpers/runtime";

const REGION = "eu-west-1";
const CACHE = "product-cache";
const DIRECT_CACHE = "session-cache";
const CATALOGUE = Array.from({ length: 25 }, (_, i) => `product:${i}`);
const WARM_TTL_SECONDS = 300;
const MISSING_KEYS_FILE = "/nonexistent/scaleplane-warm-keys.txt";

let set: TestRedisSet;
let loader: http.Server;
let loaderRequests: string[] = [];
let configured: ConfiguredAdapters;
let runtime: TestRuntime;
let people: ActionPeople;
const clients = new Map<string, Redis>();

function clientOf(address: string): Redis {
  let client = clients.get(address);
  if (!client) {
    const [host, port] = address.split(":");
    client = new Redis({ host, port: Number(port), maxRetriesPerRequest: 1 });
    client.on("error", () => undefined);
    clients.set(address, client);
  }
  return client;
}

beforeAll(async () => {
  set = await startTestRedisSet({ masterName: "product-cache" });
  loader = http.createServer((request, response) => {
    const key = new URL(request.url ?? "/", "http://loader").searchParams.get("key") ?? "";
    loaderRequests.push(key);
    if (key === "product:gone") response.writeHead(404).end("no such product");
    else response.writeHead(200, { "content-type": "application/octet-stream" }).end(`loaded ${key}`);
  });
  await new Promise<void>((resolve) => loader.listen(0, "127.0.0.1", resolve));
  const loaderUrl = `http://127.0.0.1:${(loader.address() as AddressInfo).port}/load`;

  const config = validateConfig(
    {
      version: 1,
      environments: {
        [TEST_ENVIRONMENT]: {
          source: "simulator",
          regions: {
            [REGION]: {
              clusters: {
                [CACHE]: {
                  kind: "redis",
                  sentinel: { masterName: set.masterName, sentinels: set.sentinels },
                  warmSources: {
                    catalogue: { keys: CATALOGUE, loaderUrl, ttlSeconds: WARM_TTL_SECONDS },
                    "with-gaps": { keys: ["product:100", "product:gone", "product:101"], loaderUrl },
                    "missing-list": { keysFile: MISSING_KEYS_FILE, loaderUrl },
                  },
                },
                [DIRECT_CACHE]: { kind: "redis", endpoints: [set.primary, set.replica] },
              },
            },
            "us-east-1": {},
          },
        },
      },
    },
    "actions-redis test",
  );
  configured = actionAdaptersFromConfig(config);
  runtime = await startTestRuntime({ db, databaseUrl: inject("databaseUrl"), adapters: configured.adapters });
  people = await createActionPeople();
});

afterAll(async () => {
  await runtime?.stop();
  await configured?.close();
  for (const client of clients.values()) client.disconnect();
  if (loader) {
    loader.closeAllConnections();
    await new Promise((resolve) => loader.close(resolve));
  }
  await set?.stop();
});

// ── Reading Redis and the Sentinels back, not through the adapter ────────────────────────

/** The primary each Sentinel names, in the order they are configured. */
async function primariesNamedBySentinels(): Promise<string[]> {
  return Promise.all(
    set.sentinels.map(async (sentinel) => {
      const [host, port] = (await clientOf(sentinel).call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", set.masterName)) as [string, string];
      return `${host}:${port}`;
    }),
  );
}

/** The flags the first Sentinel has for a replica ("slave", "s_down", "disconnected"…). */
async function replicaFlags(address: string): Promise<string[]> {
  const replicas = (await clientOf(set.sentinels[0] ?? "").call("SENTINEL", "REPLICAS", set.masterName)) as string[][];
  for (const fields of replicas) {
    const record = new Map<string, string>();
    for (let i = 0; i + 1 < fields.length; i += 2) record.set(fields[i] ?? "", fields[i + 1] ?? "");
    if (`${record.get("ip")}:${record.get("port")}` === address) return (record.get("flags") ?? "").split(",");
  }
  return [];
}

async function primary(): Promise<Redis> {
  const [named] = await primariesNamedBySentinels();
  return clientOf(named ?? set.primary);
}

/** The keys matching `pattern`, counted with SCAN MATCH (each once: SCAN may repeat one). */
async function countKeys(pattern: string): Promise<number> {
  const client = await primary();
  const seen = new Set<string>();
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    for (const key of keys) seen.add(key);
  } while (cursor !== "0");
  return seen.size;
}

/** Keys `<prefix>0`…, written to the primary and replicated before it resolves. */
async function writeKeys(prefix: string, count: number, from = 0): Promise<void> {
  const client = await primary();
  const pipeline = client.pipeline();
  for (let i = from; i < from + count; i++) pipeline.set(`${prefix}${i}`, `value ${i}`);
  await pipeline.exec();
  await client.wait(1, 5000);
}

async function emptyCache(): Promise<void> {
  const client = await primary();
  await client.flushall();
  await client.wait(1, 5000);
}

// ── The requests' side ───────────────────────────────────────────────────────────────────

async function requestAsOperator(input: ActionInput) {
  return callerAs(runtime, people.operator).actions.request({
    kind: input.kind,
    environment: TEST_ENVIRONMENT,
    params: input.params,
    reason: `integration test of ${input.kind}`,
    idempotencyKey: randomUUID(),
  });
}

async function approveAndSettle(requestId: string) {
  await callerAs(runtime, people.approver).actions.approve({ id: requestId });
  return waitForSettled(requestId);
}

/** The audit trail of one request: who did what, in order. */
async function auditTrail(requestId: string) {
  const events = await db.auditEvent.findMany({ where: { details: { path: ["requestId"], equals: requestId } }, orderBy: { seq: "asc" }, select: { action: true, actorEmail: true } });
  return events.map((event) => `${event.action} by ${event.actorEmail}`);
}

const approvedTrail = () => [`action.request by ${people.operator.email}`, `action.approve by ${people.approver.email}`, "action.execute.start by system", "action.execute.succeeded by system"];

interface Preview {
  riskReasons: string[];
  changes: Array<{ label: string; before: string; after: string }>;
}
const previewOf = (request: { preview: unknown }) => request.preview as Preview;

const invalidate = (pattern: string, cache = CACHE): ActionInput => ({ kind: "cache.invalidate", params: { region: REGION, cache, pattern } });
const warm = (source: string, cache = CACHE): ActionInput => ({ kind: "cache.warm", params: { region: REGION, cache, source } });
const failover = (cache = CACHE): ActionInput => ({ kind: "cache.failover", params: { region: REGION, cache } });

// ── The kinds ────────────────────────────────────────────────────────────────────────────

describe("each kind changes the real cache", () => {
  it("cache.invalidate deletes exactly the keys matching the pattern, with the counts in the preview and the progress", async () => {
    await emptyCache();
    await writeKeys("session:", 2000);
    await writeKeys("user:", 3000);
    // Near misses of "session:*".
    await writeKeys("sessions:", 200);

    const requested = await requestAsOperator(invalidate("session:*"));
    expect(requested).toMatchObject({ state: "pending", risk: "medium" });
    expect(previewOf(requested).changes).toEqual([{ label: "matching keys", before: "2,000 of 5,200 keys", after: "0" }]);
    expect(previewOf(requested).riskReasons).toEqual(["deletes 2,000 of 5,200 keys: their next reads miss and go to the backing store until the cache refills"]);
    expect(await countKeys("session:*")).toBe(2000);

    const settled = await approveAndSettle(requested.id);
    expect(settled.state, settled.error ?? "").toBe("succeeded");
    expect(await countKeys("session:*")).toBe(0);
    expect(await countKeys("user:*")).toBe(3000);
    expect(await countKeys("sessions:*")).toBe(200);
    expect(settled.progress).toEqual({ scanned: expect.any(Number), deleted: 2000, done: true });
    expect((settled.progress as { scanned: number }).scanned).toBeGreaterThanOrEqual(2000);
    expect(settled.outcome).toMatchObject({ ok: true, message: `no key of cache ${CACHE} in ${REGION} matches "session:*" any more`, observed: { matching: 0, exact: true, totalKeys: 3200 } });
    expect(await auditTrail(requested.id)).toEqual(approvedTrail());
  });

  it("the request form lists the cache's warm sources, with what each would load", async () => {
    const sources = await callerAs(runtime, people.operator).caches.warmSources({ environment: TEST_ENVIRONMENT, name: CACHE, region: REGION });
    expect(sources.map((source) => [source.name, source.keys])).toEqual([["catalogue", CATALOGUE.length], ["with-gaps", 3], ["missing-list", 0]]);
    expect(sources[2]?.description).toContain("cannot be read");
    expect(await callerAs(runtime, people.operator).caches.warmSources({ environment: TEST_ENVIRONMENT, name: DIRECT_CACHE, region: REGION })).toEqual([]);
  });

  it("cache.warm is low risk and runs at once: every key of the source is loaded from the loader with its TTL", async () => {
    await emptyCache();
    loaderRequests = [];
    const requested = await requestAsOperator(warm("catalogue"));
    // Nobody approves it.
    expect(requested).toMatchObject({ state: "approved", risk: "low" });
    expect(previewOf(requested).changes).toEqual([{ label: "keys loaded", before: "0", after: "25" }]);

    const settled = await waitForSettled(requested.id);
    expect(settled.state, settled.error ?? "").toBe("succeeded");
    const client = await primary();
    expect(await client.mget(CATALOGUE)).toEqual(CATALOGUE.map((key) => `loaded ${key}`));
    expect(await client.dbsize()).toBe(25);
    const ttl = await client.ttl("product:7");
    expect(ttl).toBeGreaterThan(WARM_TTL_SECONDS - 60);
    expect(ttl).toBeLessThanOrEqual(WARM_TTL_SECONDS);
    expect(loaderRequests.sort()).toEqual([...CATALOGUE].sort());
    expect(settled.progress).toEqual({ loaded: 25, failed: 0, total: 25, done: true });
    expect(settled.outcome).toMatchObject({ ok: true, message: "loaded 25 of 25 keys" });
    expect(await auditTrail(requested.id)).toEqual([
      `action.request by ${people.operator.email}`,
      "action.autoApprove by system",
      "action.execute.start by system",
      "action.execute.succeeded by system",
    ]);
  });

  it("cache.warm with a key the loader cannot serve loads the others and settles as failed, saying which count failed", async () => {
    await emptyCache();
    const requested = await requestAsOperator(warm("with-gaps"));
    const settled = await waitForSettled(requested.id);
    expect(settled.state).toBe("failed");
    expect(settled.error).toBe("loaded 2 of 3 keys, 1 failed");
    expect(settled.progress).toEqual({ loaded: 2, failed: 1, total: 3, done: true });
    const client = await primary();
    expect(await client.mget("product:100", "product:gone", "product:101")).toEqual(["loaded product:100", null, "loaded product:101"]);
    // Without a TTL in the source a new key has none.
    expect(await client.ttl("product:100")).toBe(-1);
  });
});

describe("the risk of an invalidation", () => {
  it('a bare "*" is high risk, and the preview says the whole cache is emptied', async () => {
    await emptyCache();
    await writeKeys("user:", 50);
    const requested = await requestAsOperator(invalidate("*"));
    expect(requested).toMatchObject({ state: "pending", risk: "high" });
    expect(previewOf(requested).riskReasons).toEqual([
      '"*" matches every key: the whole cache is emptied',
      "their next reads miss and go to the backing store until the cache refills",
    ]);
    await callerAs(runtime, people.operator).actions.cancel({ id: requested.id });
    expect(await countKeys("*")).toBe(50);
  });

  it("10,000 matching keys are medium risk; 10,001 are high, with the count in the preview, and all of them are deleted", async () => {
    await emptyCache();
    await writeKeys("user:", 100);
    await writeKeys("bulk:", 10_000);
    const atThreshold = await requestAsOperator(invalidate("bulk:*"));
    expect(atThreshold).toMatchObject({ state: "pending", risk: "medium" });
    await callerAs(runtime, people.operator).actions.cancel({ id: atThreshold.id });

    await writeKeys("bulk:", 1, 10_000);
    const requested = await requestAsOperator(invalidate("bulk:*"));
    expect(requested).toMatchObject({ state: "pending", risk: "high" });
    expect(previewOf(requested).riskReasons[0]).toBe("10,001 of 10,101 keys match, more than 10,000");

    const settled = await approveAndSettle(requested.id);
    expect(settled.state, settled.error ?? "").toBe("succeeded");
    expect(await countKeys("bulk:*")).toBe(0);
    expect(await countKeys("user:*")).toBe(100);
    expect(settled.progress).toMatchObject({ deleted: 10_001, done: true });
  });
});

describe("bad requests are refused with a clear reason and change nothing", () => {
  /** Refused at request time, with Redis, the Sentinels and the loader as they were. */
  async function refused(input: ActionInput): Promise<string> {
    const [keysBefore, primariesBefore, requestsBefore] = [await countKeys("*"), await primariesNamedBySentinels(), loaderRequests.length];
    const reason = await refusalOf(runtime, people, input);
    expect(await countKeys("*")).toBe(keysBefore);
    expect(await primariesNamedBySentinels()).toEqual(primariesBefore);
    expect(loaderRequests.length).toBe(requestsBefore);
    return reason;
  }

  beforeAll(async () => {
    await emptyCache();
    await writeKeys("session:", 20);
  });

  it("an empty or blank pattern", async () => {
    const message = 'pattern: pattern cannot be empty or blank; to delete every key the pattern is "*"';
    expect(await refused(invalidate(""))).toContain(message);
    expect(await refused(invalidate("   "))).toContain(message);
  });

  it("a pattern no key matches", async () => {
    expect(await refused(invalidate("carts:*"))).toBe(`no key of cache ${CACHE} in ${REGION} matches "carts:*" (20 keys); nothing to invalidate`);
  });

  it("a warm source the cache does not have, naming the ones it has", async () => {
    expect(await refused(warm("everything"))).toBe(`cache ${CACHE} in ${REGION} has no warm source "everything"; its sources are catalogue, with-gaps and missing-list`);
  });

  it("a warm source whose key list cannot be read", async () => {
    expect(await refused(warm("missing-list"))).toMatch(
      new RegExp(`^cache ${CACHE} in ${REGION} has nothing to load from warm source "missing-list" \\(the keys listed in ${MISSING_KEYS_FILE}, loaded from http://127\\.0\\.0\\.1:\\d+: the key list ${MISSING_KEYS_FILE} cannot be read \\(ENOENT\\); fix the file or the warm source's keysFile\\)$`),
    );
  });

  it("a failover of a cache configured by endpoints, without Sentinels", async () => {
    expect(await refused(failover(DIRECT_CACHE))).toBe(
      `cache ${DIRECT_CACHE} in ${REGION} is not managed by Redis Sentinel: a failover needs Sentinels watching its primary and a replica`,
    );
  });

  it("a cache the environment does not have", async () => {
    const notFound = `cache orders-cache in ${REGION} not found in ${TEST_ENVIRONMENT}`;
    expect(await refused(invalidate("session:*", "orders-cache"))).toBe(notFound);
    expect(await refused(warm("catalogue", "orders-cache"))).toBe(notFound);
    expect(await refused(failover("orders-cache"))).toBe(notFound);
  });
});

// Last: the Sentinels take about ten seconds more to turn the old primary into a replica, which
// the tests above would wait for in every write they replicate (WAIT), and the last test kills
// the replica.
describe("failing over through the Sentinels", () => {
  it("cache.failover is high risk; once approved the Sentinels promote the replica", async () => {
    const before = await primariesNamedBySentinels();
    const oldPrimary = before[0] ?? "";
    const replica = oldPrimary === set.primary ? set.replica : set.primary;
    expect(before).toEqual([oldPrimary, oldPrimary, oldPrimary]);

    const requested = await requestAsOperator(failover());
    expect(requested).toMatchObject({ state: "pending", risk: "high" });
    expect(previewOf(requested).changes).toEqual([{ label: "primary", before: oldPrimary, after: `one of ${replica} (the Sentinels choose)` }]);
    expect(previewOf(requested).riskReasons[0]).toMatch(new RegExp(`^promotes a replica of ${CACHE} to primary: every client reconnects`));
    // Not approved yet: nothing has moved.
    expect(await primariesNamedBySentinels()).toEqual(before);

    const settled = await approveAndSettle(requested.id);
    expect(settled.state, settled.error ?? "").toBe("succeeded");
    expect(settled.progress).toEqual({ primaryBefore: oldPrimary });
    expect(settled.outcome).toMatchObject({ ok: true, message: `the Sentinels name ${replica} as the new primary (was ${oldPrimary})`, observed: { primary: replica, primaryBefore: oldPrimary } });
    await waitUntil(async () => (await primariesNamedBySentinels()).every((named) => named === replica), 20_000, "every Sentinel to name the promoted replica");
    expect(await clientOf(replica).info("replication")).toContain("role:master");
    expect(await auditTrail(requested.id)).toEqual(approvedTrail());
  });

  it("is refused with the reason while the only replica is down, and the Sentinels keep the primary", async () => {
    const [current] = await primariesNamedBySentinels();
    const replica = current === set.primary ? set.replica : set.primary;
    set.kill(replica);
    await waitUntil(async () => (await replicaFlags(replica)).includes("s_down"), 20_000, "the Sentinels to see the replica down");
    expect(await refusalOf(runtime, people, failover())).toBe(
      `no replica of cache ${CACHE} in ${REGION} is fit to be promoted: the Sentinels see ${replica} down or disconnected, or cannot authorise a failover; bring a replica back, wait until its link to the primary is up, then request the failover again`,
    );
    expect(await primariesNamedBySentinels()).toEqual([current, current, current]);
  });
});
