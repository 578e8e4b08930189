import { describe, expect, it, vi } from "vitest";
import { regionFailover, type TrafficSplit } from "@/server/domain/actions/region-failover";
import type { Workload } from "@/server/domain/ports";
import { executionContext, fakePorts, paramErrors, planContext, refusalOf } from "./action-fake-ports";

const workload = (name: string, region: string, replicas: number, max: number): Workload => ({
  environment: "prod", namespace: "shop", name, region, kind: "Deployment", desiredReplicas: replicas, availableReplicas: replicas, minReplicas: 1, maxReplicas: max,
});
const split = (weights: Record<string, number>, workloads: Workload[] = []): TrafficSplit => ({ weights, workloads });
const even = { "eu-west-1": 50, "us-east-1": 50 };

describe("region.failover", () => {
  it("refuses weights that are all 0, fractional, too large, or keyed by a bad region name", () => {
    expect(paramErrors(regionFailover.params, { weights: { "eu-west-1": 0, "us-east-1": 0 } })).toEqual(["at least one region must keep a weight above 0"]);
    expect(paramErrors(regionFailover.params, { weights: { "eu-west-1": 2.5 } })).toEqual(["weight must be a whole number"]);
    expect(paramErrors(regionFailover.params, { weights: { "eu-west-1": 1001 } })).toEqual(["weight must be at most 1,000"]);
    expect(paramErrors(regionFailover.params, { weights: { EU: 10 } })).toEqual(['region "EU" must be a lowercase DNS label (a-z, 0-9, -)']);
    expect(paramErrors(regionFailover.params, { weights: { "eu-west-1": 0, "us-east-1": 100 } })).toEqual([]);
  });

  it("is high when a region is drained, naming the services that would outgrow their ceiling", () => {
    const plan = regionFailover.plan(
      { weights: { "eu-west-1": 0, "us-east-1": 100 } },
      split(even, [workload("checkout", "us-east-1", 10, 15), workload("search", "us-east-1", 4, 20), workload("payments", "eu-west-1", 50, 50)]),
      planContext,
    );
    expect(plan.risk).toBe("high");
    expect(plan.riskReasons).toEqual([
      "eu-west-1 goes to 0: it stops serving traffic",
      "1 service would exceed its max replicas: shop/checkout in us-east-1 (needs 20, max 15)",
    ]);
    expect(plan.changes).toEqual([
      { label: "eu-west-1 weight", before: "50 (50%)", after: "0 (0%)" },
      { label: "us-east-1 weight", before: "50 (50%)", after: "100 (100%)" },
    ]);
    expect(plan.monthlyCostDelta).toBeNull();
  });

  it("is high when more than half of the traffic moves, medium below", () => {
    const large = regionFailover.plan({ weights: { "eu-west-1": 20, "us-east-1": 80 } }, split({ "eu-west-1": 80, "us-east-1": 20 }), planContext);
    expect(large.risk).toBe("high");
    expect(large.riskReasons).toEqual(["moves 60% of the traffic (more than 50%)", "no service would exceed its max replicas"]);
    const half = regionFailover.plan({ weights: { "eu-west-1": 0, "us-east-1": 100, "ap-south-1": 100 } }, split({ "eu-west-1": 100, "us-east-1": 100, "ap-south-1": 100 }), planContext);
    expect(half.risk).toBe("high"); // drained, though a third moves
    const small = regionFailover.plan({ weights: { "eu-west-1": 30, "us-east-1": 70 } }, split(even), planContext);
    expect(small.risk).toBe("medium");
    expect(small.riskReasons[0]).toBe("moves 20% of the traffic between regions");
    expect(() => regionFailover.plan({ weights: { "eu-west-1": 100, "us-east-1": 100 } }, split(even), planContext)).toThrow(
      "these weights give every region the share of the traffic it has now",
    );
  });

  it("refuses without a traffic split, with unknown or missing regions, or with the weights in force", async () => {
    expect(await refusalOf(regionFailover.load(fakePorts({ traffic: { getRegionWeights: async () => null } }), { weights: even }, "prod"))).toBe(
      "prod has no traffic split configured; shifting traffic between regions needs one",
    );
    const ports = fakePorts({ traffic: { getRegionWeights: async () => ({ ...even }) } });
    expect(await refusalOf(regionFailover.load(ports, { weights: { "eu-west-1": 0, "us-east-1": 50, "mars-1": 50 } }, "prod"))).toBe(
      "mars-1 is not in prod's traffic split; its regions are eu-west-1 and us-east-1",
    );
    expect(await refusalOf(regionFailover.load(ports, { weights: { "us-east-1": 100 } }, "prod"))).toBe(
      "give a weight to every region of prod's traffic split: eu-west-1 is missing",
    );
    expect(await refusalOf(regionFailover.load(ports, { weights: { ...even } }, "prod"))).toBe("prod's traffic split already has these weights");
  });

  it("dry-runs the new weights, verifies them, and rolls back to the weights before", async () => {
    let weights: Record<string, number> = { ...even };
    const setRegionWeights = vi.fn(async (_environment: string, next: Readonly<Record<string, number>>, options?: { dryRun?: boolean }) => {
      if (!options?.dryRun) weights = { ...next };
    });
    const ports = fakePorts({ traffic: { getRegionWeights: async () => weights, setRegionWeights }, workloads: { listWorkloads: async () => [] } });
    const params = { weights: { "eu-west-1": 0, "us-east-1": 100 } };
    const before = await regionFailover.load(ports, params, "prod");
    expect(setRegionWeights).toHaveBeenCalledWith("prod", params.weights, { dryRun: true });
    expect(weights).toEqual(even);
    const context = executionContext();
    expect((await regionFailover.verify(ports, params, context)).ok).toBe(false);
    await regionFailover.execute(ports, params, context);
    const verification = await regionFailover.verify(ports, params, context);
    expect(verification).toMatchObject({ ok: true, message: "region weights now eu-west-1 0, us-east-1 100" });
    expect(regionFailover.rollback(params, before)).toEqual({ weights: even });
    expect(regionFailover.target(params, "prod")).toEqual({ environment: "prod", namespace: "*", name: "traffic" });
  });
});
