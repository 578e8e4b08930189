import { describe, expect, it } from "vitest";
import { autoscalerHealth, judge, regionHealth, serviceHealth, worstVerdict } from "@/server/domain/health";
import type { AutoscalerStatus, RegionTraffic, ServiceStats, Workload } from "@/server/domain/ports";

const stats = (figures: Partial<ServiceStats> = {}): ServiceStats => ({
  environment: "prod", namespace: "checkout", name: "payments", region: "eu-west-1",
  requestsPerSecond: 420, errorRatio: 0.002, p95LatencyMs: 120, cpuUtilisation: 0.45, ...figures,
});

const workload = (desiredReplicas: number, availableReplicas: number): Workload => ({
  environment: "prod", namespace: "checkout", name: "payments", region: "eu-west-1", kind: "Deployment",
  desiredReplicas, availableReplicas, minReplicas: 2, maxReplicas: 12,
});

describe("verdicts", () => {
  it("the worst wins; UNKNOWN only when nothing else is known", () => {
    expect(worstVerdict([])).toBe("UNKNOWN");
    expect(worstVerdict(["UNKNOWN", "OK"])).toBe("OK");
    expect(worstVerdict(["OK", "CRIT", "WARN"])).toBe("CRIT");
  });

  it("lists the worst reasons first", () => {
    expect(judge([{ verdict: "WARN", reason: "a" }, null, { verdict: "CRIT", reason: "b" }])).toEqual({ verdict: "CRIT", reasons: ["b", "a"] });
    expect(judge([])).toEqual({ verdict: "OK", reasons: [] });
    expect(judge([], "UNKNOWN")).toEqual({ verdict: "UNKNOWN", reasons: [] });
  });
});

describe("service health", () => {
  it("is UNKNOWN without figures", () => {
    expect(serviceHealth(undefined, workload(3, 3))).toEqual({ verdict: "UNKNOWN", reasons: ["no metrics for this service"] });
  });

  it("is OK within every level, with or without its workload", () => {
    expect(serviceHealth(stats(), workload(3, 3))).toEqual({ verdict: "OK", reasons: [] });
    expect(serviceHealth(stats(), undefined)).toEqual({ verdict: "OK", reasons: [] });
  });

  it("judges p95 against the SLO (warn) and the crit level, reaching a level being fine", () => {
    expect(serviceHealth(stats({ p95LatencyMs: 300 }), undefined).verdict).toBe("OK");
    expect(serviceHealth(stats({ p95LatencyMs: 301 }), undefined)).toEqual({ verdict: "WARN", reasons: ["p95 301 ms > SLO 300 ms"] });
    // Precise enough to tell the figure from the level.
    expect(serviceHealth(stats({ p95LatencyMs: 300.4 }), undefined).reasons).toEqual(["p95 300.4 ms > SLO 300 ms"]);
    expect(serviceHealth(stats({ p95LatencyMs: 800 }), undefined).verdict).toBe("WARN");
    expect(serviceHealth(stats({ p95LatencyMs: 1812 }), undefined)).toEqual({ verdict: "CRIT", reasons: ["p95 1,812 ms > 800 ms"] });
  });

  it("judges the error ratio and the CPU", () => {
    expect(serviceHealth(stats({ errorRatio: 0.01 }), undefined).verdict).toBe("OK");
    expect(serviceHealth(stats({ errorRatio: 0.0104 }), undefined).reasons).toEqual(["errors 1.04% > SLO 1%"]);
    expect(serviceHealth(stats({ errorRatio: 0.071 }), undefined)).toEqual({ verdict: "CRIT", reasons: ["errors 7.1% > 5%"] });
    expect(serviceHealth(stats({ cpuUtilisation: 0.8 }), undefined).verdict).toBe("OK");
    expect(serviceHealth(stats({ cpuUtilisation: 0.91 }), undefined)).toEqual({ verdict: "WARN", reasons: ["CPU 91% > 80%"] });
    expect(serviceHealth(stats({ cpuUtilisation: 1.3 }), undefined)).toEqual({ verdict: "CRIT", reasons: ["CPU 130% > 95%"] });
  });

  it("judges missing replicas: any is WARN, more than half CRIT, none desired CRIT", () => {
    expect(serviceHealth(stats(), workload(6, 5))).toEqual({ verdict: "WARN", reasons: ["1 of 6 replicas unavailable"] });
    expect(serviceHealth(stats(), workload(6, 3)).verdict).toBe("WARN");
    expect(serviceHealth(stats(), workload(6, 2))).toEqual({ verdict: "CRIT", reasons: ["4 of 6 replicas unavailable"] });
    expect(serviceHealth(stats(), workload(0, 0))).toEqual({ verdict: "CRIT", reasons: ["scaled to 0 replicas"] });
    // More available than desired (a scale-down in progress) is fine.
    expect(serviceHealth(stats(), workload(3, 4)).verdict).toBe("OK");
  });

  it("gives every reason, the worst first", () => {
    expect(serviceHealth(stats({ p95LatencyMs: 450, errorRatio: 0.09 }), workload(4, 3))).toEqual({
      verdict: "CRIT", reasons: ["errors 9% > 5%", "p95 450 ms > SLO 300 ms", "1 of 4 replicas unavailable"],
    });
  });

  it("uses the thresholds it is given; a level set to null is off", () => {
    const strict = { p95LatencyMs: { warn: 100, crit: 200 }, errorRatio: { warn: null, crit: null }, cpuUtilisation: { warn: 0.5, crit: 0.9 }, unavailableReplicas: { warn: 0.5, crit: 1 } };
    expect(serviceHealth(stats({ p95LatencyMs: 150, errorRatio: 0.5 }), workload(4, 3), strict)).toEqual({ verdict: "WARN", reasons: ["p95 150 ms > SLO 100 ms"] });
  });

  it("ignores a figure that is not a number", () => {
    expect(serviceHealth(stats({ p95LatencyMs: Number.NaN }), undefined)).toEqual({ verdict: "OK", reasons: [] });
  });
});

describe("autoscaler health", () => {
  const hpa = (currentReplicas: number, cpuUtilisation: number): AutoscalerStatus => ({
    environment: "prod", namespace: "checkout", name: "payments", region: "eu-west-1",
    minReplicas: 2, maxReplicas: 10, targetCpuUtilisation: 0.7, cpuUtilisation, currentReplicas, desiredReplicas: currentReplicas,
  });

  it("is OK while it can still scale, however hot", () => {
    expect(autoscalerHealth(hpa(9, 0.99))).toEqual({ verdict: "OK", reasons: [] });
  });

  it("at max replicas: WARN above its target, CRIT above the crit level", () => {
    expect(autoscalerHealth(hpa(10, 0.7)).verdict).toBe("OK");
    expect(autoscalerHealth(hpa(10, 0.92))).toEqual({ verdict: "WARN", reasons: ["at max 10 replicas with CPU 92% > target 70%"] });
    expect(autoscalerHealth(hpa(10, 0.95)).verdict).toBe("WARN");
    expect(autoscalerHealth(hpa(10, 0.97))).toEqual({ verdict: "CRIT", reasons: ["at max 10 replicas with CPU 97% > 95%"] });
    expect(autoscalerHealth(hpa(10, 0.97), { critCpuUtilisationAtMax: 1.2 }).verdict).toBe("WARN");
  });

  it("is UNKNOWN without figures", () => {
    expect(autoscalerHealth(undefined).verdict).toBe("UNKNOWN");
  });
});

describe("region health", () => {
  const region = (errorRatio: number): RegionTraffic => ({ environment: "prod", region: "eu-west-1", trafficWeight: 0.6, requestsPerSecond: 19_000, errorRatio });

  it("judges the region's error ratio", () => {
    expect(regionHealth(region(0.01))).toEqual({ verdict: "OK", reasons: [] });
    expect(regionHealth(region(0.023))).toEqual({ verdict: "WARN", reasons: ["errors 2.3% > 1%"] });
    expect(regionHealth(region(0.051))).toEqual({ verdict: "CRIT", reasons: ["errors 5.1% > 5%"] });
    expect(regionHealth(undefined)).toEqual({ verdict: "UNKNOWN", reasons: ["no traffic figures for this region"] });
  });
});
