import { describe, expect, it } from "vitest";
import { DEFAULT_HEALTH_THRESHOLDS, DEFAULT_SERVICE_SLO, healthThresholdsSchema, withOverrides } from "@/server/domain/health";

describe("health thresholds", () => {
  it("has a default for every level, so an empty config gives the defaults", () => {
    expect(healthThresholdsSchema.parse({})).toEqual(DEFAULT_HEALTH_THRESHOLDS);
    expect(healthThresholdsSchema.parse(undefined)).toEqual(DEFAULT_HEALTH_THRESHOLDS);
    expect(DEFAULT_HEALTH_THRESHOLDS.services.p95LatencyMs).toEqual({ warn: 300, crit: 800 });
    expect(DEFAULT_HEALTH_THRESHOLDS.consumerGroups).toMatchObject({ windowSize: 10, minObservations: 5 });
    expect(DEFAULT_HEALTH_THRESHOLDS.elasticsearchClusters).toMatchObject({ yellow: "WARN", red: "CRIT" });
    expect(DEFAULT_SERVICE_SLO).toEqual(DEFAULT_HEALTH_THRESHOLDS.services);
  });

  it("fills what a partial config leaves out, level by level", () => {
    const parsed = healthThresholdsSchema.parse({ services: { p95LatencyMs: { warn: 200 } }, caches: { memoryUsedRatio: { crit: 0.99 } } });
    expect(parsed.services.p95LatencyMs).toEqual({ warn: 200, crit: 800 });
    expect(parsed.services.errorRatio).toEqual(DEFAULT_HEALTH_THRESHOLDS.services.errorRatio);
    expect(parsed.caches.memoryUsedRatio).toEqual({ warn: 0.9, crit: 0.99 });
    expect(parsed.topics).toEqual(DEFAULT_HEALTH_THRESHOLDS.topics);
  });

  it("lets a level be turned off with null", () => {
    expect(healthThresholdsSchema.parse({ services: { cpuUtilisation: { warn: null } } }).services.cpuUtilisation).toEqual({ warn: null, crit: 0.95 });
  });

  it("refuses a warn level beyond the crit level, in the direction that is worse", () => {
    const rising = healthThresholdsSchema.safeParse({ services: { p95LatencyMs: { warn: 900 } } });
    expect(rising.success).toBe(false);
    expect(rising.error?.issues[0]?.path).toEqual(["services", "p95LatencyMs"]);
    // For the hit ratio less is worse: warn at 0.4 would be below crit 0.5.
    expect(healthThresholdsSchema.safeParse({ caches: { hitRatio: { warn: 0.4 } } }).success).toBe(false);
    expect(healthThresholdsSchema.safeParse({ caches: { hitRatio: { warn: 0.9, crit: 0.7 } } }).success).toBe(true);
  });

  it("refuses unknown keys (a typo must not silently keep the default), ratios above 1 and a window smaller than its minimum", () => {
    expect(healthThresholdsSchema.safeParse({ services: { p95LatncyMs: { warn: 200 } } }).success).toBe(false);
    expect(healthThresholdsSchema.safeParse({ regions: { errorRatio: { crit: 5 } } }).success).toBe(false);
    expect(healthThresholdsSchema.safeParse({ consumerGroups: { windowSize: 4 } }).success).toBe(false);
    expect(healthThresholdsSchema.safeParse({ consumerGroups: { windowSize: 4, minObservations: 4 } }).success).toBe(true);
    expect(healthThresholdsSchema.safeParse({ elasticsearchClusters: { yellow: "MAYBE" } }).success).toBe(false);
  });

  it("merges overrides deeply over a base that is not the defaults, and validates the result", () => {
    const base = healthThresholdsSchema.parse({ services: { p95LatencyMs: { warn: 200, crit: 500 } } });
    const merged = withOverrides(base, { services: { p95LatencyMs: { crit: 400 } }, regions: { errorRatio: { warn: null } } });
    expect(merged.services.p95LatencyMs).toEqual({ warn: 200, crit: 400 });
    expect(merged.regions.errorRatio).toEqual({ warn: null, crit: 0.05 });
    expect(merged.services.errorRatio).toEqual(base.services.errorRatio);
    expect(withOverrides(base, undefined)).toBe(base);
    // Valid on its own, but not over this base: crit 150 < warn 200.
    expect(() => withOverrides(base, { services: { p95LatencyMs: { crit: 150 } } })).toThrow(/warn must not be above crit/);
  });
});
