// One deployment in one region: its pods, its autoscaler, its calls to other services and
// the counters an exporter would report for it. Services serve HTTP; workers consume a
// Kafka topic and have no HPA (consumers are sized by hand, or on lag, not on CPU).
import type { TimePoint, WorkloadRef } from "../../domain/ports";
import { closedBreaker, edgeEffect, type Breaker } from "./breaker";
import type { DependencySpec, RegionSpec } from "./catalog";
import { TimePointHistory } from "./history";
import { OUTAGE_ERROR_RATIO, OUTAGE_LATENCY_MS } from "./incidents";
import type { AutoscalerSpec, Recommendation } from "./hpa";
import { cumulativeShares, DURATION_BUCKETS_SECONDS, meanDurationSeconds } from "./latency-histogram";
import { loadFigures } from "./model";
import { hash32, uniformAt } from "./random";

export interface RegionState {
  readonly spec: RegionSpec;
  /** Share of global traffic; changed only by an action or an incident. */
  weight: number;
  /** An incident has cut the region off: its services fail. */
  outage: boolean;
}

export interface WorkloadSpec {
  kind: "service" | "worker";
  namespace: string;
  name: string;
  /** Services: global mean requests per second before region weights. Workers: 0. */
  meanRps: number;
  /** Services: requests per second per replica at 100 % CPU. Workers: messages per second per replica. */
  capacityPerReplica: number;
  baseLatencyMs: number;
  baseErrorRatio: number;
  minReplicas: number;
  maxReplicas: number;
  cpuRequestCores: number;
  dependencies: readonly DependencySpec[];
  hpa: AutoscalerSpec | null;
  /** Workers: the group they form and the topic they read. */
  consumes: { group: string; topic: string } | null;
}

export interface PodState {
  readonly name: string;
  /** The pod template hash it was created from: a restart makes a new one. */
  readonly template: string;
  readonly readyAt: number;
  ready: boolean;
  cpuSecondsTotal: number;
}

export interface EdgeState {
  readonly callee: WorkloadState;
  readonly callShare: number;
  breaker: Breaker;
  callsPerSecond: number;
  retriedCallsPerSecond: number;
  calleeErrorRatio: number;
  /** resilience4j counters. */
  successfulWithoutRetryTotal: number;
  successfulWithRetryTotal: number;
  failedWithRetryTotal: number;
  notPermittedTotal: number;
}

/** A duration histogram split by outcome, as cumulative bucket counts. */
export interface DurationCounters {
  readonly okBuckets: Float64Array;
  readonly errorBuckets: Float64Array;
  okCount: number;
  errorCount: number;
  okSumSeconds: number;
  errorSumSeconds: number;
}

export interface WorkloadState {
  readonly ref: Required<WorkloadRef>;
  /** Keys this workload's random streams apart from the others'. */
  readonly stream: number;
  readonly spec: WorkloadSpec;
  readonly region: RegionState;
  /** The current pod template's hash; pods of an older one are replaced by a rollout. */
  podTemplateHash: string;
  pods: PodState[];
  /** metadata.generation and status.observedGeneration of the deployment. */
  generation: number;
  observedGeneration: number;
  /** The pod template's kubectl.kubernetes.io/restartedAt annotation. */
  restartedAt: string | null;
  desiredReplicas: number;
  availableReplicas: number;
  podsCreated: number;
  scaleRequests: number;
  hpaRecommendations: Recommendation[];
  edges: EdgeState[];
  /** Incident effects, recomputed when the set of active incidents changes. */
  trafficFactor: number;
  throughputFactor: number;
  extraErrorRatio: number;
  /** Requests per second that caches in front of it let through (misses). */
  cacheMissRps: number;
  /** Inputs of the last figures, kept so a scale can recompute them at once. */
  offeredRps: number;
  dependencyFailedShare: number;
  dependencyLatencyMs: number;
  current: TimePoint;
  readonly durations: DurationCounters;
  readonly history: TimePointHistory;
}

/** A new pod becomes ready 20–40 s after it is requested (image cached, readiness probe). */
const POD_START_MIN_MS = 20_000;
const POD_START_SPREAD_MS = 20_000;
/** The alphabet Kubernetes uses for generated name suffixes (no vowels, no look-alikes). */
const NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
const MiB = 1024 * 1024;
/** Keeps the start times of a rollout's pods apart from those of scaling. */
const ROLLOUT_STREAM = 0x7011;

export const workloadKey = (ref: Required<WorkloadRef>) => `${ref.environment}/${ref.namespace}/${ref.name}@${ref.region}`;

function nameSuffix(length: number, ...parts: number[]): string {
  let value = hash32(...parts);
  let suffix = "";
  for (let i = 0; i < length; i++) {
    suffix += NAME_ALPHABET[value % NAME_ALPHABET.length] ?? "x";
    value = i % 5 === 4 ? hash32(value, i) : Math.floor(value / NAME_ALPHABET.length);
  }
  return suffix;
}

/** The pod template hash of a workload's `generation`-th template (the first one is generation 1). */
export function templateHashOf(name: string, stream: number, generation: number): string {
  const nameCodes = [...name].map((c) => c.charCodeAt(0));
  return generation <= 1 ? nameSuffix(10, ...nameCodes, stream) : nameSuffix(10, ...nameCodes, stream, generation);
}

export function createWorkload(spec: WorkloadSpec, region: RegionState, environment: string, stream: number, replicas: number, historyCapacity: number, now: number): WorkloadState {
  const state: WorkloadState = {
    ref: { environment, namespace: spec.namespace, name: spec.name, region: region.spec.name },
    stream, spec, region,
    podTemplateHash: templateHashOf(spec.name, stream, 1),
    pods: [], generation: 1, observedGeneration: 1, restartedAt: null,
    desiredReplicas: 0, availableReplicas: 0, podsCreated: 0, scaleRequests: 0,
    hpaRecommendations: spec.hpa === null ? [] : [{ t: now, replicas }],
    edges: [],
    trafficFactor: 1, throughputFactor: 1, extraErrorRatio: 0, cacheMissRps: 0,
    offeredRps: 0, dependencyFailedShare: 0, dependencyLatencyMs: 0,
    current: { t: now, requestsPerSecond: 0, errorRatio: 0, p95LatencyMs: 0, cpuUtilisation: 0, replicas },
    durations: {
      okBuckets: new Float64Array(DURATION_BUCKETS_SECONDS.length),
      errorBuckets: new Float64Array(DURATION_BUCKETS_SECONDS.length),
      okCount: 0, errorCount: 0, okSumSeconds: 0, errorSumSeconds: 0,
    },
    history: new TimePointHistory(historyCapacity),
  };
  for (let i = 0; i < replicas; i++) state.pods.push(newPod(state, now, true));
  state.desiredReplicas = replicas;
  state.availableReplicas = replicas;
  return state;
}

export function connect(caller: WorkloadState, callee: WorkloadState, callShare: number, now: number): void {
  caller.edges.push({
    callee, callShare, breaker: closedBreaker(now),
    callsPerSecond: 0, retriedCallsPerSecond: 0, calleeErrorRatio: 0,
    successfulWithoutRetryTotal: 0, successfulWithRetryTotal: 0, failedWithRetryTotal: 0, notPermittedTotal: 0,
  });
}

function newPod(state: WorkloadState, readyAt: number, ready: boolean): PodState {
  state.podsCreated += 1;
  const template = state.podTemplateHash;
  return { name: `${state.spec.name}-${template}-${nameSuffix(5, state.stream, state.podsCreated)}`, template, readyAt, ready, cpuSecondsTotal: 0 };
}

/** A pod of the current template that becomes ready 20–40 s from `now`, fixed by the seed and the pod's number. */
export function startingPod(state: WorkloadState, seed: number, now: number): PodState {
  const startMs = POD_START_MIN_MS + POD_START_SPREAD_MS * uniformAt(seed, state.stream, ROLLOUT_STREAM, state.generation, state.podsCreated + 1);
  return newPod(state, now + startMs, false);
}

/**
 * Sets desired replicas at `now`. Removed pods stop serving at once (endpoints drop them
 * before they terminate): pods still starting go first, newest first, then ready ones.
 * New pods serve only once ready.
 */
export function setDesiredReplicas(state: WorkloadState, replicas: number, seed: number, now: number): void {
  state.scaleRequests += 1;
  for (let pod = state.desiredReplicas; pod < replicas; pod++) {
    const startMs = POD_START_MIN_MS + POD_START_SPREAD_MS * uniformAt(seed, state.stream, state.scaleRequests, pod);
    state.pods.push(newPod(state, now + startMs, false));
  }
  let surplus = Math.max(0, state.pods.length - replicas);
  const pending = state.pods.filter((pod) => !pod.ready).sort((a, b) => a.readyAt - b.readyAt);
  // Pods of an older template go before the current one's (a scale-down during a rollout).
  const current = (pod: PodState) => pod.template === state.podTemplateHash;
  const ready = [...state.pods.filter((pod) => pod.ready && current(pod)), ...state.pods.filter((pod) => pod.ready && !current(pod))];
  while (surplus > 0 && pending.length > 0) {
    pending.pop();
    surplus -= 1;
  }
  ready.length -= Math.min(surplus, ready.length);
  state.pods = [...ready, ...pending];
  state.desiredReplicas = replicas;
  state.availableReplicas = ready.length;
}

export function readyPods(state: WorkloadState, now: number): void {
  if (state.availableReplicas === state.pods.length) return;
  for (const pod of state.pods) {
    if (!pod.ready && pod.readyAt <= now) {
      pod.ready = true;
      state.availableReplicas += 1;
    }
  }
}

/** Figures of a service for its offered traffic and ready pods, combined with its calls' effects. */
export function serviceFigures(state: WorkloadState): Omit<TimePoint, "t"> {
  const own = loadFigures({
    requestsPerSecond: state.offeredRps,
    availableReplicas: state.availableReplicas,
    capacityPerReplicaRps: state.spec.capacityPerReplica,
    baseLatencyMs: state.spec.baseLatencyMs,
    baseErrorRatio: Math.min(1, state.spec.baseErrorRatio + state.extraErrorRatio),
  });
  if (state.region.outage) {
    return { requestsPerSecond: state.offeredRps, errorRatio: OUTAGE_ERROR_RATIO, p95LatencyMs: OUTAGE_LATENCY_MS, cpuUtilisation: own.cpuUtilisation, replicas: state.availableReplicas };
  }
  return {
    requestsPerSecond: state.offeredRps,
    errorRatio: 1 - (1 - own.errorRatio) * (1 - state.dependencyFailedShare),
    p95LatencyMs: own.p95LatencyMs + state.dependencyLatencyMs,
    cpuUtilisation: own.cpuUtilisation,
    replicas: state.availableReplicas,
  };
}

/**
 * Figures of a consumer for the messages it consumed. A slow consumer waits on something
 * else: each message takes longer, its CPU stays low (so a CPU autoscaler would not help).
 */
export function workerFigures(state: WorkloadState, consumedPerSecond: number): Omit<TimePoint, "t"> {
  const nominal = state.availableReplicas * state.spec.capacityPerReplica;
  const ownErrors = Math.min(1, state.spec.baseErrorRatio + state.extraErrorRatio);
  return {
    requestsPerSecond: consumedPerSecond,
    errorRatio: 1 - (1 - ownErrors) * (1 - state.dependencyFailedShare),
    p95LatencyMs: state.spec.baseLatencyMs / state.throughputFactor + state.dependencyLatencyMs,
    cpuUtilisation: nominal > 0 ? Math.min(1, consumedPerSecond / nominal) : 0,
    replicas: state.availableReplicas,
  };
}

/** Combines the effects of the workload's calls, in their callees' current state. */
export function applyEdges(state: WorkloadState): void {
  let passed = 1;
  let latency = 0;
  for (const edge of state.edges) {
    const effect = edgeEffect(edge.breaker.state, edge.callShare, edge.callee.current.errorRatio, edge.callee.current.p95LatencyMs);
    passed *= 1 - effect.failedShare;
    latency += effect.addedLatencyMs;
    edge.calleeErrorRatio = edge.callee.current.errorRatio;
    edge.callsPerSecond = state.offeredRps * effect.calledShare;
    edge.retriedCallsPerSecond = state.offeredRps * effect.retriedShare;
  }
  state.dependencyFailedShare = 1 - passed;
  state.dependencyLatencyMs = latency;
}

const scratchShares = new Float64Array(DURATION_BUCKETS_SECONDS.length);

/** Adds `dtSeconds` of the current figures to the exporter counters. */
export function countSecond(state: WorkloadState, dtSeconds: number, cpuRequestCores: number): void {
  const { requestsPerSecond, errorRatio, p95LatencyMs, cpuUtilisation } = state.current;
  const requests = requestsPerSecond * dtSeconds;
  if (requests > 0) {
    const p95Seconds = Math.max(1e-4, p95LatencyMs / 1000);
    cumulativeShares(p95Seconds, scratchShares);
    const errors = requests * errorRatio;
    const oks = requests - errors;
    const d = state.durations;
    let previous = 0;
    for (let i = 0; i < scratchShares.length; i++) {
      // Cumulative counts must never decrease across buckets, whatever the rounding.
      const share = Math.max(previous, scratchShares[i] ?? 0);
      previous = share;
      d.okBuckets[i] = (d.okBuckets[i] ?? 0) + oks * share;
      d.errorBuckets[i] = (d.errorBuckets[i] ?? 0) + errors * share;
    }
    const mean = meanDurationSeconds(p95Seconds);
    d.okCount += oks;
    d.errorCount += errors;
    d.okSumSeconds += oks * mean;
    d.errorSumSeconds += errors * mean;
  }
  const coresPerPod = cpuUtilisation * cpuRequestCores * dtSeconds;
  for (const pod of state.pods) if (pod.ready) pod.cpuSecondsTotal += coresPerPod;
  for (const edge of state.edges) {
    const e = Math.min(1, Math.max(0, edge.calleeErrorRatio));
    const calls = edge.callsPerSecond * dtSeconds;
    edge.successfulWithoutRetryTotal += calls * (1 - e);
    edge.successfulWithRetryTotal += calls * e * (1 - e * e);
    edge.failedWithRetryTotal += calls * e * e * e;
    if (edge.breaker.state !== "closed") edge.notPermittedTotal += state.offeredRps * edge.callShare * dtSeconds;
  }
}

/** Working set of one pod: a baseline plus what the load keeps in memory. */
export const podMemoryBytes = (state: WorkloadState) => 180 * MiB + 220 * MiB * state.current.cpuUtilisation;
