// What the Kubernetes side of the actions changes in the simulated fleet: autoscalers,
// rollouts, the traffic split between regions and the services' circuit breakers. A reference
// to another environment finds nothing: reads answer null, changes are refused.
import type {
  Autoscaler, AutoscalerPort, AutoscalerSpec, BreakerOverride, BreakerPort, BreakerRef, BreakerStatus, RegionalWorkloadRef,
  RolloutPort, RolloutStatus, TrafficPort, WriteOptions,
} from "../../domain/action-ports";
import { ActionRefused } from "../../domain/actions/kind";
import type { SimulatedFleet } from "./fleet";
import type { AutoscalerSpec as HpaSpec } from "./hpa";
import { updatedPods } from "./rollout";
import type { WorkloadState } from "./workload";

const labelOf = (ref: RegionalWorkloadRef) => `${ref.namespace}/${ref.name} in ${ref.region} (${ref.environment})`;

function autoscalerOf(state: WorkloadState, hpa: HpaSpec): Autoscaler {
  return {
    ...state.ref,
    minReplicas: hpa.minReplicas,
    maxReplicas: hpa.maxReplicas,
    targetCpuUtilisationPercent: Math.round(hpa.targetUtilisation * 100),
    currentReplicas: state.pods.length,
    desiredReplicas: state.desiredReplicas,
  };
}

export class SimulatedAutoscalers implements AutoscalerPort {
  constructor(private readonly fleet: SimulatedFleet) {}

  async getAutoscaler(ref: RegionalWorkloadRef): Promise<Autoscaler | null> {
    const state = this.fleet.workloadState(ref);
    return state?.spec.hpa ? autoscalerOf(state, state.spec.hpa) : null;
  }

  async patchAutoscaler(ref: RegionalWorkloadRef, changes: Partial<AutoscalerSpec>, options: WriteOptions = {}): Promise<Autoscaler> {
    const { minReplicas, maxReplicas, targetCpuUtilisationPercent: percent } = changes;
    if (percent !== undefined && !(Number.isInteger(percent) && percent >= 1 && percent <= 100)) {
      throw new ActionRefused(`The CPU target of ${labelOf(ref)} must be a whole percent from 1 to 100, got ${percent}`);
    }
    const next = this.fleet.setAutoscaler(ref, {
      ...(minReplicas === undefined ? {} : { minReplicas }),
      ...(maxReplicas === undefined ? {} : { maxReplicas }),
      ...(percent === undefined ? {} : { targetUtilisation: percent / 100 }),
    }, options);
    const state = this.fleet.workloadState(ref);
    if (state === undefined) throw new ActionRefused(`No workload ${labelOf(ref)}`);
    return autoscalerOf(state, next);
  }
}

export class SimulatedRollouts implements RolloutPort {
  constructor(private readonly fleet: SimulatedFleet) {}

  async getRollout(ref: RegionalWorkloadRef): Promise<RolloutStatus | null> {
    const state = this.fleet.workloadState(ref);
    if (state === undefined) return null;
    return {
      restartedAt: state.restartedAt,
      replicas: state.pods.length,
      updatedReplicas: updatedPods(state),
      availableReplicas: state.availableReplicas,
      generation: state.generation,
      observedGeneration: state.observedGeneration,
    };
  }

  async restartRollout(ref: RegionalWorkloadRef, at: string, options: WriteOptions = {}): Promise<void> {
    this.fleet.restartRollout(ref, at, options);
  }
}

/** Shares as whole-number weights, in percent. */
const wholeWeights = (shares: Readonly<Record<string, number>>) =>
  Object.fromEntries(Object.entries(shares).map(([region, share]) => [region, Math.round(share * 100)]));

/**
 * The fleet keeps each region's share of the traffic; the port speaks in whole-number weights,
 * as an HTTPRoute's backendRefs hold them. The weights last set read back as they were set.
 */
export class SimulatedTraffic implements TrafficPort {
  constructor(private readonly fleet: SimulatedFleet) {}

  async getRegionWeights(environment: string): Promise<Record<string, number> | null> {
    if (environment !== this.fleet.environment) return null;
    const requested = this.fleet.requestedRegionWeights();
    if (requested !== null && Object.values(requested).every(Number.isInteger)) return requested;
    return wholeWeights(this.fleet.regionWeights());
  }

  /** Regions left out keep their weight. */
  async setRegionWeights(environment: string, weights: Readonly<Record<string, number>>, options: WriteOptions = {}): Promise<void> {
    const current = await this.getRegionWeights(environment);
    if (current === null) throw new ActionRefused(`The environment ${environment} has no traffic split in the simulator (it runs ${this.fleet.environment})`);
    for (const [region, weight] of Object.entries(weights)) {
      if (!(Number.isInteger(weight) && weight >= 0)) throw new ActionRefused(`The weight of region ${region} must be a whole number of 0 or more, got ${weight}`);
    }
    this.fleet.setRegionWeights({ ...current, ...weights }, options);
  }
}

export class SimulatedBreakers implements BreakerPort {
  constructor(private readonly fleet: SimulatedFleet) {}

  async getBreaker(ref: BreakerRef): Promise<BreakerStatus | null> {
    const breaker = this.fleet.workloadState(ref)?.edges.find((edge) => edge.callee.spec.name === ref.dependency)?.breaker;
    if (breaker === undefined) return null;
    return { state: breaker.state, forced: breaker.forced && breaker.state !== "half-open" ? breaker.state : null };
  }

  async forceBreaker(ref: BreakerRef, override: BreakerOverride): Promise<void> {
    if (!["open", "closed", "auto"].includes(override)) throw new ActionRefused(`A breaker is forced open or closed, or handed back with auto; got ${String(override)}`);
    this.fleet.setBreaker(ref, ref.dependency, override);
  }
}
