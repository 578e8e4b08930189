// npm run demo — Scaleplane with nothing installed: an embedded PostgreSQL (PGlite, data in
// .data/) unless DATABASE_URL is set, the migrations, one demo account per role, and the
// app (next dev; SCALEPLANE_NEXT=start for the production build) on http://localhost:$PORT with the fleet simulator.
// Ctrl-C stops the app, then the database, so PGlite writes its files out.
//
// npm run demo -- --with-prometheus — the same, with every figure read through a real
// Prometheus (and Alertmanager) on loopback that scrapes the simulator every 5 s: the PromQL
// a production install runs (deploy/scaleplane/demo-with-prometheus.yaml). Installs Debian's
// packages on first use (scripts/prometheus/install.sh); Ctrl-C stops them too.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import type { EmbeddedPostgres } from "../server/db/embedded";
import { processIsAlive } from "./lib/processes";

const ROOT = path.resolve(import.meta.dirname, "..");
/** The webhook token the app accepts in demo mode (server/env.ts); kept here so the script imports no app code before the database is up. */
const DEMO_WEBHOOK_TOKEN = "demo-webhook-token";
process.chdir(ROOT); // migrations and Next.js resolve paths from the repository root
const DATA_DIR = path.join(ROOT, ".data");
const PGLITE_DIR = path.join(DATA_DIR, "pglite");
const LOCK_FILE = path.join(DATA_DIR, "demo.pid");
const SECRET_FILE = path.join(DATA_DIR, "nextauth-secret");
const GENERATED_CLIENT = path.join(ROOT, "server/db/generated/client.ts");
const SCHEMA_FILE = path.join(ROOT, "prisma/schema.prisma");

/** A fixed port makes the printed DATABASE_URL stable across restarts (for the CLIs). */
const PREFERRED_DATABASE_PORT = 54320;
/** Prisma's pool inside the app; pg-boss holds 4 more, under the socket server's 10. */
const DEMO_DATABASE_POOL_SIZE = "4";
const READY_TIMEOUT_MS = 120_000;
const CHILD_STOP_TIMEOUT_MS = 10_000;

const appPort = Number(process.env.PORT ?? 3000);
// Loopback only: the demo accounts' password is "demo". SCALEPLANE_DEMO_HOST=0.0.0.0 to expose it.
const appHost = process.env.SCALEPLANE_DEMO_HOST ?? "127.0.0.1";
const appUrl = `http://localhost:${appPort}`;
const startedAt = performance.now();
const withPrometheus = process.argv.includes("--with-prometheus");
const PROMETHEUS_CONFIG = path.join(ROOT, "deploy/scaleplane/demo-with-prometheus.yaml");

function log(message: string) {
  console.log(`[demo] ${message}`);
}

function fail(message: string): never {
  console.error(`[demo] ${message}`);
  process.exit(1);
}

function portIsFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}


/** PGlite has no lock of its own: two processes on one data folder would corrupt it. */
function takeDataDirLock() {
  if (existsSync(LOCK_FILE)) {
    const holder = Number(readFileSync(LOCK_FILE, "utf8").trim());
    if (Number.isInteger(holder) && holder !== process.pid && processIsAlive(holder)) {
      fail(`another demo (pid ${holder}) is using ${path.relative(ROOT, PGLITE_DIR)}; stop it first`);
    }
  }
  writeFileSync(LOCK_FILE, String(process.pid));
}

function releaseDataDirLock() {
  if (existsSync(LOCK_FILE) && readFileSync(LOCK_FILE, "utf8").trim() === String(process.pid)) rmSync(LOCK_FILE);
}

/** The client is generated (git-ignored); a fresh clone or a changed schema needs it (re)built. */
function ensurePrismaClient() {
  if (existsSync(GENERATED_CLIENT) && statSync(GENERATED_CLIENT).mtimeMs >= statSync(SCHEMA_FILE).mtimeMs) return;
  log("generating the Prisma client");
  const result = spawnSync(process.execPath, [path.join(ROOT, "node_modules/.bin/prisma"), "generate"], {
    stdio: "inherit",
    // generate never runs the native schema engine; pointing at any existing file skips its download.
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath },
  });
  if (result.status !== 0) fail("prisma generate failed");
}

/** Sessions are signed with it; kept in .data so a restart does not sign everyone out. */
function sessionSecret(): string {
  if (existsSync(SECRET_FILE)) return readFileSync(SECRET_FILE, "utf8").trim();
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(SECRET_FILE, secret, { mode: 0o600 });
  return secret;
}

/** What stop() has to shut down, filled in as the demo starts them. */
const started: { embedded?: EmbeddedPostgres; app?: ChildProcess; prometheus?: boolean } = {};
let stopping: Promise<never> | undefined;

function stop(exitCode: number): Promise<never> {
  stopping ??= (async () => {
    const { app: child, embedded } = started;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timedOut = await Promise.race([exited.then(() => false), delay(CHILD_STOP_TIMEOUT_MS).then(() => true)]);
      if (timedOut) child.kill("SIGKILL");
    }
    if (started.prometheus) {
      log("stopping Prometheus and Alertmanager");
      spawnSync(path.join(ROOT, "scripts/prometheus/stop.sh"), { stdio: "inherit" });
    }
    if (embedded) {
      log("stopping the embedded database");
      await embedded.stop().catch((error: unknown) => console.error("[demo] database stop failed:", error));
      releaseDataDirLock();
    }
    process.exit(exitCode);
  })();
  return stopping;
}
process.on("SIGINT", () => void stop(130));
process.on("SIGTERM", () => void stop(143));

mkdirSync(DATA_DIR, { recursive: true });
if (!(await portIsFree(appPort, appHost))) fail(`port ${appPort} is in use; run with PORT=<another port>`);
ensurePrismaClient();

if (!process.env.DATABASE_URL) {
  takeDataDirLock();
  const { startEmbeddedPostgres } = await import("../server/db/embedded");
  const fresh = !existsSync(path.join(PGLITE_DIR, "PG_VERSION"));
  log(fresh ? "creating the embedded database in .data/pglite (first run only takes a few seconds)" : "starting the embedded database");
  const databasePort = (await portIsFree(PREFERRED_DATABASE_PORT, "127.0.0.1")) ? PREFERRED_DATABASE_PORT : 0;
  started.embedded = await startEmbeddedPostgres({ dataDir: PGLITE_DIR, port: databasePort });
  process.env.DATABASE_URL = started.embedded.connectionString;
  process.env.DATABASE_POOL_SIZE ??= DEMO_DATABASE_POOL_SIZE;
} else {
  log("using the database in DATABASE_URL");
}
const databaseUrl = process.env.DATABASE_URL;
process.env.NEXTAUTH_SECRET ??= sessionSecret();
process.env.NEXTAUTH_URL ??= appUrl;
process.env.SCALEPLANE_DEMO = "1";
// A living platform: incidents happen and recover on an hourly loop (the first after 2 minutes).
process.env.SIMULATOR_SCENARIO_FILE ??= path.join(ROOT, "server/adapters/simulator/scenarios/demo.json");
// Without Prometheus, the simulator evaluates the deployed alert rules itself, so the demo has alerts.
process.env.SIMULATOR_ALERT_RULES_DIR ??= path.join(ROOT, "deploy/prometheus/rules");
process.env.PORT = String(appPort);
process.env.NEXT_TELEMETRY_DISABLED = "1";
if (withPrometheus) process.env.SCALEPLANE_CONFIG ??= PROMETHEUS_CONFIG;

/** Prometheus scrapes the app's simulator endpoint; until the app answers, its scrapes fail and it retries. */
function startPrometheus(): boolean {
  log("starting Prometheus and Alertmanager on 127.0.0.1:9090 and :9093 (scripts/prometheus/start.sh)");
  const result = spawnSync(path.join(ROOT, "scripts/prometheus/start.sh"), {
    stdio: "inherit",
    // Alertmanager delivers with the demo's webhook token, which the app accepts in demo mode.
    env: { ...process.env, APP_PORT: String(appPort), PROMETHEUS_PORT: "9090", ALERTMANAGER_PORT: "9093", ALERTMANAGER_WEBHOOK_TOKEN: process.env.ALERTMANAGER_WEBHOOK_TOKEN ?? DEMO_WEBHOOK_TOKEN },
  });
  if (result.status !== 0) {
    console.error("[demo] Prometheus did not start; see the messages above");
    return false;
  }
  started.prometheus = true;
  return true;
}
if (withPrometheus && !startPrometheus()) await stop(1);

try {
  const { applyMigrations } = await import("../server/db/migrations");
  const applied = await applyMigrations(databaseUrl);
  log(applied.length ? `applied migrations: ${applied.join(", ")}` : "database schema is up to date");

  // Imported only now: they read DATABASE_URL and NEXTAUTH_SECRET when they load.
  const { createDb } = await import("../server/db/client");
  const { seedDemoAccounts } = await import("../server/auth/demo-accounts");
  const seedDb = createDb(databaseUrl, 1);
  try {
    const created = await seedDemoAccounts(seedDb);
    if (created.length) log(`created demo accounts: ${created.join(", ")}`);
  } finally {
    await seedDb.$disconnect();
  }
} catch (error) {
  console.error("[demo] preparing the database failed:", error);
  await stop(1);
}

// SCALEPLANE_NEXT=start serves the production build instead (CI's end-to-end tests run after `npm run build`).
const nextCommand = process.env.SCALEPLANE_NEXT === "start" ? "start" : "dev";
if (nextCommand === "start" && !existsSync(path.join(ROOT, ".next/BUILD_ID"))) {
  console.error("[demo] SCALEPLANE_NEXT=start needs a production build; run npm run build first");
  await stop(1);
}
log(`starting Next.js (next ${nextCommand}) on ${appUrl}`);
const app = spawn(process.execPath, [path.join(ROOT, "node_modules/.bin/next"), nextCommand, "--port", String(appPort), "--hostname", appHost], {
  stdio: "inherit",
  env: process.env,
});
started.app = app;
app.on("exit", (code, signal) => {
  if (!stopping) log(`Next.js exited (${signal ?? `code ${code}`})`);
  void stop(code ?? 1);
});

/** Waits until the app answers; the health route also compiles and starts the runtime. */
async function waitUntilServing(): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !stopping) {
    try {
      await fetch(`http://127.0.0.1:${appPort}/api/health`, { signal: AbortSignal.timeout(30_000) });
      return true;
    } catch {
      await delay(500);
    }
  }
  return false;
}

if (await waitUntilServing()) {
  const { DEMO_ACCOUNTS, DEMO_PASSWORD } = await import("../server/auth/demo-accounts");
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  const width = Math.max(...DEMO_ACCOUNTS.map((a) => a.email.length));
  console.log(
    [
      "",
      `  Scaleplane demo is ready at ${appUrl} (${seconds} s)`,
      "",
      `  Sign in as (password "${DEMO_PASSWORD}"):`,
      ...DEMO_ACCOUNTS.map((a) => `    ${a.email.padEnd(width)}  ${a.role}`),
      "",
      `  Alertmanager webhook: POST ${appUrl}/api/alerts/alertmanager with "Authorization: Bearer ${process.env.ALERTMANAGER_WEBHOOK_TOKEN ?? DEMO_WEBHOOK_TOKEN}"`,
      "",
      ...(started.embedded ? [`  Database: DATABASE_URL=${started.embedded.connectionString}  (for npm run user:create / audit:verify)`, ""] : []),
      ...(withPrometheus
        ? ["  Figures are read through Prometheus at http://127.0.0.1:9090 (first rates after about a minute).", ""]
        : []),
      `  Ctrl-C stops the app${withPrometheus ? ", Prometheus" : ""} and the database.`,
      "",
    ].join("\n"),
  );
  // Compiles the sign-in page in the background so the first visit does not wait for it.
  void fetch(`http://127.0.0.1:${appPort}/login`).catch(() => {});
} else if (!stopping) {
  console.error(`[demo] the app did not answer within ${READY_TIMEOUT_MS / 1000} s`);
  await stop(1);
}
