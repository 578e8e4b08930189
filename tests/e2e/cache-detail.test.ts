// The cache page's detail read from a real Redis, in a real browser: the app runs with a
// configuration that names a real primary, replica and three Sentinels as `product-cache` in
// eu-west-1 (every other cache stays simulated). The page shows each instance with its
// replication, the Sentinels' agreement and failover check, the slowlog and memory policy, and
// the key namespaces sampled on the replica, largest memory first. A cache known only from
// metrics says so. When the replica and a Sentinel are killed, the page says so in words.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createScratchDatabase, type ScratchDatabase } from "../helpers/databases";
import { startTestRedisSet, type TestRedisSet } from "../helpers/redis-servers";
import { startApp, type RunningApp } from "./support/app";
import { launchBrowser, signIn, uiTimeout } from "./support/browser";

const CACHE = "product-cache";
const REAL_REGION = "eu-west-1";
const SIMULATED_REGION = "us-east-1";
const MASTER_NAME = "scaleplane-e2e";
/** Keys written before the app starts: prefix, count, value size. Memory order: product, session, price, feature-flag. */
const KEYS = [
  { prefix: "product", count: 200, valueBytes: 2000 },
  { prefix: "price", count: 400, valueBytes: 40 },
  { prefix: "session", count: 150, valueBytes: 500 },
  { prefix: "feature-flag", count: 20, valueBytes: 4 },
];
/** The reader refreshes every 10 s; the page every 5 s. A change shows within both, with room to spare. */
const CHANGE_TIMEOUT = 45_000;

let redisSet: TestRedisSet | undefined;
let configDir: string | undefined;
let database: ScratchDatabase | undefined;
let app: RunningApp | undefined;
let browser: Browser | undefined;
let page: Page;
const timeout = () => uiTimeout(app);

const attributes = (selector: string, name: string) => page.locator(selector).evaluateAll((elements, attribute) => elements.map((element) => element.getAttribute(attribute) ?? ""), name);
const liveSection = () => page.locator(`[data-testid=cache-live][data-region="${REAL_REGION}"]`);
const instanceRow = (address: string) => liveSection().locator(`[data-testid=live-instance-row][data-address="${address}"]`);

async function fillCache(set: TestRedisSet): Promise<void> {
  const [host, port] = set.primary.split(":");
  const primary = new Redis({ host, port: Number(port), lazyConnect: true });
  await primary.connect();
  try {
    await primary.flushall();
    const pipeline = primary.pipeline();
    for (const { prefix, count, valueBytes } of KEYS) for (let i = 0; i < count; i++) pipeline.set(`${prefix}:${i}`, "v".repeat(valueBytes));
    await pipeline.exec();
    // The key sample runs on the replica: wait until it holds every key.
    await primary.wait(1, 5_000);
  } finally {
    primary.disconnect();
  }
}

/** The demo's environment, with the test's Redis set standing in for product-cache in eu-west-1. */
function writeConfig(set: TestRedisSet): string {
  configDir = mkdtempSync(path.join(os.tmpdir(), "scaleplane-cache-detail-"));
  const file = path.join(configDir, "scaleplane.json");
  const config = {
    version: 1,
    defaultEnvironment: "demo",
    environments: {
      demo: {
        source: "simulator",
        regions: {
          [REAL_REGION]: { clusters: { [CACHE]: { kind: "redis", sentinel: { masterName: set.masterName, sentinels: set.sentinels } } } },
          [SIMULATED_REGION]: {},
        },
      },
    },
  };
  // JSON is YAML: the configuration loader reads it as is.
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

describe("the cache page's detail from the real instances", { timeout: 180_000 }, () => {
  beforeAll(async () => {
    redisSet = await startTestRedisSet({ masterName: MASTER_NAME, maxmemory: "64mb" });
    await fillCache(redisSet);
    database = await createScratchDatabase("e2e");
    // startApp hands its own environment to the app: the configuration goes through it.
    const previous = process.env.SCALEPLANE_CONFIG;
    process.env.SCALEPLANE_CONFIG = writeConfig(redisSet);
    try {
      app = await startApp({ databaseUrl: database.url });
    } finally {
      if (previous === undefined) delete process.env.SCALEPLANE_CONFIG;
      else process.env.SCALEPLANE_CONFIG = previous;
    }
    browser = await launchBrowser();
    page = await signIn(browser, app, "operator@scaleplane.local");
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await app?.stop();
    await database?.drop();
    await redisSet?.stop();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  test("from the caches list, the keyboard opens the real cache's region, which shows its instances, replication and Sentinels", async () => {
    const set = redisSet!;
    await page.goto("/caches");
    await page.getByTestId("cache-row").first().waitFor();
    await page.keyboard.press("/");
    await page.keyboard.type(CACHE);
    await expect.poll(() => attributes("[data-testid=cache-row]", "data-key"), { timeout: timeout() }).toEqual(expect.arrayContaining([`${CACHE}@${REAL_REGION}`, `${CACHE}@${SIMULATED_REGION}`]));
    await page.keyboard.press("Escape");
    // j until the real region's row is selected (the rows are worst first, so its place varies).
    // Read without waiting: before the first j, no row is selected.
    const selectedKey = () => page.locator('[data-testid=cache-row][aria-selected="true"]').evaluateAll((rows) => rows[0]?.getAttribute("data-key") ?? null);
    for (let presses = 0; presses < 4 && (await selectedKey()) !== `${CACHE}@${REAL_REGION}`; presses++) await page.keyboard.press("j");
    expect(await selectedKey()).toBe(`${CACHE}@${REAL_REGION}`);
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.pathname === `/caches/${CACHE}` && url.searchParams.get("region") === REAL_REGION);

    await liveSection().waitFor();
    await expect.poll(() => liveSection().getAttribute("data-stale"), { timeout: CHANGE_TIMEOUT }).toBe("false");
    // The primary first, then the replica, each up, the replica's link up and acknowledging.
    await instanceRow(set.replica).waitFor();
    expect(await attributes(`[data-testid=cache-live][data-region="${REAL_REGION}"] [data-testid=live-instance-row]`, "data-address")).toEqual([set.primary, set.replica]);
    expect(await instanceRow(set.primary).getAttribute("data-role")).toBe("primary");
    expect(await instanceRow(set.replica).getAttribute("data-role")).toBe("replica");
    expect(await instanceRow(set.replica).getAttribute("data-tone")).toBe("normal");
    expect(await instanceRow(set.replica).locator("td").nth(3).textContent()).toBe("up");
    expect(await instanceRow(set.replica).getByTestId("replica-last-ack").textContent()).toMatch(/^\d+ s ago$/);
    expect(await liveSection().getByTestId("live-replication").textContent()).toBe("replicas in sync1 of 1");

    // The Sentinels: all three agree on the primary and can authorise a failover.
    const sentinel = liveSection().getByTestId("sentinel-panel");
    expect(await sentinel.getAttribute("data-failover")).toBe("true");
    expect(await sentinel.getByTestId("sentinel-master").textContent()).toBe(set.primary);
    expect(await sentinel.getByTestId("sentinel-agreeing").textContent()).toBe("3 of 3 agree");
    expect(await sentinel.getByTestId("sentinel-reachable").textContent()).toBe("3 of 3 reachable");
    expect(await sentinel.getByTestId("sentinel-ckquorum").textContent()).toMatch(/^CKQUORUM: OK 3 usable Sentinels/);
    expect((await attributes(`[data-testid=cache-live][data-region="${REAL_REGION}"] [data-testid=sentinel-row]`, "data-address")).sort()).toEqual([...set.sentinels].sort());
    expect(await liveSection().getByTestId("live-failover").textContent()).toBe("failoverpossible");

    // The slowlog and the memory policy start.sh gave the set (a tile's text runs label, figure and unit together).
    expect(await liveSection().getByTestId("live-slowlog").textContent()).toMatch(/^slowlog \(primary\)\d+(entry|entries)$/);
    expect(await liveSection().getByTestId("live-memory-policy").textContent()).toBe("memory policyallkeys-lru");

    // The card above does not list the instances again; its link jumps to them (keyboard: focus, Enter).
    await page.getByTestId("live-link").focus();
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.hash === `#live-${REAL_REGION}`);
  });

  test("the key namespaces come from the sample, largest memory first, labelled with the sample", async () => {
    const panel = liveSection().getByTestId("keyspace-panel");
    // The first sample runs right after the first read of the instances.
    await expect.poll(() => panel.getAttribute("data-state"), { timeout: CHANGE_TIMEOUT }).not.toBe("not-sampled");
    expect(await attributes(`[data-testid=cache-live][data-region="${REAL_REGION}"] [data-testid=prefix-row]`, "data-prefix")).toEqual(["product", "session", "price", "feature-flag"]);
    const total = KEYS.reduce((sum, { count }) => sum + count, 0);
    const sample = (await panel.getByTestId("keyspace-sample").textContent()) ?? "";
    expect(sample).toContain(redisSet!.replica); // sampled on the replica, sparing the primary
    expect(sample).toMatch(/ago/);
    if ((await panel.getAttribute("data-state")) === "complete") {
      // Fewer keys than the sample size: the scan went through all of them, so the figures are counts.
      expect(sample).toContain(`Counted over all ${total.toLocaleString("en-US")} keys`);
      const counts = await panel.locator("[data-testid=prefix-row] td:nth-of-type(1)").allTextContents();
      expect(counts).toEqual(["200", "150", "400", "20"]);
    } else {
      expect(sample).toMatch(new RegExp(`^Estimate from a sample of [\\d,]+ of ${total.toLocaleString("en-US")} keys`));
    }
    // Shares as meters, with their figures for screen readers.
    expect(await panel.locator('[data-prefix="product"]').getByRole("meter", { name: /share of memory/ }).getAttribute("aria-valuetext")).toMatch(/^\d+(\.\d)?%$/);
  });

  test("all regions: the simulated region says it has metrics only, and only the real one has a detail section", async () => {
    await page.goto(`/caches/${CACHE}`);
    await page.locator(`[data-testid=cache-region][data-region="${SIMULATED_REGION}"]`).waitFor();
    await liveSection().waitFor();
    expect(await attributes("[data-testid=cache-live]", "data-region")).toEqual([REAL_REGION]);
    const simulated = page.locator(`[data-testid=cache-region][data-region="${SIMULATED_REGION}"]`);
    expect(await simulated.getByTestId("metrics-only").textContent()).toContain("not read directly");
    expect(await simulated.getByTestId("instance-row").count()).toBe(3);
    expect(await page.locator(`[data-testid=cache-region][data-region="${REAL_REGION}"]`).getByTestId("metrics-only").count()).toBe(0);
  });

  test("when the replica and a Sentinel die, the page says which, in words", async () => {
    const set = redisSet!;
    await page.goto(`/caches/${CACHE}?region=${REAL_REGION}`);
    await instanceRow(set.replica).waitFor();
    const deadSentinel = set.sentinels[2] ?? "";
    set.kill(set.replica);
    set.kill(deadSentinel);

    await expect.poll(() => instanceRow(set.replica).getAttribute("data-tone"), { timeout: CHANGE_TIMEOUT }).toBe("crit");
    expect(await instanceRow(set.replica).locator("td").nth(2).textContent()).toBe("down");
    await expect.poll(() => liveSection().getByTestId("replication-findings").textContent(), { timeout: CHANGE_TIMEOUT }).toContain(`${set.replica} (replica): down`);
    expect(await liveSection().getByTestId("live-replication").textContent()).toBe("replicas in sync0 of 1");

    const sentinel = liveSection().getByTestId("sentinel-panel");
    await expect.poll(() => sentinel.getByTestId("sentinel-reachable").textContent(), { timeout: CHANGE_TIMEOUT }).toBe("2 of 3 reachable");
    expect(await sentinel.getByTestId("sentinel-findings").textContent()).toContain("1 of 3 Sentinels unreachable");
    expect(await sentinel.locator(`[data-testid=sentinel-row][data-address="${deadSentinel}"]`).getAttribute("data-up")).toBe("false");
    // Two of three still make the quorum of two: a failover remains possible.
    expect(await sentinel.getAttribute("data-failover")).toBe("true");
  });
});
