import { z } from "zod";
import type { Autoscaler, AutoscalerSpec } from "../action-ports";
import { formatPercent } from "../health/format";
import { monthlyReplicaCost } from "./cost";
import { ActionRefused, type ActionKind, type PreviewLine } from "./kind";
import { listOf, wholeNumber } from "./names";
import { regionalServiceFields, regionalWorkloadRef, serviceLabel, serviceTarget } from "./service-ref";

const SPEC_FIELDS = ["minReplicas", "maxReplicas", "targetCpuUtilisationPercent"] as const;

export const serviceAutoscaleParams = z
  .object({
    ...regionalServiceFields,
    minReplicas: wholeNumber("minReplicas", 1, 10_000).optional(),
    maxReplicas: wholeNumber("maxReplicas", 1, 10_000).optional(),
    // Above 100% is legitimate: utilisation is of the CPU requested, and pods may burst to their limit.
    targetCpuUtilisationPercent: wholeNumber("targetCpuUtilisationPercent", 1, 500).optional(),
  })
  .superRefine((params, ctx) => {
    if (SPEC_FIELDS.every((field) => params[field] === undefined)) {
      ctx.addIssue({ code: "custom", message: "name at least one of minReplicas, maxReplicas or targetCpuUtilisationPercent to change", path: [] });
    }
    if (params.minReplicas !== undefined && params.maxReplicas !== undefined && params.minReplicas > params.maxReplicas) {
      ctx.addIssue({ code: "custom", message: `minReplicas (${params.minReplicas}) cannot be above maxReplicas (${params.maxReplicas})`, path: ["minReplicas"] });
    }
  });
export type ServiceAutoscaleParams = z.infer<typeof serviceAutoscaleParams>;

/** The autoscaler now, and as the server's dry run of the change returned it. */
export interface AutoscalerChange {
  before: Autoscaler;
  after: Autoscaler;
}

/** A minimum raised by more than this share of itself is high risk: the replicas are added at once. */
const LARGE_MIN_RISE = 0.5;

function requestedChanges(params: ServiceAutoscaleParams): Partial<AutoscalerSpec> {
  const changes: Partial<AutoscalerSpec> = {};
  for (const field of SPEC_FIELDS) if (params[field] !== undefined) changes[field] = params[field];
  return changes;
}

const describeSpec = (spec: AutoscalerSpec) => `min ${spec.minReplicas}, max ${spec.maxReplicas}, target ${spec.targetCpuUtilisationPercent}% CPU`;

/** The replicas the autoscaler moves to at once when the bounds change: today's count, clamped. */
const replicasWithin = (replicas: number, spec: AutoscalerSpec) => Math.min(Math.max(replicas, spec.minReplicas), spec.maxReplicas);

export const serviceAutoscale: ActionKind<ServiceAutoscaleParams, AutoscalerChange> = {
  kind: "service.autoscale",
  title: "Change a service's autoscaler",
  permission: "action.request",
  params: serviceAutoscaleParams,
  riskRule: "high when maxReplicas drops below the replicas running or minReplicas rises by more than 50%; otherwise medium",
  target: serviceTarget,

  async load(ports, params, environment) {
    const ref = regionalWorkloadRef(params, environment);
    const before = await ports.autoscalers.getAutoscaler(ref);
    if (!before) {
      throw new ActionRefused(`${serviceLabel(params)} has no HorizontalPodAutoscaler in ${environment}; change its replicas with service.scale instead`);
    }
    const wanted = { ...before, ...requestedChanges(params) };
    if (wanted.minReplicas > wanted.maxReplicas) {
      throw new ActionRefused(
        `minReplicas ${wanted.minReplicas} would be above maxReplicas ${wanted.maxReplicas} for the autoscaler of ${serviceLabel(params)}; change both together`,
      );
    }
    if (SPEC_FIELDS.every((field) => wanted[field] === before[field])) {
      throw new ActionRefused(`the autoscaler of ${serviceLabel(params)} already has ${describeSpec(before)}`);
    }
    const after = await ports.autoscalers.patchAutoscaler(ref, requestedChanges(params), { dryRun: true });
    return { before, after };
  },

  plan(params, { before, after }, context) {
    const riskReasons: string[] = [];
    if (after.maxReplicas < before.currentReplicas) {
      riskReasons.push(
        `maxReplicas ${after.maxReplicas} is below the ${before.currentReplicas} replicas running: the autoscaler removes ${before.currentReplicas - after.maxReplicas} at once`,
      );
    }
    const minRise = before.minReplicas === 0 ? Infinity : (after.minReplicas - before.minReplicas) / before.minReplicas;
    if (after.minReplicas > before.minReplicas && minRise > LARGE_MIN_RISE) {
      riskReasons.push(
        `minReplicas rises ${Number.isFinite(minRise) ? `by ${formatPercent(minRise)}` : "from 0"} (${before.minReplicas} → ${after.minReplicas}): the replicas are added at once`,
      );
    }
    const replicasAfter = replicasWithin(before.currentReplicas, after);
    const changes: PreviewLine[] = SPEC_FIELDS.filter((field) => before[field] !== after[field]).map((field) => ({
      label: field,
      before: String(before[field]),
      after: String(after[field]),
    }));
    if (replicasAfter !== before.currentReplicas) changes.push({ label: "replicas", before: String(before.currentReplicas), after: String(replicasAfter) });
    return {
      risk: riskReasons.length ? "high" : "medium",
      riskReasons: riskReasons.length ? riskReasons : ["changes the bounds the autoscaler keeps a running service within"],
      summary: `Set the autoscaler of ${serviceLabel(params)} from ${describeSpec(before)} to ${describeSpec(after)}`,
      changes,
      monthlyCostDelta: monthlyReplicaCost(replicasAfter - before.currentReplicas, context.pricePerReplicaHour),
    };
  },

  async execute(ports, params, { environment }) {
    await ports.autoscalers.patchAutoscaler(regionalWorkloadRef(params, environment), requestedChanges(params));
  },

  async verify(ports, params, { environment }) {
    const autoscaler = await ports.autoscalers.getAutoscaler(regionalWorkloadRef(params, environment));
    const wanted = requestedChanges(params);
    const ok = autoscaler !== null && SPEC_FIELDS.every((field) => wanted[field] === undefined || autoscaler[field] === wanted[field]);
    return {
      ok,
      observed: autoscaler
        ? { minReplicas: autoscaler.minReplicas, maxReplicas: autoscaler.maxReplicas, targetCpuUtilisationPercent: autoscaler.targetCpuUtilisationPercent, currentReplicas: autoscaler.currentReplicas }
        : {},
      message: !autoscaler
        ? `the autoscaler of ${serviceLabel(params)} is gone`
        : ok
          ? `the autoscaler now has ${describeSpec(autoscaler)} (${autoscaler.currentReplicas} replicas running)`
          : `the autoscaler read back as ${describeSpec(autoscaler)}, not the ${listOf(Object.entries(wanted).map(([field, value]) => `${field} ${value}`))} asked for`,
    };
  },

  rollback(params, { before }) {
    const restore: Partial<AutoscalerSpec> = {};
    for (const field of SPEC_FIELDS) if (params[field] !== undefined) restore[field] = before[field];
    return { namespace: params.namespace, service: params.service, region: params.region, ...restore };
  },
};
