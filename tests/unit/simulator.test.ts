import { afterEach, describe, expect, it, vi } from "vitest";
import { createSimulatedFleet, ScaleRejectedError, type SimulatedPlatform } from "../../server/adapters/simulator";
import type { ServiceStats, Workload } from "../../server/domain/ports";

const START = Date.UTC(2025, 0, 15, 12, 0, 7);
const SECOND = 1000;

function tickFor(platform: SimulatedPlatform, seconds: number, everySeconds: number): void {
  const until = platform.fleet.now + seconds * SECOND;
  for (let t = platform.fleet.now + everySeconds * SECOND; t <= until; t += everySeconds * SECOND) platform.fleet.tick(t);
}

async function statsOf(platform: SimulatedPlatform, workload: Workload): Promise<ServiceStats> {
  const stats = await platform.metrics.currentServiceStats();
  const row = stats.find((s) => s.namespace === workload.namespace && s.name === workload.name && s.region === workload.region);
  if (row === undefined) throw new Error(`no stats for ${workload.name}@${workload.region}`);
  return row;
}

async function mostLoaded(platform: SimulatedPlatform): Promise<{ workload: Workload; stats: ServiceStats }> {
  const stats = await platform.metrics.currentServiceStats();
  const hottest = stats.reduce((a, b) => (b.cpuUtilisation > a.cpuUtilisation ? b : a));
  const workload = await platform.workloads.getWorkload(hottest);
  if (workload === null) throw new Error("hottest workload not found");
  return { workload, stats: hottest };
}

describe("fleet simulator", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("models thirty services and their consumers in two regions of one environment", async () => {
    const { workloads } = createSimulatedFleet({ startAt: START, environment: "staging" });
    const all = await workloads.listWorkloads();
    const names = new Set(all.map((w) => `${w.namespace}/${w.name}`));
    // 30 HTTP services (the 8 of the catalog, 22 generated) and 6 Kafka consumers, in each region.
    expect(all).toHaveLength((30 + 6) * 2);
    expect(names.size).toBe(36);
    for (const core of ["checkout/payments", "checkout/checkout-api", "catalog/search", "platform/gateway", "orders/fulfilment-worker"]) expect(names).toContain(core);
    expect(new Set(all.map((w) => w.region))).toEqual(new Set(["eu-west-1", "us-east-1"]));
    expect(new Set(all.map((w) => w.namespace)).size).toBeGreaterThanOrEqual(6);
    expect(all.every((w) => w.environment === "staging")).toBe(true);
    expect(all.every((w) => w.desiredReplicas >= w.minReplicas && w.desiredReplicas <= w.maxReplicas)).toBe(true);
    expect(await workloads.listWorkloads("demo")).toEqual([]);
  });

  it("grows to thousands of services with the same names for the same count", () => {
    const small = createSimulatedFleet({ startAt: START, services: 8, historyHours: 0.1 }).fleet.listWorkloads();
    expect(new Set(small.map((w) => w.name)).size).toBe(8 + 4);
    const a = createSimulatedFleet({ startAt: START, services: 600, historyHours: 0.1, seed: 1 }).fleet.listWorkloads();
    const b = createSimulatedFleet({ startAt: START, services: 600, historyHours: 0.1, seed: 2 }).fleet.listWorkloads();
    const names = (workloads: Workload[]) => workloads.map((w) => `${w.namespace}/${w.name}@${w.region}`);
    expect(names(a)).toEqual(names(b));
    expect(new Set(a.map((w) => w.name)).size).toBe(600 + 4 + 30);
    expect(a.every((w) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(w.name) && w.name.length <= 63)).toBe(true);
    expect(() => createSimulatedFleet({ startAt: START, services: 5001 })).toThrow(/from 8 to 5000/);
    expect(() => createSimulatedFleet({ startAt: START, services: 7 })).toThrow(/from 8 to 5000/);
  });

  it("gives the same figures for the same seed and different ones for another seed", async () => {
    const run = async (seed: number) => {
      const platform = createSimulatedFleet({ seed, startAt: START });
      const { workload } = await mostLoaded(platform);
      await platform.workloads.scaleWorkload(workload, workload.desiredReplicas + 2);
      tickFor(platform, 120, 5);
      const series = await platform.metrics.serviceSeries(
        { environment: "demo", namespace: "catalog", name: "search" },
        { from: START - 3_600_000, to: platform.fleet.now, stepSeconds: 60 },
      );
      return { stats: await platform.metrics.currentServiceStats(), workloads: await platform.workloads.listWorkloads(), series };
    };
    const first = await run(42);
    expect(await run(42)).toEqual(first);
    expect((await run(43)).stats).not.toEqual(first.stats);
  });

  it("records the same history however often it is ticked", () => {
    const often = createSimulatedFleet({ startAt: START });
    const rarely = createSimulatedFleet({ startAt: START });
    for (const platform of [often, rarely]) {
      const ref = { environment: "demo", namespace: "checkout", name: "payments", region: "eu-west-1" };
      platform.fleet.scale(ref, 40);
    }
    tickFor(often, 600, 3);
    tickFor(rarely, 600, 100);
    const ref = { environment: "demo", namespace: "checkout", name: "payments", region: "eu-west-1" };
    expect(rarely.fleet.history(ref)).toEqual(often.fleet.history(ref));
  });

  it("starts with at least one overloaded service at any time of day", async () => {
    for (const hour of [0, 5, 10, 13, 19, 23]) {
      for (const seed of [1, 2, 3]) {
        const platform = createSimulatedFleet({ seed, startAt: Date.UTC(2025, 5, 1, hour) });
        const { stats } = await mostLoaded(platform);
        expect(stats.cpuUtilisation, `hour ${hour}, seed ${seed}`).toBeGreaterThan(0.9);
      }
    }
  });

  it("pre-fills a bounded history so charts are not empty", () => {
    const platform = createSimulatedFleet({ startAt: START });
    const ref = { environment: "demo", namespace: "catalog", name: "search", region: "us-east-1" };
    const history = platform.fleet.history(ref);
    expect(history).toHaveLength(720);
    expect(history[0]!.t).toBeGreaterThan(START - 6 * 3_600_000);
    expect(history.at(-1)!.t).toBeLessThanOrEqual(START);
    tickFor(platform, 3 * 3600, 60);
    const later = platform.fleet.history(ref);
    expect(later).toHaveLength(720);
    expect(later[0]!.t).toBeGreaterThan(platform.fleet.now - 6 * 3_600_000);
  });

  it("lowers latency and errors of an overloaded service once new pods are ready", async () => {
    const scaled = createSimulatedFleet({ startAt: START });
    const untouched = createSimulatedFleet({ startAt: START });
    const { workload, stats: before } = await mostLoaded(scaled);
    const target = Math.min(workload.maxReplicas, workload.desiredReplicas * 2);
    await scaled.workloads.scaleWorkload(workload, target);

    // Accepted, not ready: pods take tens of seconds to start.
    const accepted = await scaled.workloads.getWorkload(workload);
    expect(accepted).toMatchObject({ desiredReplicas: target, availableReplicas: workload.availableReplicas });
    expect((await statsOf(scaled, workload)).p95LatencyMs).toBe(before.p95LatencyMs);

    tickFor(scaled, 60, 10);
    tickFor(untouched, 60, 10);
    expect((await scaled.workloads.getWorkload(workload))?.availableReplicas).toBe(target);
    const after = await statsOf(scaled, workload);
    const baseline = await statsOf(untouched, workload);
    expect(after.requestsPerSecond).toBe(baseline.requestsPerSecond);
    expect(after.cpuUtilisation).toBeLessThan(0.7);
    expect(after.p95LatencyMs).toBeLessThan(baseline.p95LatencyMs / 3);
    expect(after.errorRatio).toBeLessThan(baseline.errorRatio / 10);
    expect(after.p95LatencyMs).toBeLessThan(before.p95LatencyMs);
    expect(after.errorRatio).toBeLessThan(before.errorRatio);
  });

  it("raises utilisation at once when scaled down", async () => {
    const platform = createSimulatedFleet({ startAt: START });
    const ref = { environment: "demo", namespace: "platform", name: "gateway", region: "eu-west-1" };
    const before = await statsOf(platform, (await platform.workloads.getWorkload(ref))!);
    await platform.workloads.scaleWorkload(ref, 3);
    const workload = (await platform.workloads.getWorkload(ref))!;
    expect(workload).toMatchObject({ desiredReplicas: 3, availableReplicas: 3 });
    const after = await statsOf(platform, workload);
    expect(after.cpuUtilisation).toBeGreaterThan(before.cpuUtilisation);
    expect(after.p95LatencyMs).toBeGreaterThan(before.p95LatencyMs);
  });

  it("rejects scaling outside the bounds, by fractions, of unknown or ambiguous workloads", async () => {
    const { workloads } = createSimulatedFleet({ startAt: START });
    const ref = { environment: "demo", namespace: "checkout", name: "payments", region: "us-east-1" };
    const original = await workloads.getWorkload(ref);
    await expect(workloads.scaleWorkload(ref, 2)).rejects.toThrow(/outside its bounds \[3, 60\]/);
    await expect(workloads.scaleWorkload(ref, 61)).rejects.toThrow(/outside its bounds \[3, 60\]/);
    await expect(workloads.scaleWorkload(ref, 4.5)).rejects.toThrow(/whole number/);
    await expect(workloads.scaleWorkload({ ...ref, name: "paymentz" }, 5)).rejects.toThrow(/No workload checkout\/paymentz/);
    await expect(workloads.scaleWorkload({ ...ref, region: undefined }, 5)).rejects.toMatchObject({
      reason: "ambiguous",
      message: expect.stringMatching(/eu-west-1, us-east-1.*name the region/),
    });
    await expect(workloads.scaleWorkload({ ...ref, environment: "prod" }, 5)).rejects.toBeInstanceOf(ScaleRejectedError);
    expect(await workloads.getWorkload(ref)).toEqual(original);
    expect(await workloads.getWorkload({ ...ref, region: undefined })).toBeNull();
  });

  it("returns series on the step grid inside the window", async () => {
    const { metrics, fleet } = createSimulatedFleet({ startAt: START });
    const ref = { environment: "demo", namespace: "catalog", name: "search", region: "eu-west-1" };
    const window = { from: START - 2 * 3_600_000 + 1234, to: START - 3_600_000, stepSeconds: 120 };
    const series = await metrics.serviceSeries(ref, window);
    expect(series).toHaveLength(30);
    for (const [i, point] of series.entries()) {
      expect(point.t).toBeGreaterThanOrEqual(window.from);
      expect(point.t).toBeLessThanOrEqual(window.to);
      expect(point.t % (window.stepSeconds * SECOND)).toBe(0);
      if (i > 0) expect(point.t - series[i - 1]!.t).toBe(window.stepSeconds * SECOND);
    }
    // A two-minute point averages the four 30 s points recorded in it.
    const recorded = fleet.history(ref).filter((p) => p.t > series[0]!.t - 120 * SECOND && p.t <= series[0]!.t);
    expect(recorded).toHaveLength(4);
    expect(series[0]!.requestsPerSecond).toBeCloseTo(recorded.reduce((s, p) => s + p.requestsPerSecond, 0) / 4, 6);

    const fine = await metrics.serviceSeries(ref, { from: START - 60 * SECOND, to: START, stepSeconds: 10 });
    expect(fine.length).toBeGreaterThanOrEqual(6);
    expect(await metrics.serviceSeries(ref, { from: START + 3_600_000, to: START + 7_200_000, stepSeconds: 60 })).toEqual([]);
    await expect(metrics.serviceSeries(ref, { ...window, stepSeconds: 0 })).rejects.toThrow(/stepSeconds/);
    await expect(metrics.serviceSeries(ref, { from: 0, to: START, stepSeconds: 1 })).rejects.toThrow(/exceeds/);
  });

  it("combines regions when the series ref names no region", async () => {
    const { metrics } = createSimulatedFleet({ startAt: START });
    const service = { environment: "demo", namespace: "checkout", name: "cart" };
    const window = { from: START - 3_600_000, to: START, stepSeconds: 300 };
    const [eu, us, both] = await Promise.all([
      metrics.serviceSeries({ ...service, region: "eu-west-1" }, window),
      metrics.serviceSeries({ ...service, region: "us-east-1" }, window),
      metrics.serviceSeries(service, window),
    ]);
    expect(both).toHaveLength(eu.length);
    for (const [i, point] of both.entries()) {
      expect(point.requestsPerSecond).toBeCloseTo(eu[i]!.requestsPerSecond + us[i]!.requestsPerSecond, 6);
      expect(point.replicas).toBe(eu[i]!.replicas + us[i]!.replicas);
      expect(point.p95LatencyMs).toBe(Math.max(eu[i]!.p95LatencyMs, us[i]!.p95LatencyMs));
    }
  });

  it("ticks on its own with start() until stop()", () => {
    vi.useFakeTimers({ now: START + 60 * SECOND, toFake: ["setInterval", "clearInterval", "Date"] });
    const { fleet } = createSimulatedFleet({ startAt: START });
    fleet.start(5000);
    vi.advanceTimersByTime(30 * SECOND);
    expect(fleet.now).toBe(START + 90 * SECOND);
    fleet.stop();
    vi.advanceTimersByTime(30 * SECOND);
    expect(fleet.now).toBe(START + 90 * SECOND);
  });
});
