import { z } from "zod";
import type { RolloutStatus } from "../action-ports";
import { ActionRefused, type ActionKind } from "./kind";
import { plural } from "./names";
import { readUntil } from "./read-until";
import { regionalServiceFields, regionalWorkloadRef, serviceLabel, serviceTarget } from "./service-ref";

export const serviceRestartParams = z.object(regionalServiceFields);
export type ServiceRestartParams = z.infer<typeof serviceRestartParams>;

/** Fewer available replicas than this, and replacing them can leave no pod ready. */
const SAFE_AVAILABLE_REPLICAS = 2;
/** How long verification waits for the controller to observe the restarted template. */
const OBSERVE_TIMEOUT_MS = 30_000;

const caughtUp = (rollout: RolloutStatus) => rollout.observedGeneration >= rollout.generation;

export const serviceRestart: ActionKind<ServiceRestartParams, RolloutStatus> = {
  kind: "service.restart",
  title: "Restart a service (rolling)",
  permission: "action.request",
  params: serviceRestartParams,
  riskRule: "high when the workload has fewer than 2 available replicas (a restart can leave no pod ready); otherwise medium",
  target: serviceTarget,

  async load(ports, params, environment) {
    const ref = regionalWorkloadRef(params, environment);
    const rollout = await ports.rollouts.getRollout(ref);
    if (!rollout) throw new ActionRefused(`service ${serviceLabel(params)} not found in ${environment}`);
    await ports.rollouts.restartRollout(ref, new Date().toISOString(), { dryRun: true });
    return rollout;
  },

  plan(params, rollout) {
    const outage = rollout.availableReplicas < SAFE_AVAILABLE_REPLICAS;
    return {
      risk: outage ? "high" : "medium",
      riskReasons: outage
        ? [`only ${plural(rollout.availableReplicas, "replica")} available: replacing the pods can leave ${params.service} with none ready (an outage)`]
        : [`replaces the ${plural(rollout.replicas, "pod")} in turn: capacity dips while the new pods start`],
      summary: `Restart ${serviceLabel(params)}: a rolling replacement of its ${plural(rollout.replicas, "pod")}`,
      changes: [
        { label: "restartedAt", before: rollout.restartedAt ?? "never restarted", after: "the time it runs" },
        { label: "pods", before: `${rollout.availableReplicas} of ${rollout.replicas} available`, after: `${rollout.replicas} new` },
      ],
      monthlyCostDelta: null,
    };
  },

  async execute(ports, params, { environment, remember }) {
    const at = new Date().toISOString();
    await remember({ restartedAt: at });
    await ports.rollouts.restartRollout(regionalWorkloadRef(params, environment), at);
  },

  async verify(ports, params, { environment, recorded, signal }) {
    const ref = regionalWorkloadRef(params, environment);
    const noted = recorded()?.restartedAt;
    const at = typeof noted === "string" ? noted : undefined;
    const rollout = await readUntil(
      () => ports.rollouts.getRollout(ref),
      (read) => read !== null && caughtUp(read) && (at === undefined ? read.restartedAt !== null : read.restartedAt === at),
      { signal, timeoutMs: OBSERVE_TIMEOUT_MS },
    );
    if (!rollout) return { ok: false, observed: {}, message: `${serviceLabel(params)} is gone` };
    const observed = { restartedAt: rollout.restartedAt, generation: rollout.generation, observedGeneration: rollout.observedGeneration, updatedReplicas: rollout.updatedReplicas, availableReplicas: rollout.availableReplicas };
    const progress = `${rollout.updatedReplicas} of ${rollout.replicas} pods updated, ${rollout.availableReplicas} available`;
    if (at === undefined) {
      // The app restarted between execution and verification: the time written is not known.
      const ok = rollout.restartedAt !== null && caughtUp(rollout);
      return { ok, observed, message: `restartedAt reads ${rollout.restartedAt ?? "unset"} (the time written was lost with a restart of the app); ${progress}` };
    }
    if (rollout.restartedAt !== at) return { ok: false, observed, message: `restartedAt reads ${rollout.restartedAt ?? "unset"}, expected ${at}` };
    if (!caughtUp(rollout)) {
      return { ok: false, observed, message: `the controller has not observed the restart yet (generation ${rollout.generation}, observed ${rollout.observedGeneration})` };
    }
    return { ok: true, observed, message: `restart at ${at} observed by the controller; ${progress}` };
  },

  rollback: () => null,
};
