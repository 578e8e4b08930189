// The simulated platform as an operator sees it: each incident scenario visibly happens and
// recovers, and the platform responds to actions (scaling a consumer drains its lag,
// shifting weights moves traffic, flushing a cache loads the service behind it).
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  createSimulatedFleet, IncidentRejectedError, loadScenarioFile, parseScenarioPlan, type SimulatedPlatform,
} from "../../server/adapters/simulator";
import { BREAKER_HALF_OPEN_TRIAL_MS, BREAKER_OPEN_MS } from "../../server/adapters/simulator/breaker";
import { MIGRATION_THRESHOLD } from "../../server/adapters/simulator/mongo";
import type { ServiceStats } from "../../server/domain/ports";

const START = Date.UTC(2025, 0, 15, 12, 0, 7);
const EU = "eu-west-1";
const US = "us-east-1";

const platform = (options: Parameters<typeof createSimulatedFleet>[0] = {}) => createSimulatedFleet({ startAt: START, historyHours: 0.1, ...options });
const run = (p: SimulatedPlatform, seconds: number) => {
  for (let i = 0; i < seconds; i++) p.fleet.tick(p.fleet.now + 1000);
};

async function service(p: SimulatedPlatform, name: string, region: string): Promise<ServiceStats> {
  const found = (await p.metrics.currentServiceStats()).find((s) => s.name === name && s.region === region);
  if (!found) throw new Error(`no ${name} in ${region}`);
  return found;
}

async function group(p: SimulatedPlatform, name: string, region: string) {
  const found = (await p.metrics.consumerGroupLag()).find((g) => g.group === name && g.region === region);
  if (!found) throw new Error(`no group ${name} in ${region}`);
  return found;
}

async function autoscaler(p: SimulatedPlatform, name: string, region: string) {
  const found = (await p.metrics.autoscalers()).find((a) => a.name === name && a.region === region);
  if (!found) throw new Error(`no HPA ${name} in ${region}`);
  return found;
}

describe("incident scenarios", () => {
  it("traffic spike: more requests, the HPA scales up within its bounds, then back down after its window", async () => {
    const p = platform();
    run(p, 30);
    const before = await service(p, "search", EU);
    const hpaBefore = await autoscaler(p, "search", EU);
    p.fleet.injectIncident({ scenario: "traffic spike", target: "catalog/search", region: EU, durationSeconds: 180 });
    run(p, 10);
    expect((await service(p, "search", EU)).requestsPerSecond).toBeGreaterThan(before.requestsPerSecond * 2.2);
    expect((await service(p, "search", US)).requestsPerSecond).toBeLessThan(before.requestsPerSecond);
    run(p, 120);
    const during = await autoscaler(p, "search", EU);
    expect(during.desiredReplicas).toBeGreaterThan(hpaBefore.desiredReplicas * 2);
    expect(during.desiredReplicas).toBeLessThanOrEqual(during.maxReplicas);
    expect(p.fleet.incidents()[0]?.status).toBe("active");

    run(p, 60); // the spike ends
    expect(p.fleet.incidents()[0]?.status).toBe("ended");
    expect((await service(p, "search", EU)).requestsPerSecond).toBeLessThan(before.requestsPerSecond * 1.2);
    // Over-provisioned now, but the HPA holds until its stabilisation window has passed.
    run(p, 200);
    expect((await autoscaler(p, "search", EU)).desiredReplicas).toBe(during.desiredReplicas);
    run(p, 200);
    const after = await autoscaler(p, "search", EU);
    expect(after.desiredReplicas).toBeLessThan(during.desiredReplicas);
    expect(after.desiredReplicas).toBeGreaterThanOrEqual(after.minReplicas);
    expect((await service(p, "search", EU)).p95LatencyMs).toBeLessThan(before.p95LatencyMs * 1.5);
  });

  it("slow consumer: lag grows on every partition; scaling its deployment drains it", async () => {
    const p = platform();
    const start = await group(p, "order-fulfilment", EU);
    p.fleet.injectIncident({ scenario: "slow consumer", target: "order-fulfilment", region: EU, durationSeconds: 1800 });
    run(p, 60);
    const a = await group(p, "order-fulfilment", EU);
    run(p, 60);
    const b = await group(p, "order-fulfilment", EU);
    for (const partition of b.partitions) {
      expect(partition.lag).toBe(partition.logEndOffset - partition.committedOffset);
      expect(partition.lag).toBeGreaterThan(a.partitions[partition.partition]?.lag ?? Infinity);
    }
    expect(b.totalLag).toBeGreaterThan(start.totalLag + 1000);
    expect((await group(p, "order-fulfilment", US)).totalLag).toBeLessThan(200);

    await p.workloads.scaleWorkload({ environment: "demo", ...b.deployment, region: EU }, b.partitions.length);
    run(p, 60);
    const scaled = await group(p, "order-fulfilment", EU);
    expect(scaled.members).toBe(b.partitions.length);
    expect(scaled.totalLag).toBeLessThan(b.totalLag);
    run(p, 300);
    expect((await group(p, "order-fulfilment", EU)).totalLag).toBeLessThan(500);
    expect(p.fleet.incidents()[0]?.status).toBe("active");
  });

  it("slow consumer: falls behind at any hour, by the same share of what is produced, and three times the consumers catch up", async () => {
    // A night and an afternoon: production differs by about half, the incident's effect does not.
    for (const hour of [3, 13]) {
      const p = platform({ startAt: Date.UTC(2025, 0, 15, hour, 0, 7) });
      run(p, 10);
      const produced = (await p.metrics.topics()).find((t) => t.topic === "orders" && t.region === EU)!.producedPerSecond;
      p.fleet.injectIncident({ scenario: "slow consumer", target: "order-fulfilment", region: EU, durationSeconds: 1800 });
      run(p, 60);
      const slowed = await group(p, "order-fulfilment", EU);
      // The consumers manage 60 % of what is produced: the lag grows by about 40 % of it each second.
      expect(slowed.consumedPerSecond / produced).toBeCloseTo(0.6, 1);
      expect(slowed.totalLag / 60 / produced).toBeGreaterThan(0.3);
      expect(slowed.totalLag / 60 / produced).toBeLessThan(0.5);

      await p.workloads.scaleWorkload({ environment: "demo", ...slowed.deployment, region: EU }, slowed.members * 3);
      run(p, 150);
      expect((await group(p, "order-fulfilment", EU)).totalLag).toBeLessThan(slowed.totalLag / 10);
    }
  });

  it("slow consumer: a second slowdown while the first lasts does not compound; the group still manages 60 % of what is produced", async () => {
    const p = platform();
    run(p, 10);
    const produced = async () => (await p.metrics.topics()).find((t) => t.topic === "orders" && t.region === EU)!.producedPerSecond;
    p.fleet.injectIncident({ scenario: "slow consumer", target: "order-fulfilment", region: EU, durationSeconds: 600 });
    run(p, 30);
    p.fleet.injectIncident({ scenario: "slow consumer", target: "order-fulfilment", region: EU, durationSeconds: 600 });
    run(p, 30);
    expect((await group(p, "order-fulfilment", EU)).consumedPerSecond / (await produced())).toBeCloseTo(0.6, 1);
  });

  it("slow consumer: recovers on its own once the slowness ends", async () => {
    const p = platform();
    p.fleet.injectIncident({ scenario: "slow consumer", target: "payment-ledger", durationSeconds: 120 });
    run(p, 120);
    const peak = await group(p, "payment-ledger", EU);
    expect(peak.totalLag).toBeGreaterThan(1000);
    run(p, 600);
    expect((await group(p, "payment-ledger", EU)).totalLag).toBeLessThan(peak.totalLag / 10);
  });

  it("broker down: fewer brokers and under-replicated partitions until it is back and caught up", async () => {
    const p = platform();
    const cluster = async (region: string) => (await p.metrics.kafkaClusters()).find((c) => c.region === region)!;
    expect((await cluster(US)).underReplicatedPartitions).toBe(0);
    p.fleet.injectIncident({ scenario: "broker down", target: "events", region: US, durationSeconds: 120 });
    run(p, 5);
    expect(await cluster(US)).toMatchObject({ brokers: 4 });
    expect((await cluster(US)).underReplicatedPartitions).toBeGreaterThan(0);
    expect(await cluster(EU)).toMatchObject({ brokers: 5, underReplicatedPartitions: 0 });
    const topics = (await p.metrics.topics()).filter((t) => t.region === US);
    expect(topics.reduce((n, t) => n + t.underReplicatedPartitions, 0)).toBe((await cluster(US)).underReplicatedPartitions);
    run(p, 120);
    expect((await cluster(US)).brokers).toBe(5);
    expect((await cluster(US)).underReplicatedPartitions).toBeGreaterThan(0);
    run(p, 60);
    expect((await cluster(US)).underReplicatedPartitions).toBe(0);
  });

  it("cache flush: the hit ratio drops, the service behind it takes the misses, then both recover", async () => {
    const p = platform();
    run(p, 10);
    const cache = async () => (await p.metrics.caches()).find((c) => c.cluster === "product-cache" && c.region === EU)!;
    const steady = await cache();
    const backing = await service(p, "inventory", EU);
    p.fleet.injectIncident({ scenario: "cache flush", target: "product-cache", region: EU, durationSeconds: 60 });
    run(p, 2);
    const flushed = await cache();
    expect(flushed.hitRatio).toBeLessThan(0.3);
    expect(flushed.keys).toBeLessThan(steady.keys / 10);
    expect((await service(p, "inventory", EU)).requestsPerSecond).toBeGreaterThan(backing.requestsPerSecond * 2);
    run(p, 900);
    const recovered = await cache();
    expect(recovered.hitRatio).toBeGreaterThan(steady.hitRatio - 0.05);
    expect((await service(p, "inventory", EU)).requestsPerSecond).toBeLessThan(backing.requestsPerSecond * 1.3);
    expect((await service(p, "inventory", EU)).errorRatio).toBeLessThan(0.01);
  });

  it("shard imbalance: balancer off and chunks piling on one shard, then migrated back", async () => {
    const p = platform();
    const mongo = async () => (await p.metrics.mongoClusters())[0]!;
    const spread = async () => {
      const chunks = (await mongo()).shards.map((s) => s.chunks);
      return Math.max(...chunks) - Math.min(...chunks);
    };
    expect(await spread()).toBeLessThanOrEqual(MIGRATION_THRESHOLD);
    p.fleet.injectIncident({ scenario: "shard imbalance", target: "orders", durationSeconds: 600 });
    run(p, 300);
    expect((await mongo()).balancerEnabled).toBe(false);
    expect(await spread()).toBeGreaterThan(4 * MIGRATION_THRESHOLD);
    const hot = (await mongo()).shards.at(-1)!;
    expect(hot.chunks).toBe(Math.max(...(await mongo()).shards.map((s) => s.chunks)));
    run(p, 300);
    expect((await mongo()).balancerEnabled).toBe(true);
    run(p, 1200);
    expect(await spread()).toBeLessThanOrEqual(MIGRATION_THRESHOLD + 1);
  });

  it("region outage: the region's services fail while the other's do not, then answer again", async () => {
    const p = platform();
    p.fleet.injectIncident({ scenario: "region outage", target: US, durationSeconds: 60 });
    run(p, 5);
    const regions = await p.metrics.regionTraffic();
    expect(regions.find((r) => r.region === US)?.errorRatio).toBeGreaterThan(0.9);
    expect(regions.find((r) => r.region === EU)?.errorRatio).toBeLessThan(0.05);
    expect((await service(p, "gateway", US)).p95LatencyMs).toBeGreaterThan(5000);
    // Callers' breakers opened on the failing services; they close a cool-down and a trial after
    // their dependency has recovered, level by level up the call graph.
    run(p, 55 + 4 * (BREAKER_OPEN_MS + BREAKER_HALF_OPEN_TRIAL_MS) / 1000);
    expect((await p.metrics.regionTraffic()).find((r) => r.region === US)?.errorRatio).toBeLessThan(0.05);
  });

  it("dependency errors: callers' breakers open, half-open after the cool-down, then close", async () => {
    const p = platform();
    const breakers = async () => (await p.metrics.dependencies()).filter((d) => d.dependency === "inventory" && d.region === EU);
    expect((await breakers()).every((b) => b.breakerState === "closed")).toBe(true);
    const cartBefore = await service(p, "cart", EU);
    p.fleet.injectIncident({ scenario: "dependency errors", target: "inventory", region: EU, durationSeconds: 60 });
    run(p, 2);
    const open = await breakers();
    expect(open.length).toBeGreaterThanOrEqual(4);
    expect(open.every((b) => b.breakerState === "open" && b.callsPerSecond === 0)).toBe(true);
    expect((await service(p, "cart", EU)).errorRatio).toBeGreaterThan(0.2);
    expect((await p.metrics.dependencies()).filter((d) => d.dependency === "inventory" && d.region === US).every((b) => b.breakerState === "closed")).toBe(true);
    // Follow one breaker second by second: it cycles open → half-open → open while the
    // errors last, and closes after one cool-down and a clean trial once they stop.
    const states: string[] = [];
    for (let second = 2; second < 120; second++) {
      run(p, 1);
      states.push((await breakers()).find((b) => b.name === "cart")!.breakerState);
    }
    const collapsed = states.filter((state, i) => state !== states[i - 1]);
    expect(collapsed.slice(0, 3)).toEqual(["open", "half-open", "open"]);
    expect(collapsed.slice(-2)).toEqual(["half-open", "closed"]);
    const closedAt = 2 + states.indexOf("closed") + 1;
    expect(closedAt).toBeGreaterThan(60);
    expect(closedAt).toBeLessThanOrEqual(60 + (BREAKER_OPEN_MS + BREAKER_HALF_OPEN_TRIAL_MS) / 1000 + 1);
    const closed = await breakers();
    expect(closed.every((b) => b.breakerState === "closed" && b.callsPerSecond > 0)).toBe(true);
    expect((await service(p, "cart", EU)).errorRatio).toBeLessThan(cartBefore.errorRatio * 2);
  });

  it("retries rise with a dependency's errors before its breaker opens", async () => {
    const p = platform();
    const edge = async () => (await p.metrics.dependencies()).find((d) => d.name === "checkout-api" && d.dependency === "cart" && d.region === EU)!;
    const calm = await edge();
    // A forced-closed breaker keeps calling through the errors, retrying them.
    p.fleet.setBreaker({ environment: "demo", namespace: "checkout", name: "checkout-api", region: EU }, "cart", "closed");
    p.fleet.injectIncident({ scenario: "dependency errors", target: "cart", region: EU, durationSeconds: 30 });
    run(p, 5);
    const failing = await edge();
    expect(failing.breakerState).toBe("closed");
    expect(failing.retriedCallsPerSecond).toBeGreaterThan(calm.retriedCallsPerSecond * 20);
    expect(failing.retriedCallsPerSecond / failing.callsPerSecond).toBeCloseTo(failing.dependencyErrorRatio, 6);
    p.fleet.setBreaker({ environment: "demo", namespace: "checkout", name: "checkout-api", region: EU }, "cart", "auto");
    run(p, 2);
    expect((await edge()).breakerState).toBe("open");
  });
});

describe("actions on the simulated platform", () => {
  it("shifting region weights moves traffic and the messages it produces", async () => {
    const p = platform();
    run(p, 5);
    const before = await p.metrics.regionTraffic();
    const ordersBefore = (await p.metrics.topics()).filter((t) => t.topic === "orders");
    p.fleet.setRegionWeights({ [EU]: 0.2, [US]: 0.8 });
    run(p, 5);
    const after = await p.metrics.regionTraffic();
    const eu = (list: typeof before) => list.find((r) => r.region === EU)!;
    const us = (list: typeof before) => list.find((r) => r.region === US)!;
    expect(eu(after).trafficWeight).toBe(0.2);
    expect(eu(after).requestsPerSecond).toBeCloseTo((eu(before).requestsPerSecond * 0.2) / 0.6, -2);
    expect(us(after).requestsPerSecond).toBeGreaterThan(us(before).requestsPerSecond * 1.8);
    // Twice the traffic overloads the region at first (payments' HPA never helps: the demo's
    // problem), so not all of it turns into orders; the other region's orders drop at once.
    run(p, 120);
    const ordersAfter = (await p.metrics.topics()).filter((t) => t.topic === "orders");
    expect(ordersAfter.find((t) => t.region === US)!.producedPerSecond).toBeGreaterThan(ordersBefore.find((t) => t.region === US)!.producedPerSecond * 1.3);
    expect(ordersAfter.find((t) => t.region === EU)!.producedPerSecond).toBeLessThan(ordersBefore.find((t) => t.region === EU)!.producedPerSecond * 0.4);
    expect(() => p.fleet.setRegionWeights({ [EU]: 1 })).toThrow(/every region/);
    expect(() => p.fleet.setRegionWeights({ [EU]: 1, [US]: 0, "ap-south-1": 1 })).toThrow(/unknown regions ap-south-1/);
    expect(() => p.fleet.setRegionWeights({ [EU]: 0, [US]: 0 })).toThrow(/at least one/);
    p.fleet.setRegionWeights({ [EU]: 3, [US]: 1 });
    expect(p.fleet.regionWeights()).toEqual({ [EU]: 0.75, [US]: 0.25 });
  });

  it("flushing a cache by hand drops its hit ratio", async () => {
    const p = platform();
    run(p, 2);
    p.fleet.flushCache("session-cache", US);
    run(p, 1);
    expect((await p.metrics.caches()).find((c) => c.cluster === "session-cache" && c.region === US)!.hitRatio).toBeLessThan(0.2);
    expect(() => p.fleet.flushCache("nope", US)).toThrow(/no cache nope/);
  });

  it("draining a shard moves its chunks to the others; Elasticsearch goes yellow without a node and green after", async () => {
    const p = platform();
    p.fleet.drainShard("orders", "orders-shard-0");
    run(p, 600);
    const shards = (await p.metrics.mongoClusters())[0]!.shards;
    expect(shards[0]).toMatchObject({ draining: true });
    expect(shards[0]!.chunks).toBeLessThan(350);

    p.fleet.setElasticsearchNodeUp("search", EU, "search-data-4", false);
    run(p, 1);
    const es = async () => (await p.metrics.elasticsearchClusters()).find((c) => c.region === EU)!;
    expect(await es()).toMatchObject({ status: "yellow", nodes: 4 });
    expect((await es()).unassignedShards).toBeGreaterThan(0);
    run(p, 120);
    p.fleet.setElasticsearchNodeUp("search", EU, "search-data-4", true);
    run(p, 120);
    expect(await es()).toMatchObject({ status: "green", nodes: 5, unassignedShards: 0, activeShards: 40 });
  });

  it("holds a manual scale against the HPA for its stabilisation window", async () => {
    const p = platform();
    const ref = { environment: "demo", namespace: "checkout", name: "payments", region: EU };
    const start = (await p.workloads.getWorkload(ref))!;
    p.fleet.scale(ref, start.desiredReplicas * 2);
    run(p, 280);
    expect((await p.workloads.getWorkload(ref))!.desiredReplicas).toBe(start.desiredReplicas * 2);
    run(p, 60);
    expect((await p.workloads.getWorkload(ref))!.desiredReplicas).toBeLessThan(start.desiredReplicas * 2);
  });
});

describe("injecting incidents", () => {
  it("rejects unknown targets and bad requests with a message that says what exists", () => {
    const { fleet } = platform();
    expect(() => fleet.injectIncident({ scenario: "cache flush", target: "nope", durationSeconds: 10 })).toThrow(IncidentRejectedError);
    expect(() => fleet.injectIncident({ scenario: "cache flush", target: "nope", durationSeconds: 10 })).toThrow(/no cache nope; known: product-cache, session-cache/);
    expect(() => fleet.injectIncident({ scenario: "region outage", target: "mars-1", durationSeconds: 10 })).toThrow(/no region mars-1/);
    expect(() => fleet.injectIncident({ scenario: "traffic spike", region: "mars-1", durationSeconds: 10 })).toThrow(/unknown region mars-1/);
    expect(() => fleet.injectIncident({ scenario: "traffic spike", durationSeconds: 0 })).toThrow(/durationSeconds/);
    expect(fleet.incidents()).toEqual([]);
  });

  it("runs a scenario plan at its times, repeatedly, the same however often it is ticked", async () => {
    const plan = parseScenarioPlan({
      incidents: [{ scenario: "traffic spike", target: "gateway", startAfterSeconds: 30, durationSeconds: 20, repeatEverySeconds: 100 }],
    });
    const often = platform({ scenario: plan });
    const rarely = platform({ scenario: plan });
    run(often, 29);
    expect(often.fleet.incidents()).toEqual([]);
    run(often, 1);
    expect(often.fleet.incidents()).toMatchObject([{ scenario: "traffic spike", target: "platform/gateway", status: "active", regions: [EU, US] }]);
    run(often, 200);
    expect(often.fleet.incidents().map((i) => i.startsAt - START)).toEqual([30_000, 130_000, 230_000]);
    for (let t = START + 17_000; t <= often.fleet.now; t += 17_000) rarely.fleet.tick(t);
    rarely.fleet.tick(often.fleet.now);
    expect(await rarely.metrics.currentServiceStats()).toEqual(await often.metrics.currentServiceStats());
    expect(await rarely.metrics.consumerGroupLag()).toEqual(await often.metrics.consumerGroupLag());
    expect(rarely.fleet.incidents()).toEqual(often.fleet.incidents());
  });

  it("validates scenario plans, and the shipped demo scenario names what exists", () => {
    expect(() => parseScenarioPlan({ incidents: [{ scenario: "meteor", durationSeconds: 10 }] })).toThrow(/scenario must be one of/);
    expect(() => parseScenarioPlan({ incidents: [{ scenario: "cache flush", durationSeconds: 60, repeatEverySeconds: 30 }] })).toThrow(/repeatEverySeconds must be longer/);
    expect(() => platform({ scenario: parseScenarioPlan({ incidents: [{ scenario: "slow consumer", target: "nobody", durationSeconds: 5 }] }) })).toThrow(/no consumer group nobody/);
    const file = path.join(import.meta.dirname, "../../server/adapters/simulator/scenarios/demo.json");
    const demo = createSimulatedFleet({ startAt: START, historyHours: 0.1, scenarioFile: file });
    expect(loadScenarioFile(file).incidents.length).toBeGreaterThanOrEqual(6);
    expect(demo.fleet.incidents()).toEqual([]);
    expect(() => loadScenarioFile("/nonexistent/scenario.json")).toThrow(/cannot read scenario file/);
  });
});
