import type {
  AutoscalerStatus, CacheStats, ConsumerGroupLag, DependencyStats, ElasticsearchClusterStats, KafkaClusterStats,
  MetricsSource, MongoClusterStats, RegionTraffic, ServiceStats, TimePoint, TimeWindow, TopicStats, WorkloadRef,
} from "../../domain/ports";
import type { SimulatedFleet } from "./fleet";
import * as views from "./views";

/** Same ceiling as Prometheus' query_range, so a window valid here is valid there. */
const MAX_POINTS_PER_SERIES = 11_000;

/**
 * MetricsSource over the simulated fleet. `replicas` in a series is available replicas:
 * the capacity that actually served the traffic at that time.
 */
export class SimulatedMetrics implements MetricsSource {
  constructor(readonly fleet: SimulatedFleet) {}

  /** Another environment's entities are not in this fleet: every query answers none. */
  private serves(environment: string | undefined): boolean {
    return environment === undefined || environment === this.fleet.environment;
  }

  async currentServiceStats(environment?: string): Promise<ServiceStats[]> {
    return this.serves(environment) ? this.fleet.currentStats() : [];
  }

  async regionTraffic(environment?: string): Promise<RegionTraffic[]> {
    return this.serves(environment) ? views.regionTraffic(this.fleet) : [];
  }

  async autoscalers(environment?: string): Promise<AutoscalerStatus[]> {
    return this.serves(environment) ? views.autoscalers(this.fleet) : [];
  }

  async dependencies(environment?: string): Promise<DependencyStats[]> {
    return this.serves(environment) ? views.dependencies(this.fleet) : [];
  }

  async consumerGroupLag(environment?: string): Promise<ConsumerGroupLag[]> {
    return this.serves(environment) ? views.consumerGroupLag(this.fleet) : [];
  }

  async topics(environment?: string): Promise<TopicStats[]> {
    return this.serves(environment) ? views.topics(this.fleet) : [];
  }

  async kafkaClusters(environment?: string): Promise<KafkaClusterStats[]> {
    return this.serves(environment) ? views.kafkaClusters(this.fleet) : [];
  }

  async caches(environment?: string): Promise<CacheStats[]> {
    return this.serves(environment) ? views.caches(this.fleet) : [];
  }

  async mongoClusters(environment?: string): Promise<MongoClusterStats[]> {
    return this.serves(environment) ? views.mongoClusters(this.fleet) : [];
  }

  async elasticsearchClusters(environment?: string): Promise<ElasticsearchClusterStats[]> {
    return this.serves(environment) ? views.elasticsearchClusters(this.fleet) : [];
  }

  /**
   * Points on the multiples of `stepSeconds` inside [from, to]; each sums up the recorded
   * points of the step (or of the history step, when the requested step is finer) ending
   * at it. Without `region` the service's regions are combined into one series. An
   * unknown workload has no series, as in Prometheus: the result is empty.
   */
  async serviceSeries(ref: WorkloadRef, window: TimeWindow): Promise<TimePoint[]> {
    const stepMs = window.stepSeconds * 1000;
    if (!(stepMs > 0) || !Number.isFinite(stepMs)) throw new Error(`stepSeconds must be a positive number, got ${window.stepSeconds}`);
    if (!(window.to >= window.from)) throw new Error(`Window ends (${window.to}) before it starts (${window.from})`);
    if ((window.to - window.from) / stepMs > MAX_POINTS_PER_SERIES) {
      throw new Error(`Window of ${window.to - window.from} ms at ${window.stepSeconds} s steps exceeds ${MAX_POINTS_PER_SERIES} points; use a larger step`);
    }
    const perRegion = this.fleet.find(ref).map((workload) =>
      resample(this.fleet.history(workload), window.from, window.to, stepMs, Math.max(stepMs, this.fleet.historyStepMs)));
    const byTime = new Map<number, TimePoint[]>();
    for (const series of perRegion) {
      for (const point of series) byTime.set(point.t, [...(byTime.get(point.t) ?? []), point]);
    }
    return [...byTime.entries()].sort(([a], [b]) => a - b).map(([t, points]) => combineRegions(t, points));
  }

  async ping(): Promise<void> {
    // In process: it can always answer.
  }
}

/** `points` sorted by time; a grid time with nothing recorded in its lookback is left out. */
function resample(points: readonly TimePoint[], from: number, to: number, stepMs: number, lookbackMs: number): TimePoint[] {
  const result: TimePoint[] = [];
  let first = 0;
  let end = 0;
  for (let t = Math.ceil(from / stepMs) * stepMs; t <= to; t += stepMs) {
    while (end < points.length && (points[end]?.t ?? Infinity) <= t) end++;
    while (first < end && (points[first]?.t ?? Infinity) <= t - lookbackMs) first++;
    if (end > first) result.push(combineOverTime(t, points.slice(first, end)));
  }
  return result;
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const mean = (values: number[]) => sum(values) / values.length;

/** Errors weighted by traffic, so a quiet minute's blip does not outweigh a busy one. */
function errorRatioOf(points: readonly TimePoint[]): number {
  const requests = sum(points.map((point) => point.requestsPerSecond));
  return requests > 0
    ? sum(points.map((point) => point.errorRatio * point.requestsPerSecond)) / requests
    : mean(points.map((point) => point.errorRatio));
}

function combineOverTime(t: number, points: readonly TimePoint[]): TimePoint {
  return {
    t,
    requestsPerSecond: mean(points.map((point) => point.requestsPerSecond)),
    errorRatio: errorRatioOf(points),
    // Percentiles do not average; the worst one keeps a slow spell visible.
    p95LatencyMs: Math.max(...points.map((point) => point.p95LatencyMs)),
    cpuUtilisation: mean(points.map((point) => point.cpuUtilisation)),
    replicas: points[points.length - 1]?.replicas ?? 0,
  };
}

function combineRegions(t: number, points: readonly TimePoint[]): TimePoint {
  const replicas = sum(points.map((point) => point.replicas));
  return {
    t,
    requestsPerSecond: sum(points.map((point) => point.requestsPerSecond)),
    errorRatio: errorRatioOf(points),
    // An upper bound of the pooled p95: never hides a slow region behind a fast one.
    p95LatencyMs: Math.max(...points.map((point) => point.p95LatencyMs)),
    cpuUtilisation: replicas > 0 ? sum(points.map((point) => point.cpuUtilisation * point.replicas)) / replicas : 0,
    replicas,
  };
}
