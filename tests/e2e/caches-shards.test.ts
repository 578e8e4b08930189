// The cache and shard pages in a real browser, on the demo's simulated fleet: the lists show
// the real caches and clusters worst first with their figures and reasons; the keyboard moves
// to a row and Enter opens its page; a `?region=` deep link shows that region only; a shard
// imbalance injected into the simulator shows on both the list and the cluster's page.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { createScratchDatabase, type ScratchDatabase } from "../helpers/databases";
import { startApp, type RunningApp } from "./support/app";
import { launchBrowser, signIn, uiTimeout } from "./support/browser";

/** In the demo fleet (server/adapters/simulator/catalog.ts): two caches and two clusters in each region, MongoDB homed in the first. */
const CACHES = ["product-cache", "session-cache"];
const REGIONS = ["eu-west-1", "us-east-1"];
const MONGO = { cluster: "orders", region: "eu-west-1", shards: 3 };
const ELASTICSEARCH = "search";
const RANK: Record<string, number> = { CRIT: 3, WARN: 2, UNKNOWN: 1, OK: 0 };

let database: ScratchDatabase | undefined;
let app: RunningApp | undefined;
let browser: Browser | undefined;
let page: Page;
const timeout = () => uiTimeout(app);

const pathOf = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
};
const attributes = (selector: string, name: string) => page.locator(selector).evaluateAll((elements, attribute) => elements.map((element) => element.getAttribute(attribute) ?? ""), name);
const verdictsOf = (rowTestId: string) => page.locator(`[data-testid=${rowTestId}] [data-verdict]`).evaluateAll((badges) => badges.map((badge) => badge.getAttribute("data-verdict") ?? ""));
const isWorstFirst = (verdicts: string[]) => verdicts.every((verdict, index) => index === 0 || (RANK[verdict] ?? 0) <= (RANK[verdicts[index - 1] ?? ""] ?? 0));

describe("caches and shards pages", { timeout: 180_000 }, () => {
  beforeAll(async () => {
    database = await createScratchDatabase("e2e");
    app = await startApp({ databaseUrl: database.url });
    browser = await launchBrowser();
    page = await signIn(browser, app, "operator@scaleplane.local");
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await app?.stop();
    await database?.drop();
  });

  test("the caches list shows every cache in every region, worst first, with its figures", async () => {
    await page.goto("/caches");
    const rows = page.getByTestId("cache-row");
    await rows.first().waitFor();
    const keys = await attributes("[data-testid=cache-row]", "data-key");
    for (const cache of CACHES) for (const region of REGIONS) expect(keys).toContain(`${cache}@${region}`);
    expect(isWorstFirst(await verdictsOf("cache-row"))).toBe(true);

    const product = page.locator('[data-testid=cache-row][data-key="product-cache@eu-west-1"]');
    expect(await product.getByTestId("cache-link").getAttribute("href")).toBe("/caches/product-cache?region=eu-west-1");
    // Memory as a meter with the figures spelled out, and the instances with how many are up.
    expect(await product.getByRole("meter").getAttribute("aria-valuetext")).toMatch(/ of 1 GiB \(\d+%\)$/);
    expect(await product.getByTestId("instance-strip").getAttribute("aria-label")).toContain("product-cache-0 primary");
    expect(await product.getByTestId("instance-strip").textContent()).toMatch(/^PRR\d\/3$/);
    expect(await page.getByTestId("cache-count").textContent()).toMatch(/^\d+ of \d+ caches$/);
  });

  test("/ filters the caches, j selects a row and Enter opens its page", async () => {
    await page.keyboard.press("/");
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("cache-filter");
    await page.keyboard.type("session");
    await expect.poll(() => attributes("[data-testid=cache-row]", "data-key"), { timeout: timeout() }).toEqual(expect.arrayContaining(REGIONS.map((region) => `session-cache@${region}`)));
    expect((await attributes("[data-testid=cache-row]", "data-key")).every((key) => key.startsWith("session-cache@"))).toBe(true);
    await expect.poll(() => pathOf(page.url())).toBe("/caches?q=session");

    await page.keyboard.press("Escape");
    await page.keyboard.press("j");
    const selected = page.locator('[data-testid=cache-row][aria-selected="true"]');
    await selected.waitFor();
    const key = (await selected.getAttribute("data-key")) ?? "";
    const region = key.split("@")[1] ?? "";
    expect(REGIONS).toContain(region);

    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.pathname === "/caches/session-cache");
    expect(new URL(page.url()).searchParams.get("region")).toBe(region);
    await page.getByTestId("cache-region").first().waitFor();
    expect(await page.getByTestId("cache-name").textContent()).toBe("session-cache");
    expect(await attributes("[data-testid=cache-region]", "data-region")).toEqual([region]);
    expect(await page.getByTestId("figure-hit-ratio").textContent()).toMatch(/^hit ratio\d+(\.\d)?%$/);
    expect(await page.getByTestId("instance-row").count()).toBe(3);
  });

  test("a cache deep link with ?region= shows that region only; without it, every region", async () => {
    await page.goto("/caches/product-cache?region=eu-west-1");
    await page.getByTestId("cache-region").first().waitFor();
    expect(await attributes("[data-testid=cache-region]", "data-region")).toEqual(["eu-west-1"]);
    expect(await page.locator('[data-testid=region-switch] button[aria-pressed="true"]').textContent()).toBe("eu-west-1");
    expect(await page.getByTestId("memory-bar").getByRole("meter").getAttribute("aria-valuetext")).toMatch(/ of 1 GiB/);

    await page.getByRole("button", { name: "all regions" }).click();
    await expect.poll(() => attributes("[data-testid=cache-region]", "data-region")).toEqual(expect.arrayContaining(REGIONS));
    expect(pathOf(page.url())).toBe("/caches/product-cache");

    await page.goto("/caches?region=us-east-1");
    await page.getByTestId("cache-row").first().waitFor();
    expect((await attributes("[data-testid=cache-row]", "data-key")).every((key) => key.endsWith("@us-east-1"))).toBe(true);
    expect(await page.getByTestId("cache-region-filter").inputValue()).toBe("us-east-1");
  });

  test("the shards list shows the MongoDB and Elasticsearch clusters in two sections", async () => {
    await page.goto("/shards");
    await page.getByTestId("mongo-row").first().waitFor();
    expect(await attributes("[data-testid=mongo-row]", "data-key")).toEqual([`mongo:${MONGO.cluster}@${MONGO.region}`]);
    expect(await attributes("[data-testid=es-row]", "data-key")).toEqual(expect.arrayContaining(REGIONS.map((region) => `es:${ELASTICSEARCH}@${region}`)));
    expect(isWorstFirst(await verdictsOf("es-row"))).toBe(true);
    const mongo = page.getByTestId("mongo-row").first();
    expect(await mongo.getByTestId("balancer").getAttribute("data-enabled")).toMatch(/^(true|false)$/);
    expect(await mongo.locator("td").nth(5).textContent()).toBe(String(MONGO.shards));
    const es = page.getByTestId("es-row").first();
    expect(["green", "yellow", "red"]).toContain(await es.locator("[data-status]").getAttribute("data-status"));
    expect(await es.getByRole("meter").getAttribute("aria-valuetext")).toMatch(/GiB of \d+(\.\d)? GiB/);
  });

  test("a shard imbalance shows on the list with its reason, and Enter opens the cluster's page", async () => {
    const response = await page.request.post("/api/simulator/incidents", { data: { scenario: "shard imbalance", durationSeconds: 600 } });
    expect(response.status()).toBe(201);
    const mongo = page.getByTestId("mongo-row").first();
    // The list refreshes by itself every 5 s: no reload.
    await expect.poll(() => mongo.getByTestId("mongo-reasons").textContent(), { timeout: timeout() }).toContain("balancer off");
    expect(["WARN", "CRIT"]).toContain(await mongo.locator("[data-verdict]").getAttribute("data-verdict"));
    expect(await mongo.getByTestId("balancer").getAttribute("data-enabled")).toBe("false");

    // The MongoDB table comes first, so j lands on its (only) row.
    await page.keyboard.press("j");
    await expect.poll(() => mongo.getAttribute("aria-selected")).toBe("true");
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.pathname === `/shards/${MONGO.cluster}`);
    expect(new URL(page.url()).searchParams.get("region")).toBe(MONGO.region);

    const cluster = page.getByTestId("mongo-cluster");
    await cluster.waitFor();
    expect(await cluster.getAttribute("data-region")).toBe(MONGO.region);
    expect(await page.getByTestId("figure-balancer").textContent()).toBe("balanceroff");
    expect(await page.getByTestId("chunk-bar").count()).toBe(MONGO.shards);
    expect(Number(await page.getByTestId("chunk-chart").getAttribute("data-limit"))).toBeGreaterThan(0);
    expect(await page.getByTestId("replica-set").count()).toBe(MONGO.shards);
    // A primary and its secondaries in each replica set.
    expect(await page.locator('[data-testid=member-row] [data-state="PRIMARY"]').count()).toBe(MONGO.shards);
    expect(await page.getByTestId("region-reasons").textContent()).toContain("balancer off");
  });

  test("a cluster deep link with ?region= shows that region only, and says so when the cluster is not there", async () => {
    await page.goto(`/shards/${ELASTICSEARCH}?region=us-east-1`);
    await page.getByTestId("es-cluster").first().waitFor();
    expect(await attributes("[data-testid=es-cluster]", "data-region")).toEqual(["us-east-1"]);
    expect(["green", "yellow", "red"]).toContain(await page.getByTestId("figure-status").locator("[data-status]").getAttribute("data-status"));
    expect(await page.getByTestId("heap-bar").getByRole("meter").getAttribute("aria-valuetext")).toMatch(/GiB of \d+(\.\d)? GiB/);

    await page.goto(`/shards/${MONGO.cluster}?region=us-east-1`);
    const notice = page.getByTestId("region-not-found");
    await notice.waitFor();
    expect(await notice.textContent()).toBe(`${MONGO.cluster} does not run in us-east-1. It runs in ${MONGO.region}.`);
    expect(await page.getByTestId("mongo-cluster").count()).toBe(0);
  });
});
