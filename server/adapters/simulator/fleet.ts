// A seeded, deterministic simulation of a small platform: services in two regions whose
// traffic follows the day, whose replicas start like pods do, and whose latency and errors
// respond to how loaded those replicas are. Time only moves when `tick(now)` is called
// (by `start()` in a running app, by hand in tests), so the same seed and the same ticks
// always give the same figures.
import type { ServiceStats, TimePoint, Workload, WorkloadRef } from "../../domain/ports";
import { DIURNAL_AMPLITUDE, REGIONS, SERVICES, type RegionSpec, type ServiceSpec } from "./catalog";
import { RingBuffer } from "./history";
import { diurnalFactor, loadFigures, trafficNoise } from "./model";
import { mulberry32, uniformAt } from "./random";

export interface FleetOptions {
  /** Default "demo". */
  environment?: string;
  /** Default 1. */
  seed?: number;
  /** Epoch ms the simulation starts at; history is pre-filled up to it. Default Date.now(). */
  startAt?: number;
  /** Spacing of the recorded history. Default 30. */
  historyStepSeconds?: number;
  /** How much history each workload keeps. Default 6. */
  historyHours?: number;
}

export type ScaleRejection = "not-found" | "ambiguous" | "invalid-replicas" | "out-of-bounds";

/** A scale request the platform refuses; `reason` lets callers map it to a status code. */
export class ScaleRejectedError extends Error {
  constructor(readonly reason: ScaleRejection, message: string) {
    super(message);
    this.name = "ScaleRejectedError";
  }
}

const TRAFFIC_NOISE_AMPLITUDE = 0.05;
/** A new pod becomes ready 20–40 s after it is requested (image cached, readiness probe). */
const POD_START_MIN_MS = 20_000;
const POD_START_SPREAD_MS = 20_000;

interface WorkloadState {
  readonly ref: Required<WorkloadRef>;
  /** Keys this workload's random streams apart from the others'. */
  readonly stream: number;
  readonly service: ServiceSpec;
  readonly region: RegionSpec;
  desiredReplicas: number;
  availableReplicas: number;
  /** When each starting pod becomes ready, earliest first. available + pending = desired. */
  pendingReadyAt: number[];
  scaleRequests: number;
  current: TimePoint;
  readonly history: RingBuffer<TimePoint>;
}

const keyOf = (ref: Required<WorkloadRef>) => `${ref.environment}/${ref.namespace}/${ref.name}@${ref.region}`;

export class SimulatedFleet {
  readonly environment: string;
  readonly seed: number;
  readonly regions: readonly RegionSpec[] = REGIONS;
  readonly historyStepMs: number;
  private readonly historyMs: number;
  private readonly states = new Map<string, WorkloadState>();
  private clock: number;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: FleetOptions = {}) {
    this.environment = options.environment ?? "demo";
    this.seed = options.seed ?? 1;
    this.historyStepMs = (options.historyStepSeconds ?? 30) * 1000;
    this.historyMs = (options.historyHours ?? 6) * 3_600_000;
    const startAt = options.startAt ?? Date.now();
    this.clock = startAt - this.historyMs;

    SERVICES.forEach((catalogEntry, serviceIndex) => {
      // Each seed gives a slightly different platform, so demos do not all look alike.
      const random = mulberry32(this.seed * 7919 + serviceIndex);
      const service: ServiceSpec = {
        ...catalogEntry,
        meanRps: catalogEntry.meanRps * (0.85 + 0.3 * random()),
        capacityPerReplicaRps: catalogEntry.capacityPerReplicaRps * (0.9 + 0.2 * random()),
      };
      this.regions.forEach((region, regionIndex) => {
        const ref = { environment: this.environment, namespace: service.namespace, name: service.name, region: region.name };
        const stream = serviceIndex * this.regions.length + regionIndex;
        // Sized for the traffic at `startAt`, so the starting utilisation is what the
        // catalog asks for whatever the time of day; history before it keeps that size.
        const idealReplicas = this.offeredRps(service, region, stream, startAt) / (service.capacityPerReplicaRps * service.startingUtilisation);
        // An overloaded service rounds down so it starts at or above its target.
        const rounded = service.startingUtilisation > 0.9 ? Math.floor(idealReplicas) : Math.round(idealReplicas);
        const replicas = Math.min(service.maxReplicas, Math.max(service.minReplicas, rounded));
        const state: WorkloadState = {
          ref, stream, service, region,
          desiredReplicas: replicas,
          availableReplicas: replicas,
          pendingReadyAt: [],
          scaleRequests: 0,
          current: { t: this.clock, requestsPerSecond: 0, errorRatio: 0, p95LatencyMs: 0, cpuUtilisation: 0, replicas },
          history: new RingBuffer<TimePoint>(Math.max(1, Math.floor(this.historyMs / this.historyStepMs))),
        };
        state.current = this.sample(state, this.clock);
        this.states.set(keyOf(ref), state);
      });
    });
    this.tick(startAt);
  }

  /** The simulated instant: the time of the last tick. */
  get now(): number {
    return this.clock;
  }

  /**
   * Advances the simulation to `now` (epoch ms), recording a history point at every
   * multiple of the history step on the way. Calls with a time not after the current one
   * are ignored: simulated time never goes back.
   */
  tick(now: number): void {
    if (!Number.isFinite(now) || now <= this.clock) return;
    // After a long pause, anything older than the history window would be dropped anyway.
    this.clock = Math.max(this.clock, now - this.historyMs);
    const step = this.historyStepMs;
    for (let at = (Math.floor(this.clock / step) + 1) * step; at <= now; at += step) {
      this.advanceTo(at);
      for (const state of this.states.values()) state.history.push(state.current);
    }
    this.advanceTo(now);
  }

  /** Ticks with the wall clock every `tickMs` until `stop()`; does not keep the process alive. */
  start(tickMs = 5000): void {
    if (this.timer !== undefined) return;
    const timer = setInterval(() => this.tick(Date.now()), tickMs);
    // Node's timer, typed as the DOM's number too because the project includes both libs.
    if (typeof timer === "object") timer.unref();
    this.timer = timer;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  listWorkloads(): Workload[] {
    return [...this.states.values()].map(toWorkload);
  }

  /** Workloads matching `ref`; every region of the service when `ref.region` is omitted. */
  find(ref: WorkloadRef): Workload[] {
    return [...this.states.values()]
      .filter((state) =>
        state.ref.environment === ref.environment &&
        state.ref.namespace === ref.namespace &&
        state.ref.name === ref.name &&
        (ref.region === undefined || state.ref.region === ref.region))
      .map(toWorkload);
  }

  currentStats(): ServiceStats[] {
    return [...this.states.values()].map(({ ref, current }) => ({
      ...ref,
      requestsPerSecond: current.requestsPerSecond,
      errorRatio: current.errorRatio,
      p95LatencyMs: current.p95LatencyMs,
      cpuUtilisation: current.cpuUtilisation,
    }));
  }

  /** Recorded points of one workload, oldest first; empty for an unknown workload. */
  history(ref: Required<WorkloadRef>): TimePoint[] {
    return this.states.get(keyOf(ref))?.history.toArray() ?? [];
  }

  /**
   * Sets desired replicas at the current simulated instant. Removed pods stop serving at
   * once (endpoints drop them before they terminate); new pods serve only once ready.
   */
  scale(ref: Required<WorkloadRef>, replicas: number): void {
    const state = this.states.get(keyOf(ref));
    const label = `${ref.namespace}/${ref.name} in ${ref.region} (${ref.environment})`;
    if (state === undefined) throw new ScaleRejectedError("not-found", `No workload ${label}`);
    if (!Number.isInteger(replicas)) {
      throw new ScaleRejectedError("invalid-replicas", `Replicas must be a whole number, got ${replicas} for ${label}`);
    }
    const { minReplicas, maxReplicas } = state.service;
    if (replicas < minReplicas || replicas > maxReplicas) {
      throw new ScaleRejectedError("out-of-bounds", `Replicas ${replicas} for ${label} is outside its bounds [${minReplicas}, ${maxReplicas}]`);
    }
    state.scaleRequests += 1;
    for (let pod = state.desiredReplicas; pod < replicas; pod++) {
      const startMs = POD_START_MIN_MS + POD_START_SPREAD_MS * uniformAt(this.seed, state.stream, state.scaleRequests, pod);
      state.pendingReadyAt.push(this.clock + startMs);
    }
    state.pendingReadyAt.sort((a, b) => a - b);
    // Scaling down cancels the pods still starting (latest first) before ready ones.
    const surplus = Math.max(0, state.desiredReplicas - replicas);
    const cancelled = Math.min(surplus, state.pendingReadyAt.length);
    state.pendingReadyAt.length -= cancelled;
    state.availableReplicas -= surplus - cancelled;
    state.desiredReplicas = replicas;
    state.current = this.sample(state, this.clock);
  }

  private advanceTo(t: number): void {
    this.clock = t;
    for (const state of this.states.values()) {
      while (state.pendingReadyAt.length > 0 && (state.pendingReadyAt[0] ?? Infinity) <= t) {
        state.pendingReadyAt.shift();
        state.availableReplicas += 1;
      }
      state.current = this.sample(state, t);
    }
  }

  private offeredRps(service: ServiceSpec, region: RegionSpec, stream: number, t: number): number {
    return service.meanRps * region.trafficWeight *
      diurnalFactor(t, region.peakHourUtc, DIURNAL_AMPLITUDE) *
      trafficNoise(this.seed, stream, t, TRAFFIC_NOISE_AMPLITUDE);
  }

  private sample(state: WorkloadState, t: number): TimePoint {
    const requestsPerSecond = this.offeredRps(state.service, state.region, state.stream, t);
    const figures = loadFigures({
      requestsPerSecond,
      availableReplicas: state.availableReplicas,
      capacityPerReplicaRps: state.service.capacityPerReplicaRps,
      baseLatencyMs: state.service.baseLatencyMs,
      baseErrorRatio: state.service.baseErrorRatio,
    });
    return { t, requestsPerSecond, ...figures, replicas: state.availableReplicas };
  }
}

function toWorkload(state: WorkloadState): Workload {
  return {
    ...state.ref,
    kind: "Deployment",
    desiredReplicas: state.desiredReplicas,
    availableReplicas: state.availableReplicas,
    minReplicas: state.service.minReplicas,
    maxReplicas: state.service.maxReplicas,
  };
}
