// From an alert to the approved fix, with every part real: the app (production build) runs the
// fleet simulator; a real Prometheus scrapes the simulator's exposition and evaluates the Kafka
// lag rule (tests/e2e/support/alert-rules/: the real rule with windows of seconds); a real
// Alertmanager delivers to the app's webhook with the bearer token. A slow consumer injected
// into the simulator makes the rule fire; the alert appears on the operator's open alerts page
// without a reload; the operator follows it to the consumer group, accepts the suggested scale
// (the prefilled request form), an approver approves, the consumer scales, the lag drains and
// the alert resolves on the page that has stayed open. Also: bad webhook deliveries to the
// running app are refused (or stored safely) and change nothing else.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { labelSetFingerprint } from "../../server/domain/alerts/fingerprint";
import { alertmanagerAlerts, startTestAlerting, type TestAlerting } from "../helpers/alertmanager";
import { webhookAlert, webhookPayload } from "../helpers/alerts";
import { createScratchDatabase, withClient, type ScratchDatabase } from "../helpers/databases";
import { waitUntil } from "../helpers/prometheus";
import { startApp, type RunningApp } from "./support/app";
import { launchBrowser, liveStream, markNoReload, recordServerSentEvents, signIn, stillNoReload, uiTimeout } from "./support/browser";

const ROOT = path.resolve(import.meta.dirname, "../..");
const RULES_DIR = path.join(import.meta.dirname, "support/alert-rules");
/** The demo fleet's slow consumer (server/adapters/simulator/catalog.ts): 12 partitions, a few consumers sized for the peak. */
const SLOW = { cluster: "events", group: "order-fulfilment", topic: "orders", region: "eu-west-1" };
const ALERTNAME = "KafkaConsumerLagGrowing";
/** The alert's labels as Prometheus fires it (the rule's labels and the group's series labels), hence its fingerprint. */
const SLOW_ALERT_FINGERPRINT = labelSetFingerprint({
  alertname: ALERTNAME, environment: "demo", region: SLOW.region, cluster: SLOW.cluster, consumergroup: SLOW.group, topic: SLOW.topic, severity: "warning", resource_kind: "consumer_group",
});
const TOKEN = `e2e-webhook-${randomBytes(12).toString("hex")}`;
/** No scheduled incidents: only the one this test injects may move the lag. */
const SCENARIO_FILE = path.join(ROOT, ".tmp/e2e-alerts", `no-incidents-${process.pid}.json`);
/** No rule files: Prometheus evaluates the rules here, not the simulator (tests/e2e/demo-alerts.test.ts is the simulator's). */
const NO_RULES_DIR = path.join(ROOT, ".tmp/e2e-alerts", `no-rules-${process.pid}`);
/** Scrape, rule and Alertmanager timings are a second each; the rule needs ~15 s of growing lag. */
const FIRES_WITHIN_MS = 90_000;
/** A delivery is one webhook POST and one live event away from the page. */
const LIVE_TIMEOUT = 10_000;

let database: ScratchDatabase | undefined;
let app: RunningApp | undefined;
let alerting: TestAlerting | undefined;
let browser: Browser | undefined;
let appOrigin = "";

const timeout = () => uiTimeout(app);
const groupPath = `/queues/${SLOW.cluster}/groups/${SLOW.group}`;
const alertRow = (page: Page, fingerprint: string) => page.locator(`[data-testid=alert-row][data-fingerprint="${fingerprint}"]`);

async function prometheusValue(query: string): Promise<number | null> {
  const response = await fetch(`${alerting?.prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await response.json()) as { data: { result: { value: [number, string] }[] } };
  const first = body.data.result[0];
  return first ? Number(first.value[1]) : null;
}

const lagQuery = `scaleplane:kafka_consumergroup_lag:sum{consumergroup="${SLOW.group}",region="${SLOW.region}",topic="${SLOW.topic}"}`;

/** The alert about the slow group as Alertmanager holds it: its fingerprint is the one the webhook carries. */
async function slowGroupAlertInAlertmanager() {
  const held = await alertmanagerAlerts(alerting?.alertmanagerUrl ?? "");
  return held.find((alert) => alert.labels.alertname === ALERTNAME && alert.labels.consumergroup === SLOW.group && alert.labels.region === SLOW.region);
}

function storedAlert(fingerprint: string) {
  return withClient(database?.url ?? "", async (client) => {
    const { rows } = await client.query<{ status: string; resourceKind: string | null; resourceName: string | null; transitions: string[] }>(
      `SELECT a.status, a."resourceKind", a."resourceName",
              ARRAY(SELECT coalesce(t."from"::text, 'new') || '>' || t."to"::text || '@' || t.source::text FROM "AlertTransition" t WHERE t.fingerprint = a.fingerprint ORDER BY t.id) AS transitions
         FROM "Alert" a WHERE a.fingerprint = $1`,
      [fingerprint],
    );
    return rows[0] ?? null;
  });
}

function alertCounts() {
  return withClient(database?.url ?? "", async (client) => {
    const { rows } = await client.query<{ alerts: string; transitions: string }>(`SELECT (SELECT count(*) FROM "Alert") AS alerts, (SELECT count(*) FROM "AlertTransition") AS transitions`);
    return { alerts: Number(rows[0]?.alerts), transitions: Number(rows[0]?.transitions) };
  });
}

function postWebhook(body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${appOrigin}/api/alerts/alertmanager`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * Sends an oversized body the way a sender that does not give up would, and returns the status
 * the app answered with. The app answers 413 without reading it all and drops the connection,
 * so the upload breaks off afterwards: only an error before any answer counts as a failure.
 */
function postOversized(chunks: number, chunkBytes: number, declareLength: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { "content-type": "application/json", ...bearer(TOKEN) };
    if (declareLength) headers["content-length"] = chunks * chunkBytes;
    const request = http.request(`${appOrigin}/api/alerts/alertmanager`, { method: "POST", headers });
    let answered = false;
    request.on("response", (response) => {
      answered = true;
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on("error", (error) => {
      if (!answered) reject(error);
    });
    const chunk = Buffer.alloc(chunkBytes, "x");
    let sent = 0;
    const writeMore = () => {
      while (sent < chunks && !request.destroyed) {
        sent++;
        if (!request.write(chunk)) return void request.once("drain", writeMore);
      }
      request.end();
    };
    writeMore();
  });
}

describe("alert → drilldown → approved scale → resolved, with a real Prometheus and Alertmanager", { timeout: 300_000 }, () => {
  let alertsPage: Page;
  let watchPage: Page;
  let approver: Page;
  let fingerprint = "";
  let consumersBefore = 0;
  let suggestedReplicas = 0;
  let requestId = "";

  beforeAll(async () => {
    mkdirSync(path.dirname(SCENARIO_FILE), { recursive: true });
    writeFileSync(SCENARIO_FILE, JSON.stringify({ incidents: [] }));
    mkdirSync(NO_RULES_DIR, { recursive: true });
    database = await createScratchDatabase("e2e_alerts");
    app = await startApp({
      databaseUrl: database.url,
      env: { ALERTMANAGER_WEBHOOK_TOKEN: TOKEN, SIMULATOR_SCENARIO_FILE: SCENARIO_FILE, SIMULATOR_ALERT_RULES_DIR: NO_RULES_DIR, CONSUMER_LAG_POLL_SECONDS: "1" },
    });
    // The app listens on 127.0.0.1; Prometheus and Alertmanager must not try ::1 first.
    appOrigin = `http://127.0.0.1:${new URL(app.baseUrl).port}`;
    alerting = await startTestAlerting({
      scrapeUrl: `${appOrigin}/api/simulator/metrics`,
      webhookUrl: `${appOrigin}/api/alerts/alertmanager`,
      webhookToken: TOKEN,
      rulesDir: RULES_DIR,
    });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await alerting?.stop().catch(() => {});
    await app?.stop();
    await database?.drop();
    rmSync(SCENARIO_FILE, { force: true });
    rmSync(NO_RULES_DIR, { recursive: true, force: true });
  });

  test("the test's rules are the deployed alerts with short windows: same names, labels and annotations", () => {
    type Rules = { groups: { rules: { alert?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[] }[] };
    const alertsOf = (file: string) => (parse(readFileSync(file, "utf8")) as Rules).groups.flatMap((group) => group.rules).filter((rule) => rule.alert !== undefined);
    const deployed = alertsOf(path.join(ROOT, "deploy/prometheus/rules/kafka.yml"));
    const fast = alertsOf(path.join(RULES_DIR, "kafka.yml"));
    expect(fast.map((rule) => rule.alert)).toEqual([ALERTNAME]);
    for (const rule of fast) {
      const original = deployed.find((candidate) => candidate.alert === rule.alert);
      expect(original, `deploy/prometheus/rules/kafka.yml has no alert ${rule.alert}`).toBeDefined();
      expect({ labels: rule.labels, annotations: rule.annotations }).toEqual({ labels: original?.labels, annotations: original?.annotations });
    }
  });

  test("Prometheus scrapes the app's simulator, runs only the test's rules and has found Alertmanager; nothing fires yet", async () => {
    const prometheus = alerting?.prometheusUrl ?? "";
    await waitUntil(async () => (await prometheusValue(`up{job="scaleplane-simulator"}`)) === 1, 30_000, "Prometheus to scrape the app's simulator");
    const rules = (await (await fetch(`${prometheus}/api/v1/rules`)).json()) as { data: { groups: { name: string }[] } };
    expect(rules.data.groups.map((group) => group.name)).toEqual(["scaleplane-kafka-e2e"]);
    await waitUntil(
      async () => ((await (await fetch(`${prometheus}/api/v1/alertmanagers`)).json()) as { data: { activeAlertmanagers: unknown[] } }).data.activeAlertmanagers.length === 1,
      15_000,
      "Prometheus to find its Alertmanager",
    );
    // The recording rule the alert reads has the group's lag once a scrape and an evaluation have run.
    await waitUntil(async () => (await prometheusValue(lagQuery)) !== null, 15_000, "the group's lag from the recording rule");
    expect(await slowGroupAlertInAlertmanager()).toBeUndefined();
  });

  test("bad webhook deliveries to the running app are refused, or stored safely, and change nothing else", async () => {
    const before = await alertCounts();
    const refusedName = `E2ERefused${randomBytes(3).toString("hex")}`;
    const refused = JSON.stringify(webhookPayload([webhookAlert({ labels: { alertname: refusedName, environment: "demo", severity: "warning" } })]));

    expect((await postWebhook(refused)).status).toBe(401);
    expect((await postWebhook(refused, bearer("a-token-alertmanager-does-not-have"))).status).toBe(401);
    expect((await postWebhook(refused, { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}` })).status).toBe(401);
    const malformed = await postWebhook("{not json", bearer(TOKEN));
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error).toMatch(/JSON/);
    const wrongVersion = await postWebhook(JSON.stringify({ ...JSON.parse(refused), version: "3" }), bearer(TOKEN));
    expect(wrongVersion.status).toBe(400);
    // Over the default limit of 4 MiB (6 MiB): once with its length declared, once chunked.
    expect(await postOversized(96, 64 * 1024, true)).toBe(413);
    expect(await postOversized(96, 64 * 1024, false)).toBe(413);
    expect(await alertCounts()).toEqual(before);

    // Labels no rule of Scaleplane knows, and text PostgreSQL cannot hold: stored, linked to nothing.
    const odd = webhookAlert({ labels: { alertname: `E2EOddLabels${randomBytes(3).toString("hex")}`, environment: "demo", "weird.name/with spaces": "a\u0000b", cluster: "events" } });
    const accepted = await postWebhook(JSON.stringify(webhookPayload([odd])), bearer(TOKEN));
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ received: 1, changed: 1 });
    expect(await storedAlert(odd.fingerprint)).toMatchObject({ status: "firing", resourceKind: null, resourceName: null });
    expect(await alertCounts()).toEqual({ alerts: before.alerts + 1, transitions: before.transitions + 1 });
    // Resolved again, so the alerts page lists only what this test is about.
    const resolved = await postWebhook(JSON.stringify(webhookPayload([{ ...odd, status: "resolved", endsAt: "2026-11-27T10:10:00.000Z" }])), bearer(TOKEN));
    expect(resolved.status).toBe(200);
    expect(await storedAlert(odd.fingerprint)).toMatchObject({ status: "resolved" });
  });

  test("the operator's alerts page and the approver's queue are open before anything happens", async () => {
    if (!browser || !app) throw new Error("not started");
    approver = await signIn(browser, app, "approver@scaleplane.local", { initScript: recordServerSentEvents });
    await approver.goto("/actions?view=awaitingMe");
    await expect.poll(() => approver.getByTestId("live-status").getAttribute("data-status"), { timeout: timeout() }).toBe("connected");
    await markNoReload(approver);

    alertsPage = await signIn(browser, app, "operator@scaleplane.local", { initScript: recordServerSentEvents });
    await alertsPage.goto("/alerts");
    // Live: the page's alert subscription is open before the alert exists.
    await expect.poll(async () => (await liveStream(alertsPage, "alerts.onChange")).open, { timeout: timeout() }).toBe(true);
    expect(await alertRow(alertsPage, SLOW_ALERT_FINGERPRINT).count()).toBe(0);
    await markNoReload(alertsPage);
  });

  test("a slow consumer makes the real Prometheus fire and the real Alertmanager deliver; the alert appears on the open page without a reload", async () => {
    const incident = await alertsPage.request.post("/api/simulator/incidents", { data: { scenario: "slow consumer", target: SLOW.group, region: SLOW.region, durationSeconds: 1800 } });
    expect(incident.status(), await incident.text()).toBe(201);

    const held = await waitUntil(slowGroupAlertInAlertmanager, FIRES_WITHIN_MS, `Prometheus to fire ${ALERTNAME} for ${SLOW.group} and Alertmanager to hold it`);
    fingerprint = held.fingerprint;
    expect(fingerprint).toBe(SLOW_ALERT_FINGERPRINT);
    expect(held.labels).toMatchObject({ environment: "demo", cluster: SLOW.cluster, topic: SLOW.topic, severity: "warning", resource_kind: "consumer_group" });

    const row = alertRow(alertsPage, fingerprint);
    await row.waitFor({ timeout: LIVE_TIMEOUT });
    expect(await row.getAttribute("data-status")).toBe("firing");
    expect(await stillNoReload(alertsPage)).toBe("no reload");
    // It came over the event stream, not from a refetch.
    expect((await liveStream(alertsPage, "alerts.onChange")).messages).toBeGreaterThan(0);
    expect(await storedAlert(fingerprint)).toMatchObject({ status: "firing", resourceKind: "consumerGroup", resourceName: SLOW.group, transitions: ["new>firing@webhook"] });
  });

  test("the operator follows the alert to the consumer group and accepts the suggested scale", async () => {
    if (!browser || !app) throw new Error("not started");
    // A second alerts page stays open to see the resolution arrive, while this one drills down.
    watchPage = await alertsPage.context().newPage();
    await watchPage.goto("/alerts");
    await alertRow(watchPage, fingerprint).waitFor();
    await markNoReload(watchPage);

    const link = alertRow(alertsPage, fingerprint).locator(`a[href^="${groupPath}?"]`);
    expect(await link.count()).toBe(1);
    await link.click();
    await alertsPage.waitForURL((url) => url.pathname === groupPath && url.searchParams.get("region") === SLOW.region);

    const entry = alertsPage.locator(`[data-testid=group-entry][data-key="${SLOW.region}/${SLOW.topic}"]`);
    const consumersLine = (await entry.getByTestId("consumers-line").textContent({ timeout: timeout() })) ?? "";
    consumersBefore = Number(/Consumers: (\d+)/.exec(consumersLine)?.[1]);
    expect(consumersBefore).toBeGreaterThan(0);

    // The runbook's suggestion for this alert: one click opens the request form, prefilled.
    const suggestion = alertsPage.locator("[data-testid=suggestion][data-kind='consumerGroup.scale']");
    await suggestion.waitFor({ timeout: timeout() });
    await suggestion.click();

    const form = alertsPage.locator("[data-testid=request-form][data-kind='consumerGroup.scale']");
    await form.waitFor({ timeout: timeout() });
    expect(await form.getByTestId("request-region").inputValue()).toBe(SLOW.region);
    suggestedReplicas = Number(await form.getByTestId("request-replicas").inputValue());
    expect(suggestedReplicas).toBeGreaterThan(consumersBefore);
    expect(suggestedReplicas).toBeLessThanOrEqual(12);
    const reason = form.getByTestId("request-reason");
    if ((await reason.inputValue()).trim() === "") await reason.fill(`e2e: ${ALERTNAME} on ${SLOW.group}`);
    // The preview (the server's plan) must be there before the request can be made.
    await expect.poll(() => form.getByTestId("request-submit").isEnabled(), { timeout: timeout() }).toBe(true);
    await form.getByTestId("request-submit").click();

    const created = alertsPage.getByTestId("created-request");
    await expect.poll(() => created.getAttribute("data-state"), { timeout: timeout() }).toBe("pending");
    requestId = (await alertsPage.getByTestId("created-request-link").getAttribute("href"))?.split("/").pop() ?? "";
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("the approver sees the request arrive live and approves it; the consumer scales", async () => {
    const row = approver.locator(`[data-testid=action-row][data-key="${requestId}"]`);
    await row.waitFor({ timeout: LIVE_TIMEOUT });
    expect(await stillNoReload(approver)).toBe("no reload");
    expect(await row.getByTestId("action-change").textContent()).toContain(`${consumersBefore} → ${suggestedReplicas}`);
    await row.getByTestId("approve-button").click();
    await row.waitFor({ state: "detached", timeout: timeout() });

    await expect.poll(() => alertsPage.getByTestId("created-request").getAttribute("data-state"), { timeout: 60_000 }).toBe("succeeded");
    const entry = alertsPage.locator(`[data-testid=group-entry][data-key="${SLOW.region}/${SLOW.topic}"]`);
    // New consumers join once their pods are ready: 20 to 40 s in the simulator.
    await expect.poll(async () => (await entry.getByTestId("consumers-line").textContent()) ?? "", { timeout: 60_000 }).toMatch(new RegExp(`^Consumers: ${suggestedReplicas}\\b`));
  });

  test("the lag drains in the simulator and the alert resolves on the page that stayed open", async () => {
    // Read through Prometheus, which scrapes the simulator. Drained, not merely falling for a
    // while: consumers that share partitions unevenly catch up on some partitions and fall
    // behind on the others, so a count that is not enough shows as a lag that stops falling.
    const atScale = (await prometheusValue(lagQuery)) ?? 0;
    expect(atScale).toBeGreaterThan(0);
    await waitUntil(async () => ((await prometheusValue(lagQuery)) ?? Infinity) < atScale * 0.1, 120_000, `the lag of ${SLOW.group} to fall below 10 % of the ${atScale} messages it had when the consumers were scaled`);

    const row = alertRow(watchPage, fingerprint);
    await expect
      .poll(async () => ((await row.count()) === 0 ? "gone" : await row.getAttribute("data-status")), { timeout: 60_000, interval: 500 })
      .toMatch(/^(resolved|gone)$/);
    expect(await stillNoReload(watchPage)).toBe("no reload");
    const stored = await storedAlert(fingerprint);
    expect(stored?.status).toBe("resolved");
    expect(stored?.transitions).toEqual(["new>firing@webhook", "firing>resolved@webhook"]);
    expect(await slowGroupAlertInAlertmanager().then((alert) => alert?.status.state ?? "gone")).not.toBe("active");
  });
});
