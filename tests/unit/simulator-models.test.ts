// The simulator's pure models, one at a time: the HPA's algorithm, the circuit breaker,
// the latency histogram, a Kafka topic and its consumers, a Redis cache.
import { describe, expect, it } from "vitest";
import { BREAKER_HALF_OPEN_TRIAL_MS, BREAKER_OPEN_MS, closedBreaker, edgeEffect, nextBreaker, type Breaker } from "../../server/adapters/simulator/breaker";
import { autoscale, HPA_SCALE_DOWN_WINDOW_MS, HPA_SYNC_PERIOD_MS, recommendedReplicas, type Recommendation } from "../../server/adapters/simulator/hpa";
import { addTopic, consume, createKafkaCluster, isUnderReplicated, lagOf, leaderOf, produce, setBrokerUp } from "../../server/adapters/simulator/kafka";
import { cumulativeShares, DURATION_BUCKETS_SECONDS, meanDurationSeconds } from "../../server/adapters/simulator/latency-histogram";
import { createCache, flushCache, hitRatioFor, maxKeysOf, stepCache, warmCache } from "../../server/adapters/simulator/redis";
import { histogramQuantile } from "./simulator-prometheus";

describe("HPA algorithm", () => {
  const spec = { minReplicas: 2, maxReplicas: 10, targetUtilisation: 0.7 };

  it("asks for ceil(ready × utilisation / target), within the bounds, and nothing inside the tolerance", () => {
    expect(recommendedReplicas({ specReplicas: 4, readyReplicas: 4, utilisation: 0.95, spec })).toBe(6);
    expect(recommendedReplicas({ specReplicas: 4, readyReplicas: 4, utilisation: 0.74, spec })).toBe(4);
    expect(recommendedReplicas({ specReplicas: 4, readyReplicas: 4, utilisation: 0.1, spec })).toBe(2);
    expect(recommendedReplicas({ specReplicas: 8, readyReplicas: 8, utilisation: 1, spec })).toBe(10);
    expect(recommendedReplicas({ specReplicas: 3, readyReplicas: 0, utilisation: 0, spec })).toBe(3);
  });

  it("scales up at once, by at most double or four pods", () => {
    const decision = autoscale({ now: 0, specReplicas: 2, readyReplicas: 2, utilisation: 1, spec: { ...spec, maxReplicas: 50, targetUtilisation: 0.2 }, recommendations: [] });
    expect(decision.desiredReplicas).toBe(6);
  });

  it("scales down only to the highest recommendation of the stabilisation window", () => {
    let recommendations: Recommendation[] = [{ t: 0, replicas: 8 }];
    let replicas = 8;
    const desired: number[] = [];
    for (let now = HPA_SYNC_PERIOD_MS; now <= HPA_SCALE_DOWN_WINDOW_MS + 2 * HPA_SYNC_PERIOD_MS; now += HPA_SYNC_PERIOD_MS) {
      const decision = autoscale({ now, specReplicas: replicas, readyReplicas: replicas, utilisation: 0.2, spec, recommendations });
      recommendations = decision.recommendations;
      replicas = decision.desiredReplicas;
      desired.push(replicas);
    }
    // Held at 8 while the first recommendation is inside the window, then down to the floor.
    expect(desired.slice(0, HPA_SCALE_DOWN_WINDOW_MS / HPA_SYNC_PERIOD_MS - 1).every((r) => r === 8)).toBe(true);
    expect(desired.at(-1)).toBe(3);
    expect(desired.every((r) => r >= spec.minReplicas && r <= spec.maxReplicas)).toBe(true);
  });
});

describe("circuit breaker", () => {
  it("opens on errors, half-opens after the cool-down, closes after a clean trial", () => {
    let breaker: Breaker = closedBreaker(0);
    breaker = nextBreaker(breaker, 0.2, 1000);
    expect(breaker.state).toBe("closed");
    breaker = nextBreaker(breaker, 0.6, 2000);
    expect(breaker).toMatchObject({ state: "open", since: 2000 });
    expect(nextBreaker(breaker, 0, 2000 + BREAKER_OPEN_MS - 1).state).toBe("open");
    breaker = nextBreaker(breaker, 0.6, 2000 + BREAKER_OPEN_MS);
    expect(breaker.state).toBe("half-open");
    // Still failing: straight back to open.
    expect(nextBreaker(breaker, 0.6, 2000 + BREAKER_OPEN_MS + 1000).state).toBe("open");
    expect(nextBreaker(breaker, 0, 2000 + BREAKER_OPEN_MS + 1000).state).toBe("half-open");
    expect(nextBreaker(breaker, 0, 2000 + BREAKER_OPEN_MS + BREAKER_HALF_OPEN_TRIAL_MS).state).toBe("closed");
  });

  it("stays where an operator forced it", () => {
    const forced: Breaker = { state: "open", since: 0, forced: true };
    expect(nextBreaker(forced, 0, 10 * BREAKER_OPEN_MS)).toBe(forced);
  });

  it("lets retries hide most errors while closed, and fails fast while open", () => {
    const closed = edgeEffect("closed", 0.5, 0.1, 100);
    expect(closed.failedShare).toBeCloseTo(0.5 * 0.001, 9);
    expect(closed.retriedShare).toBeCloseTo(0.05, 9);
    expect(closed.addedLatencyMs).toBeCloseTo(0.5 * 100 * 1.11, 6);
    expect(edgeEffect("open", 0.5, 0.1, 100)).toEqual({ failedShare: 0.5, addedLatencyMs: 0, calledShare: 0, retriedShare: 0 });
  });
});

describe("latency histogram", () => {
  const bounds = DURATION_BUCKETS_SECONDS;

  it.each([0.012, 0.08, 0.3, 0.9, 3, 8])("gives back a p95 of %s s within its bucket", (p95) => {
    const shares = new Float64Array(bounds.length);
    cumulativeShares(p95, shares);
    for (let i = 1; i < shares.length; i++) expect(shares[i]).toBeGreaterThanOrEqual(shares[i - 1] ?? 0);
    const buckets = [...bounds.map((le, i) => ({ le, count: 1000 * (shares[i] ?? 0) })), { le: Number.POSITIVE_INFINITY, count: 1000 }];
    const estimate = histogramQuantile(0.95, buckets);
    const upper = bounds.find((le) => le >= p95) ?? Number.POSITIVE_INFINITY;
    const lower = [...bounds].reverse().find((le) => le < p95) ?? 0;
    expect(estimate).toBeGreaterThanOrEqual(lower);
    expect(estimate).toBeLessThanOrEqual(upper);
    expect(meanDurationSeconds(p95)).toBeLessThan(p95);
  });
});

describe("Kafka topic and consumer group", () => {
  const setup = () => {
    const cluster = createKafkaCluster("events", "eu-west-1", 5, 3);
    const topic = addTopic(cluster, { name: "orders", partitions: 6, meanRatePerSecond: 60, consumerGroup: "fulfilment", seed: 1 });
    return { cluster, topic };
  };

  it("grows lag on every partition while consumers are too slow, and drains it once they are not", () => {
    const { topic } = setup();
    const before = topic.partitions.map(lagOf);
    for (let s = 0; s < 60; s++) {
      produce(topic, 60, 1);
      consume(topic, 2, 10, 1);
    }
    const slow = topic.partitions.map(lagOf);
    slow.forEach((lag, p) => expect(lag).toBeGreaterThan((before[p] ?? 0) + 100));
    for (let s = 0; s < 120; s++) {
      produce(topic, 60, 1);
      consume(topic, 6, 40, 1);
    }
    topic.partitions.forEach((partition) => {
      expect(lagOf(partition)).toBeLessThan(20);
      expect(partition.committed).toBeLessThanOrEqual(partition.logEnd);
      expect(partition.oldest).toBeLessThanOrEqual(partition.logEnd);
    });
    expect(topic.group?.consumedPerSecond).toBeCloseTo(60, 0);
  });

  it("leaves members beyond the partition count idle", () => {
    const { topic } = setup();
    for (let s = 0; s < 30; s++) produce(topic, 600, 1);
    const six = consume(setup().topic, 6, 5, 1);
    const twelve = consume(topic, 12, 5, 1);
    expect(twelve).toBeCloseTo(30, 6);
    expect(six).toBeLessThanOrEqual(30);
  });

  it("under-replicates the partitions of a broker that is down, and moves their leaders", () => {
    const { cluster, topic } = setup();
    expect(topic.partitions.some((p) => isUnderReplicated(cluster, p, 0))).toBe(false);
    setBrokerUp(cluster, 4, false, 1000);
    const hit = topic.partitions.filter((p) => p.replicas.includes(4));
    expect(hit.length).toBeGreaterThan(0);
    expect(topic.partitions.filter((p) => isUnderReplicated(cluster, p, 2000))).toEqual(hit);
    for (const partition of hit) expect(leaderOf(cluster, partition, 2000)).not.toBe(4);
    setBrokerUp(cluster, 4, true, 61_000);
    // Back, but catching up on a minute of writes (5× faster than they came): 12 s.
    expect(hit.every((p) => isUnderReplicated(cluster, p, 70_000))).toBe(true);
    expect(hit.some((p) => isUnderReplicated(cluster, p, 73_000))).toBe(false);
  });
});

describe("Redis cache", () => {
  const spec = { name: "c", front: "f", lookupsPerRequest: 1, backing: null, workingSetKeys: 100_000, bytesPerKey: 1000, maxMemoryBytes: 200 * 1024 * 1024 };

  it("settles where the working set fits memory, and refills after a flush", () => {
    const cache = createCache(spec, "eu-west-1");
    warmCache(cache, 1000);
    const steady = cache.hitRatio;
    expect(steady).toBeGreaterThan(0.85);
    expect(cache.hitsTotal).toBe(0);
    flushCache(cache);
    stepCache(cache, 1000, 1);
    expect(cache.hitRatio).toBe(0);
    expect(cache.missesPerSecond).toBe(1000);
    for (let s = 0; s < 600; s++) stepCache(cache, 1000, 1);
    expect(cache.hitRatio).toBeGreaterThan(steady - 0.05);
    expect(cache.hitsTotal + cache.missesTotal).toBeCloseTo(601_000, 0);
  });

  it("evicts and caps its hit ratio when memory holds only part of the working set", () => {
    const smallSpec = { ...spec, maxMemoryBytes: 54 * 1024 * 1024 };
    const small = createCache(smallSpec, "eu-west-1");
    warmCache(small, 5000);
    for (let s = 0; s < 10; s++) stepCache(small, 5000, 1);
    expect(small.evictionsPerSecond).toBeGreaterThan(0);
    expect(small.keys).toBe(maxKeysOf(smallSpec));
    expect(small.hitRatio).toBeCloseTo(hitRatioFor(maxKeysOf(smallSpec), spec.workingSetKeys), 6);
  });
});
