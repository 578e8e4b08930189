import { z } from "zod";
import type { BreakerRef, BreakerStatus } from "../action-ports";
import { ActionRefused, type ActionKind, type RiskLevel } from "./kind";
import { dnsLabel } from "./names";
import { regionalServiceFields, regionalWorkloadRef, serviceLabel, serviceTarget } from "./service-ref";

export const breakerForceParams = z.object({
  ...regionalServiceFields,
  /** The called service. */
  dependency: dnsLabel,
  state: z.enum(["open", "closed", "auto"], { error: 'state must be "open", "closed" or "auto"' }),
});
export type BreakerForceParams = z.infer<typeof breakerForceParams>;

const breakerRef = (params: BreakerForceParams, environment: string): BreakerRef => ({ ...regionalWorkloadRef(params, environment), dependency: params.dependency });

const breakerLabel = (params: BreakerForceParams) => `the circuit breaker of ${serviceLabel(params)} on ${params.dependency}`;

const describeStatus = (status: BreakerStatus) => (status.forced ? `${status.forced} (forced)` : `${status.state} (automatic)`);

/** The override as the breaker reports it once applied. */
const forcedAfter = (state: BreakerForceParams["state"]) => (state === "auto" ? null : state);

const RISK: Record<BreakerForceParams["state"], { risk: RiskLevel; reason: (params: BreakerForceParams) => string }> = {
  open: { risk: "high", reason: (params) => `cuts every call from ${params.service} to ${params.dependency}: ${params.service} answers with its fallback or an error` },
  closed: {
    risk: "medium",
    reason: (params) => `lets every call from ${params.service} through even while ${params.dependency} fails: its errors and latency reach ${params.service}'s callers`,
  },
  auto: { risk: "low", reason: () => "hands the breaker back to its own rules" },
};

export const breakerForce: ActionKind<BreakerForceParams, BreakerStatus> = {
  kind: "breaker.force",
  title: "Force a circuit breaker",
  permission: "action.request",
  params: breakerForceParams,
  riskRule: "open is high (cuts the calls), closed medium (failures reach the callers), auto low",
  target: serviceTarget,

  async load(ports, params, environment) {
    const status = await ports.breakers.getBreaker(breakerRef(params, environment));
    if (!status) throw new ActionRefused(`${serviceLabel(params)} has no circuit breaker on its calls to ${params.dependency}`);
    if (status.forced === forcedAfter(params.state)) {
      throw new ActionRefused(params.state === "auto" ? `${breakerLabel(params)} already follows its own rules` : `${breakerLabel(params)} is already forced ${params.state}`);
    }
    return status;
  },

  plan(params, status) {
    const { risk, reason } = RISK[params.state];
    return {
      risk,
      riskReasons: [reason(params)],
      summary: params.state === "auto" ? `Hand ${breakerLabel(params)} back to its own rules` : `Force ${breakerLabel(params)} ${params.state}`,
      changes: [{ label: "breaker", before: describeStatus(status), after: params.state === "auto" ? "automatic" : `${params.state} (forced)` }],
      monthlyCostDelta: null,
    };
  },

  execute: (ports, params, { environment }) => ports.breakers.forceBreaker(breakerRef(params, environment), params.state),

  async verify(ports, params, { environment }) {
    const status = await ports.breakers.getBreaker(breakerRef(params, environment));
    if (!status) return { ok: false, observed: {}, message: `${breakerLabel(params)} is gone` };
    const forced = forcedAfter(params.state);
    const ok = status.forced === forced && (forced === null || status.state === forced);
    return {
      ok,
      observed: { state: status.state, forced: status.forced },
      message: ok ? `${breakerLabel(params)} is ${describeStatus(status)}` : `${breakerLabel(params)} reads ${describeStatus(status)}, expected ${forced ? `${forced} (forced)` : "automatic"}`,
    };
  },

  rollback: (params, before) => ({ ...params, state: before.forced ?? "auto" }),
};
