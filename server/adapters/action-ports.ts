// The one ActionPorts the kinds see, routed by the reference each call carries: a region whose
// configuration lists a Kubernetes cluster is changed through it, a Kafka or Redis cluster
// listed by address through its own adapter, and whatever else a simulated environment has
// through the fleet simulator. What nothing serves is refused with a sentence saying so,
// instead of failing deep inside a kind.
import type {
  ActionPorts, AutoscalerPort, BreakerPort, CacheAdminPort, CacheRef, ClusterRef, QueueAdminPort, RolloutPort, TrafficPort,
} from "../domain/action-ports";
import { ActionRefused } from "../domain/actions/kind";
import type { Workload, WorkloadPort, WorkloadRef } from "../domain/ports";

/** A region's workloads, their autoscalers and rollouts: one Kubernetes cluster, or the simulator. */
export interface KubernetesPorts {
  workloads: WorkloadPort;
  autoscalers: AutoscalerPort;
  rollouts: RolloutPort;
}

/** The real adapters, each placed where the configuration puts its cluster. */
export interface PlacedAdapters {
  kubernetes: Array<{ environment: string; region: string } & KubernetesPorts>;
  traffic: Array<{ environment: string; adapter: TrafficPort }>;
  kafka: Array<{ environment: string; region: string; cluster: string; adapter: QueueAdminPort }>;
  redis: Array<{ environment: string; region: string; cache: string; adapter: CacheAdminPort }>;
  breakers: Array<{ environment: string; region: string; adapter: BreakerPort }>;
}

export const NO_ADAPTERS: PlacedAdapters = { kubernetes: [], traffic: [], kafka: [], redis: [], breakers: [] };

export interface SimulatedPorts {
  environment: string;
  ports: ActionPorts;
}

function refuse(what: string, where: string): never {
  throw new ActionRefused(`${what} is not configured for ${where}`);
}

const regionOf = (ref: { environment: string; region: string }) => `region ${ref.region} of ${ref.environment}`;
const clusterOf = (ref: ClusterRef) => `cluster ${ref.cluster} in ${regionOf(ref)}`;
const cacheOf = (ref: CacheRef) => `cache ${ref.cache} in ${regionOf(ref)}`;

export function routeActionPorts(adapters: PlacedAdapters, simulated: SimulatedPorts | null): ActionPorts {
  const simulatedIn = (environment: string) => (simulated?.environment === environment ? simulated.ports : undefined);
  // A region's workloads, autoscalers and rollouts come from the same place.
  const kubernetesFor = (ref: { environment: string; region: string }): KubernetesPorts | undefined =>
    adapters.kubernetes.find((placed) => placed.environment === ref.environment && placed.region === ref.region) ?? simulatedIn(ref.environment);
  const kubernetesIn = (environment: string, region: string) => kubernetesFor({ environment, region })?.workloads;

  function queuesFor(ref: ClusterRef): QueueAdminPort {
    const real = adapters.kafka.find((placed) => placed.environment === ref.environment && placed.region === ref.region && placed.cluster === ref.cluster);
    return real?.adapter ?? simulatedIn(ref.environment)?.queues ?? refuse("Kafka administration", clusterOf(ref));
  }

  function cachesFor(ref: CacheRef): CacheAdminPort {
    const real = adapters.redis.find((placed) => placed.environment === ref.environment && placed.region === ref.region && placed.cache === ref.cache);
    return real?.adapter ?? simulatedIn(ref.environment)?.caches ?? refuse("Redis administration", cacheOf(ref));
  }

  /** A region served by a Kubernetes cluster is that cluster's, even where the simulator has it too. */
  const servedByKubernetes = (workload: Workload) =>
    adapters.kubernetes.some((placed) => placed.environment === workload.environment && placed.region === workload.region);

  /**
   * Without a region, the one workload of that name in the environment: a Kubernetes region's,
   * or the simulator's in a region no cluster serves. A service running in several regions is
   * no answer: which copy is meant is not guessed.
   */
  async function findWorkload(ref: WorkloadRef): Promise<Workload | null> {
    if (ref.region !== undefined) return (await kubernetesIn(ref.environment, ref.region)?.getWorkload(ref)) ?? null;
    const [real, simulatedList] = await Promise.all([
      Promise.all(adapters.kubernetes.filter((placed) => placed.environment === ref.environment).map((placed) => placed.workloads.getWorkload({ ...ref, region: placed.region }))),
      simulatedIn(ref.environment)?.workloads.listWorkloads(ref.environment) ?? Promise.resolve([]),
    ]);
    const found = [
      ...real.filter((workload) => workload !== null),
      ...simulatedList.filter((workload) => workload.namespace === ref.namespace && workload.name === ref.name && !servedByKubernetes(workload)),
    ];
    return found.length === 1 ? (found[0] ?? null) : null;
  }

  const workloads: WorkloadPort = {
    async listWorkloads(environment) {
      const [real, simulatedList] = await Promise.all([
        Promise.all(adapters.kubernetes.filter((placed) => environment === undefined || placed.environment === environment).map((placed) => placed.workloads.listWorkloads(placed.environment))),
        simulated && (environment === undefined || simulated.environment === environment) ? simulated.ports.workloads.listWorkloads(simulated.environment) : Promise.resolve([]),
      ]);
      return [...real.flat(), ...simulatedList.filter((workload) => !servedByKubernetes(workload))];
    },
    getWorkload: findWorkload,
    async scaleWorkload(ref, replicas, options) {
      const region = ref.region ?? (await findWorkload(ref))?.region;
      if (region === undefined) throw new ActionRefused(`no single workload ${ref.namespace}/${ref.name} in ${ref.environment}; name its region`);
      const port = kubernetesIn(ref.environment, region) ?? refuse("Scaling workloads", regionOf({ environment: ref.environment, region }));
      await port.scaleWorkload({ ...ref, region }, replicas, options);
    },
  };

  const autoscalers: AutoscalerPort = {
    getAutoscaler: async (ref) => (await kubernetesFor(ref)?.autoscalers.getAutoscaler(ref)) ?? null,
    patchAutoscaler: (ref, changes, options) => (kubernetesFor(ref) ?? refuse("Changing autoscalers", regionOf(ref))).autoscalers.patchAutoscaler(ref, changes, options),
  };

  const rollouts: RolloutPort = {
    getRollout: async (ref) => (await kubernetesFor(ref)?.rollouts.getRollout(ref)) ?? null,
    restartRollout: (ref, at, options) => (kubernetesFor(ref) ?? refuse("Restarting rollouts", regionOf(ref))).rollouts.restartRollout(ref, at, options),
  };

  const trafficFor = (environment: string) =>
    adapters.traffic.find((placed) => placed.environment === environment)?.adapter ?? simulatedIn(environment)?.traffic;
  const traffic: TrafficPort = {
    getRegionWeights: async (environment) => (await trafficFor(environment)?.getRegionWeights(environment)) ?? null,
    setRegionWeights: (environment, weights, options) =>
      (trafficFor(environment) ?? refuse("A traffic split between regions", `environment ${environment}`)).setRegionWeights(environment, weights, options),
  };

  const queues: QueueAdminPort = {
    describeTopic: (ref) => queuesFor(ref).describeTopic(ref),
    addPartitions: (ref, total, options) => queuesFor(ref).addPartitions(ref, total, options),
    describeConsumerGroup: (ref) => queuesFor(ref).describeConsumerGroup(ref),
    resolveOffsetReset: (ref, topic, target) => queuesFor(ref).resolveOffsetReset(ref, topic, target),
    resetOffsets: (ref, offsets) => queuesFor(ref).resetOffsets(ref, offsets),
    consumerWorkload: (ref) => queuesFor(ref).consumerWorkload(ref),
    replayDeadLetters: (spec, onProgress, signal) => queuesFor(spec.deadLetters).replayDeadLetters(spec, onProgress, signal),
    deadLetterBacklog: (ref, target) => queuesFor(ref).deadLetterBacklog(ref, target),
    replayProgress: (spec) => queuesFor(spec.deadLetters).replayProgress(spec),
  };

  const caches: CacheAdminPort = {
    estimateKeys: (ref, pattern) => cachesFor(ref).estimateKeys(ref, pattern),
    invalidate: (ref, pattern, onProgress, signal) => cachesFor(ref).invalidate(ref, pattern, onProgress, signal),
    warmSources: (ref) => cachesFor(ref).warmSources(ref),
    warm: (ref, source, onProgress, signal) => cachesFor(ref).warm(ref, source, onProgress, signal),
    describePrimary: (ref) => cachesFor(ref).describePrimary(ref),
    failover: (ref) => cachesFor(ref).failover(ref),
  };

  const breakersFor = (ref: { environment: string; region: string }) =>
    adapters.breakers.find((placed) => placed.environment === ref.environment && placed.region === ref.region)?.adapter ?? simulatedIn(ref.environment)?.breakers;
  const breakers: BreakerPort = {
    getBreaker: async (ref) => (await breakersFor(ref)?.getBreaker(ref)) ?? null,
    forceBreaker: (ref, override) => (breakersFor(ref) ?? refuse("Forcing circuit breakers", regionOf(ref))).forceBreaker(ref, override),
  };

  return { workloads, autoscalers, rollouts, traffic, queues, caches, breakers };
}

/** Only the given workloads, everything else refused: a process without a simulator or adapters. */
export function actionPortsOver(workloads: WorkloadPort): ActionPorts {
  const refusing = routeActionPorts(NO_ADAPTERS, null);
  return { ...refusing, workloads };
}
