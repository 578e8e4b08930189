// The Kafka figures read through a real Prometheus scraping the ticking fleet simulator,
// compared with the simulator's own answers (its ground truth) for every cluster, topic,
// consumer group and partition: the same entities, the same gauges and rates within what
// a scrape's age and a 5 s rate window allow, and a broker outage seen the same way.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CachedPrometheus, createQueryCache } from "../../server/adapters/prometheus/cache";
import { PrometheusKafkaMetrics } from "../../server/adapters/prometheus/kafka-metrics";
import type { KafkaClusterStats, TopicStats } from "../../server/domain/ports";
import { waitUntil } from "../helpers/prometheus";
import { startSimulatedPrometheus, TEST_RATE_WINDOW_SECONDS, type SimulatedPrometheus } from "../helpers/simulated-prometheus";

/**
 * How far behind the simulator a Prometheus figure may be: the query is evaluated at the start
 * of the current 1 s cache interval (up to 1 s ago), the last scrape before that is up to 1 s
 * older, the tick it saw up to 1 s older again, plus the query's own time. Offsets move by at
 * most their topic's rate times this (and 1 for the flooring of fractional offsets).
 */
const SCRAPE_AGE_SECONDS = 4;

/**
 * A 5 s rate window over 1 s scrapes holds about 5 samples spanning 4 s. The simulator ticks
 * and Prometheus scrapes on independent 1 s timers, so those 4 s can hold one tick more or less
 * than 4 (25 %); the traffic also drifts by its noise (±5 %) within the window. Offsets are
 * floored, so each partition's increase can be off by 1 message over those 4 s.
 */
function rateTolerance(rate: number, partitions: number): number {
  return 0.3 * rate + partitions / (TEST_RATE_WINDOW_SECONDS - 1);
}

const clusterKey = (entry: { region: string; cluster: string }) => `${entry.region}/${entry.cluster}`;

/** The adapter's order: by these fields, one after the other. */
function sortedBy<T>(entries: readonly T[], ...fields: Array<keyof T & string>): T[] {
  return [...entries].sort((a, b) => {
    for (const field of fields) {
      const order = String(a[field]).localeCompare(String(b[field]));
      if (order !== 0) return order;
    }
    return 0;
  });
}
const sortedClusters = (clusters: readonly KafkaClusterStats[]) => sortedBy(clusters, "region", "cluster");
const topicKey = (entry: { region: string; cluster: string; topic: string }) => `${clusterKey(entry)}/${entry.topic}`;
const groupKey = (entry: { region: string; cluster: string; topic: string; group: string }) => `${topicKey(entry)}/${entry.group}`;

function byKey<T>(entries: readonly T[], key: (entry: T) => string): Map<string, T> {
  return new Map(entries.map((entry) => [key(entry), entry]));
}

/** `actual` lies in [expected - below, expected + above]; the message names the figure. */
function expectWithin(actual: number, expected: number, below: number, above: number, what: string): void {
  expect(actual, `${what}: ${actual} vs the simulator's ${expected}`).toBeGreaterThanOrEqual(expected - below);
  expect(actual, `${what}: ${actual} vs the simulator's ${expected}`).toBeLessThanOrEqual(expected + above);
}

describe("Kafka figures from PromQL, compared with the simulator", () => {
  let simulated: SimulatedPrometheus;
  let kafka: PrometheusKafkaMetrics;

  beforeAll(async () => {
    simulated = await startSimulatedPrometheus();
    kafka = new PrometheusKafkaMetrics(simulated.scope, simulated.reader);
  }, 60_000);

  afterAll(async () => {
    await simulated?.stop();
  });

  it("reads every consumer group's lag per partition, members, rate and deployment", async () => {
    const answer = await kafka.consumerGroupLag();
    // The truth afterwards: Prometheus's offsets are older, never newer.
    const truth = await simulated.platform.metrics.consumerGroupLag();
    const topics = byKey(await simulated.platform.metrics.topics(), topicKey);
    expect(answer.stale).toBe(false);
    const read = byKey(answer.value, groupKey);
    expect([...read.keys()].sort()).toEqual(truth.map(groupKey).sort());
    expect(truth.length).toBeGreaterThan(0);
    expect(answer.value).toEqual(sortedBy(answer.value, "region", "cluster", "topic", "group"));

    for (const expected of truth) {
      const actual = read.get(groupKey(expected));
      const name = groupKey(expected);
      if (!actual) throw new Error(`no answer for ${name}`);
      expect(actual).toMatchObject({ environment: "demo", region: expected.region, cluster: expected.cluster, group: expected.group, topic: expected.topic });
      expect(actual.deployment, name).toEqual(expected.deployment);
      expect(actual.members, name).toBe(expected.members);
      const produced = topics.get(topicKey(expected))?.producedPerSecond ?? 0;
      expectWithin(actual.consumedPerSecond, expected.consumedPerSecond, rateTolerance(expected.consumedPerSecond, expected.partitions.length), rateTolerance(expected.consumedPerSecond, expected.partitions.length), `${name} consumed/s`);

      expect(actual.partitions.map((p) => p.partition), name).toEqual(expected.partitions.map((p) => p.partition));
      // A partition moves at most as fast as its whole topic; lag by what arrives or leaves.
      const offsetDrift = SCRAPE_AGE_SECONDS * Math.max(produced, expected.consumedPerSecond) + 1;
      const lagDrift = SCRAPE_AGE_SECONDS * (produced + expected.consumedPerSecond) + 2;
      expected.partitions.forEach((truePartition, index) => {
        const partition = actual.partitions[index];
        const where = `${name}#${truePartition.partition}`;
        if (!partition) throw new Error(`no partition ${where}`);
        expectWithin(partition.logEndOffset, truePartition.logEndOffset, offsetDrift, 0, `${where} log end`);
        expectWithin(partition.committedOffset, truePartition.committedOffset, offsetDrift, 0, `${where} committed`);
        expectWithin(partition.lag, truePartition.lag, lagDrift, lagDrift, `${where} lag`);
      });
      expect(actual.totalLag, name).toBe(actual.partitions.reduce((total, p) => total + p.lag, 0));
      expectWithin(actual.totalLag, expected.totalLag, lagDrift * expected.partitions.length, lagDrift * expected.partitions.length, `${name} total lag`);
    }
  });

  it("reads every topic's partitions, production, replication and retention", async () => {
    const answer = await kafka.topics();
    const truth = await simulated.platform.metrics.topics();
    expect(answer.stale).toBe(false);
    const read = byKey(answer.value, topicKey);
    expect([...read.keys()].sort()).toEqual(truth.map(topicKey).sort());
    expect(answer.value).toEqual(sortedBy(answer.value, "region", "cluster", "topic"));
    expect(truth.some((topic) => topic.deadLetterOf !== null)).toBe(true);

    for (const expected of truth) {
      const actual = read.get(topicKey(expected));
      const name = topicKey(expected);
      if (!actual) throw new Error(`no answer for ${name}`);
      expect(actual).toMatchObject({
        environment: "demo", region: expected.region, cluster: expected.cluster, topic: expected.topic,
        partitions: expected.partitions, underReplicatedPartitions: expected.underReplicatedPartitions, deadLetterOf: expected.deadLetterOf,
      } satisfies Partial<TopicStats>);
      const tolerance = rateTolerance(expected.producedPerSecond, expected.partitions);
      expectWithin(actual.producedPerSecond, expected.producedPerSecond, tolerance, tolerance, `${name} produced/s`);
      // Log ends advance at the current rate, oldest offsets at the topic's mean rate (retention),
      // which is at most 1/0.6 of the current one (diurnal ±35 %, noise ±5 %): within 3× the rate.
      const retainedDrift = SCRAPE_AGE_SECONDS * 3 * expected.producedPerSecond + expected.partitions;
      expectWithin(actual.retainedMessages, expected.retainedMessages, retainedDrift, retainedDrift, `${name} retained`);
    }
  });

  it("reads every cluster's brokers, topics and partitions", async () => {
    const answer = await kafka.kafkaClusters();
    const truth = await simulated.platform.metrics.kafkaClusters();
    expect(answer.stale).toBe(false);
    expect(truth.length).toBeGreaterThan(0);
    expect(answer.value).toEqual(sortedClusters(truth));
  });

  it("shares the topics' queries with the clusters' and sends the same number whatever the fleet's size", async () => {
    // A reader of its own whose clock stands still: every call falls into one cache interval.
    const now = Date.now();
    const cache = createQueryCache({ scrapeIntervalSeconds: 1, now: () => now });
    try {
      const reader = new CachedPrometheus(simulated.client, cache, () => now);
      const own = new PrometheusKafkaMetrics(simulated.scope, reader);
      await Promise.all([own.topics(), own.kafkaClusters()]);
      expect(cache.stats.fetches).toBe(4 + 1); // the clusters add kafka_brokers only
      await own.consumerGroupLag();
      expect(cache.stats.fetches).toBe(5 + 6);
    } finally {
      await cache.close();
    }
  });

  it("shows a broker going down as the simulator does: one broker fewer, under-replicated partitions", async () => {
    const before = byKey((await kafka.kafkaClusters()).value, clusterKey);
    simulated.platform.fleet.injectIncident({ scenario: "broker down", durationSeconds: 60 });
    const outage = await waitUntil(async () => {
      const clusters = (await kafka.kafkaClusters()).value;
      return clusters.every((cluster) => cluster.brokers === (before.get(clusterKey(cluster))?.brokers ?? 0) - 1) ? clusters : null;
    }, 15_000, "Prometheus to see the broker down");
    const truth = await simulated.platform.metrics.kafkaClusters();
    expect(outage).toEqual(sortedClusters(truth));
    for (const cluster of outage) expect(cluster.underReplicatedPartitions, clusterKey(cluster)).toBeGreaterThan(0);

    const topics = (await kafka.topics()).value;
    const trueTopics = byKey(await simulated.platform.metrics.topics(), topicKey);
    expect(topics.some((topic) => topic.underReplicatedPartitions > 0)).toBe(true);
    for (const topic of topics) expect(topic.underReplicatedPartitions, topicKey(topic)).toBe(trueTopics.get(topicKey(topic))?.underReplicatedPartitions);
  }, 30_000);
});
