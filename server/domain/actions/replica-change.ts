// Changing a workload's replica count: what service.scale does to a service and
// consumerGroup.scale to a consumer's deployment. One risk rule, one preview, one read-back.
import type { Workload } from "../ports";
import { ActionRefused, type ActionPlan, type PlanContext, type Verification } from "./kind";
import { monthlyReplicaCost } from "./cost";
import { wholeNumber } from "./names";

export const replicaCount = wholeNumber("replicas", 0, 10_000);

/** A change by more than this share of the current replicas is high risk. */
const LARGE_CHANGE = 0.5;

export const REPLICA_CHANGE_RISK_RULE = "high when scaling to 0 or changing the replica count by more than 50%; otherwise medium";

/**
 * Risk, preview and cost of setting `workload` to `replicas`. `subject` names what is scaled in
 * the summary (the workload itself unless said otherwise).
 */
export function planReplicaChange(workload: Workload, replicas: number, context: PlanContext, subject = `${workload.namespace}/${workload.name}`): ActionPlan {
  refuseReplicaChange(workload, replicas);
  const change = replicas - workload.desiredReplicas;
  const share = workload.desiredReplicas === 0 ? Infinity : Math.abs(change) / workload.desiredReplicas;
  const riskReasons: string[] = [];
  if (replicas === 0) riskReasons.push("scaling to 0 stops the service");
  if (share > LARGE_CHANGE) riskReasons.push(`changes the replica count by ${Number.isFinite(share) ? Math.round(share * 100) + "%" : "more than 50%"}`);
  return {
    risk: riskReasons.length ? "high" : "medium",
    riskReasons: riskReasons.length ? riskReasons : ["changes the capacity of a running service"],
    summary: `Scale ${subject} in ${workload.region} from ${workload.desiredReplicas} to ${replicas} replicas`,
    changes: [{ label: "replicas", before: String(workload.desiredReplicas), after: String(replicas) }],
    monthlyCostDelta: monthlyReplicaCost(change, context.pricePerReplicaHour),
  };
}

/** Refuses a count outside the workload's bounds, or the count it already wants. */
export function refuseReplicaChange(workload: Workload, replicas: number): void {
  if (replicas < workload.minReplicas || replicas > workload.maxReplicas) {
    throw new ActionRefused(
      `replicas must be between ${workload.minReplicas} and ${workload.maxReplicas} for ${workload.namespace}/${workload.name} (asked for ${replicas})`,
    );
  }
  if (replicas === workload.desiredReplicas) {
    throw new ActionRefused(`${workload.namespace}/${workload.name} already wants ${workload.desiredReplicas} replicas`);
  }
}

/** The workload as read back after scaling it to `replicas`. */
export function verifyReplicas(workload: Workload | null, replicas: number): Verification {
  const ok = workload?.desiredReplicas === replicas;
  return {
    ok,
    observed: { desiredReplicas: workload?.desiredReplicas ?? null, availableReplicas: workload?.availableReplicas ?? null },
    message: ok
      ? `desired replicas now ${replicas} (${workload?.availableReplicas} available)`
      : `desired replicas read back as ${workload?.desiredReplicas ?? "missing"}, expected ${replicas}`,
  };
}
