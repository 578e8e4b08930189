// From what the instances said at one refresh (and at the previous one) to the port's figures
// and the page's detail. Pure: the reader does the talking.
import type { CacheStats } from "../../domain/ports";
import { connectedReplicas, keysInDatabase, numberField, type ConnectedReplica, type InfoFields } from "./info";
import type { CacheDetail, CacheInstanceDetail, CacheSentinelStatus, InstanceFigures, InstanceRole, ReplicaLink } from "./types";

/** One instance's INFO, reduced to what the figures need. */
export interface InstanceReading {
  address: string;
  /** Local clock when INFO answered (epoch ms); the server's own clock is preferred for rates. */
  readAt: number;
  /** Changes when the process restarts: counters from before are not comparable. */
  runId: string;
  /** server_time_usec / 1000 (Redis 6.2+), else null. */
  serverTimeMs: number | null;
  role: InstanceRole;
  memoryPolicy: string;
  keyspaceHits: number;
  keyspaceMisses: number;
  evictedKeys: number;
  commandsProcessed: number;
  primaryOffset: number;
  connectedReplicas: number;
  replicas: ConnectedReplica[];
  figures: InstanceFigures;
}

export function readingOf(address: string, info: InfoFields, slowlogLength: number, readAt: number): InstanceReading {
  const serverTimeUs = numberField(info, "server_time_usec", Number.NaN);
  const role: InstanceRole = info.get("role") === "master" ? "primary" : "replica";
  const linkStatus = info.get("master_link_status");
  return {
    address,
    readAt,
    runId: info.get("run_id") ?? "",
    serverTimeMs: Number.isFinite(serverTimeUs) ? serverTimeUs / 1000 : null,
    role,
    memoryPolicy: info.get("maxmemory_policy") ?? "",
    keyspaceHits: numberField(info, "keyspace_hits"),
    keyspaceMisses: numberField(info, "keyspace_misses"),
    evictedKeys: numberField(info, "evicted_keys"),
    commandsProcessed: numberField(info, "total_commands_processed"),
    primaryOffset: numberField(info, "master_repl_offset"),
    connectedReplicas: numberField(info, "connected_slaves"),
    replicas: connectedReplicas(info),
    figures: {
      redisVersion: info.get("redis_version") ?? "",
      uptimeSeconds: numberField(info, "uptime_in_seconds"),
      connectedClients: numberField(info, "connected_clients"),
      usedMemoryBytes: numberField(info, "used_memory"),
      maxMemoryBytes: numberField(info, "maxmemory"),
      instantaneousOpsPerSecond: numberField(info, "instantaneous_ops_per_sec"),
      keys: keysInDatabase(info, 0),
      slowlogLength,
      masterLinkStatus: role === "replica" ? (linkStatus === "up" ? "up" : "down") : null,
    },
  };
}

/** One instance at one refresh: read, or not reachable. */
export type InstanceOutcome =
  | { address: string; role: InstanceRole; reading: InstanceReading }
  | { address: string; role: InstanceRole; error: string };

export interface FiguresInput {
  identity: Pick<CacheStats, "environment" | "region" | "cluster">;
  primary: InstanceReading;
  /** Primary first, then replicas by address. */
  instances: InstanceOutcome[];
  /** The previous successful refresh's readings, by address. */
  previous: ReadonlyMap<string, InstanceReading> | undefined;
  sentinel: CacheSentinelStatus | null;
  takenAt: number;
}

/** Seconds between two readings of the same process, or null when they are not comparable. */
function secondsBetween(previous: InstanceReading | undefined, current: InstanceReading): number | null {
  if (!previous || previous.runId !== current.runId) return null;
  const seconds = previous.serverTimeMs !== null && current.serverTimeMs !== null
    ? (current.serverTimeMs - previous.serverTimeMs) / 1000
    : (current.readAt - previous.readAt) / 1000;
  return seconds > 0 ? seconds : null;
}

/** A counter's growth; a smaller value means CONFIG RESETSTAT ran in between, so all of it is new. */
function growth(previous: number, current: number): number {
  return current >= previous ? current - previous : current;
}

export type CacheFigures = Omit<CacheDetail, "keyspace" | "keyspaceError">;

export function figuresOf(input: FiguresInput): CacheFigures {
  const { primary, previous } = input;
  const readings = input.instances.flatMap((outcome) => ("reading" in outcome ? [outcome.reading] : []));
  const intervals = readings.map((reading) => {
    const before = previous?.get(reading.address);
    return { reading, before, seconds: secondsBetween(before, reading) };
  });

  const primaryInterval = intervals.find((entry) => entry.reading === primary);
  const primarySeconds = primaryInterval?.seconds ?? null;
  const ratesBasis: CacheDetail["ratesBasis"] = primarySeconds !== null ? "interval" : "since-start";

  // Rates: per instance over its own interval, or since its start on the first refresh.
  let intervalHits = 0;
  let intervalMisses = 0;
  let evictionsPerSecond = 0;
  let lookupsPerSecond = 0;
  for (const { reading, before, seconds } of intervals) {
    if (ratesBasis === "interval") {
      if (!before || seconds === null) continue;
      const hits = growth(before.keyspaceHits, reading.keyspaceHits);
      const misses = growth(before.keyspaceMisses, reading.keyspaceMisses);
      intervalHits += hits;
      intervalMisses += misses;
      lookupsPerSecond += (hits + misses) / seconds;
      evictionsPerSecond += growth(before.evictedKeys, reading.evictedKeys) / seconds;
    } else if (reading.figures.uptimeSeconds > 0) {
      lookupsPerSecond += (reading.keyspaceHits + reading.keyspaceMisses) / reading.figures.uptimeSeconds;
      evictionsPerSecond += reading.evictedKeys / reading.figures.uptimeSeconds;
    }
  }
  const cumulativeHits = readings.reduce((sum, reading) => sum + reading.keyspaceHits, 0);
  const cumulativeLookups = readings.reduce((sum, reading) => sum + reading.keyspaceHits + reading.keyspaceMisses, 0);
  let hitRatio = 0;
  let hitRatioBasis: CacheDetail["hitRatioBasis"] = "no-lookups";
  if (intervalHits + intervalMisses > 0) {
    hitRatio = intervalHits / (intervalHits + intervalMisses);
    hitRatioBasis = "interval";
  } else if (cumulativeLookups > 0) {
    // No lookups since the last refresh: the ratio since start says more about the cache than 0/0.
    hitRatio = cumulativeHits / cumulativeLookups;
    hitRatioBasis = "cumulative";
  }

  const opsPerSecond = primarySeconds !== null && primaryInterval?.before
    ? growth(primaryInterval.before.commandsProcessed, primary.commandsProcessed) / primarySeconds
    : primary.figures.instantaneousOpsPerSecond;

  const instances: CacheInstanceDetail[] = input.instances.map((outcome) =>
    "reading" in outcome
      ? { address: outcome.address, role: outcome.reading.role, up: true, error: null, figures: outcome.reading.figures }
      : { address: outcome.address, role: outcome.role, up: false, error: outcome.error, figures: null },
  );

  const readingsByAddress = new Map(readings.map((reading) => [reading.address, reading]));
  const replicas: ReplicaLink[] = primary.replicas
    .map((replica) => {
      const own = readingsByAddress.get(replica.address);
      return {
        address: replica.address,
        state: replica.state,
        offset: replica.offset,
        lagBytes: Math.max(0, primary.primaryOffset - replica.offset),
        lastAckSeconds: replica.lastAckSeconds,
        linkStatus: own?.role === "replica" ? own.figures.masterLinkStatus : null,
      };
    })
    .sort((a, b) => a.address.localeCompare(b.address));

  const stats: CacheStats = {
    ...input.identity,
    hitRatio,
    keys: primary.figures.keys,
    memoryUsedBytes: primary.figures.usedMemoryBytes,
    memoryMaxBytes: primary.figures.maxMemoryBytes,
    evictionsPerSecond,
    opsPerSecond,
    connectedClients: primary.figures.connectedClients,
    instances: instances.map(({ address, role, up }) => ({ pod: address, role, up })),
  };

  return {
    stats,
    takenAt: input.takenAt,
    ratesBasis,
    intervalSeconds: primarySeconds,
    hitRatioBasis,
    lookupsPerSecond,
    memoryPolicy: primary.memoryPolicy,
    slowlogLength: primary.figures.slowlogLength,
    instances,
    replication: {
      primary: primary.address,
      primaryOffset: primary.primaryOffset,
      connectedReplicas: primary.connectedReplicas,
      replicas,
    },
    sentinel: input.sentinel,
  };
}
