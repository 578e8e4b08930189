// The Redis, MongoDB and Elasticsearch figures read through a real Prometheus scraping the
// fleet simulator, compared with the simulator's own answers (its ground truth) for every
// entity and field, in steady state and through scenario incidents.
//
// How the comparison can be exact: the test drives the simulator's clock itself, stepping
// half a second away from Prometheus's scrapes, and keeps the simulator's answers after every
// step. Every scrape then sees exactly one step more than the one before, so
// - a gauge Prometheus returns is the simulator's value after one of its last few steps, exactly;
// - a rate over the 5 s window is the mean of the simulator's per-second figures of the four
//   steps between the window's first and last scrape, up to the rounding of the counters.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrometheusDatastoreMetrics } from "../../server/adapters/prometheus/datastore-metrics";
import { vectorSamples } from "../../server/adapters/prometheus/results";
import type { CacheStats, ElasticsearchClusterStats, MongoClusterStats } from "../../server/domain/ports";
import { waitUntil } from "../helpers/prometheus";
import { startSimulatedPrometheus, type SimulatedPrometheus } from "../helpers/simulated-prometheus";

interface Snapshot {
  caches: CacheStats[];
  mongo: MongoClusterStats[];
  elasticsearch: ElasticsearchClusterStats[];
}

/**
 * Steps the simulator once a second at `phaseMs` past the second, and keeps its answers after
 * each step (they are computed synchronously, right after the step, so each is one state).
 */
class SteppedClock {
  readonly snapshots: Snapshot[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly sim: SimulatedPrometheus,
    private readonly phaseMs: number,
  ) {}

  start(): void {
    this.sim.platform.fleet.stop();
    this.record();
    this.scheduleNext();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  /** The simulator's answers after its last `count` steps, oldest first. */
  recent(count: number): Snapshot[] {
    return this.snapshots.slice(-count);
  }

  private scheduleNext(): void {
    const now = Date.now();
    const delay = (this.phaseMs - (now % 1000) + 1000) % 1000 || 1000;
    this.timer = setTimeout(() => {
      this.sim.platform.fleet.tick(Date.now());
      this.record();
      this.scheduleNext();
    }, delay);
  }

  private record(): void {
    const metrics = this.sim.platform.metrics;
    // The simulated source answers from the state at the call; the promises only carry it.
    const answers = Promise.all([metrics.caches(), metrics.mongoClusters(), metrics.elasticsearchClusters()]);
    void answers.then(([caches, mongo, elasticsearch]) => {
      this.snapshots.push({ caches, mongo, elasticsearch });
      if (this.snapshots.length > 60) this.snapshots.shift();
    });
  }
}

// Gauges: the state Prometheus answers with is at most about two steps old (the last scrape
// before the query's evaluation time, itself the start of the current second); five steps leave a margin.
const GAUGE_STEPS = 5;
// Rates: the window's scrapes span the 4 steps before its last scrape, which is up to about two
// steps old; eight steps cover them with a margin.
const RATE_STEPS = 8;

/** Rates of counters: whole numbers over four seconds; scrapes up to 80 ms late (see expectRate). */
const COUNTER_RATE = { absolute: 0.25, relative: 0.02 };

/** Prometheus's gauge is the simulator's value after one of its last steps (within `tolerance`). */
function expectGauge(actual: number, history: readonly number[], what: string, tolerance = 0): void {
  const nearest = history.reduce((best, value) => (Math.abs(value - actual) < Math.abs(best - actual) ? value : best), Number.POSITIVE_INFINITY);
  expect(Math.abs(actual - nearest), `${what}: Prometheus ${actual}, the simulator's last steps ${history.join(", ")}`).toBeLessThanOrEqual(tolerance);
}

/**
 * Prometheus's rate is the mean of the simulator's per-second figures over the steps between
 * the window's first and last scrape: four consecutive steps among the last ones (three or five
 * when a scrape at an end of the window came late or not at all). Tolerances:
 * - `absolute`, for counters the exposition writes as whole numbers: the increase over the
 *   window is off by less than 1, a rate by less than 1/4 per second;
 * - `relative`, for the scrapes' timing: the increase of four steps is divided by the time
 *   between the first and last scrape's timestamps, 4 s when scrapes run on time, but a scrape
 *   delayed by a busy machine moves it by its delay (20 ms is 0.5 %). Ratios of two rates cancel it.
 */
function expectRate(
  actual: number,
  perStep: readonly number[],
  what: string,
  tolerance: { absolute: number; relative: number },
  weights: readonly number[] = perStep.map(() => 1),
): void {
  const means: number[] = [];
  for (let length = 3; length <= 5; length++) {
    for (let start = 0; start + length <= perStep.length; start++) {
      const weight = weights.slice(start, start + length);
      const total = weight.reduce((sum, value) => sum + value, 0);
      means.push(perStep.slice(start, start + length).reduce((sum, value, i) => sum + value * (weight[i] ?? 0), 0) / total);
    }
  }
  const nearest = means.reduce((best, mean) => (Math.abs(mean - actual) < Math.abs(best - actual) ? mean : best), Number.POSITIVE_INFINITY);
  const message = `${what}: Prometheus ${actual}, the simulator's last steps ${perStep.join(", ")}`;
  expect(Math.abs(actual - nearest), message).toBeLessThanOrEqual(tolerance.absolute + tolerance.relative * Math.abs(nearest));
}

const entityKey = (entity: { cluster: string; region: string }) => `${entity.cluster}@${entity.region}`;

/**
 * The simulator lists its entities in catalog order, which Prometheus cannot know; the adapter
 * sorts by name, then region (names with numbers in natural order).
 */
function inOurOrder(entities: ReadonlyArray<{ cluster: string; region: string }>): string[] {
  const natural = new Intl.Collator("en", { numeric: true }).compare;
  return [...entities].sort((a, b) => natural(a.cluster, b.cluster) || natural(a.region, b.region)).map(entityKey);
}

function compareCaches(ours: readonly CacheStats[], steps: readonly Snapshot[]): void {
  expect(ours.map(entityKey)).toEqual(inOurOrder(steps.at(-1)?.caches ?? []));
  for (const cache of ours) {
    const what = (field: string) => `${entityKey(cache)} ${field}`;
    const history = (count: number) => steps.slice(-count).flatMap((step) => step.caches.filter((entry) => entityKey(entry) === entityKey(cache)));
    const truth = history(1)[0];
    expect(cache.environment).toBe(truth?.environment);
    expect(cache.instances).toEqual(truth?.instances);
    const gauges = history(GAUGE_STEPS);
    expectGauge(cache.keys, gauges.map((entry) => entry.keys), what("keys"));
    expectGauge(cache.memoryUsedBytes, gauges.map((entry) => entry.memoryUsedBytes), what("memoryUsedBytes"));
    expectGauge(cache.memoryMaxBytes, gauges.map((entry) => entry.memoryMaxBytes), what("memoryMaxBytes"));
    expectGauge(cache.connectedClients, gauges.map((entry) => entry.connectedClients), what("connectedClients"));
    const rates = history(RATE_STEPS);
    // The window's ratio is its hits over its lookups, so the steps' ratios weigh by their lookups
    // (ops = lookups + misses = lookups × (2 − ratio)). Across a flush that matters: a step at 0
    // among three at 0.95 moves the unweighted mean by about 2e-4 for 1 % more lookups in it.
    // Hits and misses are whole numbers too: each is off by less than 1 over the window's lookups,
    // so the ratio by less than 1 / lookups; twice that, as the window's lookups are estimated from its last step.
    const lookups = rates.map((entry) => entry.opsPerSecond / (2 - entry.hitRatio));
    const lookupsInWindow = (4 * (truth?.opsPerSecond ?? 0)) / (2 - (truth?.hitRatio ?? 0));
    expectRate(cache.hitRatio, rates.map((entry) => entry.hitRatio), what("hitRatio"), { absolute: 2 / lookupsInWindow, relative: 0 }, lookups);
    expectRate(cache.evictionsPerSecond, rates.map((entry) => entry.evictionsPerSecond), what("evictionsPerSecond"), COUNTER_RATE);
    expectRate(cache.opsPerSecond, rates.map((entry) => entry.opsPerSecond), what("opsPerSecond"), COUNTER_RATE);
  }
}

function compareMongo(ours: readonly MongoClusterStats[], steps: readonly Snapshot[], options: { draining?: "compare" | "skip" } = {}): void {
  expect(ours.map(entityKey)).toEqual(inOurOrder(steps.at(-1)?.mongo ?? []));
  for (const cluster of ours) {
    const gauges = steps.slice(-GAUGE_STEPS).flatMap((step) => step.mongo.filter((truth) => entityKey(truth) === entityKey(cluster)));
    const truth = gauges.at(-1);
    expect(cluster.environment).toBe(truth?.environment);
    expect(gauges.map((entry) => entry.up)).toContain(cluster.up);
    expect(gauges.map((entry) => entry.balancerEnabled)).toContain(cluster.balancerEnabled);
    expect(cluster.shards.map((shard) => shard.shard)).toEqual(truth?.shards.map((shard) => shard.shard));
    for (const shard of cluster.shards) {
      const shardHistory = gauges.flatMap((entry) => entry.shards.filter((candidate) => candidate.shard === shard.shard));
      const what = (field: string) => `${entityKey(cluster)} ${shard.shard} ${field}`;
      expectGauge(shard.chunks, shardHistory.map((entry) => entry.chunks), what("chunks"));
      if (options.draining !== "skip") expect(shard.draining, what("draining")).toBe(shardHistory.at(-1)?.draining);
      expect(shard.members.map(({ name, state }) => ({ name, state }))).toEqual(shardHistory.at(-1)?.members.map(({ name, state }) => ({ name, state })));
      for (const member of shard.members) {
        const lags = shardHistory.flatMap((entry) => entry.members.filter((candidate) => candidate.name === member.name).map((candidate) => candidate.replicationLagSeconds));
        expectGauge(member.replicationLagSeconds, lags, what(`${member.name} replicationLagSeconds`));
      }
    }
  }
}

function compareElasticsearch(ours: readonly ElasticsearchClusterStats[], steps: readonly Snapshot[]): void {
  expect(ours.map(entityKey)).toEqual(inOurOrder(steps.at(-1)?.elasticsearch ?? []));
  for (const cluster of ours) {
    const gauges = steps.slice(-GAUGE_STEPS).flatMap((step) => step.elasticsearch.filter((truth) => entityKey(truth) === entityKey(cluster)));
    const what = (field: string) => `${entityKey(cluster)} ${field}`;
    expect(cluster.environment).toBe(gauges.at(-1)?.environment);
    expect(gauges.map((entry) => entry.status)).toContain(cluster.status);
    expectGauge(cluster.nodes, gauges.map((entry) => entry.nodes), what("nodes"));
    expectGauge(cluster.activeShards, gauges.map((entry) => entry.activeShards), what("activeShards"));
    expectGauge(cluster.relocatingShards, gauges.map((entry) => entry.relocatingShards), what("relocatingShards"));
    expectGauge(cluster.unassignedShards, gauges.map((entry) => entry.unassignedShards), what("unassignedShards"));
    // The exposition rounds each node's heap to a byte, the simulator rounds the sum: up to half
    // a byte per node apart.
    expectGauge(cluster.heapUsedBytes, gauges.map((entry) => entry.heapUsedBytes), what("heapUsedBytes"), cluster.nodes / 2);
    expectGauge(cluster.heapMaxBytes, gauges.map((entry) => entry.heapMaxBytes), what("heapMaxBytes"));
  }
}

describe("Redis, MongoDB and Elasticsearch figures from PromQL, against the simulator's own", () => {
  let sim: SimulatedPrometheus;
  let clock: SteppedClock;
  let metrics: PrometheusDatastoreMetrics;

  beforeAll(async () => {
    sim = await startSimulatedPrometheus();
    metrics = new PrometheusDatastoreMetrics(sim.scope, sim.reader);
    const [lastScrape] = vectorSamples(await sim.client.query('timestamp(up{job="scaleplane-simulator"})'));
    if (!lastScrape) throw new Error("Prometheus has not scraped the simulator");
    const scrapePhaseMs = Math.round(lastScrape.value * 1000) % 1000;
    clock = new SteppedClock(sim, (scrapePhaseMs + 500) % 1000);
    clock.start();
    // Rate windows made only of scrapes of the test's own steps.
    await sim.waitForScrapes(7);
  });

  afterAll(async () => {
    clock?.stop();
    await sim?.stop();
  });

  it("reads every cache as the simulator has it, in nine queries", async () => {
    const before = sim.cache.stats.requests;
    const answer = await metrics.caches();
    expect(sim.cache.stats.requests - before).toBe(9);
    expect(answer.stale).toBe(false);
    expect(answer.value.length).toBeGreaterThan(0);
    compareCaches(answer.value, clock.recent(RATE_STEPS));
  });

  it("reads every MongoDB cluster as the simulator has it, in six queries", async () => {
    const before = sim.cache.stats.requests;
    const answer = await metrics.mongoClusters();
    expect(sim.cache.stats.requests - before).toBe(6);
    expect(answer.stale).toBe(false);
    expect(answer.value.length).toBeGreaterThan(0);
    compareMongo(answer.value, clock.recent(RATE_STEPS));
  });

  it("reads every Elasticsearch cluster as the simulator has it, in seven queries", async () => {
    const before = sim.cache.stats.requests;
    const answer = await metrics.elasticsearchClusters();
    expect(sim.cache.stats.requests - before).toBe(7);
    expect(answer.stale).toBe(false);
    expect(answer.value.length).toBeGreaterThan(0);
    compareElasticsearch(answer.value, clock.recent(RATE_STEPS));
  });

  it("shows a cache flush: the keys gone and the hit ratio down, as in the simulator", async () => {
    const before = (await metrics.caches()).value;
    sim.platform.fleet.injectIncident({ scenario: "cache flush", durationSeconds: 30 });
    // Without a target the simulator's first cache is flushed, in every region.
    const target = clock.recent(1)[0]?.caches[0]?.cluster;
    const flushed = new Map(before.filter((cache) => cache.cluster === target).map((cache) => [entityKey(cache), cache]));
    expect(flushed.size).toBeGreaterThan(0);
    const during = await waitUntil(async () => {
      const caches = (await metrics.caches()).value;
      const emptied = caches.filter((cache) => cache.keys < (flushed.get(entityKey(cache))?.keys ?? 0) / 2);
      return emptied.length === flushed.size ? caches : undefined;
    }, 10_000, "the flush in Prometheus");
    compareCaches(during, clock.recent(RATE_STEPS));
    for (const cache of during) {
      const earlier = flushed.get(entityKey(cache));
      // The window mixes steps before the flush with at least one after it, at a ratio of 0.
      if (earlier) expect(cache.hitRatio, entityKey(cache)).toBeLessThan(earlier.hitRatio - 0.1);
    }
  });

  it("shows a shard imbalance: the balancer off, as in the simulator", async () => {
    const before = (await metrics.mongoClusters()).value;
    expect(before[0]?.balancerEnabled).toBe(true);
    sim.platform.fleet.injectIncident({ scenario: "shard imbalance", durationSeconds: 30 });
    const during = await waitUntil(async () => {
      const clusters = (await metrics.mongoClusters()).value;
      return clusters[0]?.balancerEnabled === false ? clusters : undefined;
    }, 10_000, "the balancer off in Prometheus");
    compareMongo(during, clock.recent(RATE_STEPS));
  });

  it("marks shards draining only when the count says which: none or all of them", async () => {
    const cluster = (await metrics.mongoClusters()).value[0];
    if (!cluster) throw new Error("no MongoDB cluster");
    const [first, ...others] = cluster.shards;
    if (!first) throw new Error("no shard");
    const drainingTotal = async () => vectorSamples(await sim.client.query("mongodb_mongos_sharding_shards_draining_total")).at(0)?.value;

    // One of several: the exporter counts it, but cannot say which; no shard is marked.
    sim.platform.fleet.drainShard(cluster.cluster, first.shard);
    await waitUntil(async () => (await drainingTotal()) === 1, 10_000, "one draining shard in Prometheus");
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the next cache interval
    const one = (await metrics.mongoClusters()).value;
    expect(one[0]?.shards.map((shard) => shard.draining)).toEqual(cluster.shards.map(() => false));
    expect(clock.recent(1)[0]?.mongo[0]?.shards.filter((shard) => shard.draining).map((shard) => shard.shard)).toEqual([first.shard]);
    compareMongo(one, clock.recent(RATE_STEPS), { draining: "skip" });

    // Every shard: the count says it of each.
    for (const shard of others) sim.platform.fleet.drainShard(cluster.cluster, shard.shard);
    const all = await waitUntil(async () => {
      const clusters = (await metrics.mongoClusters()).value;
      return clusters[0]?.shards.every((shard) => shard.draining) ? clusters : undefined;
    }, 10_000, "every shard draining in Prometheus");
    compareMongo(all, clock.recent(RATE_STEPS));
  });
});
