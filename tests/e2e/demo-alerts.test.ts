// The demo's alerts with nothing installed: no Prometheus, no Alertmanager. The app (production
// build, started as `npm run demo` starts it) evaluates the deployed alert rules against its
// fleet simulator. An incident injected into the simulator makes the rule's alert appear on
// the operator's open alerts page without a reload; the alert links to the service's page,
// which shows it with the rule's threshold drawn on the error-ratio chart; when the incident
// is over the alert resolves on the page that stayed open.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { labelSetFingerprint } from "../../server/domain/alerts/fingerprint";
import { createScratchDatabase, type ScratchDatabase } from "../helpers/databases";
import { startApp, type RunningApp } from "./support/app";
import { launchBrowser, liveStream, markNoReload, recordServerSentEvents, signIn, stillNoReload, uiTimeout } from "./support/browser";

const ROOT = path.resolve(import.meta.dirname, "../..");
/** No scheduled incidents: only the one this test injects touches the service. */
const SCENARIO_FILE = path.join(ROOT, ".tmp/e2e-demo-alerts", `no-incidents-${process.pid}.json`);
const SERVICE = { namespace: "catalog", name: "inventory", region: "eu-west-1" };
const ALERTNAME = "ServiceHighErrorRatio";
/** The labels the simulator's evaluation gives the alert: the rule's and the series' (as a real Prometheus would), hence its fingerprint. */
const FINGERPRINT = labelSetFingerprint({
  alertname: ALERTNAME, environment: "demo", region: SERVICE.region, service_namespace: SERVICE.namespace, service_name: SERVICE.name, severity: "critical", resource_kind: "service",
});
/** Errors from the first seconds, the rule's `for: 1m`, and a sync every 15 s. */
const FIRES_WITHIN_MS = 120_000;
/** The incident's end, then the rule's 2-minute window letting go of it, then a sync. */
const INCIDENT_SECONDS = 90;
const RESOLVES_WITHIN_MS = 240_000;

let database: ScratchDatabase | undefined;
let app: RunningApp | undefined;
let browser: Browser | undefined;
let alertsPage: Page;
let servicePage: Page;

const timeout = () => uiTimeout(app);
const alertRow = (page: Page) => page.locator(`[data-testid=alert-row][data-fingerprint="${FINGERPRINT}"]`);

describe("the demo's own alerts: the simulator evaluates the deployed rules", { timeout: 420_000 }, () => {
  beforeAll(async () => {
    mkdirSync(path.dirname(SCENARIO_FILE), { recursive: true });
    writeFileSync(SCENARIO_FILE, JSON.stringify({ incidents: [] }));
    database = await createScratchDatabase("e2e_demo_alerts");
    app = await startApp({ databaseUrl: database.url, env: { SIMULATOR_SCENARIO_FILE: SCENARIO_FILE } });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await app?.stop();
    await database?.drop();
    rmSync(SCENARIO_FILE, { force: true });
  });

  test("an injected incident fires the rule's alert, which appears on the open alerts page without a reload", async () => {
    if (!browser || !app) throw new Error("not started");
    alertsPage = await signIn(browser, app, "operator@scaleplane.local", { initScript: recordServerSentEvents });
    await alertsPage.goto("/alerts");
    await expect.poll(async () => (await liveStream(alertsPage, "alerts.onChange")).open, { timeout: timeout() }).toBe(true);
    expect(await alertRow(alertsPage).count()).toBe(0);
    // Once the list has loaded: the footnote names the simulated environments from its answer.
    await expect.poll(() => alertsPage.getByTestId("alerts-sources").textContent(), { timeout: timeout() }).toContain("in demo, from the fleet simulator evaluating the deployed alert rules itself");
    await markNoReload(alertsPage);

    const incident = await alertsPage.request.post("/api/simulator/incidents", {
      data: { scenario: "dependency errors", target: SERVICE.name, region: SERVICE.region, durationSeconds: INCIDENT_SECONDS },
    });
    expect(incident.status(), await incident.text()).toBe(201);

    const row = alertRow(alertsPage);
    await row.waitFor({ timeout: FIRES_WITHIN_MS });
    expect(await row.getAttribute("data-status")).toBe("firing");
    expect(await row.textContent()).toMatch(/catalog\/inventory in eu-west-1 answers [\d.]+% of requests with errors/);
    expect(await stillNoReload(alertsPage)).toBe("no reload");
    expect((await liveStream(alertsPage, "alerts.onChange")).messages).toBeGreaterThan(0);
  });

  test("the alert leads to the service's page, which shows it with the rule's threshold on the error-ratio chart", async () => {
    servicePage = await alertsPage.context().newPage();
    const href = await alertRow(alertsPage).getByTestId("alert-resource-link").getAttribute("href");
    expect(href).toMatch(new RegExp(`^/services/${SERVICE.namespace}/${SERVICE.name}\\?`));
    await servicePage.goto(href ?? "");
    const card = servicePage.locator(`[data-testid=resource-alert][data-fingerprint="${FINGERPRINT}"]`);
    await card.waitFor({ timeout: timeout() });
    expect(await card.getAttribute("data-status")).toBe("firing");
    const threshold = card.getByTestId("alert-threshold");
    expect([await threshold.getAttribute("data-comparison"), await threshold.getAttribute("data-value")]).toEqual([">", "0.05"]);
    const chart = card.getByTestId("alert-chart");
    expect(await chart.getAttribute("data-figure")).toBe("errorRatio");
    expect(Number(await chart.getAttribute("data-threshold"))).toBeCloseTo(0.05, 9);
  });

  test("when the incident is over, the alert resolves on the page that stayed open", async () => {
    const row = alertRow(alertsPage);
    await expect
      .poll(async () => ((await row.count()) === 0 ? "gone" : await row.getAttribute("data-status")), { timeout: RESOLVES_WITHIN_MS, interval: 1000 })
      .toMatch(/^(resolved|gone)$/);
    expect(await stillNoReload(alertsPage)).toBe("no reload");
  });
});
