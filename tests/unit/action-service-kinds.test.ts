import { describe, expect, it, vi } from "vitest";
import type { Autoscaler, AutoscalerSpec, BreakerStatus, RegionalWorkloadRef, RolloutStatus } from "@/server/domain/action-ports";
import { breakerForce } from "@/server/domain/actions/breaker-force";
import { serviceAutoscale, type ServiceAutoscaleParams } from "@/server/domain/actions/service-autoscale";
import { serviceRestart } from "@/server/domain/actions/service-restart";
import { executionContext, fakePorts, impatient, paramErrors, planContext, refusalOf } from "./action-fake-ports";

const service = { namespace: "shop", service: "cart", region: "eu-west-1" };

describe("service.autoscale", () => {
  const hpa: Autoscaler = { environment: "prod", namespace: "shop", name: "cart", region: "eu-west-1", minReplicas: 4, maxReplicas: 20, targetCpuUtilisationPercent: 70, currentReplicas: 8, desiredReplicas: 8 };
  const params = (changes: Partial<AutoscalerSpec>): ServiceAutoscaleParams => ({ ...service, ...changes });
  const planOf = (changes: Partial<AutoscalerSpec>) => serviceAutoscale.plan(params(changes), { before: hpa, after: { ...hpa, ...changes } }, planContext);

  it("refuses parameters that change nothing, bounds the wrong way round, or fractions", () => {
    expect(paramErrors(serviceAutoscale.params, service)).toEqual(["name at least one of minReplicas, maxReplicas or targetCpuUtilisationPercent to change"]);
    expect(paramErrors(serviceAutoscale.params, params({ minReplicas: 12, maxReplicas: 10 }))).toEqual(["minReplicas (12) cannot be above maxReplicas (10)"]);
    expect(paramErrors(serviceAutoscale.params, params({ minReplicas: 2.5 }))).toEqual(["minReplicas must be a whole number"]);
    expect(paramErrors(serviceAutoscale.params, params({ targetCpuUtilisationPercent: 0 }))).toEqual(["targetCpuUtilisationPercent must be at least 1"]);
    expect(paramErrors(serviceAutoscale.params, { ...params({ minReplicas: 2 }), namespace: "Shop" })).toEqual(["must be a lowercase DNS label (a-z, 0-9, -)"]);
    expect(paramErrors(serviceAutoscale.params, params({ maxReplicas: 30 }))).toEqual([]);
  });

  it("is high when the maximum drops below the replicas running", () => {
    expect(planOf({ maxReplicas: 8 }).risk).toBe("medium");
    const plan = planOf({ maxReplicas: 6 });
    expect(plan.risk).toBe("high");
    expect(plan.riskReasons[0]).toBe("maxReplicas 6 is below the 8 replicas running: the autoscaler removes 2 at once");
    expect(plan.changes).toEqual([
      { label: "maxReplicas", before: "20", after: "6" },
      { label: "replicas", before: "8", after: "6" },
    ]);
    expect(plan.monthlyCostDelta).toBeCloseTo(-2 * 0.1 * 730);
  });

  it("is high when the minimum rises by more than half", () => {
    expect(planOf({ minReplicas: 6 }).risk).toBe("medium");
    const plan = planOf({ minReplicas: 7 });
    expect(plan.risk).toBe("high");
    expect(plan.riskReasons[0]).toMatch(/^minReplicas rises by 75% \(4 → 7\)/);
    expect(plan.monthlyCostDelta).toBe(0);
    expect(planOf({ minReplicas: 10 }).monthlyCostDelta).toBeCloseTo(2 * 0.1 * 730);
  });

  it("previews the autoscaler as the server's dry run returned it", async () => {
    const patchAutoscaler = vi.fn(async (_ref: RegionalWorkloadRef, changes: Partial<AutoscalerSpec>) => ({ ...hpa, ...changes }));
    const ports = fakePorts({ autoscalers: { getAutoscaler: async () => hpa, patchAutoscaler } });
    const current = await serviceAutoscale.load(ports, params({ targetCpuUtilisationPercent: 60 }), "prod");
    expect(patchAutoscaler).toHaveBeenCalledWith({ environment: "prod", namespace: "shop", name: "cart", region: "eu-west-1" }, { targetCpuUtilisationPercent: 60 }, { dryRun: true });
    expect(current.after.targetCpuUtilisationPercent).toBe(60);
    expect(serviceAutoscale.plan(params({ targetCpuUtilisationPercent: 60 }), current, planContext).changes).toEqual([{ label: "targetCpuUtilisationPercent", before: "70", after: "60" }]);
  });

  it("refuses a service without an autoscaler, bounds crossing the current ones, and a change that changes nothing", async () => {
    expect(await refusalOf(serviceAutoscale.load(fakePorts({ autoscalers: { getAutoscaler: async () => null } }), params({ maxReplicas: 30 }), "prod"))).toBe(
      "shop/cart in eu-west-1 has no HorizontalPodAutoscaler in prod; change its replicas with service.scale instead",
    );
    const ports = fakePorts({ autoscalers: { getAutoscaler: async () => hpa } });
    expect(await refusalOf(serviceAutoscale.load(ports, params({ minReplicas: 25 }), "prod"))).toBe(
      "minReplicas 25 would be above maxReplicas 20 for the autoscaler of shop/cart in eu-west-1; change both together",
    );
    expect(await refusalOf(serviceAutoscale.load(ports, params({ maxReplicas: 20 }), "prod"))).toBe(
      "the autoscaler of shop/cart in eu-west-1 already has min 4, max 20, target 70% CPU",
    );
  });

  it("verifies the fields it changed and restores only those on rollback", async () => {
    const ask = params({ minReplicas: 6, maxReplicas: 12 });
    const read = (spec: Partial<AutoscalerSpec>) => fakePorts({ autoscalers: { getAutoscaler: async () => ({ ...hpa, ...spec }) } });
    expect((await serviceAutoscale.verify(read({ minReplicas: 6, maxReplicas: 12 }), ask, executionContext())).ok).toBe(true);
    const wrong = await serviceAutoscale.verify(read({ minReplicas: 6 }), ask, executionContext());
    expect(wrong.ok).toBe(false);
    expect(wrong.message).toBe("the autoscaler read back as min 6, max 20, target 70% CPU, not the minReplicas 6 and maxReplicas 12 asked for");
    expect(serviceAutoscale.rollback(ask, { before: hpa, after: { ...hpa, minReplicas: 6, maxReplicas: 12 } })).toEqual({ ...service, minReplicas: 4, maxReplicas: 20 });
  });
});

describe("service.restart", () => {
  const rollout = (overrides: Partial<RolloutStatus> = {}): RolloutStatus => ({
    restartedAt: null,
    replicas: 3,
    updatedReplicas: 3,
    availableReplicas: 3,
    generation: 5,
    observedGeneration: 5,
    ...overrides,
  });

  it("is high when fewer than two replicas are available, medium otherwise", () => {
    const outage = serviceRestart.plan(service, rollout({ replicas: 1, availableReplicas: 1 }), planContext);
    expect(outage.risk).toBe("high");
    expect(outage.riskReasons[0]).toBe("only 1 replica available: replacing the pods can leave cart with none ready (an outage)");
    expect(serviceRestart.plan(service, rollout({ availableReplicas: 2 }), planContext).risk).toBe("medium");
    expect(serviceRestart.plan(service, rollout(), planContext).monthlyCostDelta).toBeNull();
  });

  it("refuses a service it cannot find and dry-runs the restart", async () => {
    expect(await refusalOf(serviceRestart.load(fakePorts({ rollouts: { getRollout: async () => null } }), service, "prod"))).toBe(
      "service shop/cart in eu-west-1 not found in prod",
    );
    const restartRollout = vi.fn(async () => {});
    await serviceRestart.load(fakePorts({ rollouts: { getRollout: async () => rollout(), restartRollout } }), service, "prod");
    expect(restartRollout).toHaveBeenCalledWith(expect.objectContaining({ name: "cart" }), expect.any(String), { dryRun: true });
  });

  it("verifies the restart time it wrote once the controller observed it", async () => {
    let state = rollout();
    let reads = 0;
    const ports = fakePorts({
      rollouts: {
        restartRollout: async (_ref, at) => {
          state = { ...state, restartedAt: at, generation: state.generation + 1 };
        },
        getRollout: async () => {
          reads += 1;
          // The controller observes the new generation a moment after the patch.
          if (reads > 1) state = { ...state, observedGeneration: state.generation };
          return state;
        },
      },
    });
    const context = executionContext();
    await serviceRestart.execute(ports, service, context);
    const written = state.restartedAt;
    expect(context.remember).toHaveBeenCalledWith({ restartedAt: written });
    const verification = await serviceRestart.verify(ports, service, context);
    expect(verification.ok).toBe(true);
    expect(verification.observed).toMatchObject({ restartedAt: written, generation: 6, observedGeneration: 6 });
    expect(reads).toBe(2);
  });

  it("waits while an earlier restart's annotation still shows", async () => {
    let written: string | null = null;
    let reads = 0;
    const ports = fakePorts({
      rollouts: {
        restartRollout: async (_ref, at) => {
          written = at;
        },
        // The cache the annotation is read from lags by one read.
        getRollout: async () => rollout({ restartedAt: reads++ === 0 ? "2020-01-01T00:00:00.000Z" : written }),
      },
    });
    const context = executionContext();
    await serviceRestart.execute(ports, service, context);
    expect(await serviceRestart.verify(ports, service, context)).toMatchObject({ ok: true, observed: { restartedAt: written } });
  });

  it("fails verification when the annotation is not the one it wrote", async () => {
    const ports = fakePorts({ rollouts: { restartRollout: async () => {}, getRollout: async () => rollout({ restartedAt: "2020-01-01T00:00:00.000Z" }) } });
    const context = executionContext(impatient());
    await serviceRestart.execute(ports, service, context);
    const verification = await serviceRestart.verify(ports, service, context);
    expect(verification.ok).toBe(false);
    expect(verification.message).toMatch(/^restartedAt reads 2020-01-01T00:00:00.000Z, expected /);
    expect(serviceRestart.rollback(service, rollout())).toBeNull();
  });
});

describe("breaker.force", () => {
  const params = (state: "open" | "closed" | "auto") => ({ ...service, dependency: "payments", state });
  const status = (state: BreakerStatus["state"], forced: BreakerStatus["forced"]): BreakerStatus => ({ state, forced });

  it("is high to open, medium to close, low to hand back", () => {
    expect(breakerForce.plan(params("open"), status("closed", null), planContext).risk).toBe("high");
    expect(breakerForce.plan(params("closed"), status("open", null), planContext).risk).toBe("medium");
    const auto = breakerForce.plan(params("auto"), status("open", "open"), planContext);
    expect(auto.risk).toBe("low");
    expect(auto.changes).toEqual([{ label: "breaker", before: "open (forced)", after: "automatic" }]);
  });

  it("refuses a missing breaker and a state already in force", async () => {
    expect(await refusalOf(breakerForce.load(fakePorts({ breakers: { getBreaker: async () => null } }), params("open"), "prod"))).toBe(
      "shop/cart in eu-west-1 has no circuit breaker on its calls to payments",
    );
    const forcedOpen = fakePorts({ breakers: { getBreaker: async () => status("open", "open") } });
    expect(await refusalOf(breakerForce.load(forcedOpen, params("open"), "prod"))).toBe("the circuit breaker of shop/cart in eu-west-1 on payments is already forced open");
    const automatic = fakePorts({ breakers: { getBreaker: async () => status("half-open", null) } });
    expect(await refusalOf(breakerForce.load(automatic, params("auto"), "prod"))).toBe("the circuit breaker of shop/cart in eu-west-1 on payments already follows its own rules");
    expect(paramErrors(breakerForce.params, { ...params("open"), state: "shut" })).toEqual(['state must be "open", "closed" or "auto"']);
  });

  it("verifies the forced state and rolls back to the override before it", async () => {
    const read = (value: BreakerStatus) => fakePorts({ breakers: { getBreaker: async () => value } });
    expect((await breakerForce.verify(read(status("open", "open")), params("open"), executionContext())).ok).toBe(true);
    expect((await breakerForce.verify(read(status("closed", null)), params("open"), executionContext())).ok).toBe(false);
    expect((await breakerForce.verify(read(status("half-open", null)), params("auto"), executionContext())).ok).toBe(true);
    expect(breakerForce.rollback(params("open"), status("closed", null))).toEqual(params("auto"));
    expect(breakerForce.rollback(params("open"), status("closed", "closed"))).toEqual(params("closed"));
  });
});
