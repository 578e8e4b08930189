// Benchmark of the alert path across app replicas: how long from Alertmanager's webhook POST
// reaching one app process to the alert's row rendered in a browser connected to ANOTHER
// process of the same app. Two processes of one production build (`next start`, as
// tests/e2e/support/app.ts starts them) share one PostgreSQL database and one Redis (the live
// events go through its stream); Chromium is signed in to process B's /alerts page; each of the
// alerts, every one distinct (its own consumer group), is POSTed to process A in turn.
//
//   npm run build   (once; the benchmark refuses to run on next dev)
//   scripts/with-node.sh node --import tsx tests/bench/alert-latency.ts [alerts=100] [gapMs=100]
//
// The clock: a MutationObserver in the page notes when each alert's row
// (`[data-testid=alert-row][data-fingerprint]`) enters the DOM, and the next animation frame
// after it; a wrapper around EventSource notes when the live event naming the alert arrived
// (what is left after it is the page's refetch and render). All on the page's clock
// (performance.timeOrigin + performance.now()). The POST's send time is taken on this
// process's clock, and the offset between the two clocks is measured with round trips into
// the page (the one with the shortest round trip counts; its half round trip bounds the
// error, printed as ±).
//
// Settings (environment): BENCH_REDIS_URL (default redis://127.0.0.1:6379/10; must be empty,
// its scaleplane:* keys are removed after), BENCH_POSTGRES_ADMIN_URL (a superuser connection;
// a database of its own is created and dropped). Target: p95 under 1 s.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { Redis } from "ioredis";
import type { Page } from "playwright-core";
import { startApp, type RunningApp } from "../e2e/support/app";
import { launchBrowser, liveStream, recordServerSentEvents, signIn } from "../e2e/support/browser";
import { databaseUrlFor, DEFAULT_POSTGRES_ADMIN_URL, withClient } from "../helpers/databases";
import { summarise } from "./stats";

// tests/helpers/alerts.ts reaches the server's modules, which read these when they load; the
// apps get their own database below.
process.env.DATABASE_URL ??= "postgresql://bench@127.0.0.1:1/unused";
process.env.NEXTAUTH_SECRET ??= "bench-only-not-a-secret";

const ROOT = path.resolve(import.meta.dirname, "../..");
const ALERTS = Number(process.argv[2] ?? 100);
const GAP_MS = Number(process.argv[3] ?? 100);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/10";
const ADMIN_URL = process.env.BENCH_POSTGRES_ADMIN_URL ?? DEFAULT_POSTGRES_ADMIN_URL;
const TOKEN = `bench-${randomBytes(16).toString("hex")}`;
const SCENARIO_FILE = path.join(ROOT, ".tmp/bench-alerts", `no-incidents-${process.pid}.json`);
/** No rule files: the simulator raises no alerts of its own, so only the benchmark's reach the page. */
const NO_RULES_DIR = path.join(ROOT, ".tmp/bench-alerts", `no-rules-${process.pid}`);
const TARGET_P95_MS = 1000;
/** How long after the last POST an alert may still arrive before it counts as lost. */
const ARRIVAL_TIMEOUT_MS = 30_000;

function log(message: string) {
  console.log(`[bench] ${message}`);
}

const epochNow = () => performance.timeOrigin + performance.now();

interface SeenRow {
  inserted: number;
  painted?: number;
}

/** Runs in the page before the app: notes when the live event about each alert arrives, on the page's clock. */
function recordAlertEvents(): void {
  const arrived: Record<string, number> = {};
  (window as unknown as { benchEvents: Record<string, number> }).benchEvents = arrived;
  const Native = window.EventSource;
  window.EventSource = class extends Native {
    constructor(url: string | URL, init?: EventSourceInit) {
      super(url, init);
      this.addEventListener("message", (event: MessageEvent<string>) => {
        const fingerprint = /"fingerprint":"([0-9a-f]+)"/.exec(event.data)?.[1];
        if (fingerprint && arrived[fingerprint] === undefined) arrived[fingerprint] = performance.timeOrigin + performance.now();
      });
    }
  };
}

/**
 * Runs in the page before the app: notes when each alert row first appears, on the page's clock.
 * No named functions inside: the TypeScript loader would wrap them in a helper the page lacks.
 */
function recordAlertRows(): void {
  const seen: Record<string, SeenRow> = {};
  (window as unknown as { benchSeen: Record<string, SeenRow> }).benchSeen = seen;
  const selector = "[data-testid=alert-row][data-fingerprint]";
  new MutationObserver((records) => {
    const at = performance.timeOrigin + performance.now();
    const touched: Element[] = [];
    for (const record of records) {
      if (record.type === "attributes" && record.target instanceof Element) touched.push(record.target);
      for (const node of Array.from(record.addedNodes)) if (node instanceof Element) touched.push(node);
    }
    for (const element of touched) {
      for (const row of element.matches(selector) ? [element] : Array.from(element.querySelectorAll(selector))) {
        const fingerprint = row.getAttribute("data-fingerprint");
        if (!fingerprint || seen[fingerprint]) continue;
        const entry: SeenRow = { inserted: at };
        seen[fingerprint] = entry;
        requestAnimationFrame(() => (entry.painted = performance.timeOrigin + performance.now()));
      }
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-fingerprint", "data-testid"] });
}

/** Page clock minus this process's clock, from the round trip with the least delay. */
async function clockOffset(page: Page): Promise<{ offsetMs: number; errorMs: number }> {
  let best = { offsetMs: 0, errorMs: Number.POSITIVE_INFINITY };
  for (let round = 0; round < 30; round++) {
    const sent = epochNow();
    const pageTime = await page.evaluate(() => performance.timeOrigin + performance.now());
    const received = epochNow();
    const errorMs = (received - sent) / 2;
    if (errorMs < best.errorMs) best = { offsetMs: pageTime - (sent + errorMs), errorMs };
  }
  return best;
}

async function emptyRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  const keys = await redis.dbsize();
  if (keys > 0) {
    redis.disconnect();
    throw new Error(`${url} holds ${keys} keys; the benchmark needs a Redis database of its own (set BENCH_REDIS_URL to an empty one)`);
  }
  return redis;
}

async function removeKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== "0");
}

function machine(): string {
  const cpus = os.cpus();
  const load = os.loadavg().map((value) => value.toFixed(1)).join(" / ");
  return `${cpus.length} × ${cpus[0]?.model ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}, load average ${load}`;
}

async function main(): Promise<void> {
  if (!existsSync(path.join(ROOT, ".next/BUILD_ID"))) throw new Error("no production build: run npm run build first (the benchmark measures next start, not next dev)");
  process.env.E2E_NEXT = "start";
  const { webhookAlert, webhookPayload } = await import("../helpers/alerts");
  log(`machine: ${machine()}`);

  const redis = await emptyRedis(REDIS_URL);
  const database = `scaleplane_bench_alerts_${randomBytes(3).toString("hex")}`;
  const databaseUrl = databaseUrlFor(ADMIN_URL, database);
  mkdirSync(path.dirname(SCENARIO_FILE), { recursive: true });
  writeFileSync(SCENARIO_FILE, JSON.stringify({ incidents: [] }));
  mkdirSync(NO_RULES_DIR, { recursive: true });
  await withClient(ADMIN_URL, (client) => client.query(`CREATE DATABASE "${database}"`));

  const apps: RunningApp[] = [];
  const browser = await launchBrowser();
  try {
    const env = { REDIS_URL, ALERTMANAGER_WEBHOOK_TOKEN: TOKEN, SIMULATOR_SCENARIO_FILE: SCENARIO_FILE, SIMULATOR_ALERT_RULES_DIR: NO_RULES_DIR };
    // One after the other: the first migrates the database and seeds the accounts.
    for (const name of ["A", "B"]) {
      const started = await startApp({ databaseUrl, env });
      apps.push(started);
      log(`process ${name}: ${started.baseUrl} (next ${started.mode})`);
    }
    const [receiver, viewer] = apps as [RunningApp, RunningApp];
    const webhookUrl = `http://127.0.0.1:${new URL(receiver.baseUrl).port}/api/alerts/alertmanager`;

    // Tall enough that every row of the run is rendered, even by a virtualised list.
    const page = await signIn(browser, viewer, "operator@scaleplane.local", { context: { viewport: { width: 1400, height: 8000 } }, initScript: [recordServerSentEvents, recordAlertEvents, recordAlertRows] });
    await page.goto("/alerts");
    const deadline = Date.now() + 60_000;
    while (!(await liveStream(page, "alerts.onChange")).open) {
      if (Date.now() > deadline) throw new Error("process B's alerts page did not open its live stream within 60 s");
      await delay(200);
    }
    // The recorder is installed before the page's scripts; start with what it already saw (nothing of this run).
    const before = await page.evaluate(() => Object.keys((window as unknown as { benchSeen: Record<string, unknown> }).benchSeen).length);
    const clock = await clockOffset(page);
    log(`page clock offset ${clock.offsetMs.toFixed(2)} ms ± ${clock.errorMs.toFixed(2)} ms; rows already on the page: ${before}`);

    const run = randomBytes(3).toString("hex");
    const sent = new Map<string, { at: number; answeredMs: number; status: number }>();
    for (let index = 0; index < ALERTS; index++) {
      const alert = webhookAlert({
        labels: { alertname: "BenchAlertLatency", environment: "demo", region: "eu-west-1", cluster: "events", consumergroup: `bench-${run}-${index}`, topic: "orders", severity: "warning", resource_kind: "consumer_group" },
        startsAt: new Date().toISOString(),
      });
      const body = JSON.stringify(webhookPayload([alert]));
      const at = epochNow();
      const response = await fetch(webhookUrl, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` }, body });
      const answeredMs = epochNow() - at;
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`process A answered the webhook with HTTP ${response.status}`);
      sent.set(alert.fingerprint, { at, answeredMs, status: response.status });
      await delay(GAP_MS);
    }

    const arrivalDeadline = Date.now() + ARRIVAL_TIMEOUT_MS;
    let seen: Record<string, SeenRow> = {};
    for (;;) {
      seen = await page.evaluate(() => (window as unknown as { benchSeen: Record<string, SeenRow> }).benchSeen);
      const missing = [...sent.keys()].filter((fingerprint) => !seen[fingerprint]);
      if (missing.length === 0 || Date.now() > arrivalDeadline) break;
      await delay(250);
    }
    // Let the last animation frames land.
    await delay(200);
    seen = await page.evaluate(() => (window as unknown as { benchSeen: Record<string, SeenRow> }).benchSeen);

    const events = await page.evaluate(() => (window as unknown as { benchEvents: Record<string, number> }).benchEvents);
    const eventArrived: number[] = [];
    const inserted: number[] = [];
    const painted: number[] = [];
    const answered: number[] = [];
    let lost = 0;
    for (const [fingerprint, post] of sent) {
      answered.push(post.answeredMs);
      const event = events[fingerprint];
      if (event !== undefined) eventArrived.push(event - clock.offsetMs - post.at);
      const row = seen[fingerprint];
      if (!row) {
        lost++;
        continue;
      }
      inserted.push(row.inserted - clock.offsetMs - post.at);
      if (row.painted !== undefined) painted.push(row.painted - clock.offsetMs - post.at);
    }
    const format = (label: string, values: number[]) => {
      const figures = summarise(values);
      return `${label.padEnd(34)} n=${String(figures.count).padStart(3)}  p50 ${figures.p50.toFixed(0).padStart(5)} ms  p95 ${figures.p95.toFixed(0).padStart(5)} ms  max ${figures.max.toFixed(0).padStart(5)} ms`;
    };
    const stream = await liveStream(page, "alerts.onChange");
    log(`${ALERTS} alerts, one POST every ~${GAP_MS} ms after the previous answer; webhook on A, browser on B (its alert stream received ${stream.messages} events)`);
    log(format("POST answered by A (stored)", answered));
    log(format("POST → live event in B's page", eventArrived));
    log(format("POST → row in B's DOM", inserted));
    log(format("POST → next frame after it", painted));
    if (lost > 0) {
      const rows = await page.locator("[data-testid=alert-row]").count();
      log(`${lost} alert(s) never appeared on B's page within ${ARRIVAL_TIMEOUT_MS / 1000} s (rows on the page: ${rows}; alert stream open: ${stream.open})`);
    }
    const p95 = summarise(inserted).p95;
    log(`target p95 < ${TARGET_P95_MS} ms: ${lost === 0 && p95 < TARGET_P95_MS ? "met" : "NOT met"}`);
    log(`machine at the end: ${machine()}`);
  } finally {
    await browser.close().catch(() => {});
    for (const app of apps) await app.stop();
    await withClient(ADMIN_URL, (client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)).catch((error: unknown) => log(`could not drop ${database}: ${String(error)}`));
    await removeKeys(redis, "scaleplane:*").catch(() => {});
    redis.disconnect();
    rmSync(SCENARIO_FILE, { force: true });
    rmSync(NO_RULES_DIR, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error("[bench] failed:", error);
    process.exit(1);
  },
);
