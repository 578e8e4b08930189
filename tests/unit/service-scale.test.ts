import { describe, expect, it } from "vitest";
import { ActionRefused } from "@/server/domain/actions/kind";
import { serviceScale } from "@/server/domain/actions/service-scale";
import type { Workload } from "@/server/domain/ports";

const current: Workload = {
  environment: "prod",
  namespace: "checkout",
  name: "cart",
  region: "eu-west-1",
  kind: "Deployment",
  desiredReplicas: 4,
  availableReplicas: 4,
  minReplicas: 0,
  maxReplicas: 20,
};
const context = { pricePerReplicaHour: 0.1 };
const params = (replicas: number) => ({ service: "cart", namespace: "checkout", region: "eu-west-1", replicas });

describe("service.scale", () => {
  it("previews the change with its monthly cost", () => {
    const plan = serviceScale.plan(params(6), current, context);
    expect(plan.changes).toEqual([{ label: "replicas", before: "4", after: "6" }]);
    expect(plan.monthlyCostDelta).toBeCloseTo(2 * 0.1 * 730);
    expect(plan.risk).toBe("medium");
  });

  it("is high risk when scaling to zero or by more than half", () => {
    expect(serviceScale.plan(params(0), current, context).risk).toBe("high");
    expect(serviceScale.plan(params(7), current, context).risk).toBe("high");
    expect(serviceScale.plan(params(2), current, context).risk).toBe("medium");
  });

  it("refuses replicas outside the workload's bounds, naming them", () => {
    expect(() => serviceScale.plan(params(21), current, context)).toThrow(ActionRefused);
    expect(() => serviceScale.plan(params(21), current, context)).toThrow(/between 0 and 20/);
  });

  it("refuses a change that changes nothing", () => {
    expect(() => serviceScale.plan(params(4), current, context)).toThrow(/already wants 4/);
  });

  it("validates its parameters", () => {
    expect(serviceScale.params.safeParse(params(2.5)).success).toBe(false);
    expect(serviceScale.params.safeParse({ ...params(3), service: "Not_A_Name" }).success).toBe(false);
    expect(serviceScale.params.safeParse(params(3)).success).toBe(true);
  });

  it("offers the previous replica count as the rollback", () => {
    expect(serviceScale.rollback(params(8), current)).toEqual(params(4));
  });
});
