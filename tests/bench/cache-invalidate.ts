// Benchmark of invalidating a cache by pattern while it serves traffic: a Redis primary and
// replica of its own holding 200,000 keys that match the pattern among others; clients in a
// worker thread run GET/SET on the other keys in a loop, first alone (baseline), then while
// RedisCacheAdmin.invalidate deletes the matching keys (SCAN + UNLINK in paced batches). Prints
// the clients' latency percentiles in both phases, the invalidation's duration and keys/s, and
// the server's own time per SCAN and UNLINK call.
//
//   scripts/with-node.sh node --import tsx tests/bench/cache-invalidate.ts [matching=200000] [others=100000] [clients=4] [batch/pause/duty ...]
//
// Each pacing (batch size / least pause in ms / most duty) is a round of its own on a refilled
// cache; by default batches of 1,000 back to back (1000/0/1), then the adapter's defaults.
// Starts its own primary and replica (scripts/redis/start.sh, no Sentinels) on free ports with
// data under .tmp/redis-tests/ (removed after).
import os from "node:os";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { Redis } from "ioredis";
import { percentile } from "./stats";

// The server's modules read the app's settings when they load; the bench uses neither a database nor sessions.
process.env.DATABASE_URL ??= "postgresql://bench@127.0.0.1:1/unused";
process.env.NEXTAUTH_SECRET ??= "bench-only-not-a-secret";

const PATTERN = "catalogue:product:*";
const BASELINE_MS = 5000;
/** The p99 the clients should keep while the invalidation runs. */
const TARGET_P99_MS = 5;

interface LoadSettings {
  address: string;
  clients: number;
  /** The clients read and write `session:<0..keys-1>`, keys the pattern does not match. */
  keys: number;
}

type Phase = "baseline" | "invalidation";
type LoadMessage = { phase: Phase | "stop" };
type LoadResult = Record<Phase, number[]>;

function client(address: string): Redis {
  const [host, port] = address.split(":");
  return new Redis({ host, port: Number(port), maxRetriesPerRequest: 1 });
}

/** The worker: clients that each wait for one answer before sending the next command, as an app does. */
async function runLoad(settings: LoadSettings): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error("the load runs in a worker thread");
  const latencies: LoadResult = { baseline: [], invalidation: [] };
  let phase: Phase | "stop" | "idle" = "idle";
  port.on("message", (message: LoadMessage) => {
    phase = message.phase;
  });
  const clients = Array.from({ length: settings.clients }, () => client(settings.address));
  const value = "v".repeat(64);
  await Promise.all(
    clients.map(async (redis, index) => {
      let op = index;
      while (phase !== "stop") {
        const key = `session:${Math.floor(Math.random() * settings.keys)}`;
        const started = performance.now();
        if (op++ % 4 === 0) await redis.set(key, value);
        else await redis.get(key);
        const elapsed = performance.now() - started;
        if (phase === "baseline" || phase === "invalidation") latencies[phase].push(elapsed);
        else await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }),
  );
  for (const redis of clients) redis.disconnect();
  port.postMessage(latencies);
}

function log(message: string) {
  console.log(`[bench] ${message}`);
}

function summary(label: string, latencies: number[], seconds: number): number {
  const sorted = [...latencies].sort((a, b) => a - b);
  const p99 = percentile(sorted, 0.99);
  const ms = (value: number) => `${value.toFixed(2).padStart(7)} ms`;
  log(
    `${label.padEnd(26)} ${String(sorted.length).padStart(7)} ops (${(sorted.length / seconds).toFixed(0)}/s)  ` +
      `p50 ${ms(percentile(sorted, 0.5))}  p95 ${ms(percentile(sorted, 0.95))}  p99 ${ms(p99)}  max ${ms(sorted.at(-1) ?? Number.NaN)}`,
  );
  return p99;
}

async function fill(redis: Redis, prefix: string, count: number): Promise<void> {
  const value = "x".repeat(100);
  for (let start = 0; start < count; start += 5000) {
    const pipeline = redis.pipeline();
    for (let i = start; i < Math.min(count, start + 5000); i++) pipeline.set(`${prefix}${i}`, value);
    await pipeline.exec();
  }
}

async function usecPerCall(redis: Redis, command: string): Promise<string> {
  const line = (await redis.info("commandstats")).split("\r\n").find((entry) => entry.startsWith(`cmdstat_${command}:`)) ?? "";
  const calls = /calls=(\d+)/.exec(line)?.[1] ?? "0";
  const usec = /usec_per_call=([\d.]+)/.exec(line)?.[1] ?? "?";
  return `${command}: ${calls} calls, ${usec} µs each on the server`;
}

interface Pacing {
  batchSize: number;
  pauseMs: number;
  duty: number;
}

/** "batch/pause/duty", e.g. 1000/0/1: batches of 1,000 back to back. */
function pacingOf(text: string): Pacing {
  const [batchSize, pauseMs, duty] = text.split("/").map(Number);
  if (!batchSize || pauseMs === undefined || !duty) throw new Error(`"${text}" is not batch/pause/duty, e.g. 200/1/0.25`);
  return { batchSize, pauseMs, duty };
}

async function main() {
  const matching = Number(process.argv[2] ?? 200_000);
  const others = Number(process.argv[3] ?? 100_000);
  const clients = Number(process.argv[4] ?? 4);

  const { startTestRedisSet } = await import("../helpers/redis-servers");
  const { RedisCacheAdmin } = await import("../../server/adapters/redis/cache-admin");
  const { DEFAULT_INVALIDATION_PACING: defaults } = await import("../../server/adapters/redis/key-patterns");
  // Unpaced first, then the adapter's pacing: the same machine, within a minute of each other.
  const pacings = process.argv.length > 5 ? process.argv.slice(5).map(pacingOf) : [{ batchSize: 1000, pauseMs: 0, duty: 1 }, defaults];

  const set = await startTestRedisSet({ maxmemory: "1gb", sentinels: 0 });
  const primary = client(set.primary);
  const ref = { environment: "bench", region: "local", cache: "catalogue" };
  try {
    for (const pacing of pacings) {
      const admin = new RedisCacheAdmin({
        environment: "bench",
        region: "local",
        cluster: "catalogue",
        connection: { kind: "redis", endpoints: [set.primary, set.replica], tls: false },
        invalidation: pacing,
      });
      try {
        log(`filling ${matching} keys matching ${PATTERN} and ${others} others (primary ${set.primary}, replica ${set.replica})`);
        await primary.flushall();
        await fill(primary, "catalogue:product:", matching);
        await fill(primary, "session:", others);
        await primary.wait(1, 30_000);
        await primary.config("RESETSTAT");
        await primary.config("SET", "latency-monitor-threshold", "1");
        await primary.call("LATENCY", "RESET");

        const load = new Worker(new URL(import.meta.url), { workerData: { address: set.primary, clients, keys: others } satisfies LoadSettings });
        const results = new Promise<LoadResult>((resolve, reject) => {
          load.once("message", resolve);
          load.once("error", reject);
        });
        load.postMessage({ phase: "baseline" } satisfies LoadMessage);
        await new Promise((resolve) => setTimeout(resolve, BASELINE_MS));

        load.postMessage({ phase: "invalidation" } satisfies LoadMessage);
        const started = performance.now();
        const progress = await admin.invalidate(ref, PATTERN, () => undefined);
        const seconds = (performance.now() - started) / 1000;
        load.postMessage({ phase: "stop" } satisfies LoadMessage);
        const latencies = await results;
        await load.terminate();

        log(`invalidation of ${PATTERN}: batch ${pacing.batchSize}, pause ≥ ${pacing.pauseMs} ms, duty ≤ ${pacing.duty}; ${clients} clients running GET/SET (1 in 4 a SET)`);
        summary("clients, baseline", latencies.baseline, BASELINE_MS / 1000);
        const p99 = summary("clients, during", latencies.invalidation, seconds);
        log(`invalidation: ${progress.deleted} keys deleted (${progress.scanned} scanned) in ${seconds.toFixed(2)} s, ${(progress.deleted / seconds).toFixed(0)} keys/s`);
        const slowest = ((await primary.call("LATENCY", "LATEST")) as [string, number, number, number][]).find(([event]) => event === "command");
        log(`server: ${await usecPerCall(primary, "scan")}; ${await usecPerCall(primary, "unlink")}; slowest command ${slowest ? `${slowest[3]} ms` : "under 1 ms"}`);
        const after = await admin.estimateKeys(ref, PATTERN);
        if (after.matching !== 0 || after.totalKeys !== others) throw new Error(`the invalidation did not delete exactly the matching keys: ${JSON.stringify(after)}`);
        log(`target: the clients' p99 under ${TARGET_P99_MS} ms while it runs: ${p99 < TARGET_P99_MS ? "held" : "MISSED"}`);
      } finally {
        admin.close();
      }
    }
    log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load ${os.loadavg().map((value) => value.toFixed(1)).join(" ")}, Node ${process.version}`);
  } finally {
    primary.disconnect();
    await set.stop();
  }
}

if (isMainThread) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  runLoad(workerData as LoadSettings).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
