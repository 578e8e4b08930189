import { describe, expect, it } from "vitest";
import { planFailover } from "../../server/domain/failover";
import type { RegionTraffic, Workload } from "../../server/domain/ports";

const region = (name: string, weight: number, rps: number): RegionTraffic => ({ environment: "prod", region: name, trafficWeight: weight, requestsPerSecond: rps, errorRatio: 0 });
const workload = (name: string, where: string, replicas: number, max: number): Workload => ({
  environment: "prod", namespace: "shop", name, region: where, kind: "Deployment", desiredReplicas: replicas, availableReplicas: replicas, minReplicas: 1, maxReplicas: max,
});

describe("planFailover", () => {
  const regions = [region("eu", 0.5, 5000), region("us", 0.3, 3000), region("ap", 0.2, 2000)];

  it("moves the region's weight to the others in proportion to theirs", () => {
    const plan = planFailover("eu", regions, []);
    expect(plan.blockedBecause).toBeNull();
    expect(plan.movedShare).toBe(0.5);
    expect(plan.requestsPerSecondMoved).toBe(5000);
    const us = plan.shifts.find((shift) => shift.region === "us");
    const ap = plan.shifts.find((shift) => shift.region === "ap");
    expect(us?.weightAfter).toBeCloseTo(0.6);
    expect(ap?.weightAfter).toBeCloseTo(0.4);
    expect(us?.requestsPerSecondAfter).toBeCloseTo(6000);
    expect(ap?.requestsPerSecondAfter).toBeCloseTo(4000);
    expect(plan.shifts.reduce((sum, shift) => sum + shift.weightAfter, 0)).toBeCloseTo(1);
  });

  it("lists the receiving regions' services that would need more replicas than their maximum, furthest over first", () => {
    const plan = planFailover("eu", regions, [
      workload("checkout", "us", 10, 15), // needs 20
      workload("search", "us", 4, 20), // needs 8: fits
      workload("cart", "ap", 5, 6), // needs 10
      workload("payments", "eu", 50, 50), // in the region that is failed over: irrelevant
    ]);
    expect(plan.servicesAtRisk.map((service) => [service.name, service.replicasNeeded])).toEqual([
      ["cart", 10],
      ["checkout", 20],
    ]);
  });

  it("refuses plans that cannot work", () => {
    expect(planFailover("mars", regions, []).blockedBecause).toMatch(/not part/);
    expect(planFailover("eu", [region("eu", 1, 100)], []).blockedBecause).toMatch(/no other region/);
    expect(planFailover("eu", [region("eu", 1, 100), region("us", 0, 0)], []).blockedBecause).toMatch(/drained/);
  });

  it("moves nothing from a region that is already drained", () => {
    const plan = planFailover("ap", [region("eu", 1, 100), region("ap", 0, 0)], [workload("checkout", "eu", 3, 3)]);
    expect(plan.movedShare).toBe(0);
    expect(plan.shifts[0]?.weightAfter).toBe(1);
    expect(plan.servicesAtRisk).toEqual([]);
  });
});
