import { z } from "zod";
import type { Workload, WorkloadRef } from "../ports";
import { ActionRefused, type ActionKind } from "./kind";
import { monthlyReplicaCost } from "./cost";

const dnsLabel = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a lowercase DNS label (a-z, 0-9, -)");

export const serviceScaleParams = z.object({
  service: dnsLabel,
  namespace: dnsLabel,
  region: dnsLabel.optional(),
  replicas: z.number().int("replicas must be a whole number").min(0, "replicas cannot be negative").max(10_000),
});
export type ServiceScaleParams = z.infer<typeof serviceScaleParams>;

/** A change by more than this share of the current replicas is high risk. */
const LARGE_CHANGE = 0.5;

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
  riskRule: "high when scaling to 0 or changing the replica count by more than 50%; otherwise medium",
  target: (params, environment) => ({ environment, namespace: params.namespace, name: params.service }),

  async load(ports, params, environment) {
    const workload = await ports.workloads.getWorkload(refOf(params, environment));
    if (!workload) {
      const where = params.region ? ` in region ${params.region}` : "";
      throw new ActionRefused(`service ${params.namespace}/${params.service}${where} not found in ${environment}`);
    }
    return workload;
  },

  plan(params, current, context) {
    if (params.replicas < current.minReplicas || params.replicas > current.maxReplicas) {
      throw new ActionRefused(
        `replicas must be between ${current.minReplicas} and ${current.maxReplicas} for ${current.namespace}/${current.name} (asked for ${params.replicas})`,
      );
    }
    if (params.replicas === current.desiredReplicas) {
      throw new ActionRefused(`${current.namespace}/${current.name} already wants ${current.desiredReplicas} replicas`);
    }
    const change = params.replicas - current.desiredReplicas;
    const share = current.desiredReplicas === 0 ? Infinity : Math.abs(change) / current.desiredReplicas;
    const riskReasons: string[] = [];
    if (params.replicas === 0) riskReasons.push("scaling to 0 stops the service");
    if (share > LARGE_CHANGE) riskReasons.push(`changes the replica count by ${Number.isFinite(share) ? Math.round(share * 100) + "%" : "more than 50%"}`);
    return {
      risk: riskReasons.length ? "high" : "medium",
      riskReasons: riskReasons.length ? riskReasons : ["changes the capacity of a running service"],
      summary: `Scale ${current.namespace}/${current.name} in ${current.region} from ${current.desiredReplicas} to ${params.replicas} replicas`,
      changes: [{ label: "replicas", before: String(current.desiredReplicas), after: String(params.replicas) }],
      monthlyCostDelta: monthlyReplicaCost(change, context.pricePerReplicaHour),
    };
  },

  execute: (ports, params, { environment }) => ports.workloads.scaleWorkload(refOf(params, environment), params.replicas),

  async verify(ports, params, { environment }) {
    const workload = await ports.workloads.getWorkload(refOf(params, environment));
    const ok = workload?.desiredReplicas === params.replicas;
    return {
      ok,
      observed: { desiredReplicas: workload?.desiredReplicas ?? null, availableReplicas: workload?.availableReplicas ?? null },
      message: ok
        ? `desired replicas now ${params.replicas} (${workload?.availableReplicas} available)`
        : `desired replicas read back as ${workload?.desiredReplicas ?? "missing"}, expected ${params.replicas}`,
    };
  },

  rollback: (params, before) => ({ ...params, region: before.region, replicas: before.desiredReplicas }),
};
