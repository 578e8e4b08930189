import { describe, expect, it, vi } from "vitest";
import type { ConsumerGroupDescription, OffsetResetTarget, PartitionOffset, ReplayProgress, ReplaySpec, TopicDescription } from "@/server/domain/action-ports";
import { consumerGroupResetOffsets, MANY_REPROCESSED, type ConsumerGroupResetOffsetsParams, type OffsetReset } from "@/server/domain/actions/consumer-group-reset-offsets";
import { consumerGroupScale } from "@/server/domain/actions/consumer-group-scale";
import { dlqReplay } from "@/server/domain/actions/dlq-replay";
import { retainedMessages } from "@/server/domain/actions/kafka-ref";
import { ActionRefused } from "@/server/domain/actions/kind";
import { topicAddPartitions } from "@/server/domain/actions/topic-add-partitions";
import type { Workload } from "@/server/domain/ports";
import { executionContext, fakePorts, paramErrors, planContext, refusalOf } from "./action-fake-ports";

const cluster = { region: "eu-west-1", cluster: "events" };

/** A topic whose partitions hold [low, high) offsets. */
const topic = (name: string, ranges: Array<[number, number]>): TopicDescription => ({
  topic: name,
  partitions: ranges.map(([low, high], partition) => ({ partition, low, high })),
});

describe("topic.addPartitions", () => {
  const orders = topic("events.orders", Array.from({ length: 12 }, () => [0, 100] as [number, number]));
  const params = (partitions: number) => ({ ...cluster, topic: "events.orders", partitions });

  it("validates the count and the topic name by Kafka's rule", () => {
    expect(paramErrors(topicAddPartitions.params, params(2.5))).toEqual(["partitions must be a whole number"]);
    expect(paramErrors(topicAddPartitions.params, params(0))).toEqual(["partitions must be at least 1"]);
    expect(paramErrors(topicAddPartitions.params, { ...params(24), topic: "orders with spaces" })).toEqual([
      'topic must be 1 to 249 characters of letters, digits, ".", "_" or "-"',
    ]);
    expect(paramErrors(topicAddPartitions.params, { ...params(24), topic: ".." })).toEqual(['topic cannot be "." or ".."']);
    expect(paramErrors(topicAddPartitions.params, { ...params(24), topic: "Events_v2.orders-EU" })).toEqual([]);
  });

  it("is medium up to doubling and high beyond, always warning about keyed ordering", () => {
    const doubled = topicAddPartitions.plan(params(24), orders, planContext);
    expect(doubled.risk).toBe("medium");
    expect(doubled.riskReasons[0]).toMatch(/^keyed messages will map to other partitions: ordering per key breaks across the change/);
    expect(doubled.changes).toEqual([{ label: "partitions", before: "12", after: "24" }]);
    const more = topicAddPartitions.plan(params(25), orders, planContext);
    expect(more.risk).toBe("high");
    expect(more.riskReasons.some((reason) => reason.startsWith("keyed messages will map to other partitions"))).toBe(true);
  });

  it("refuses an unknown topic and a count that does not grow, and dry-runs the rest", async () => {
    expect(await refusalOf(topicAddPartitions.load(fakePorts({ queues: { describeTopic: async () => null } }), params(24), "prod"))).toBe(
      "topic events.orders not found on Kafka cluster events in eu-west-1 (prod)",
    );
    const addPartitions = vi.fn(async () => {});
    const ports = fakePorts({ queues: { describeTopic: async () => orders, addPartitions } });
    expect(await refusalOf(topicAddPartitions.load(ports, params(6), "prod"))).toBe("topic events.orders has 12 partitions; Kafka cannot lower it to 6");
    expect(await refusalOf(topicAddPartitions.load(ports, params(12), "prod"))).toBe("topic events.orders already has 12 partitions; ask for more than 12");
    expect(addPartitions).not.toHaveBeenCalled();
    await topicAddPartitions.load(ports, params(16), "prod");
    expect(addPartitions).toHaveBeenCalledWith({ environment: "prod", ...cluster, topic: "events.orders" }, 16, { dryRun: true });
  });

  it("verifies the new partition count and has no rollback", async () => {
    const read = (count: number) => fakePorts({ queues: { describeTopic: async () => topic("events.orders", Array.from({ length: count }, () => [0, 0] as [number, number])) } });
    expect((await topicAddPartitions.verify(read(16), params(16), executionContext())).ok).toBe(true);
    expect(await topicAddPartitions.verify(read(12), params(16), executionContext())).toMatchObject({ ok: false, message: "topic events.orders has 12 partitions, expected 16" });
    expect(topicAddPartitions.rollback(params(16), orders)).toBeNull();
    expect(topicAddPartitions.target(params(16), "prod")).toEqual({ environment: "prod", namespace: "kafka.events", name: "events.orders" });
  });
});

describe("consumerGroup.resetOffsets", () => {
  const payments = topic("payments", [
    [0, 1000],
    [500, 2000],
  ]);
  const group = (committed: Array<number | null>, members = 0): ConsumerGroupDescription => ({
    group: "billing",
    state: members ? "Stable" : "Empty",
    members,
    partitions: committed.map((offset, partition) => ({ ...payments.partitions[partition]!, topic: "payments", committed: offset })),
  });
  const base = { ...cluster, group: "billing", topic: "payments" };
  const reset = (committed: Array<number | null>, resolved: number[]): OffsetReset => ({
    group: group(committed),
    topic: payments,
    resolved: resolved.map((offset, partition) => ({ topic: "payments", partition, offset })),
  });
  const latest: ConsumerGroupResetOffsetsParams = { ...base, to: "latest" };
  const earliest: ConsumerGroupResetOffsetsParams = { ...base, to: "earliest" };

  it("needs a timestamp or offsets exactly when the target says so", () => {
    expect(paramErrors(consumerGroupResetOffsets.params, { ...base, to: "timestamp" })).toEqual(['a reset to a timestamp needs timestamp (ISO 8601, e.g. "2025-03-01T12:00:00Z")']);
    expect(paramErrors(consumerGroupResetOffsets.params, { ...base, to: "timestamp", timestamp: "yesterday" })).toEqual([
      "timestamp must be an ISO 8601 time such as 2025-03-01T12:00:00Z",
    ]);
    expect(paramErrors(consumerGroupResetOffsets.params, { ...base, to: "explicit" })).toEqual(["an explicit reset needs offsets: [{ partition, offset }, ...]"]);
    expect(paramErrors(consumerGroupResetOffsets.params, { ...base, to: "latest", offsets: [{ partition: 0, offset: 1 }] })).toEqual([
      'offsets apply only to a reset with to "explicit", not "latest"',
    ]);
    expect(
      paramErrors(consumerGroupResetOffsets.params, { ...base, to: "explicit", offsets: [{ partition: 1, offset: 5 }, { partition: 1, offset: 6 }] }),
    ).toEqual(["partition 1 is listed twice in offsets"]);
    expect(paramErrors(consumerGroupResetOffsets.params, { ...base, to: "explicit", offsets: [{ partition: 0, offset: -1 }] })).toEqual(["offset cannot be negative"]);
    expect(paramErrors(consumerGroupResetOffsets.params, { ...base, to: "newest" })).toEqual(['to must be "earliest", "latest", "timestamp" or "explicit"']);
    expect(paramErrors(consumerGroupResetOffsets.params, { ...base, to: "timestamp", timestamp: "2025-03-01T12:00:00+01:00" })).toEqual([]);
  });

  it("is high when messages are skipped, summing them over partitions", () => {
    const plan = consumerGroupResetOffsets.plan(latest, reset([900, 1200], [1000, 2000]), planContext);
    expect(plan.risk).toBe("high");
    expect(plan.riskReasons).toEqual(["skips 900 messages the group has not processed: they are never consumed"]);
    expect(plan.changes).toEqual([
      { label: "partition 0", before: "900", after: "1,000 (skips 100)" },
      { label: "partition 1", before: "1,200", after: "2,000 (skips 800)" },
    ]);
    expect(plan.monthlyCostDelta).toBeNull();
  });

  it("counts only retained messages as skipped", () => {
    // Partition 1 committed 100, below its log start 500: messages 100..499 are gone already.
    const plan = consumerGroupResetOffsets.plan(latest, reset([1000, 100], [1000, 2000]), planContext);
    expect(plan.changes).toEqual([{ label: "partition 1", before: "100", after: "2,000 (skips 1,500)" }]);
  });

  it("is medium when re-processing up to the threshold and high beyond it", () => {
    const some = consumerGroupResetOffsets.plan(earliest, reset([1000, 2000], [0, 500]), planContext);
    expect(some.risk).toBe("medium");
    expect(some.riskReasons).toEqual(["re-processes 2,500 messages: the consumers must be idempotent"]);
    const bigTopic = topic("payments", [[0, MANY_REPROCESSED + 1]]);
    const many: OffsetReset = {
      group: { ...group([]), partitions: [{ topic: "payments", partition: 0, committed: MANY_REPROCESSED + 1, low: 0, high: MANY_REPROCESSED + 1 }] },
      topic: bigTopic,
      resolved: [{ topic: "payments", partition: 0, offset: 0 }],
    };
    expect(consumerGroupResetOffsets.plan(earliest, many, planContext).risk).toBe("high");
    const exactly: OffsetReset = { ...many, resolved: [{ topic: "payments", partition: 0, offset: 1 }] };
    expect(consumerGroupResetOffsets.plan(earliest, exactly, planContext).risk).toBe("medium");
  });

  it("refuses a reset that changes nothing", () => {
    expect(() => consumerGroupResetOffsets.plan(latest, reset([1000, 2000], [1000, 2000]), planContext)).toThrow("the offsets of billing on payments already equal the latest offsets");
  });

  it("refuses while the group has members, and offsets the topic does not hold", async () => {
    const ports = (members: number) => fakePorts({ queues: { describeTopic: async () => payments, describeConsumerGroup: async () => group([900, 1200], members) } });
    expect(await refusalOf(consumerGroupResetOffsets.load(ports(3), latest, "prod"))).toBe(
      "consumer group billing has 3 active members on Kafka cluster events in eu-west-1; Kafka resets the offsets of a stopped group only: scale its consumers to 0 first",
    );
    const explicit = (partition: number, offset: number): ConsumerGroupResetOffsetsParams => ({ ...base, to: "explicit", offsets: [{ partition, offset }] });
    expect(await refusalOf(consumerGroupResetOffsets.load(ports(0), explicit(2, 0), "prod"))).toBe("topic payments has partitions 0–1; partition 2 does not exist");
    expect(await refusalOf(consumerGroupResetOffsets.load(ports(0), explicit(1, 10), "prod"))).toBe(
      "offset 10 on partition 1 of payments is below its log start 500: those messages were deleted",
    );
    expect(await refusalOf(consumerGroupResetOffsets.load(ports(0), explicit(1, 2001), "prod"))).toBe("offset 2001 on partition 1 of payments is past its log end 2000");
    const unknown = fakePorts({ queues: { describeTopic: async () => payments, describeConsumerGroup: async () => null } });
    expect(await refusalOf(consumerGroupResetOffsets.load(unknown, latest, "prod"))).toBe("consumer group billing not found on Kafka cluster events in eu-west-1 (prod)");
  });

  it("resolves the target through the cluster when loading", async () => {
    const resolveOffsetReset = vi.fn(async (_ref: unknown, _topic: string, target: OffsetResetTarget): Promise<PartitionOffset[]> => {
      expect(target).toEqual({ to: "timestamp", timestamp: Date.parse("2025-03-01T12:00:00Z") });
      return [{ topic: "payments", partition: 0, offset: 10 }];
    });
    const ports = fakePorts({ queues: { describeTopic: async () => payments, describeConsumerGroup: async () => group([900, 1200]), resolveOffsetReset } });
    const current = await consumerGroupResetOffsets.load(ports, { ...base, to: "timestamp", timestamp: "2025-03-01T12:00:00Z" }, "prod");
    expect(current.resolved).toEqual([{ topic: "payments", partition: 0, offset: 10 }]);
  });

  it("commits the offsets resolved when it runs and verifies them", async () => {
    let committed: Array<number | null> = [900, 1200];
    const resetOffsets = vi.fn(async (_ref: unknown, offsets: readonly PartitionOffset[]) => {
      committed = committed.map((value, partition) => offsets.find((offset) => offset.partition === partition)?.offset ?? value);
    });
    const ports = fakePorts({
      queues: {
        // The log grows between the request and its execution: "latest" is resolved again.
        resolveOffsetReset: async () => [
          { topic: "payments", partition: 0, offset: 1100 },
          { topic: "payments", partition: 1, offset: 2100 },
        ],
        resetOffsets,
        describeConsumerGroup: async () => group(committed),
      },
    });
    const context = executionContext();
    await consumerGroupResetOffsets.execute(ports, latest, context);
    expect(resetOffsets).toHaveBeenCalledTimes(1);
    expect(await consumerGroupResetOffsets.verify(ports, latest, context)).toMatchObject({ ok: true });
    committed = [1100, 5];
    expect(await consumerGroupResetOffsets.verify(ports, latest, executionContext())).toMatchObject({
      ok: false,
      message: "1 partition of payments differs from the reset: partition 1 has 5 committed, expected 2100",
    });
  });

  it("rolls back to the offsets committed before, explicitly", () => {
    expect(consumerGroupResetOffsets.rollback(latest, reset([900, 2000], [1000, 2000]))).toEqual({ ...base, to: "explicit", offsets: [{ partition: 0, offset: 900 }] });
    expect(consumerGroupResetOffsets.rollback(earliest, reset([null, null], [0, 500]))).toBeNull();
  });
});

describe("dlq.replay", () => {
  const params = { ...cluster, topic: "orders.dlq", maxMessages: 500, messagesPerSecond: 50 };

  it("replays into the topic the dead letters came from unless told otherwise", () => {
    expect(paramErrors(dlqReplay.params, params)).toEqual([]);
    expect(paramErrors(dlqReplay.params, { ...params, topic: "orders-failed" })).toEqual([
      'topic orders-failed does not end in ".dlq"; name the topic to replay into as targetTopic',
    ]);
    expect(paramErrors(dlqReplay.params, { ...params, topic: "orders-failed", targetTopic: "orders" })).toEqual([]);
    expect(paramErrors(dlqReplay.params, { ...params, targetTopic: "orders.dlq" })).toEqual(["targetTopic must differ from the dead-letter topic"]);
    expect(paramErrors(dlqReplay.params, { ...params, messagesPerSecond: 0 })).toEqual(["messagesPerSecond must be at least 1"]);
  });

  it("refuses an empty dead-letter topic and a missing target", async () => {
    const ports = (dlq: TopicDescription, target: TopicDescription | null) =>
      fakePorts({
        queues: {
          describeTopic: async (ref) => (ref.topic === "orders.dlq" ? dlq : target),
          deadLetterBacklog: async () => ({ retained: retainedMessages(dlq), replayedBefore: 0 }),
        },
      });
    expect(await refusalOf(dlqReplay.load(ports(topic("orders.dlq", [[40, 40]]), topic("orders", [])), params, "prod"))).toBe(
      "dead-letter topic orders.dlq is empty on Kafka cluster events in eu-west-1; nothing to replay",
    );
    expect(await refusalOf(dlqReplay.load(ports(topic("orders.dlq", [[0, 40]]), null), params, "prod"))).toBe(
      "target topic orders not found on Kafka cluster events in eu-west-1 (prod)",
    );
    const current = await dlqReplay.load(ports(topic("orders.dlq", [[0, 40], [10, 1000]]), topic("orders", [])), params, "prod");
    expect(current.backlog).toBe(1030);
  });

  it("is medium, replays at most maxMessages, and estimates the duration", () => {
    const plan = dlqReplay.plan(params, { deadLetters: topic("orders.dlq", []), target: topic("orders", []), backlog: 1030, replayedBefore: 0 }, planContext);
    expect(plan.risk).toBe("medium");
    expect(plan.changes).toEqual([
      { label: "messages replayed", before: "0", after: "500 of 1,030" },
      { label: "duration", before: "—", after: "about 10 s" },
    ]);
    expect(plan.summary).toBe("Replay 500 of the 1,030 messages in orders.dlq into orders on Kafka cluster events in eu-west-1 at 50 msg/s");
    expect(dlqReplay.rollback(params, { deadLetters: topic("orders.dlq", []), target: topic("orders", []), backlog: 1, replayedBefore: 0 })).toBeNull();
  });

  describe("after earlier replays of the same dead-letter topic", () => {
    const dlq = topic("orders.dlq", [[0, 400], [100, 700]]);
    const asked: Array<{ topic: string; target: string }> = [];
    const ports = (backlog: () => Promise<{ retained: number; replayedBefore: number }>) =>
      fakePorts({
        queues: {
          describeTopic: async (ref) => (ref.topic === "orders.dlq" ? dlq : topic("orders", [])),
          deadLetterBacklog: async (ref, target) => {
            asked.push({ topic: ref.topic, target });
            return backlog();
          },
        },
      });

    it("offers only what they did not replay, and the preview says how many they did", async () => {
      const retry = { ...params, targetTopic: "orders-retry" };
      const current = await dlqReplay.load(ports(async () => ({ retained: 1000, replayedBefore: 850 })), retry, "prod");
      // Replays into another target do not count: the port is asked about this one.
      expect(asked.at(-1)).toEqual({ topic: "orders.dlq", target: "orders-retry" });
      expect(current).toMatchObject({ backlog: 150, replayedBefore: 850 });
      const plan = dlqReplay.plan(retry, current, planContext);
      expect(plan.summary).toBe(
        "Replay 150 of the 150 messages in orders.dlq not replayed before (earlier requests replayed 850) into orders-retry on Kafka cluster events in eu-west-1 at 50 msg/s",
      );
      expect(plan.changes[0]).toEqual({ label: "messages replayed", before: "0", after: "150 of 150" });
      expect(plan.riskReasons[0]).toBe("writes 150 messages back to orders-retry: its consumers process them again, so they must be idempotent");
    });

    it("refuses when they replayed every message the topic holds", async () => {
      expect(await refusalOf(dlqReplay.load(ports(async () => ({ retained: 1000, replayedBefore: 1000 })), params, "prod"))).toBe(
        "every message in orders.dlq on Kafka cluster events in eu-west-1 has been replayed into orders by earlier requests; nothing new to replay",
      );
    });

    it("passes on the refusal while one of them is running", async () => {
      const running = async () => {
        throw new ActionRefused("replay request-7 of orders.dlq into orders is running (copied 40 of 100); wait for it to finish");
      };
      expect(await refusalOf(dlqReplay.load(ports(running), params, "prod"))).toBe(
        "replay request-7 of orders.dlq into orders is running (copied 40 of 100); wait for it to finish",
      );
    });
  });

  it("runs as the request's replay, resumable, reporting progress, and verifies through the recorded progress", async () => {
    expect(dlqReplay.resumable).toBe(true);
    let recorded: ReplayProgress | null = null;
    const specs: ReplaySpec[] = [];
    const ports = fakePorts({
      queues: {
        replayDeadLetters: async (spec, onProgress) => {
          specs.push(spec);
          onProgress({ planned: 500, replayed: 250, done: false });
          recorded = { planned: 500, replayed: 500, done: true };
          onProgress(recorded);
          return recorded;
        },
        replayProgress: async (spec) => (spec.replayId === specs[0]?.replayId ? recorded : null),
      },
    });
    const context = executionContext();
    expect(await dlqReplay.verify(ports, params, context)).toMatchObject({ ok: false, message: "the replay of orders.dlq never started" });
    await dlqReplay.execute(ports, params, context);
    expect(specs[0]).toEqual({
      replayId: context.requestId,
      deadLetters: { environment: "prod", ...cluster, topic: "orders.dlq" },
      target: "orders",
      maxMessages: 500,
      messagesPerSecond: 50,
    });
    expect(context.reportProgress).toHaveBeenCalledWith({ planned: 500, replayed: 250, done: false });
    expect(await dlqReplay.verify(ports, params, context)).toMatchObject({ ok: true, message: "replayed 500 of 500 messages from orders.dlq into orders" });
  });
});

describe("consumerGroup.scale", () => {
  const consumer: Workload = {
    environment: "prod", namespace: "billing", name: "billing-consumer", region: "eu-west-1", kind: "Deployment", desiredReplicas: 4, availableReplicas: 4, minReplicas: 0, maxReplicas: 20,
  };
  const groupOf = (partitions: number): ConsumerGroupDescription => ({
    group: "billing",
    state: "Stable",
    members: 4,
    partitions: Array.from({ length: partitions }, (_, partition) => ({ topic: "payments", partition, committed: 90, low: 0, high: 100 })),
  });
  const params = (replicas: number) => ({ ...cluster, group: "billing", replicas });

  it("has service.scale's risk rule", () => {
    const current = { workload: consumer, group: groupOf(12) };
    expect(consumerGroupScale.plan(params(5), current, planContext).risk).toBe("medium");
    expect(consumerGroupScale.plan(params(7), current, planContext).risk).toBe("high");
    expect(consumerGroupScale.plan(params(0), current, planContext).risk).toBe("high");
    const plan = consumerGroupScale.plan(params(6), current, planContext);
    expect(plan.monthlyCostDelta).toBeCloseTo(2 * 0.1 * 730);
    expect(plan.summary).toBe("Scale the consumers of group billing (billing/billing-consumer) in eu-west-1 from 4 to 6 replicas; lag now 120 messages");
    expect(() => consumerGroupScale.plan(params(21), current, planContext)).toThrow("replicas must be between 0 and 20 for billing/billing-consumer (asked for 21)");
  });

  it("says when replicas beyond the partitions would sit idle", () => {
    const plan = consumerGroupScale.plan(params(6), { workload: consumer, group: groupOf(5) }, planContext);
    expect(plan.riskReasons).toContain("the group reads at most 5 partitions of a topic: replicas beyond 5 sit idle");
    expect(consumerGroupScale.plan(params(5), { workload: consumer, group: groupOf(5) }, planContext).riskReasons.some((reason) => reason.includes("idle"))).toBe(false);
  });

  it("refuses a group whose consumer workload is not known", async () => {
    expect(await refusalOf(consumerGroupScale.load(fakePorts({ queues: { consumerWorkload: async () => null } }), params(6), "prod"))).toBe(
      "no workload is known to consume as group billing on Kafka cluster events in eu-west-1; scale the consumer's deployment with service.scale",
    );
  });

  it("dry-runs and scales the workload that consumes as the group, verifies it, and rolls back to its replicas before", async () => {
    let workload = consumer;
    const ref = { environment: "prod", namespace: "billing", name: "billing-consumer", region: "eu-west-1" };
    const scaleWorkload = vi.fn(async (_ref: unknown, replicas: number, options?: { dryRun?: boolean }) => {
      if (!options?.dryRun) workload = { ...workload, desiredReplicas: replicas };
    });
    const ports = fakePorts({
      queues: { consumerWorkload: async () => ref, describeConsumerGroup: async () => groupOf(12) },
      workloads: { getWorkload: async () => workload, scaleWorkload },
    });
    expect(await refusalOf(consumerGroupScale.load(ports, params(21), "prod"))).toBe("replicas must be between 0 and 20 for billing/billing-consumer (asked for 21)");
    const before = await consumerGroupScale.load(ports, params(8), "prod");
    expect(scaleWorkload).toHaveBeenCalledWith(ref, 8, { dryRun: true });
    expect(workload.desiredReplicas).toBe(4);
    await consumerGroupScale.execute(ports, params(8), executionContext());
    expect(scaleWorkload).toHaveBeenLastCalledWith(ref, 8);
    expect((await consumerGroupScale.verify(ports, params(8), executionContext())).ok).toBe(true);
    expect(consumerGroupScale.rollback(params(8), before)).toEqual(params(4));
    expect(consumerGroupScale.target(params(8), "prod")).toEqual({ environment: "prod", namespace: "kafka.events", name: "billing" });
  });
});
