// The Redis cache reader configured by Sentinels, against a real primary, replica and three
// Sentinels: their agreement and quorum, a manual failover, a crashed primary (stale answers,
// then the Sentinels' new primary) and passwords read from the environment.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisCacheReader, type RedisCacheConfig } from "@/server/adapters/redis/cache-reader";
import { waitUntil } from "../helpers/prometheus";
import { startTestRedisSet, type TestRedisSet } from "../helpers/redis-servers";

const run = promisify(execFile);
const START_SCRIPT = path.resolve(import.meta.dirname, "../../scripts/redis/start.sh");
const readers: RedisCacheReader[] = [];
const clients: Redis[] = [];

function connect(address: string, password?: string): Redis {
  const [host, port] = address.split(":");
  const client = new Redis({ host, port: Number(port), maxRetriesPerRequest: 1, ...(password ? { password } : {}) });
  // Tests kill servers; reconnect attempts to them are expected to fail.
  client.on("error", () => undefined);
  clients.push(client);
  return client;
}

function reader(connection: RedisCacheConfig): RedisCacheReader {
  const created = new RedisCacheReader({
    environment: "test",
    region: "local",
    cluster: "orders",
    connection,
    refreshIntervalMs: 600_000,
    timeoutMs: 1000,
    keyspace: { intervalMs: 0 },
  });
  readers.push(created);
  return created;
}

afterAll(async () => {
  await Promise.all(readers.map((r) => r.close()));
  for (const client of clients) client.disconnect();
});

describe("RedisCacheReader through Sentinels", () => {
  let set: TestRedisSet;
  let cache: RedisCacheReader;

  beforeAll(async () => {
    set = await startTestRedisSet({ masterName: "orders-cache" });
    cache = reader({ kind: "redis", sentinel: { masterName: set.masterName, sentinels: set.sentinels }, tls: false });
  });
  afterAll(async () => {
    await set?.stop();
  });

  /** Refreshes until the answer satisfies `check`. */
  const eventually = (what: string, check: (detail: Awaited<ReturnType<RedisCacheReader["detail"]>>) => boolean) =>
    waitUntil(async () => {
      await cache.refresh();
      const answer = await cache.detail();
      return check(answer) ? answer : null;
    }, 30_000, what);

  it("finds the primary and the replica the Sentinels agree on, and their quorum", async () => {
    const { value, stale } = await cache.detail();
    expect(stale).toBe(false);
    expect(value.stats.instances).toEqual([
      { pod: set.primary, role: "primary", up: true },
      { pod: set.replica, role: "replica", up: true },
    ]);
    expect(value.replication.replicas[0]).toMatchObject({ address: set.replica, state: "online", linkStatus: "up" });
    expect(value.sentinel).toMatchObject({
      masterName: "orders-cache",
      master: set.primary,
      agreeing: 3,
      configured: 3,
      reachable: 3,
      knownSentinels: 3,
      quorum: 2,
      masterFlags: ["master"],
      ckquorum: { ok: true },
    });
    expect(value.sentinel?.ckquorum?.message).toMatch(/^OK 3 usable Sentinels/);
    expect(value.sentinel?.sentinels.map((view) => [view.address, view.up, view.master, view.knownReplicas])).toEqual(
      [...set.sentinels].sort().map((address) => [address, true, set.primary, 1]),
    );
  });

  it("counts a Sentinel that is down; start.sh brings it back", async () => {
    const [gone] = set.sentinels;
    if (!gone) throw new Error("the set has no Sentinels");
    set.kill(gone, "SIGTERM");
    const withTwo = await eventually("the Sentinel to go", (answer) => answer.value.sentinel?.reachable === 2);
    expect(withTwo.stale).toBe(false);
    expect(withTwo.value.sentinel).toMatchObject({ master: set.primary, agreeing: 2, configured: 3 });
    expect(withTwo.value.sentinel?.sentinels.find((view) => view.address === gone)).toMatchObject({ up: false, master: null });
    expect(withTwo.value.sentinel?.sentinels.find((view) => view.address === gone)?.error).toContain("ECONNREFUSED");

    // Idempotent start: the others run on; the missing one starts and finds them again.
    await run(START_SCRIPT, [], { env: set.scriptEnv, timeout: 60_000 });
    const back = await eventually("the Sentinel to return", (answer) => answer.value.sentinel?.reachable === 3 && answer.value.sentinel.agreeing === 3);
    expect(back.value.sentinel?.ckquorum?.ok).toBe(true);
  });

  it("follows a SENTINEL FAILOVER to the new primary", async () => {
    const sentinel = connect(set.sentinels[1] ?? "");
    await sentinel.call("SENTINEL", "FAILOVER", set.masterName);
    const after = await eventually("the failover", (answer) =>
      !answer.stale
      && answer.value.sentinel?.master === set.replica
      && answer.value.sentinel.agreeing === 3
      && answer.value.instances.find((instance) => instance.address === set.primary)?.figures?.masterLinkStatus === "up");
    expect(after.value.stats.instances).toEqual([
      { pod: set.replica, role: "primary", up: true },
      { pod: set.primary, role: "replica", up: true },
    ]);
    expect(after.value.replication.primary).toBe(set.replica);
  });

  it("answers the last snapshot, stale with the error, while the primary is dead; then the Sentinels' new primary", async () => {
    await cache.refresh();
    const before = await cache.stats();
    expect(before.value.instances[0]).toEqual({ pod: set.replica, role: "primary", up: true });

    set.kill(set.replica);
    // The Sentinels need a second (down-after-milliseconds) to notice: until then they name the dead one.
    await waitUntil(async () => (await connect(set.replica).ping().catch(() => "down")) === "down", 5000, "the primary to die");
    await cache.refresh();
    const during = await cache.stats();
    expect(during.stale).toBe(true);
    expect(during.error?.kind).toBe("unavailable");
    expect(during.error?.message).toContain(set.replica);
    expect(during.value).toEqual(before.value);

    const after = await eventually("the automatic failover", (answer) => !answer.stale && answer.value.sentinel?.master === set.primary);
    expect(after.value.stats.instances).toEqual([
      { pod: set.primary, role: "primary", up: true },
      { pod: set.replica, role: "replica", up: false },
    ]);
    expect(after.value.instances[1]?.error).toContain("ECONNREFUSED");
  });
});

describe("RedisCacheReader with passwords from the environment", () => {
  let set: TestRedisSet;

  beforeAll(async () => {
    set = await startTestRedisSet({ masterName: "secured", sentinels: 1, password: "cache-secret", sentinelPassword: "sentinel-secret" });
    process.env.TEST_REDIS_PASSWORD = "cache-secret";
    process.env.TEST_SENTINEL_PASSWORD = "sentinel-secret";
    process.env.TEST_WRONG_PASSWORD = "not-the-secret";
  });
  afterAll(async () => {
    await set?.stop();
  });

  const secured = (passwordEnv: string, sentinelPasswordEnv = "TEST_SENTINEL_PASSWORD"): RedisCacheConfig => ({
    kind: "redis",
    sentinel: { masterName: "secured", sentinels: set.sentinels, passwordEnv: sentinelPasswordEnv },
    passwordEnv,
    tls: false,
  });

  it("authenticates to the Sentinels and the instances with the secrets the configuration names", async () => {
    const { value, stale } = await reader(secured("TEST_REDIS_PASSWORD")).detail();
    expect(stale).toBe(false);
    expect(value.stats.instances.map((instance) => instance.up)).toEqual([true, true]);
    expect(value.sentinel).toMatchObject({ master: set.primary, quorum: 1, ckquorum: { ok: true } });
    const direct = connect(set.primary, "cache-secret");
    expect(value.stats.keys).toBe(await direct.dbsize());
  });

  it("says so when a password is refused or its variable is not set", async () => {
    const refused = await reader(secured("TEST_WRONG_PASSWORD")).stats();
    expect(refused.stale).toBe(true);
    expect(refused.error?.kind).toBe("auth");

    const sentinelRefused = await reader(secured("TEST_REDIS_PASSWORD", "TEST_WRONG_PASSWORD")).stats();
    expect(sentinelRefused.error?.kind).toBe("auth");
    expect(sentinelRefused.error?.message).toMatch(/no Sentinel .* answered: .*(WRONGPASS|invalid)/);

    const unset = await reader(secured("TEST_REDIS_PASSWORD_NOT_SET")).stats();
    expect(unset.error?.kind).toBe("configuration");
    expect(unset.error?.message).toContain("TEST_REDIS_PASSWORD_NOT_SET");
  });
});
