import { z } from "zod";
import type { ActionPorts, ConsumerGroupDescription, ConsumerGroupRef, RegionalWorkloadRef } from "../action-ports";
import { formatCount } from "../health/format";
import type { Workload } from "../ports";
import { ActionRefused, type ActionKind } from "./kind";
import { groupRef, kafkaClusterFields, kafkaTarget, onCluster } from "./kafka-ref";
import { kafkaName } from "./names";
import { planReplicaChange, refuseReplicaChange, REPLICA_CHANGE_RISK_RULE, replicaCount, verifyReplicas } from "./replica-change";

export const consumerGroupScaleParams = z.object({
  ...kafkaClusterFields,
  group: kafkaName("group"),
  replicas: replicaCount,
});
export type ConsumerGroupScaleParams = z.infer<typeof consumerGroupScaleParams>;

export interface ConsumerWorkload {
  workload: Workload;
  /** The group's partitions and lag, when the cluster describes it. */
  group: ConsumerGroupDescription | null;
}

async function consumerWorkloadRef(ports: ActionPorts, ref: ConsumerGroupRef): Promise<RegionalWorkloadRef> {
  const workload = await ports.queues.consumerWorkload(ref);
  if (!workload) {
    throw new ActionRefused(`no workload is known to consume as group ${ref.group} ${onCluster(ref)}; scale the consumer's deployment with service.scale`);
  }
  return workload;
}

/** The most partitions of one topic the group reads: more consumers than that sit idle. */
function busiestTopicPartitions(group: ConsumerGroupDescription): number {
  const perTopic = new Map<string, number>();
  for (const partition of group.partitions) perTopic.set(partition.topic, (perTopic.get(partition.topic) ?? 0) + 1);
  return Math.max(0, ...perTopic.values());
}

/** Partitions without a commit are left out: where the group would start there is not known. */
const lagOf = (group: ConsumerGroupDescription) =>
  group.partitions.reduce((sum, partition) => sum + (partition.committed === null ? 0 : Math.max(0, partition.high - partition.committed)), 0);

export const consumerGroupScale: ActionKind<ConsumerGroupScaleParams, ConsumerWorkload> = {
  kind: "consumerGroup.scale",
  title: "Scale a consumer group's workload",
  permission: "action.request",
  params: consumerGroupScaleParams,
  riskRule: REPLICA_CHANGE_RISK_RULE,
  target: (params, environment) => kafkaTarget(params, params.group, environment),

  async load(ports, params, environment) {
    const ref = groupRef(params, environment);
    const workloadRef = await consumerWorkloadRef(ports, ref);
    const workload = await ports.workloads.getWorkload(workloadRef);
    if (!workload) {
      throw new ActionRefused(`the consumer of group ${params.group}, ${workloadRef.namespace}/${workloadRef.name} in ${workloadRef.region}, was not found in ${environment}`);
    }
    refuseReplicaChange(workload, params.replicas);
    await ports.workloads.scaleWorkload(workloadRef, params.replicas, { dryRun: true });
    return { workload, group: await ports.queues.describeConsumerGroup(ref) };
  },

  plan(params, { workload, group }, context) {
    const plan = planReplicaChange(workload, params.replicas, context, `the consumers of group ${params.group} (${workload.namespace}/${workload.name})`);
    if (!group) return plan;
    const partitions = busiestTopicPartitions(group);
    const idle = partitions > 0 && params.replicas > partitions ? [`the group reads at most ${partitions} partitions of a topic: replicas beyond ${partitions} sit idle`] : [];
    return { ...plan, summary: `${plan.summary}; lag now ${formatCount(lagOf(group))} messages`, riskReasons: [...plan.riskReasons, ...idle] };
  },

  async execute(ports, params, { environment }) {
    const workloadRef = await consumerWorkloadRef(ports, groupRef(params, environment));
    await ports.workloads.scaleWorkload(workloadRef, params.replicas);
  },

  async verify(ports, params, { environment }) {
    const workloadRef = await consumerWorkloadRef(ports, groupRef(params, environment));
    return verifyReplicas(await ports.workloads.getWorkload(workloadRef), params.replicas);
  },

  rollback: (params, before) => ({ ...params, replicas: before.workload.desiredReplicas }),
};
