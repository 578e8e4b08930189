// The HorizontalPodAutoscaler's algorithm on CPU utilisation, as Kubernetes runs it every
// sync period: desired = ceil(ready × utilisation / target) unless within the tolerance,
// scale-up at once (at most doubling, or +4 pods), scale-down only to the highest
// recommendation of the stabilisation window, so a dip in traffic does not remove pods
// that the next minute needs again. Pure.

export interface AutoscalerSpec {
  minReplicas: number;
  maxReplicas: number;
  /** 0..1 of the CPU requested. */
  targetUtilisation: number;
}

export interface Recommendation {
  t: number;
  replicas: number;
}

export const HPA_SYNC_PERIOD_MS = 15_000;
/** Kubernetes' default: no change while utilisation is within 10 % of the target. */
export const HPA_TOLERANCE = 0.1;
/** Kubernetes' default scale-down stabilisation window. */
export const HPA_SCALE_DOWN_WINDOW_MS = 300_000;

export interface AutoscalerInput {
  now: number;
  /** The deployment's spec.replicas, which the HPA sets. */
  specReplicas: number;
  /** Pods with metrics: the ready ones. */
  readyReplicas: number;
  /** Average over the ready pods, 0..1. */
  utilisation: number;
  spec: AutoscalerSpec;
  /** Recommendations of the last window, oldest first. */
  recommendations: readonly Recommendation[];
}

export interface AutoscalerDecision {
  desiredReplicas: number;
  /** The window's recommendations including this one, for the next sync. */
  recommendations: Recommendation[];
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/** What the utilisation alone asks for, within the bounds. */
export function recommendedReplicas(input: Pick<AutoscalerInput, "specReplicas" | "readyReplicas" | "utilisation" | "spec">): number {
  const { specReplicas, readyReplicas, utilisation, spec } = input;
  const ratio = utilisation / spec.targetUtilisation;
  // Without ready pods there is no metric to act on; within the tolerance there is nothing to do.
  const raw = readyReplicas === 0 || Math.abs(ratio - 1) <= HPA_TOLERANCE ? specReplicas : Math.ceil(readyReplicas * ratio);
  return clamp(raw, spec.minReplicas, spec.maxReplicas);
}

export function autoscale(input: AutoscalerInput): AutoscalerDecision {
  const recommendation = recommendedReplicas(input);
  const recommendations = [
    ...input.recommendations.filter((r) => r.t > input.now - HPA_SCALE_DOWN_WINDOW_MS),
    { t: input.now, replicas: recommendation },
  ];
  let desired: number;
  if (recommendation > input.specReplicas) {
    const limit = Math.max(2 * input.specReplicas, input.specReplicas + 4);
    desired = Math.min(recommendation, limit);
  } else {
    desired = Math.min(input.specReplicas, Math.max(...recommendations.map((r) => r.replicas)));
  }
  return { desiredReplicas: clamp(desired, input.spec.minReplicas, input.spec.maxReplicas), recommendations };
}
