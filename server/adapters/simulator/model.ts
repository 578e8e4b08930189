// Pure load model: offered traffic at an instant, and what it does to a pool of replicas.
import { uniformAt } from "./random";

const HOUR_MS = 3_600_000;
const NOISE_KNOT_MS = 5 * 60_000;
/** Utilisation at which queueing latency is capped: beyond it requests time out instead. */
const MAX_QUEUE_UTILISATION = 0.98;
/** Utilisation above which requests start failing (timeouts, rejected connections). */
const ERROR_KNEE = 0.85;
const ERROR_RATIO_AT_FULL_LOAD = 0.15;

/** Multiplier of the daily mean: a sinusoid over 24 h peaking at `peakHourUtc`. */
export function diurnalFactor(t: number, peakHourUtc: number, amplitude: number): number {
  const hoursFromPeak = t / HOUR_MS - peakHourUtc;
  return 1 + amplitude * Math.cos((2 * Math.PI * hoursFromPeak) / 24);
}

/**
 * Multiplier around 1, smooth in time: random knots every five minutes, linearly joined,
 * so consecutive samples are close and charts look like traffic, not static.
 */
export function trafficNoise(seed: number, stream: number, t: number, amplitude: number): number {
  const knot = Math.floor(t / NOISE_KNOT_MS);
  const fraction = t / NOISE_KNOT_MS - knot;
  const before = uniformAt(seed, stream, knot) * 2 - 1;
  const after = uniformAt(seed, stream, knot + 1) * 2 - 1;
  return 1 + amplitude * (before + (after - before) * fraction);
}

export interface PoolLoad {
  requestsPerSecond: number;
  availableReplicas: number;
  capacityPerReplicaRps: number;
  baseLatencyMs: number;
  baseErrorRatio: number;
}

export interface LoadFigures {
  cpuUtilisation: number;
  p95LatencyMs: number;
  errorRatio: number;
}

export function loadFigures(pool: PoolLoad): LoadFigures {
  const capacity = pool.availableReplicas * pool.capacityPerReplicaRps;
  // Offered load can exceed 1: more arrives than the pods can serve.
  const offeredLoad = capacity > 0 ? pool.requestsPerSecond / capacity : Number.POSITIVE_INFINITY;
  const queueUtilisation = Math.min(offeredLoad, MAX_QUEUE_UTILISATION);
  const saturation = Math.max(0, Math.min(offeredLoad, 1) - ERROR_KNEE) / (1 - ERROR_KNEE);
  const shedRatio = offeredLoad > 1 ? 1 - 1 / offeredLoad : 0;
  return {
    cpuUtilisation: capacity > 0 ? Math.min(1, offeredLoad) : 0,
    // M/M/1-like: waiting time grows as 1/(1-ρ), so the last few percent hurt the most.
    p95LatencyMs: pool.baseLatencyMs / (1 - queueUtilisation),
    errorRatio: Math.min(1, pool.baseErrorRatio + ERROR_RATIO_AT_FULL_LOAD * saturation ** 2 + shedRatio),
  };
}
