// What the helpers that start real servers for tests through the project's scripts share
// (tests/helpers/prometheus.ts, kafka.ts, redis-servers.ts): free loopback ports, the scripts
// of one service run with an environment, a data root per started server under .tmp/ (and the
// clean-up of those whose test process died), and one server per options within a test process.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { processIsAlive } from "../../scripts/lib/processes";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** `count` free ports, no two alike. */
export async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

let sequence = 0;

/** The install.sh, start.sh and stop.sh of scripts/<service>/, and the test data roots of that service. */
export interface ServiceScripts {
  /** Runs scripts/<service>/<script>.sh with the environment (default this process's). */
  run(script: "install" | "start" | "stop", env?: NodeJS.ProcessEnv, timeoutMs?: number): Promise<{ stdout: string; stderr: string }>;
  /**
   * A new data root for one server of this test process, .tmp/<service>-tests/run-<pid>-…; first
   * stops the servers that test processes which died before their afterAll left behind, and drops their data.
   */
  newDataRoot(): Promise<string>;
  /** start.sh with the environment; when it fails, stop.sh, so that nothing half-started stays. */
  start(env: NodeJS.ProcessEnv): Promise<void>;
  /** stop.sh with the environment, then the data root it names goes. */
  stopAndRemove(env: NodeJS.ProcessEnv): Promise<void>;
}

export function serviceScripts(service: "prometheus" | "kafka" | "redis"): ServiceScripts {
  const scripts = path.join(ROOT, "scripts", service);
  const testDataRoot = path.join(ROOT, `.tmp/${service}-tests`);
  const runScript: ServiceScripts["run"] = (script, env = process.env, timeoutMs) =>
    run(path.join(scripts, `${script}.sh`), [], { env, timeout: timeoutMs });
  const stopIn = (dataRoot: string) => runScript("stop", { ...process.env, SCALEPLANE_OBSERVABILITY_DIR: dataRoot });

  async function cleanUpAbandoned(): Promise<void> {
    if (!existsSync(testDataRoot)) return;
    for (const name of readdirSync(testDataRoot)) {
      const ownerPid = Number(name.split("-")[1]);
      if (!Number.isInteger(ownerPid) || processIsAlive(ownerPid)) continue;
      const dataRoot = path.join(testDataRoot, name);
      await stopIn(dataRoot).catch(() => undefined);
      rmSync(dataRoot, { recursive: true, force: true });
    }
  }

  return {
    run: runScript,
    async newDataRoot() {
      await cleanUpAbandoned();
      return path.join(testDataRoot, `run-${process.pid}-${Date.now().toString(36)}-${sequence++}`);
    },
    async start(env) {
      try {
        await runScript("start", env, 120_000);
      } catch (error) {
        await runScript("stop", env).catch(() => undefined);
        throw error;
      }
    },
    async stopAndRemove(env) {
      await runScript("stop", env);
      const dataRoot = env.SCALEPLANE_OBSERVABILITY_DIR;
      if (dataRoot) rmSync(dataRoot, { recursive: true, force: true });
    },
  };
}

/**
 * `launch` memoised within this process by `identify(options)` (default: the options as JSON):
 * asking again gives the server already started (or starting). `launch` gets a `forget` to call
 * when its server stops, so that the next call starts a new one; a launch that fails is forgotten.
 */
export function memoisedPerOptions<Options, Server>(
  launch: (options: Options, forget: () => void) => Promise<Server>,
  identify: (options: Options) => string = (options) => JSON.stringify(options),
): (options: Options) => Promise<Server> {
  const running = new Map<string, Promise<Server>>();
  return (options) => {
    const identity = identify(options);
    let started = running.get(identity);
    if (!started) {
      started = launch(options, () => running.delete(identity));
      started.catch(() => running.delete(identity));
      running.set(identity, started);
    }
    return started;
  };
}
