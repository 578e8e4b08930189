// The Kafka pages in a real browser, on the demo's simulated fleet: the consumer groups list
// shows the real groups worst first; a slow consumer injected into the simulator turns its group
// WARN; the keyboard filters, selects and opens it; the group page says where the lag is heading
// and what to do, with every partition; `?region=` deep links show one region only.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { createScratchDatabase, type ScratchDatabase } from "../helpers/databases";
import { startApp, type RunningApp } from "./support/app";
import { launchBrowser, signIn, uiTimeout } from "./support/browser";

/** In the demo fleet (server/adapters/simulator/catalog.ts): cluster "events" in each region, six groups, 12 partitions on "orders". */
const CLUSTER = "events";
const REGIONS = ["eu-west-1", "us-east-1"];
const GROUPS = ["order-fulfilment", "payment-ledger", "search-indexer", "analytics-loader"];
const SLOW = { group: "order-fulfilment", topic: "orders", region: "eu-west-1", partitions: 12, deployment: "orders/fulfilment-worker" };
const RANK: Record<string, number> = { CRIT: 3, WARN: 2, UNKNOWN: 1, OK: 0 };

let database: ScratchDatabase | undefined;
let app: RunningApp | undefined;
let browser: Browser | undefined;
let page: Page;
const timeout = () => uiTimeout(app);
/** Burrow needs five polls of a lagging partition; at one poll a second the group is judged within seconds. */
const JUDGED_TIMEOUT = 90_000;

const groupKey = (group: string, topic: string, region: string) => `${CLUSTER}/${group}/${topic}@${region}`;
const pathOf = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
};
const attributes = (selector: string, name: string) => page.locator(selector).evaluateAll((elements, attribute) => elements.map((element) => element.getAttribute(attribute) ?? ""), name);
/** The first badge of each row is its verdict (the Burrow badge carries data-status, not data-verdict). */
const rowVerdicts = (rowTestId: string) => page.locator(`[data-testid=${rowTestId}] [data-verdict]`).evaluateAll((badges) => badges.map((badge) => badge.getAttribute("data-verdict") ?? ""));
const isWorstFirst = (verdicts: string[]) => verdicts.every((verdict, index) => index === 0 || (RANK[verdict] ?? 0) <= (RANK[verdicts[index - 1] ?? ""] ?? 0));
const slowRow = () => page.locator(`[data-testid=group-row][data-key="${groupKey(SLOW.group, SLOW.topic, SLOW.region)}"]`);

describe("queues pages", { timeout: 180_000 }, () => {
  beforeAll(async () => {
    // The app inherits the environment: a lag poll every second instead of every ten.
    process.env.CONSUMER_LAG_POLL_SECONDS = "1";
    database = await createScratchDatabase("e2e");
    app = await startApp({ databaseUrl: database.url });
    browser = await launchBrowser();
    page = await signIn(browser, app, "operator@scaleplane.local");
    // A consumer whose downstream got slow: its lag grows, so Burrow says WARN.
    const incident = await page.request.post("/api/simulator/incidents", { data: { scenario: "slow consumer", target: SLOW.group, region: SLOW.region, durationSeconds: 900 } });
    expect(incident.status(), await incident.text()).toBe(201);
  });

  afterAll(async () => {
    delete process.env.CONSUMER_LAG_POLL_SECONDS;
    await browser?.close().catch(() => {});
    await app?.stop();
    await database?.drop();
  });

  test("the list shows the clusters and every consumer group in every region, worst first", async () => {
    await page.goto("/queues");
    await page.getByTestId("group-row").first().waitFor();
    const keys = await attributes("[data-testid=group-row]", "data-key");
    for (const group of GROUPS) for (const region of REGIONS) expect(keys.some((key) => key.startsWith(`${CLUSTER}/${group}/`) && key.endsWith(`@${region}`))).toBe(true);
    expect(isWorstFirst(await rowVerdicts("group-row"))).toBe(true);
    expect(await slowRow().getByTestId("group-link").getAttribute("href")).toBe(`/queues/${CLUSTER}/groups/${SLOW.group}?region=${SLOW.region}`);

    const cards = await attributes("[data-testid=cluster-card]", "data-key");
    expect(cards.sort()).toEqual(REGIONS.map((region) => `${CLUSTER}@${region}`));
  });

  test("the slow consumer's group turns WARN and moves to the top", async () => {
    // The page refreshes itself every few seconds: no reload needed.
    await expect.poll(() => slowRow().locator("[data-verdict]").getAttribute("data-verdict"), { timeout: JUDGED_TIMEOUT, interval: 1_000 }).toMatch(/^(WARN|CRIT)$/);
    expect(await slowRow().textContent()).toMatch(/partition \d+: lag [\d,]+/);
    const first = await page.getByTestId("group-row").first().locator("[data-verdict]").getAttribute("data-verdict");
    expect(first === "WARN" || first === "CRIT").toBe(true);
  });

  test("the dead-letter tab and the topics tab flag DLQ topics", async () => {
    await page.getByTestId("queues-tab-dlq").click();
    await page.getByTestId("dlq-row").first().waitFor();
    const dlqs = await attributes("[data-testid=dlq-row]", "data-key");
    expect(dlqs).toContain(`${CLUSTER}/orders.dlq@eu-west-1`);
    expect(dlqs.every((key) => key.includes(".dlq@"))).toBe(true);
    await expect.poll(() => pathOf(page.url())).toBe("/queues?tab=dlq");

    await page.getByTestId("queues-tab-topics").click();
    const orders = page.locator(`[data-testid=topic-row][data-key="${CLUSTER}/orders@eu-west-1"]`);
    await orders.waitFor();
    // The source topic shows its dead-letter topic's depth; the DLQ row carries the DLQ mark.
    expect(await page.locator(`[data-testid=topic-row][data-key="${CLUSTER}/orders.dlq@eu-west-1"]`).textContent()).toContain("DLQ");
    await page.getByTestId("queues-tab-groups").click();
    await slowRow().waitFor();
  });

  test("/ filters the groups, j selects one and Enter opens its page", async () => {
    await page.keyboard.press("/");
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("queues-filter");
    await page.keyboard.type(SLOW.group);
    await expect.poll(() => attributes("[data-testid=group-row]", "data-key"), { timeout: timeout() }).toEqual(expect.arrayContaining(REGIONS.map((region) => groupKey(SLOW.group, SLOW.topic, region))));
    expect((await attributes("[data-testid=group-row]", "data-key")).every((key) => key.includes(`/${SLOW.group}/`))).toBe(true);
    await expect.poll(() => pathOf(page.url())).toBe(`/queues?q=${SLOW.group}`);

    await page.keyboard.press("Escape");
    await page.keyboard.press("j");
    const selected = page.locator('[data-testid=group-row][aria-selected="true"]');
    await selected.waitFor();
    // Worst first: the slow region's row is the first one j selects.
    expect(await selected.getAttribute("data-key")).toBe(groupKey(SLOW.group, SLOW.topic, SLOW.region));

    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.pathname === `/queues/${CLUSTER}/groups/${SLOW.group}` && url.searchParams.get("region") === SLOW.region);
  });

  test("the group page says where the lag is heading, what to do, and shows every partition", async () => {
    const entry = page.locator(`[data-testid=group-entry][data-key="${SLOW.region}/${SLOW.topic}"]`);
    await entry.waitFor();
    expect(await page.getByTestId("group-entry").count()).toBe(1);
    await expect.poll(() => entry.getByTestId("lag-headline").textContent(), { timeout: timeout() }).toMatch(/^Lag [\d,]+, (growing|steady|shrinking)/);
    const consumers = (await entry.getByTestId("consumers-line").textContent()) ?? "";
    expect(consumers).toMatch(/^Consumers: \d+ \(deployment orders\/fulfilment-worker\)/);
    expect(await entry.getByTestId("deployment-link").getAttribute("href")).toBe(`/services/orders/fulfilment-worker?region=${SLOW.region}`);
    // A slow consumer with members to spare on 12 partitions: scaling is the way out, one click to the form, prefilled.
    await expect.poll(() => entry.getByTestId("scale-link").count(), { timeout: timeout() }).toBe(1);
    expect(await entry.getByTestId("group-advice").textContent()).toMatch(/[Ss]cal(ing|e) (the consumer )?to \d+|[Ss]caling the consumer/);
    await entry.getByTestId("scale-link").click();
    const form = page.locator("[data-testid=request-form][data-kind='consumerGroup.scale']");
    await form.waitFor();
    expect(await form.getByTestId("request-region").inputValue()).toBe(SLOW.region);
    expect(await form.getByTestId("request-replicas").inputValue()).toMatch(/^\d+$/);
    expect(await form.getByTestId("request-reason").inputValue()).toContain(`consumer group ${SLOW.group} lag`);
    // The open form is in the address, so the link can be shared; Esc closes it and clears it.
    expect(new URL(page.url()).searchParams.get("action")).toBe("consumerGroup.scale");
    await page.keyboard.press("Escape");
    await form.waitFor({ state: "detached" });
    expect(new URL(page.url()).searchParams.get("action")).toBeNull();

    const partitions = entry.getByTestId("partition-row");
    await expect.poll(() => partitions.count(), { timeout: timeout() }).toBe(SLOW.partitions);
    const numbers = await attributes(`[data-testid=group-entry][data-key="${SLOW.region}/${SLOW.topic}"] [data-testid=partition-row]`, "data-key");
    expect(numbers.map((key) => Number(key.split("/").pop())).sort((a, b) => a - b)).toEqual([...Array(SLOW.partitions).keys()]);
    const first = partitions.first();
    expect(await first.locator("[data-status]").getAttribute("data-status")).toMatch(/^(OK|WARN|STALL|STOP|REWIND|UNKNOWN)$/);
    expect(await first.getByTestId("partition-sparkline").count()).toBe(1);
    expect(await first.textContent()).toMatch(/lag [\d,]+|caught up|no offsets/);

    // j walks the partitions.
    await page.keyboard.press("j");
    await expect.poll(() => page.locator('[data-testid=partition-row][aria-selected="true"]').count()).toBe(1);
  });

  test("a ?region= deep link shows that region only, and the region switch shows them all", async () => {
    await page.goto(`/queues/${CLUSTER}/groups/${SLOW.group}?region=us-east-1`);
    await page.locator('[data-testid=group-entry][data-key="us-east-1/orders"]').waitFor();
    expect(await attributes("[data-testid=group-entry]", "data-key")).toEqual(["us-east-1/orders"]);
    expect(await page.getByTestId("region-switch").getByRole("button", { name: "us-east-1" }).getAttribute("aria-pressed")).toBe("true");

    await page.getByTestId("region-switch").getByRole("button", { name: "all regions" }).click();
    await expect.poll(() => attributes("[data-testid=group-entry]", "data-key"), { timeout: timeout() }).toHaveLength(2);
    // Worst first: the slow region on top.
    expect((await attributes("[data-testid=group-entry]", "data-key"))[0]).toBe(`${SLOW.region}/${SLOW.topic}`);

    await page.goto(`/queues/${CLUSTER}?region=eu-west-1`);
    await page.getByTestId("group-row").first().waitFor();
    const keys = await attributes("[data-testid=group-row]", "data-key");
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((key) => key.endsWith("@eu-west-1"))).toBe(true);
    expect(await attributes("[data-testid=cluster-card]", "data-key")).toEqual([`${CLUSTER}@eu-west-1`]);
  });

  test("the topic page shows its dead-letter topic and the groups reading it", async () => {
    await page.goto(`/queues/${CLUSTER}/topics/${SLOW.topic}?region=${SLOW.region}`);
    await page.getByTestId("topic-region-row").first().waitFor();
    expect(await attributes("[data-testid=topic-region-row]", "data-key")).toEqual([SLOW.region]);
    const deadLetter = page.getByTestId("dead-letter-row").first();
    await deadLetter.waitFor();
    expect(await deadLetter.getByTestId("related-topic-link").getAttribute("href")).toBe(`/queues/${CLUSTER}/topics/orders.dlq?region=${SLOW.region}`);
    const readers = await attributes("[data-testid=group-row]", "data-key");
    expect(readers).toEqual([groupKey(SLOW.group, SLOW.topic, SLOW.region)]);

    // j then Enter opens the group from here too.
    await page.keyboard.press("j");
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.pathname === `/queues/${CLUSTER}/groups/${SLOW.group}`);
  });
});
