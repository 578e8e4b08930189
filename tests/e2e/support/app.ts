// Starts Scaleplane for an end-to-end test: `scripts/demo.ts` against the run's fresh
// database (demo mode seeds the four demo accounts), on a free port, serving the production
// build (`next start`) when one exists and `next dev` otherwise. Stopped, with everything
// it started, by `stop()`.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";

const ROOT = path.resolve(import.meta.dirname, "../../..");

export interface RunningApp {
  baseUrl: string;
  mode: "start" | "dev";
  /** The app's output so far, for a failure message. */
  output(): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function childEnv(extra: Record<string, string>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(process.env)) {
    // Vitest's own variables (NODE_ENV=test, VITEST_*) must not leak into Next.js.
    if (key === "NODE_ENV" || key.startsWith("VITEST") || key === "TEST") continue;
    env[key] = value;
  }
  return { ...env, NEXT_TELEMETRY_DISABLED: "1", ...extra };
}

export interface StartAppOptions {
  databaseUrl: string;
  timeoutMs?: number;
  /** More environment for the app (e.g. REDIS_URL, ALERTMANAGER_WEBHOOK_TOKEN); wins over this process's. */
  env?: Record<string, string>;
}

export async function startApp({ databaseUrl, timeoutMs = 150_000, env = {} }: StartAppOptions): Promise<RunningApp> {
  const port = await freePort();
  const forced = process.env.E2E_NEXT;
  const mode: "start" | "dev" = forced === "dev" || forced === "start" ? forced : existsSync(path.join(ROOT, ".next/BUILD_ID")) ? "start" : "dev";
  const baseUrl = `http://localhost:${port}`;
  let log = "";
  const child: ChildProcess = spawn(process.execPath, ["--no-warnings", "--experimental-wasm-modules", "--import", "tsx", path.join(ROOT, "scripts/demo.ts")], {
    cwd: ROOT,
    // Without NODE_ENV: next start and next dev set their own.
    env: childEnv({ DATABASE_URL: databaseUrl, PORT: String(port), SCALEPLANE_NEXT: mode, NEXTAUTH_URL: baseUrl, SIMULATOR_TICK_MS: "1000", ...env }) as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so stopping it also stops the Next.js server it started.
    detached: true,
  });
  child.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      return;
    }
    const stopped = await Promise.race([exited.then(() => true), delay(15_000).then(() => false)]);
    if (!stopped) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  };

  // Ready when the sign-in page renders: the database is migrated and seeded by then.
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited before it was ready:\n${log}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the app was not ready within ${timeoutMs / 1000} s:\n${log}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${port}/login`, { signal: AbortSignal.timeout(60_000) });
      if (response.ok && log.includes("demo is ready")) break;
    } catch {
      // not listening yet
    }
    await delay(300);
  }
  return { baseUrl, mode, output: () => log, stop };
}
