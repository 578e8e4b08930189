// A real Redis cache for tests: a primary, a replica and Sentinels, started through the
// project's own scripts/redis/start.sh on free loopback ports with a data folder under .tmp/.
// Never the machine's shared Redis on 6379: tests may flush, fill and kill these.
import { readFileSync } from "node:fs";
import path from "node:path";
import { distinctFreePorts, memoisedPerOptions, serviceScripts } from "./local-servers";

const scripts = serviceScripts("redis");

export interface TestRedisSetOptions {
  /** maxmemory, in Redis's units ("16mb"). Default 16mb: small enough to fill in a test. */
  maxmemory?: string;
  /** Sentinels to start. Default 3. */
  sentinels?: number;
  masterName?: string;
  /** requirepass of primary and replica. */
  password?: string;
  /** requirepass of the Sentinels. */
  sentinelPassword?: string;
  /** How long the primary may not answer before the Sentinels call it down. Default 1000 ms. */
  downAfterMs?: number;
  /** Default 5000 ms: a failover finishes (or is retried) within seconds. */
  failoverTimeoutMs?: number;
}

export interface TestRedisSet {
  /** host:port of the instance started as primary (after a failover it may be a replica). */
  primary: string;
  replica: string;
  sentinels: string[];
  masterName: string;
  maxmemoryBytes: number;
  dataRoot: string;
  /** The environment start.sh and stop.sh ran with; for tests of the scripts themselves. */
  scriptEnv: NodeJS.ProcessEnv;
  /** Signals the server at one of the addresses above (default SIGKILL: a crash, no goodbye to anyone). */
  kill(address: string, signal?: NodeJS.Signals): void;
  stop(): Promise<void>;
}

const UNITS: Record<string, number> = { "": 1, b: 1, k: 1000, kb: 1024, m: 1000 ** 2, mb: 1024 ** 2, g: 1000 ** 3, gb: 1024 ** 3 };

/** Redis's memory notation ("16mb", "100k") in bytes. */
export function redisBytes(text: string): number {
  const match = /^(\d+)([a-z]*)$/i.exec(text.trim());
  const unit = UNITS[match?.[2]?.toLowerCase() ?? "?"];
  if (!match || unit === undefined) throw new Error(`"${text}" is not a Redis memory size`);
  return Number(match[1]) * unit;
}

/** Sets of this process by their options: asking twice for the same gives the same one. */
const startRedisSetOnce = memoisedPerOptions(launchTestRedisSet);

/**
 * A primary, a replica and Sentinels through scripts/redis/start.sh, on free ports with their
 * data under .tmp/redis-tests/. The same options give the set already started, until it is
 * stopped. Takes a few seconds: start.sh waits until the replica's link is up and every
 * Sentinel knows the replica and the other Sentinels.
 */
export function startTestRedisSet(options: TestRedisSetOptions = {}): Promise<TestRedisSet> {
  return startRedisSetOnce(options);
}

async function launchTestRedisSet(options: TestRedisSetOptions, forget: () => void): Promise<TestRedisSet> {
  const dataRoot = await scripts.newDataRoot();
  const sentinelCount = options.sentinels ?? 3;
  const [primaryPort, replicaPort, ...sentinelPorts] = await distinctFreePorts(2 + sentinelCount);
  const masterName = options.masterName ?? "test-cache";
  const maxmemory = options.maxmemory ?? "16mb";
  const scriptEnv: NodeJS.ProcessEnv = {
    ...process.env,
    SCALEPLANE_OBSERVABILITY_DIR: dataRoot,
    REDIS_PRIMARY_PORT: String(primaryPort),
    REDIS_REPLICA_PORT: String(replicaPort),
    REDIS_SENTINEL_PORTS: sentinelPorts.join(" "),
    REDIS_MASTER_NAME: masterName,
    REDIS_MAXMEMORY: maxmemory,
    REDIS_MAXMEMORY_POLICY: "allkeys-lru",
    REDIS_PASSWORD: options.password ?? "",
    REDIS_SENTINEL_PASSWORD: options.sentinelPassword ?? "",
    SENTINEL_DOWN_AFTER_MS: String(options.downAfterMs ?? 1000),
    SENTINEL_FAILOVER_TIMEOUT_MS: String(options.failoverTimeoutMs ?? 5000),
  };
  await scripts.start(scriptEnv);
  const address = (port: number | undefined) => `127.0.0.1:${port}`;
  const folderOf = new Map<string, string>([
    [address(primaryPort), "primary"],
    [address(replicaPort), "replica"],
    ...sentinelPorts.map((port) => [address(port), `sentinel-${port}`] as const),
  ]);
  return {
    primary: address(primaryPort),
    replica: address(replicaPort),
    sentinels: sentinelPorts.map(address),
    masterName,
    maxmemoryBytes: redisBytes(maxmemory),
    dataRoot,
    scriptEnv,
    kill(target, signal = "SIGKILL") {
      const folder = folderOf.get(target);
      if (!folder) throw new Error(`${target} is not a server of this set`);
      const pid = Number(readFileSync(path.join(dataRoot, "redis", folder, "redis.pid"), "utf8").trim());
      process.kill(pid, signal);
    },
    async stop() {
      forget();
      await scripts.stopAndRemove(scriptEnv);
    },
  };
}
