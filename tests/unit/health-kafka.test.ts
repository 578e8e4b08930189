import { describe, expect, it } from "vitest";
import { consumerGroupHealth, kafkaClusterHealth, observeGroup, timeToDrainSeconds, topicHealth, type BurrowWindow } from "@/server/domain/health";
import type { ConsumerGroupLag, KafkaClusterStats, TopicStats } from "@/server/domain/ports";

const T0 = Date.UTC(2025, 0, 15, 9, 0, 0);
const MIN = 60_000;

describe("Kafka cluster health", () => {
  const cluster = (brokers: number, underReplicatedPartitions = 0): KafkaClusterStats => ({
    environment: "prod", region: "eu-west-1", cluster: "events", brokers, topics: 12, partitions: 120, underReplicatedPartitions,
  });

  it("counts brokers down against the brokers it should have", () => {
    expect(kafkaClusterHealth(cluster(3), undefined, 3)).toEqual({ verdict: "OK", reasons: [] });
    expect(kafkaClusterHealth(cluster(2), undefined, 3)).toEqual({ verdict: "WARN", reasons: ["1 of 3 brokers down"] });
    expect(kafkaClusterHealth(cluster(1), undefined, 3)).toEqual({ verdict: "CRIT", reasons: ["2 of 3 brokers down"] });
    // Without the expected count only "none up" can be judged.
    expect(kafkaClusterHealth(cluster(1)).verdict).toBe("OK");
    expect(kafkaClusterHealth(cluster(1), { brokersDown: { warn: 0, crit: null }, underReplicatedPartitions: { warn: null, crit: null } }).verdict).toBe("OK");
    expect(kafkaClusterHealth(cluster(0))).toEqual({ verdict: "CRIT", reasons: ["no broker up"] });
  });

  it("flags under-replicated partitions", () => {
    expect(kafkaClusterHealth(cluster(3, 4), undefined, 3)).toEqual({ verdict: "WARN", reasons: ["4 of 120 partitions under-replicated"] });
    expect(kafkaClusterHealth(cluster(3, 4), { brokersDown: { warn: 1, crit: 2 }, underReplicatedPartitions: { warn: 1, crit: 4 } }).verdict).toBe("CRIT");
    expect(kafkaClusterHealth(undefined).verdict).toBe("UNKNOWN");
  });
});

describe("topic health", () => {
  const topic = (figures: Partial<TopicStats>): TopicStats => ({
    environment: "prod", region: "eu-west-1", cluster: "events", topic: "orders", partitions: 12,
    producedPerSecond: 800, underReplicatedPartitions: 0, retainedMessages: 1_000_000, deadLetterOf: null, ...figures,
  });

  it("flags under-replicated partitions", () => {
    expect(topicHealth(topic({}))).toEqual({ verdict: "OK", reasons: [] });
    expect(topicHealth(topic({ underReplicatedPartitions: 3 }))).toEqual({ verdict: "WARN", reasons: ["3 of 12 partitions under-replicated"] });
  });

  it("judges a dead-letter topic's inflow, a background trickle being fine", () => {
    const dlq = (producedPerSecond: number) => topic({ topic: "orders.dlq", deadLetterOf: "orders", producedPerSecond });
    expect(topicHealth(dlq(0.4)).verdict).toBe("OK");
    expect(topicHealth(dlq(1)).verdict).toBe("OK");
    expect(topicHealth(dlq(3.2))).toEqual({ verdict: "WARN", reasons: ["dead letters from orders at 3.2 msg/s > 1 msg/s"] });
    expect(topicHealth(dlq(12))).toEqual({ verdict: "CRIT", reasons: ["dead letters from orders at 12 msg/s > 10 msg/s"] });
    // The same rate into an ordinary topic is just traffic.
    expect(topicHealth(topic({ producedPerSecond: 12 })).verdict).toBe("OK");
  });
});

describe("consumer group health", () => {
  const group = (partitions: Array<[committed: number, logEnd: number]>, members = 2): ConsumerGroupLag => ({
    environment: "prod", region: "eu-west-1", cluster: "events", group: "fulfilment", topic: "orders", members,
    deployment: { namespace: "orders", name: "fulfilment-worker" }, consumedPerSecond: 50,
    totalLag: partitions.reduce((sum, [c, e]) => sum + e - c, 0),
    partitions: partitions.map(([committedOffset, logEndOffset], partition) => ({ partition, committedOffset, logEndOffset, lag: logEndOffset - committedOffset })),
  });

  /** The group's windows after one poll a minute of each set of figures. */
  const history = (polls: ConsumerGroupLag[]) =>
    polls.reduce((windows, poll, i) => observeGroup(windows, poll, T0 + i * MIN, 10), new Map<number, BurrowWindow>());

  /** Five polls where each partition's lag falls by `fall` a minute, ending at `lagNow`. */
  const draining = (lags: Array<{ lagNow: number; fall: number }>) =>
    [0, 1, 2, 3, 4].map((i) => group(lags.map(({ lagNow, fall }) => [100_000 + 1000 * i, 100_000 + 1000 * i + lagNow + fall * (4 - i)])));

  it("is UNKNOWN without figures", () => {
    expect(consumerGroupHealth(undefined, undefined)).toMatchObject({ verdict: "UNKNOWN", reasons: ["no lag figures for this group"], timeToDrainSeconds: null });
  });

  it("is the Burrow verdict of its partitions' windows", () => {
    // Partition 0 stuck at 1,000 (lag 100 … 500); partition 1 moving but falling behind (lag 20 … 60).
    const polls = [0, 1, 2, 3, 4].map((i) => group([[1000, 1100 + 100 * i], [5000 + 10 * i, 5020 + 20 * i]]));
    const health = consumerGroupHealth(polls[4], history(polls));
    expect(health).toMatchObject({ verdict: "CRIT", status: "STALL", totalLag: 560, timeToDrainSeconds: null });
    expect(health.reasons).toEqual(["partition 0: committed offset 1,000 unchanged over 4 min, lag 500", "partition 1: lag 60 and not decreasing over 4 min"]);
    expect(health.partitions.map((p) => p.status)).toEqual(["STALL", "WARN"]);
  });

  it("is UNKNOWN before the poller observed it, STOP at once when it has no consumers and lag", () => {
    const figures = group([[1000, 1400]]);
    expect(consumerGroupHealth(figures, undefined)).toMatchObject({ verdict: "UNKNOWN", reasons: ["partition 0: no offsets observed yet"] });
    expect(consumerGroupHealth(group([[1000, 1400]], 0), history([group([[1000, 1400]], 0)]))).toMatchObject({
      verdict: "CRIT", status: "STOP", reasons: ["partition 0: no consumers, lag 400"],
    });
  });

  it("judges the total lag when a level is set (off by default), over an unknown Burrow verdict too", () => {
    const figures = group([[1000, 13_400], [0, 0]]);
    const levels = { windowSize: 10, minObservations: 5, totalLag: { warn: 10_000, crit: 100_000 }, timeToDrainSeconds: { warn: null, crit: null } };
    expect(consumerGroupHealth(figures, undefined).verdict).toBe("UNKNOWN");
    const health = consumerGroupHealth(figures, undefined, levels);
    expect(health.verdict).toBe("WARN");
    expect(health.reasons).toContain("total lag 12,400 ≥ 10,000");
  });

  it("clamps each partition's lag at zero in the total", () => {
    const figures = group([[1000, 1400], [900, 800]]);
    expect(consumerGroupHealth(figures, undefined).totalLag).toBe(400);
  });

  it("takes the time to drain from the slowest partition, at the rate its lag fell over the window", () => {
    // Partition 0: 9,000 left falling 250 a minute (36 min); partition 1: 2,000 left falling 1,000 a minute (2 min).
    const polls = draining([{ lagNow: 9000, fall: 250 }, { lagNow: 2000, fall: 1000 }]);
    const windows = history(polls);
    expect(timeToDrainSeconds(windows)).toBeCloseTo(36 * 60, 6);
    const health = consumerGroupHealth(polls[4], windows);
    expect(health).toMatchObject({ verdict: "WARN", status: "OK", totalLag: 11_000 });
    expect(health.reasons).toEqual(["lag 11,000 takes 36 min to drain > 15 min"]);
  });

  it("judges the time to drain at its levels: 15 min is fine, over an hour CRIT", () => {
    // Falling 240 a minute: 4 a second.
    const at = (lagNow: number) => {
      const polls = draining([{ lagNow, fall: 240 }]);
      return consumerGroupHealth(polls[4], history(polls));
    };
    expect(at(3600)).toMatchObject({ verdict: "OK", timeToDrainSeconds: 900 });
    expect(at(3604)).toMatchObject({ verdict: "WARN", timeToDrainSeconds: 901 });
    expect(at(14_400).verdict).toBe("WARN");
    expect(at(14_640)).toMatchObject({ verdict: "CRIT", reasons: ["lag 14,640 takes 1 h 1 min to drain > 1 h"] });
  });

  it("has no time to drain when a lagging partition does not drain or is not judged yet", () => {
    const growing = [0, 1, 2, 3, 4].map((i) => group([[1000 + 10 * i, 2000 + 100 * i]]));
    expect(timeToDrainSeconds(history(growing))).toBeNull();
    expect(timeToDrainSeconds(history(draining([{ lagNow: 2000, fall: 1000 }]).slice(0, 4)))).toBeNull();
    expect(timeToDrainSeconds(undefined)).toBeNull();
    expect(timeToDrainSeconds(history([group([[500, 500]])]))).toBe(0);
  });
});
