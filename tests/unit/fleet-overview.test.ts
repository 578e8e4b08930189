// The overview's verdicts over the simulated fleet: every entity judged once, counted per area
// and region, incidents surfacing as the worst entities with their reasons and pages.
import { describe, expect, it } from "vitest";
import { alwaysFresh } from "../../server/adapters/environment-metrics";
import { createSimulatedFleet, type SimulatedPlatform } from "../../server/adapters/simulator";
import { DEFAULT_JUDGING, fleetVerdicts, type FleetFigures } from "../../server/domain/fleet-verdicts";
import { summariseAreas, type EntityVerdict } from "../../server/domain/overview";
import { ConsumerLagTracker } from "../../server/monitoring/consumer-lag";

const START = Date.UTC(2025, 0, 15, 12, 0, 7);
const REGIONS = ["eu-west-1", "us-east-1"];
const run = (platform: SimulatedPlatform, seconds: number) => {
  for (let i = 0; i < seconds; i++) platform.fleet.tick(platform.fleet.now + 1000);
};

async function figuresOf(platform: SimulatedPlatform): Promise<FleetFigures> {
  const { metrics, workloads } = platform;
  return {
    workloads: await workloads.listWorkloads(),
    services: await metrics.currentServiceStats(),
    consumerGroups: await metrics.consumerGroupLag(),
    topics: await metrics.topics(),
    kafkaClusters: await metrics.kafkaClusters(),
    caches: await metrics.caches(),
    mongoClusters: await metrics.mongoClusters(),
    elasticsearchClusters: await metrics.elasticsearchClusters(),
  };
}

describe("fleet verdicts and the overview", () => {
  it("judges every entity once and counts it in its area and region", async () => {
    const platform = createSimulatedFleet({ startAt: START, historyHours: 0.1 });
    run(platform, 5);
    const figures = await figuresOf(platform);
    const verdicts = fleetVerdicts(figures);
    expect(new Set(verdicts.map((entity) => entity.id)).size).toBe(verdicts.length);
    const areas = Object.fromEntries(summariseAreas(verdicts, REGIONS).map((area) => [area.area, area]));
    expect(areas.services?.total).toBe(figures.workloads.length);
    expect(areas.queues?.total).toBe(figures.kafkaClusters.length + figures.topics.length + figures.consumerGroups.length);
    expect(areas.caches?.total).toBe(figures.caches.length);
    expect(areas.shards?.total).toBe(figures.mongoClusters.length + figures.elasticsearchClusters.length);
    for (const area of Object.values(areas)) {
      const counted = Object.values(area.counts).reduce((sum, count) => sum + count, 0);
      const byRegion = Object.values(area.byRegion).flatMap((counts) => Object.values(counts)).reduce((sum, count) => sum + count, 0);
      expect(counted).toBe(area.total);
      expect(byRegion).toBe(area.total);
      expect(area.worst.every((entity) => entity.verdict !== "OK")).toBe(true);
    }
  });

  it("puts a region outage's services first, CRIT, with the reason and the page", async () => {
    const platform = createSimulatedFleet({ startAt: START, historyHours: 0.1 });
    run(platform, 5);
    platform.fleet.injectIncident({ scenario: "region outage", region: "us-east-1", durationSeconds: 120 });
    run(platform, 10);
    const services = summariseAreas(fleetVerdicts(await figuresOf(platform)), REGIONS).find((area) => area.area === "services");
    const worst = services?.worst ?? [];
    expect(worst).toHaveLength(10);
    expect(worst.every((entity) => entity.verdict === "CRIT")).toBe(true);
    const outage = worst.filter((entity) => entity.region === "us-east-1");
    expect(outage.length).toBeGreaterThanOrEqual(5);
    const first = outage[0] as EntityVerdict;
    expect(first.reasons.join(" ")).toMatch(/errors/);
    expect(first.href).toMatch(/^\/services\/[^/]+\/[^/?]+\?region=us-east-1$/);
    expect(services?.byRegion["us-east-1"]?.CRIT).toBeGreaterThan(services?.byRegion["eu-west-1"]?.CRIT ?? 0);
  });

  it("judges a slow consumer's lag from the poller's window once the window no longer holds its caught-up past", async () => {
    const platform = createSimulatedFleet({ startAt: START, historyHours: 0.1 });
    run(platform, 5);
    const tracker = new ConsumerLagTracker(alwaysFresh(platform.metrics), { intervalSeconds: 10, windowSize: 10, now: () => platform.fleet.now });
    platform.fleet.injectIncident({ scenario: "slow consumer", target: "order-fulfilment", region: "eu-west-1", durationSeconds: 600 });
    const groupVerdict = async () => {
      const judging = { ...DEFAULT_JUDGING, lagWindows: tracker.windowsOf.bind(tracker), now: tracker.lastPollAt ?? undefined };
      return fleetVerdicts(await figuresOf(platform), judging).find((entity) => entity.kind === "consumerGroup" && entity.label.endsWith("order-fulfilment") && entity.region === "eu-west-1");
    };
    await tracker.poll();
    expect((await groupVerdict())?.verdict).toBe("OK"); // caught up a moment ago
    for (let poll = 0; poll < 15; poll++) {
      run(platform, 10);
      await tracker.poll();
    }
    const judged = await groupVerdict();
    expect(judged?.verdict).not.toBe("OK");
    expect(judged?.verdict).not.toBe("UNKNOWN");
    expect(judged?.reasons.join(" ")).toMatch(/lag/);
  });
});
