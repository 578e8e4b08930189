// The levels verdicts are judged against, as the configuration file states them. Every field
// has a default, so a file names only what it changes: `{ services: { p95LatencyMs: { warn: 250 } } }`
// keeps every other level. A level set to null is off.
import { z } from "zod";

const nonNegative = z.number().nonnegative();
const ratio = z.number().min(0).max(1);
const count = z.number().int().nonnegative();

/** Levels of a figure where more is worse. */
function rising(figure: z.ZodNumber, warn: number | null, crit: number | null) {
  return z
    .strictObject({ warn: figure.nullable().default(warn), crit: figure.nullable().default(crit) })
    .refine((levels) => levels.warn === null || levels.crit === null || levels.warn <= levels.crit, {
      message: "warn must not be above crit (more is worse here)",
    })
    .prefault({});
}

/** Levels of a figure where less is worse. */
function falling(figure: z.ZodNumber, warn: number | null, crit: number | null) {
  return z
    .strictObject({ warn: figure.nullable().default(warn), crit: figure.nullable().default(crit) })
    .refine((levels) => levels.warn === null || levels.crit === null || levels.warn >= levels.crit, {
      message: "warn must not be below crit (less is worse here)",
    })
    .prefault({});
}

/** For a state that is a problem or not: how bad it is, or OK to ignore it. */
const severity = (fallback: "OK" | "WARN" | "CRIT") => z.enum(["OK", "WARN", "CRIT"]).default(fallback);

export const healthThresholdsSchema = z
  .strictObject({
    services: z
      .strictObject({
        /** p95 latency in ms, above the level; the warn level is the SLO. */
        p95LatencyMs: rising(nonNegative, 300, 800),
        /** 0..1 of requests that fail, above the level; the warn level is the SLO. */
        errorRatio: rising(ratio, 0.01, 0.05),
        /** CPU used / CPU requested (may pass 1), above the level. */
        cpuUtilisation: rising(nonNegative, 0.8, 0.95),
        /** Share of the desired replicas not available, above the level: any missing is WARN, more than half CRIT. */
        unavailableReplicas: rising(ratio, 0, 0.5),
      })
      .prefault({}),
    autoscalers: z
      .strictObject({
        /** An HPA at its max replicas with CPU above its target is WARN; above this, CRIT (0..1 of the CPU requested). */
        critCpuUtilisationAtMax: nonNegative.default(0.95),
      })
      .prefault({}),
    consumerGroups: z
      .strictObject({
        /**
         * Observations kept per partition for the Burrow evaluation (Burrow's default is 10).
         * Times the poll interval, it should span several of the consumers' commit intervals.
         */
        windowSize: z.number().int().min(2).max(1000).default(10),
        /** Observations a lagging partition needs before it is judged; fewer give UNKNOWN. */
        minObservations: z.number().int().min(2).max(1000).default(5),
        /**
         * Total lag in messages, from the level on. Off by default: how much lag is too much
         * depends on each topic's rate, which is why the window evaluation and the time to
         * drain judge a group; set it for groups where a count means something.
         */
        totalLag: rising(count, null, null),
        /** Seconds the lag takes to drain at the rate it fell over the window, above the level. */
        timeToDrainSeconds: rising(nonNegative, 900, 3600),
      })
      .refine((levels) => levels.minObservations <= levels.windowSize, { message: "minObservations must not exceed windowSize" })
      .prefault({}),
    topics: z
      .strictObject({
        /** Partitions with a replica out of the ISR, from the level on. */
        underReplicatedPartitions: rising(count, 1, null),
        /** Messages per second into a dead-letter topic, above the level (a trickle is a normal background of bad messages). */
        dlqInflowPerSecond: rising(nonNegative, 1, 10),
      })
      .prefault({}),
    kafkaClusters: z
      .strictObject({
        /** Brokers down, from the level on: with replication factor 3 and min ISR 2, two down stop acks=all writes. */
        brokersDown: rising(count, 1, 2),
        underReplicatedPartitions: rising(count, 1, null),
      })
      .prefault({}),
    caches: z
      .strictObject({
        /** 0..1 of lookups that hit, below the level. */
        hitRatio: falling(ratio, 0.8, 0.5),
        /** Below this many commands per second the hit ratio is too noisy to judge. */
        minOpsPerSecondForHitRatio: nonNegative.default(1),
        /**
         * Memory used / maxmemory, above the level. No crit level by default: a cache with an
         * eviction policy is meant to fill up; its hit ratio and evictions say whether it hurts.
         */
        memoryUsedRatio: rising(ratio, 0.9, null),
        /** Keys evicted per second, above the level. */
        evictionsPerSecond: rising(nonNegative, 100, 1000),
        /** Instances down, from the level on (the primary down is always CRIT). */
        instancesDown: rising(count, 1, 2),
      })
      .prefault({}),
    mongoClusters: z
      .strictObject({
        /** A secondary's replication lag in seconds, above the level. */
        replicationLagSeconds: rising(nonNegative, 10, 60),
        /**
         * (most − fewest chunks) / mean chunks over the shards not draining, above the level.
         * A spread within MongoDB's own migration threshold never counts: the balancer leaves it.
         */
        chunkImbalance: rising(nonNegative, 0.1, 0.25),
        balancerOff: severity("WARN"),
      })
      .prefault({}),
    elasticsearchClusters: z
      .strictObject({
        /** A single-node cluster is always yellow (replicas have nowhere to go): set this to OK there. */
        yellow: severity("WARN"),
        red: severity("CRIT"),
        /** Shards not assigned to a node, from the level on (yellow and red already flag any). */
        unassignedShards: rising(count, null, null),
        /** Heap used / heap max over the nodes up, above the level. */
        heapUsedRatio: rising(ratio, 0.85, 0.95),
      })
      .prefault({}),
    regions: z
      .strictObject({
        /** 0..1 of the region's requests that fail, above the level. */
        errorRatio: rising(ratio, 0.01, 0.05),
      })
      .prefault({}),
  })
  .prefault({});

export type HealthThresholds = z.output<typeof healthThresholdsSchema>;
/** What a configuration file may write: any part of HealthThresholds. */
export type HealthThresholdsInput = z.input<typeof healthThresholdsSchema>;

export const DEFAULT_HEALTH_THRESHOLDS: HealthThresholds = healthThresholdsSchema.parse(undefined);

type PlainObject = Record<string, unknown>;
const isPlainObject = (value: unknown): value is PlainObject => typeof value === "object" && value !== null && !Array.isArray(value);

function deepMerge(base: PlainObject, overrides: PlainObject): PlainObject {
  const merged: PlainObject = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return merged;
}

/**
 * Thresholds with some levels overridden (an environment's over the file's global ones),
 * validated as a whole so an override cannot put warn beyond crit. Throws a ZodError otherwise.
 */
export function withOverrides(base: HealthThresholds, overrides: HealthThresholdsInput | undefined): HealthThresholds {
  if (overrides === undefined) return base;
  return healthThresholdsSchema.parse(deepMerge(base, overrides as PlainObject));
}
