import { z } from "zod";
import type { Workload, WorkloadRef } from "../ports";
import { ActionRefused, type ActionKind } from "./kind";
import { dnsLabel } from "./names";
import { planReplicaChange, refuseReplicaChange, REPLICA_CHANGE_RISK_RULE, replicaCount, verifyReplicas } from "./replica-change";

export const serviceScaleParams = z.object({
  service: dnsLabel,
  namespace: dnsLabel,
  region: dnsLabel.optional(),
  replicas: replicaCount,
});
export type ServiceScaleParams = z.infer<typeof serviceScaleParams>;

const refOf = (params: ServiceScaleParams, environment: string): WorkloadRef => ({
  environment,
  namespace: params.namespace,
  name: params.service,
  ...(params.region ? { region: params.region } : {}),
});

export const serviceScale: ActionKind<ServiceScaleParams, Workload> = {
  kind: "service.scale",
  title: "Scale a service",
  permission: "action.request",
  params: serviceScaleParams,
  riskRule: REPLICA_CHANGE_RISK_RULE,
  target: (params, environment) => ({ environment, namespace: params.namespace, name: params.service }),

  async load(ports, params, environment) {
    const workload = await ports.workloads.getWorkload(refOf(params, environment));
    if (!workload) {
      if (params.region) throw new ActionRefused(`service ${params.namespace}/${params.service} in region ${params.region} not found in ${environment}`);
      throw new ActionRefused(`no single service ${params.namespace}/${params.service} in ${environment}: it is not there, or it runs in several regions; name the region to scale`);
    }
    // The cluster checks the change as it would make it (its permissions, its validation): what
    // it would refuse is refused now, not after someone approved it.
    refuseReplicaChange(workload, params.replicas);
    await ports.workloads.scaleWorkload({ ...refOf(params, environment), region: workload.region }, params.replicas, { dryRun: true });
    return workload;
  },

  plan: (params, current, context) => planReplicaChange(current, params.replicas, context),

  execute: (ports, params, { environment }) => ports.workloads.scaleWorkload(refOf(params, environment), params.replicas),

  async verify(ports, params, { environment }) {
    return verifyReplicas(await ports.workloads.getWorkload(refOf(params, environment)), params.replicas);
  },

  rollback: (params, before) => ({ ...params, region: before.region, replicas: before.desiredReplicas }),
};
