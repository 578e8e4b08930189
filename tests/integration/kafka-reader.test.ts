// The Kafka reader against a real single-node broker: topics with known numbers of messages
// per partition, real consumer groups that commit known offsets, and the reader's figures
// checked exactly, then against Kafka's own kafka-consumer-groups tool as a peer.
import { Kafka, logLevel, type Admin, type Consumer, type Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KafkaClusterReader } from "../../server/adapters/kafka/reader";
import type { ConsumerGroupLag, PartitionLag } from "../../server/domain/ports";
import { createTopicsAndWait, startTestKafka, type TestKafka } from "../helpers/kafka";
import { waitUntil } from "../helpers/prometheus";

const IDENTITY = { environment: "test", region: "eu-west-1", cluster: "events" };

/** Messages written to each partition, by topic. */
const PRODUCED: Record<string, number[]> = {
  orders: [10, 20, 30],
  payments: [5, 7],
  "orders.dlq": [4],
  scratch: [1],
};

/** Offsets each group commits, by topic and partition (partitions left out: no commit). */
const BILLING_COMMITS = { orders: [4, 15, 30] };
const AUDIT_COMMITS = { payments: [5, 3] };

function partitionsWith(committed: number[], logEnds: number[]): PartitionLag[] {
  return committed.map((offset, partition) => {
    const logEndOffset = logEnds[partition] ?? 0;
    return { partition, logEndOffset, committedOffset: offset, lag: logEndOffset - offset };
  });
}

async function produce(producer: Producer, topic: string, counts: number[]): Promise<void> {
  await producer.send({
    topic,
    messages: counts.flatMap((count, partition) => Array.from({ length: count }, (_, index) => ({ partition, value: `${topic}-${partition}-${index}` }))),
  });
}

/**
 * Runs a real consumer of `group` on `topic` from the beginning, committing by hand exactly the
 * offsets in `commits` (per partition), and resolves once all of them are committed. The
 * consumer stays a member of the group until disconnected.
 */
async function consumeAndCommit(kafka: Kafka, group: string, topic: string, commits: number[]): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId: group, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const pending = new Set(commits.map((_, partition) => partition).filter((partition) => (commits[partition] ?? 0) > 0));
  let allCommitted!: () => void;
  const done = new Promise<void>((resolve) => (allCommitted = resolve));
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      const target = commits[partition] ?? 0;
      // The committed offset is the next one to read: message `target - 1` completes the partition.
      if (Number(message.offset) + 1 === target) {
        await consumer.commitOffsets([{ topic, partition, offset: String(target) }]);
        pending.delete(partition);
        if (pending.size === 0) allCommitted();
      }
    },
  });
  await done;
  return consumer;
}

/** kafka-consumer-groups --describe: per partition of each topic, CURRENT-OFFSET, LOG-END-OFFSET and LAG. */
function parseConsumerGroupsDescribe(output: string, group: string): Map<string, { committed: number; logEnd: number; lag: number }> {
  const rows = new Map<string, { committed: number; logEnd: number; lag: number }>();
  for (const line of output.split("\n")) {
    const columns = line.trim().split(/\s+/);
    if (columns[0] !== group || columns.length < 6) continue;
    const [, topic, partition, committed, logEnd, lag] = columns;
    rows.set(`${topic}/${partition}`, { committed: Number(committed), logEnd: Number(logEnd), lag: Number(lag) });
  }
  return rows;
}

describe("Kafka reader on a real broker", () => {
  let broker: TestKafka;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let billing: Consumer;
  let reader: KafkaClusterReader;

  // The time allows for fetching the jars on a machine that has never run scripts/kafka/install.sh.
  beforeAll(async () => {
    broker = await startTestKafka();
    kafka = new Kafka({ brokers: broker.brokers, clientId: "kafka-reader-test", logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    await createTopicsAndWait(
      admin,
      Object.entries(PRODUCED).map(([topic, counts]) => ({ topic, numPartitions: counts.length })),
    );
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    for (const [topic, counts] of Object.entries(PRODUCED)) await produce(producer, topic, counts);

    // A group that stays connected, and one that committed and left.
    billing = await consumeAndCommit(kafka, "billing", "orders", BILLING_COMMITS.orders);
    const audit = await consumeAndCommit(kafka, "audit", "payments", AUDIT_COMMITS.payments);
    await audit.disconnect();
    // A group whose committed offset retention has since passed: offset 1 of 4, then the
    // records before offset 2 deleted (the log now starts at 2).
    await admin.setOffsets({ groupId: "dlq-replayer", topic: "orders.dlq", partitions: [{ partition: 0, offset: "1" }] });
    await admin.deleteTopicRecords({ topic: "orders.dlq", partitions: [{ partition: 0, offset: "2" }] });

    reader = new KafkaClusterReader(
      { environment: IDENTITY.environment, region: IDENTITY.region, name: IDENTITY.cluster, brokers: broker.brokers },
      { refreshIntervalMs: 3_000 },
    );
  }, 240_000);

  afterAll(async () => {
    await reader?.close();
    await billing?.disconnect();
    await producer?.disconnect();
    await admin?.disconnect();
    await broker?.stop();
  });

  it("counts the cluster's broker, topics and partitions, none under-replicated", async () => {
    const answer = await reader.kafkaClusters();
    expect(answer.stale).toBe(false);
    expect(answer.value).toEqual([{ ...IDENTITY, brokers: 1, topics: 4, partitions: 7, underReplicatedPartitions: 0 }]);
  });

  it("reads every topic's partitions and retained messages, and names dead-letter topics", async () => {
    const { value } = await reader.topics();
    // Kafka's own __consumer_offsets is not one of the platform's topics.
    expect(value.map((topic) => topic.topic)).toEqual(["orders", "orders.dlq", "payments", "scratch"]);
    const byName = new Map(value.map((topic) => [topic.topic, topic]));
    expect(byName.get("orders")).toMatchObject({ ...IDENTITY, partitions: 3, retainedMessages: 60, underReplicatedPartitions: 0, deadLetterOf: null });
    expect(byName.get("payments")).toMatchObject({ partitions: 2, retainedMessages: 12, deadLetterOf: null });
    // 4 written, the first 2 deleted.
    expect(byName.get("orders.dlq")).toMatchObject({ partitions: 1, retainedMessages: 2, deadLetterOf: "orders" });
  });

  it("reads each group's committed offsets, log-end offsets and lag per partition exactly", async () => {
    const { value, stale } = await reader.consumerGroupLag();
    expect(stale).toBe(false);
    expect(value.map((entry) => `${entry.topic}/${entry.group}`)).toEqual(["orders/billing", "orders.dlq/dlq-replayer", "payments/audit"]);
    const [billingLag, replayerLag, auditLag] = value as [ConsumerGroupLag, ConsumerGroupLag, ConsumerGroupLag];

    expect(billingLag).toMatchObject({ ...IDENTITY, group: "billing", topic: "orders", members: 1, deployment: { namespace: "", name: "" }, totalLag: 6 + 5 + 0 });
    expect(billingLag.partitions).toEqual(partitionsWith(BILLING_COMMITS.orders, PRODUCED.orders ?? []));

    // No member left, the committed offsets and the lag stay.
    expect(auditLag).toMatchObject({ group: "audit", topic: "payments", members: 0, totalLag: 0 + 4 });
    expect(auditLag.partitions).toEqual(partitionsWith(AUDIT_COMMITS.payments, PRODUCED.payments ?? []));

    // Committed 1, but the log starts at 2: the consumer stands at 2, 2 behind the end (4).
    expect(replayerLag).toMatchObject({ group: "dlq-replayer", members: 0, totalLag: 2 });
    expect(replayerLag.partitions).toEqual([{ partition: 0, logEndOffset: 4, committedOffset: 2, lag: 2 }]);
  });

  it("describes every group with its state and members, the one without offsets too", async () => {
    const { value } = await reader.consumerGroups();
    const byGroup = new Map(value.map((group) => [group.group, group]));
    expect(byGroup.get("billing")).toMatchObject({ state: "Stable", protocolType: "consumer", topics: ["orders"] });
    expect(byGroup.get("billing")?.members).toHaveLength(1);
    expect(byGroup.get("billing")?.members[0]?.clientId).toBe("kafka-reader-test");
    expect(byGroup.get("audit")).toMatchObject({ state: "Empty", members: [], topics: ["payments"] });
  });

  it("agrees with kafka-consumer-groups, Kafka's own tool, partition by partition", async () => {
    const { value } = await reader.consumerGroupLag();
    // While a group rebalances the tool prints a warning instead of its offsets: ask again.
    const output = await waitUntil(async () => {
      const printed = await broker.tool("org.apache.kafka.tools.consumer.group.ConsumerGroupCommand", ["--bootstrap-server", broker.brokers[0] ?? "", "--describe", "--all-groups"]);
      return printed.includes("is rebalancing") ? undefined : printed;
    }, 40_000, "kafka-consumer-groups to describe the groups");
    for (const group of ["billing", "audit"]) {
      const peer = parseConsumerGroupsDescribe(output, group);
      const ours = value.filter((entry) => entry.group === group).flatMap((entry) => entry.partitions.map((partition) => [`${entry.topic}/${partition.partition}`, partition] as const));
      expect(ours.length, `${group}: partitions`).toBeGreaterThan(0);
      expect([...peer.keys()].sort(), output).toEqual(ours.map(([key]) => key).sort());
      for (const [key, partition] of ours) {
        expect({ committed: partition.committedOffset, logEnd: partition.logEndOffset, lag: partition.lag }, `${group} ${key}`).toEqual(peer.get(key));
      }
    }
  }, 60_000);

  it("refreshes in the background: new messages and commits show up without a caller waiting", async () => {
    const before = reader.lastRefresh;
    expect(before).toBeDefined();
    // Right after a refresh, so the next one sees both changes against this one.
    await waitUntil(async () => reader.lastRefresh !== before, 10_000, "a refresh");
    await produce(producer, "orders", [0, 6, 0]);
    await billing.commitOffsets([{ topic: "orders", partition: 0, offset: "8" }]);
    const changed = await waitUntil(async () => {
      const { value } = await reader.consumerGroupLag();
      const orders = value.find((entry) => entry.group === "billing");
      return orders?.partitions[1]?.logEndOffset === 26 ? orders : undefined;
    }, 15_000, "the new log end of orders/1");
    expect(changed.partitions).toEqual([
      { partition: 0, logEndOffset: 10, committedOffset: 8, lag: 2 },
      { partition: 1, logEndOffset: 26, committedOffset: 15, lag: 11 },
      { partition: 2, logEndOffset: 30, committedOffset: 30, lag: 0 },
    ]);
    // 4 commits (4 → 8) and 6 messages between two readings at least 3 s apart.
    expect(changed.consumedPerSecond).toBeGreaterThan(0);
    expect(changed.consumedPerSecond).toBeLessThanOrEqual(4 / 3);

    // The answer is the background's snapshot: asking did not start a refresh.
    const refresh = reader.lastRefresh;
    const topics = await reader.topics();
    expect(reader.lastRefresh).toBe(refresh);
    expect(topics.stale).toBe(false);
    const orders = topics.value.find((topic) => topic.topic === "orders");
    expect(orders?.retainedMessages).toBe(66);
    expect(orders?.producedPerSecond).toBeGreaterThan(0);
    expect(orders?.producedPerSecond).toBeLessThanOrEqual(6 / 3);
  }, 40_000);

  it("reads a handful of requests per refresh: one Metadata for all topics, offsets once per topic and group", async () => {
    const requests = reader.lastRefresh?.requests ?? {};
    // 4 topics: two ListOffsets each (log start and log end).
    expect(requests.ListOffsets).toBe(8);
    // 3 groups with offsets: one OffsetFetch each, for all their topics.
    expect(requests.OffsetFetch).toBe(3);
    expect(requests.DescribeGroups).toBe(1);
    expect(requests.ListGroups).toBe(1);
  });

  it("keeps reading after a topic it has read is deleted", async () => {
    await admin.deleteTopics({ topics: ["scratch"] });
    await createTopicsAndWait(admin, [{ topic: "scratch-2", numPartitions: 2 }]);
    const answer = await waitUntil(async () => {
      const topics = await reader.topics();
      const names = topics.value.map((topic) => topic.topic);
      return names.includes("scratch-2") && !names.includes("scratch") ? topics : undefined;
    }, 20_000, "the reader to see scratch-2 and not scratch");
    expect(answer.stale).toBe(false);
    expect(answer.value.find((topic) => topic.topic === "scratch-2")?.partitions).toBe(2);
    const cluster = await reader.kafkaClusters();
    expect(cluster.value[0]).toMatchObject({ topics: 4, partitions: 8 });
  }, 40_000);

  it("answers an environment it does not serve with nothing, at once", async () => {
    const answer = await reader.consumerGroupLag("other-environment");
    expect(answer).toEqual({ value: [], stale: false, ageSeconds: 0 });
  });
});
