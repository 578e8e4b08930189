// The one ActionPorts the kinds see. Until every adapter is routed, what nothing implements
// refuses with a clear message instead of failing deep inside a kind.
import type { ActionPorts } from "../domain/action-ports";
import { ActionRefused } from "../domain/actions/kind";
import type { WorkloadPort } from "../domain/ports";

function refuse(what: string): never {
  throw new ActionRefused(`${what} is not configured for this environment`);
}

export function actionPortsOver(workloads: WorkloadPort): ActionPorts {
  return {
    workloads,
    autoscalers: { getAutoscaler: async () => null, patchAutoscaler: async () => refuse("changing autoscalers") },
    rollouts: { getRollout: async () => null, restartRollout: async () => refuse("restarting rollouts") },
    traffic: { getRegionWeights: async () => null, setRegionWeights: async () => refuse("shifting traffic between regions") },
    queues: {
      describeTopic: async () => null,
      addPartitions: async () => refuse("Kafka administration"),
      describeConsumerGroup: async () => null,
      resolveOffsetReset: async () => refuse("Kafka administration"),
      resetOffsets: async () => refuse("Kafka administration"),
      consumerWorkload: async () => null,
      replayDeadLetters: async () => refuse("Kafka administration"),
      replayProgress: async () => null,
    },
    caches: {
      estimateKeys: async () => refuse("Redis administration"),
      invalidate: async () => refuse("Redis administration"),
      warmSources: async () => [],
      warm: async () => refuse("Redis administration"),
      describePrimary: async () => null,
      failover: async () => refuse("Redis administration"),
    },
    breakers: { getBreaker: async () => null, forceBreaker: async () => refuse("forcing circuit breakers") },
  };
}
