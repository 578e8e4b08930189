// `kubectl rollout restart` and the deployment controller's rolling update that follows it:
// a new pod template, then new pods started and old ones removed a few at a time, keeping at
// most 25 % more pods than desired (maxSurge) and at least 75 % of them available
// (maxUnavailable), Kubernetes' defaults.
import { startingPod, templateHashOf, type PodState, type WorkloadState } from "./workload";

const MAX_SURGE = 0.25;
const MAX_UNAVAILABLE = 0.25;

/** Annotates the pod template with the restart time: a new template, which the controller rolls out. */
export function restartWorkload(state: WorkloadState, at: string): void {
  state.generation += 1;
  state.restartedAt = at;
  state.podTemplateHash = templateHashOf(state.spec.name, state.stream, state.generation);
}

const isCurrent = (state: WorkloadState) => (pod: PodState) => pod.template === state.podTemplateHash;

/** Pods of the current template, as status.updatedReplicas counts them (every scrape, every workload: no allocation). */
export function updatedPods(state: WorkloadState): number {
  let updated = 0;
  for (const pod of state.pods) if (pod.template === state.podTemplateHash) updated += 1;
  return updated;
}

/**
 * One reconcile of the deployment controller, run every second while a rollout is in progress.
 * Returns false once every pod is of the current template and ready (the rollout is complete).
 */
export function stepRollout(state: WorkloadState, seed: number, now: number): boolean {
  state.observedGeneration = state.generation;
  const current = isCurrent(state);
  const desired = state.desiredReplicas;
  const maxTotal = desired + Math.ceil(desired * MAX_SURGE);
  const minAvailable = desired - Math.floor(desired * MAX_UNAVAILABLE);

  // Scale the new replica set up, within the surge.
  const scaleUp = Math.min(maxTotal - state.pods.length, desired - state.pods.filter(current).length);
  for (let i = 0; i < scaleUp; i++) state.pods.push(startingPod(state, seed, now));

  // Scale the old ones down as far as availability allows, those not ready first.
  const newUnavailable = state.pods.filter((pod) => current(pod) && !pod.ready).length;
  const removable = state.pods.length - minAvailable - newUnavailable;
  if (removable > 0) {
    const old = state.pods.filter((pod) => !current(pod)).sort((a, b) => Number(a.ready) - Number(b.ready));
    const removed = new Set(old.slice(0, removable));
    state.pods = state.pods.filter((pod) => !removed.has(pod));
  }
  state.availableReplicas = state.pods.filter((pod) => pod.ready).length;
  return state.pods.some((pod) => !current(pod) || !pod.ready);
}
