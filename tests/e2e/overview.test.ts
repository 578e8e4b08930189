// The fleet at a glance in a real browser, at the scale the overview is built for (5,000
// simulated services in two regions): signing in lands on the overview with its four areas;
// the "needs attention" list, the command palette (Ctrl-K), the `g` shortcuts and the regions
// page (failover plans, deep links) work from the keyboard; the services table keeps only the
// rows in view in the page.
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { createScratchDatabase, type ScratchDatabase } from "../helpers/databases";
import { startApp, type RunningApp } from "./support/app";
import { launchBrowser, signIn, uiTimeout } from "./support/browser";

/** The simulator's largest fleet: 5,000 services (plus their consumers) in two regions, over 10,000 rows. */
const SERVICES = "5000";
const SERVICE = { namespace: "checkout", name: "payments" };

let database: ScratchDatabase | undefined;
let app: RunningApp | undefined;
let browser: Browser | undefined;
let page: Page;
const timeout = () => uiTimeout(app);

const activeTestId = () => page.evaluate(() => document.activeElement?.getAttribute("data-testid") ?? document.activeElement?.tagName ?? null);
const pathOf = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}${parsed.hash}`;
};

const NO_RULES_DIR = path.join(path.resolve(import.meta.dirname, "../.."), ".tmp/e2e-overview", `no-rules-${process.pid}`);

describe("fleet overview, command palette and regions", { timeout: 180_000 }, () => {
  beforeAll(async () => {
    database = await createScratchDatabase("e2e");
    const previous = process.env.SIMULATOR_SERVICES;
    process.env.SIMULATOR_SERVICES = SERVICES;
    try {
      // No rule files for the simulator: at this size its own alert rules fire thousands of
      // latency alerts a couple of minutes in, a load this test of the overview is not about.
      mkdirSync(NO_RULES_DIR, { recursive: true });
      app = await startApp({ databaseUrl: database.url, env: { SIMULATOR_ALERT_RULES_DIR: NO_RULES_DIR } });
    } finally {
      if (previous === undefined) delete process.env.SIMULATOR_SERVICES;
      else process.env.SIMULATOR_SERVICES = previous;
    }
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await app?.stop();
    await database?.drop();
    rmSync(NO_RULES_DIR, { recursive: true, force: true });
  });

  test("signing in lands on the overview, which shows the four areas and the regions", async () => {
    if (!browser || !app) throw new Error("not started");
    page = await signIn(browser, app, "operator@scaleplane.local");
    expect(new URL(page.url()).pathname).toBe("/");

    const cards = page.getByTestId("area-card");
    await cards.first().waitFor();
    expect(await cards.evaluateAll((elements) => elements.map((element) => element.getAttribute("data-area")))).toEqual(["services", "queues", "caches", "shards"]);
    for (const card of await cards.all()) {
      expect(["OK", "WARN", "CRIT", "UNKNOWN"]).toContain(await card.getAttribute("data-verdict"));
    }
    // Every workload is counted: over 10,000 services × regions, split by verdict.
    const counts = (await page.locator('[data-area="services"] [data-testid=area-counts]').textContent()) ?? "";
    expect(counts).toMatch(/^[\d,]+ CRIT · [\d,]+ WARN · (?:[\d,]+ UNKNOWN · )?[\d,]+ OK$/);
    const total = [...counts.matchAll(/([\d,]+) [A-Z]+/g)].reduce((sum, match) => sum + Number(match[1]?.replaceAll(",", "")), 0);
    expect(total).toBeGreaterThanOrEqual(10_000);
    expect(await page.locator('[data-area="services"] [data-testid=area-region]').count()).toBe(2);
    expect(await page.getByTestId("overview-region").count()).toBe(2);
  });

  test("the needs-attention list goes worst first, with its reasons, and opens from the keyboard", async () => {
    const rows = page.getByTestId("attention-row");
    await rows.first().waitFor();
    const verdicts = await rows.evaluateAll((elements) => elements.map((row) => row.querySelector("[data-verdict]")?.getAttribute("data-verdict")));
    const rank = { CRIT: 0, WARN: 1, UNKNOWN: 2 } as Record<string, number>;
    const ranks = verdicts.map((verdict) => rank[verdict ?? ""] ?? 9);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(ranks.every((r) => r < 9)).toBe(true);
    // The reasons are on the page, not only in a tooltip.
    expect((await rows.first().locator("td").last().textContent())?.trim().length).toBeGreaterThan(3);

    await page.keyboard.press("j");
    await page.keyboard.press("j");
    await page.keyboard.press("k");
    const first = rows.first();
    await expect.poll(() => first.getAttribute("aria-selected")).toBe("true");
    const href = await first.getByTestId("attention-link").getAttribute("href");
    expect(href).toBeTruthy();
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => pathOf(url.href) === href);
    await page.goBack();
    await page.getByTestId("area-card").first().waitFor();
  });

  test("Ctrl-K finds a service by part of its name among some 10,000 entities, and Enter opens it", async () => {
    await page.keyboard.press("Control+k");
    const dialog = page.getByRole("dialog", { name: "Go to a page or entity" });
    await dialog.waitFor();
    expect(await activeTestId()).toBe("palette-input");
    // Focus stays in the palette.
    await page.keyboard.press("Tab");
    expect(await activeTestId()).toBe("palette-input");

    // A broad query renders a bounded list, however many match.
    const input = page.getByTestId("palette-input");
    const options = page.getByTestId("palette-option");
    await input.fill("a");
    await expect.poll(() => options.count(), { timeout: timeout() }).toBe(50);
    expect(await dialog.textContent()).toMatch(/first 50 of [\d,]+/);

    await input.fill(`${SERVICE.namespace}/paym`);
    await expect.poll(() => options.first().getAttribute("data-href"), { timeout: timeout() }).toMatch(new RegExp(`^/services/${SERVICE.namespace}/${SERVICE.name}\\?region=`));
    expect(await options.first().getAttribute("aria-selected")).toBe("true");
    const href = (await options.first().getAttribute("data-href")) ?? "";
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => pathOf(url.href) === href);
    expect(await dialog.isVisible()).toBe(false);
    // The service's page, with its figures per region.
    await page.getByTestId("region-row").first().waitFor();

    // Escape closes it again without going anywhere.
    await page.keyboard.press("Control+k");
    await dialog.waitFor();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(pathOf(page.url())).toBe(href);
  });

  test("g r goes to the regions page, which says what failing each region over would move, even from a page too busy to handle the keys at once", async () => {
    // A long task starts as soon as the page has handled `g` going down: `g` goes up 1.5 s later
    // as far as the page can tell, and `r` (sent once the page has taken `g`'s key-up) after that.
    await page.evaluate(() => {
      window.addEventListener("keydown", () => setTimeout(() => {
        const until = performance.now() + 1500;
        while (performance.now() < until);
      }, 0), { once: true, capture: true });
    });
    await page.keyboard.press("g");
    await page.keyboard.press("r");
    await page.waitForURL(/\/regions$/);
    const sections = page.getByTestId("region-section");
    await sections.first().waitFor();
    expect(await sections.count()).toBe(2);
    const summary = page.getByTestId("failover-summary").first();
    expect(await summary.textContent()).toMatch(/^Failing over [\w-]+ moves \d+% of traffic \([\d.,k]+ req\/s\) to [\w-]+: weight \d+% → \d+%/);
  });

  test("a deep link to a region selects it and scrolls to its plan; j/k move the selection and the link, Enter shows its plan", async () => {
    // A short window, so the region has to be scrolled to; a fresh load, as from a bookmark.
    await page.setViewportSize({ width: 1400, height: 500 });
    await page.goto("about:blank");
    await page.goto("/regions#us-east-1");
    const section = (region: string) => page.locator(`[data-testid=region-section][data-region="${region}"]`);
    const inUpperHalf = (region: string) => section(region).evaluate((element) => element.getBoundingClientRect().top >= 0 && element.getBoundingClientRect().top < window.innerHeight / 2);
    await expect.poll(() => section("us-east-1").getAttribute("data-targeted"), { timeout: timeout() }).toBe("true");
    await expect.poll(() => inUpperHalf("us-east-1"), { timeout: timeout() }).toBe(true);
    const summaryRows = page.getByTestId("region-summary-row");
    expect(await page.locator('[data-testid=region-summary-row][data-key="us-east-1"]').getAttribute("aria-selected")).toBe("true");

    const order = await summaryRows.evaluateAll((rows) => rows.map((row) => row.getAttribute("data-key") ?? ""));
    const at = order.indexOf("us-east-1");
    const other = (at < order.length - 1 ? order[at + 1] : order[at - 1]) ?? "";
    await page.keyboard.press(at < order.length - 1 ? "j" : "k");
    await expect.poll(() => new URL(page.url()).hash).toBe(`#${other}`);
    expect(await page.locator(`[data-testid=region-summary-row][data-key="${other}"]`).getAttribute("aria-selected")).toBe("true");
    expect(await section(other).getAttribute("data-targeted")).toBe("true");
    await page.keyboard.press("Enter");
    await expect.poll(() => inUpperHalf(other)).toBe(true);
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  test("the services table keeps only the rows in view of over 10,000, with sorting and j/k intact", async () => {
    await page.goto("/services");
    const table = page.getByTestId("services-table");
    const rows = page.getByTestId("service-row");
    await rows.first().waitFor();
    const total = Number(await table.getAttribute("data-row-count"));
    expect(total).toBeGreaterThanOrEqual(10_000);
    expect(await rows.count()).toBeLessThan(200);

    // The last row is reachable by scrolling.
    const scroller = page.getByTestId("services-table-scroll");
    await scroller.evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
    await expect.poll(() => page.locator(`[data-testid=service-row][aria-rowindex="${total + 1}"]`).count(), { timeout: timeout() }).toBe(1);
    await scroller.evaluate((element) => element.scrollTo({ top: 0 }));

    // j moves the selection down, one row a press; the selected row stays in the scroll box's view.
    const selected = page.locator("[data-testid=service-row][aria-selected=true]");
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press("j");
      // aria-rowindex counts the header row as 1.
      await expect.poll(() => selected.getAttribute("aria-rowindex")).toBe(String(i + 2));
    }
    const inView = await page.evaluate(() => {
      const box = document.querySelector("[data-testid=services-table-scroll]")?.getBoundingClientRect();
      const row = document.querySelector("[data-testid=service-row][aria-selected=true]")?.getBoundingClientRect();
      return Boolean(box && row && row.top >= box.top && row.bottom <= box.bottom + 1);
    });
    expect(inView).toBe(true);

    // Sort headers still sort, and say so.
    await page.getByRole("button", { name: "Sort by Service", exact: true }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get("sort")).toBe("name");
    await expect.poll(() => page.locator("th", { has: page.getByRole("button", { name: "Sort by Service", exact: true }) }).getAttribute("aria-sort")).toBe("ascending");
  });

  test("a deep link filters the services by region, and the region filter writes the link", async () => {
    await page.goto("/services?region=us-east-1");
    const table = page.getByTestId("services-table");
    await page.getByTestId("service-row").first().waitFor();
    const inOneRegion = Number(await table.getAttribute("data-row-count"));
    expect(inOneRegion).toBeGreaterThan(4000);
    expect(inOneRegion).toBeLessThan(6000); // about half of the two regions' rows
    const keys = await page.getByTestId("service-row").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-key") ?? ""));
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((key) => key.endsWith("@us-east-1"))).toBe(true);
    await page.getByTestId("region-filter").selectOption("eu-west-1");
    await expect.poll(() => new URL(page.url()).searchParams.get("region")).toBe("eu-west-1");
    await expect.poll(async () => (await page.getByTestId("service-row").first().getAttribute("data-key"))?.endsWith("@eu-west-1")).toBe(true);
  });
});
