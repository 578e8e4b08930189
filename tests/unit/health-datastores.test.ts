import { describe, expect, it } from "vitest";
import { cacheHealth, DEFAULT_HEALTH_THRESHOLDS, elasticsearchHealth, mongoClusterHealth, mongoMigrationThreshold } from "@/server/domain/health";
import type { CacheStats, ElasticsearchClusterStats, MongoClusterStats, MongoShardStats } from "@/server/domain/ports";

const GiB = 1024 ** 3;

describe("cache health", () => {
  const cache = (figures: Partial<CacheStats> = {}, down: string[] = []): CacheStats => ({
    environment: "prod", region: "eu-west-1", cluster: "product-cache",
    hitRatio: 0.95, keys: 500_000, memoryUsedBytes: 0.5 * GiB, memoryMaxBytes: GiB, evictionsPerSecond: 0, opsPerSecond: 4000, connectedClients: 120,
    instances: ["product-cache-0", "product-cache-1", "product-cache-2"].map((pod, i) => ({ pod, role: i === 0 ? "primary" : "replica", up: !down.includes(pod) })),
    ...figures,
  });

  it("is OK when healthy and UNKNOWN without figures or instances", () => {
    expect(cacheHealth(cache())).toEqual({ verdict: "OK", reasons: [] });
    expect(cacheHealth(undefined).verdict).toBe("UNKNOWN");
    expect(cacheHealth(cache({ instances: [] }))).toEqual({ verdict: "UNKNOWN", reasons: ["no instances reported"] });
  });

  it("counts instances down; the primary down is CRIT on its own", () => {
    expect(cacheHealth(cache({}, ["product-cache-2"]))).toEqual({ verdict: "WARN", reasons: ["1 of 3 instances down"] });
    expect(cacheHealth(cache({}, ["product-cache-1", "product-cache-2"]))).toEqual({ verdict: "CRIT", reasons: ["2 of 3 instances down"] });
    expect(cacheHealth(cache({}, ["product-cache-0"]))).toEqual({ verdict: "CRIT", reasons: ["primary product-cache-0 down", "1 of 3 instances down"] });
  });

  it("judges the hit ratio, but not on an idle cache", () => {
    expect(cacheHealth(cache({ hitRatio: 0.8 })).verdict).toBe("OK");
    expect(cacheHealth(cache({ hitRatio: 0.79 }))).toEqual({ verdict: "WARN", reasons: ["hit ratio 79% < 80%"] });
    expect(cacheHealth(cache({ hitRatio: 0.42 }))).toEqual({ verdict: "CRIT", reasons: ["hit ratio 42% < 50%"] });
    expect(cacheHealth(cache({ hitRatio: 0.5 })).verdict).toBe("WARN");
    expect(cacheHealth(cache({ hitRatio: 0, opsPerSecond: 0.5 })).verdict).toBe("OK");
  });

  it("judges memory against maxmemory, unless there is none", () => {
    expect(cacheHealth(cache({ memoryUsedBytes: 0.9 * GiB })).verdict).toBe("OK");
    expect(cacheHealth(cache({ memoryUsedBytes: 0.92 * GiB }))).toEqual({ verdict: "WARN", reasons: ["memory 92% of 1 GiB > 90%"] });
    // No crit level by default: a full cache that evicts is working as designed.
    expect(cacheHealth(cache({ memoryUsedBytes: GiB })).verdict).toBe("WARN");
    expect(cacheHealth(cache({ memoryUsedBytes: 3 * GiB, memoryMaxBytes: 0 })).verdict).toBe("OK");
    const strict = { ...DEFAULT_HEALTH_THRESHOLDS.caches, memoryUsedRatio: { warn: 0.8, crit: 0.95 } };
    expect(cacheHealth(cache({ memoryUsedBytes: 0.97 * GiB }), strict)).toEqual({ verdict: "CRIT", reasons: ["memory 97% of 1 GiB > 95%"] });
  });

  it("judges evictions", () => {
    expect(cacheHealth(cache({ evictionsPerSecond: 100 })).verdict).toBe("OK");
    expect(cacheHealth(cache({ evictionsPerSecond: 240 }))).toEqual({ verdict: "WARN", reasons: ["evicting 240 keys/s > 100 keys/s"] });
    expect(cacheHealth(cache({ evictionsPerSecond: 1500 }))).toEqual({ verdict: "CRIT", reasons: ["evicting 1,500 keys/s > 1,000 keys/s"] });
  });
});

describe("MongoDB cluster health", () => {
  const shard = (id: string, chunks: number, lags: [number, number] = [0.5, 0.8], extra: Partial<MongoShardStats> = {}): MongoShardStats => ({
    shard: id, chunks, draining: false,
    members: [
      { name: `${id}-0:27017`, state: "PRIMARY", replicationLagSeconds: 0 },
      { name: `${id}-1:27017`, state: "SECONDARY", replicationLagSeconds: lags[0] },
      { name: `${id}-2:27017`, state: "SECONDARY", replicationLagSeconds: lags[1] },
    ],
    ...extra,
  });
  const cluster = (shards: MongoShardStats[], figures: Partial<MongoClusterStats> = {}): MongoClusterStats => ({
    environment: "prod", region: "eu-west-1", cluster: "orders", up: true, balancerEnabled: true, shards, ...figures,
  });
  const balanced = [shard("rs0", 420), shard("rs1", 417), shard("rs2", 418)];

  it("is OK when balanced and replicating, UNKNOWN without figures", () => {
    expect(mongoClusterHealth(cluster(balanced))).toEqual({ verdict: "OK", reasons: [] });
    expect(mongoClusterHealth(undefined).verdict).toBe("UNKNOWN");
  });

  it("flags mongos down and the balancer off (at the configured severity)", () => {
    expect(mongoClusterHealth(cluster(balanced, { up: false }))).toEqual({ verdict: "CRIT", reasons: ["mongos down"] });
    expect(mongoClusterHealth(cluster(balanced, { balancerEnabled: false }))).toEqual({ verdict: "WARN", reasons: ["balancer off"] });
    expect(mongoClusterHealth(cluster(balanced, { balancerEnabled: false }), { ...DEFAULT_HEALTH_THRESHOLDS.mongoClusters, balancerOff: "OK" }).verdict).toBe("OK");
  });

  it("judges each shard's laggiest secondary, and a shard without a primary", () => {
    expect(mongoClusterHealth(cluster([shard("rs0", 420, [10, 2]), shard("rs1", 420)])).verdict).toBe("OK");
    expect(mongoClusterHealth(cluster([shard("rs0", 420, [3, 14]), shard("rs1", 420)]))).toEqual({ verdict: "WARN", reasons: ["replication lag 14 s on rs0-2:27017 > 10 s"] });
    expect(mongoClusterHealth(cluster([shard("rs0", 420), shard("rs1", 420, [61, 2])]))).toEqual({ verdict: "CRIT", reasons: ["replication lag 61 s on rs1-1:27017 > 60 s"] });
    const headless = shard("rs1", 420, [0.5, 0.5], { members: [{ name: "rs1-1:27017", state: "SECONDARY", replicationLagSeconds: 1 }] });
    expect(mongoClusterHealth(cluster([shard("rs0", 420), headless]))).toEqual({ verdict: "CRIT", reasons: ["rs1 has no primary"] });
  });

  it("judges the chunk spread against the mean, leaving a draining shard out", () => {
    // Spread 100 on a mean of 450: 22%.
    expect(mongoClusterHealth(cluster([shard("rs0", 500), shard("rs1", 400), shard("rs2", 450)]))).toEqual({
      verdict: "WARN", reasons: ["chunks uneven by 22% of the mean > 10%: rs0 has 500, rs1 400"],
    });
    // Spread 200 on a mean of 483: 41%.
    expect(mongoClusterHealth(cluster([shard("rs0", 600), shard("rs1", 400), shard("rs2", 450)])).verdict).toBe("CRIT");
    expect(mongoClusterHealth(cluster([shard("rs0", 420), shard("rs1", 418), shard("rs2", 0, undefined, { draining: true })])).verdict).toBe("OK");
  });

  it("never counts a spread the balancer itself tolerates", () => {
    expect(mongoMigrationThreshold(19)).toBe(2);
    expect(mongoMigrationThreshold(20)).toBe(4);
    expect(mongoMigrationThreshold(80)).toBe(8);
    // 3 and 1 chunks: a spread of 2, 100% of the mean, yet within MongoDB's threshold for small clusters.
    expect(mongoClusterHealth(cluster([shard("rs0", 3), shard("rs1", 1)])).verdict).toBe("OK");
    expect(mongoClusterHealth(cluster([shard("rs0", 4), shard("rs1", 1)])).verdict).toBe("CRIT");
  });
});

describe("Elasticsearch cluster health", () => {
  const es = (figures: Partial<ElasticsearchClusterStats> = {}): ElasticsearchClusterStats => ({
    environment: "prod", region: "eu-west-1", cluster: "search", status: "green", nodes: 5, activeShards: 40, relocatingShards: 0, unassignedShards: 0,
    heapUsedBytes: 20 * GiB, heapMaxBytes: 40 * GiB, ...figures,
  });

  it("maps the status at its configured severity", () => {
    expect(elasticsearchHealth(es())).toEqual({ verdict: "OK", reasons: [] });
    expect(elasticsearchHealth(es({ status: "yellow", unassignedShards: 2 }))).toEqual({ verdict: "WARN", reasons: ["status yellow, 2 shards unassigned"] });
    expect(elasticsearchHealth(es({ status: "red", unassignedShards: 1 }))).toEqual({ verdict: "CRIT", reasons: ["status red, 1 shard unassigned"] });
    expect(elasticsearchHealth(es({ status: "yellow", unassignedShards: 2 }), { ...DEFAULT_HEALTH_THRESHOLDS.elasticsearchClusters, yellow: "OK" }).verdict).toBe("OK");
  });

  it("judges unassigned shards when levels are set", () => {
    const levels = { ...DEFAULT_HEALTH_THRESHOLDS.elasticsearchClusters, unassignedShards: { warn: 1, crit: 10 } };
    expect(elasticsearchHealth(es({ status: "yellow", unassignedShards: 9 }), levels).verdict).toBe("WARN");
    expect(elasticsearchHealth(es({ status: "yellow", unassignedShards: 10 }), levels)).toEqual({
      verdict: "CRIT", reasons: ["10 shards unassigned ≥ 10", "status yellow, 10 shards unassigned"],
    });
  });

  it("judges the heap", () => {
    expect(elasticsearchHealth(es({ heapUsedBytes: 34 * GiB })).verdict).toBe("OK");
    expect(elasticsearchHealth(es({ heapUsedBytes: 36.4 * GiB }))).toEqual({ verdict: "WARN", reasons: ["heap 91% > 85%"] });
    expect(elasticsearchHealth(es({ heapUsedBytes: 38.4 * GiB }))).toEqual({ verdict: "CRIT", reasons: ["heap 96% > 95%"] });
  });

  it("is CRIT with no node up and UNKNOWN without figures", () => {
    expect(elasticsearchHealth(es({ nodes: 0, heapMaxBytes: 0, heapUsedBytes: 0, status: "red" }))).toEqual({ verdict: "CRIT", reasons: ["no node up"] });
    expect(elasticsearchHealth(undefined).verdict).toBe("UNKNOWN");
  });
});
