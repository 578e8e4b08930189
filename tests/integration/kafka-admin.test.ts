// The Kafka administrator (QueueAdminPort) against a real single-node broker: partitions added
// and checked with kafka-topics, offsets reset and checked with kafka-consumer-groups (Kafka's
// own tools), refusals that leave the cluster as it was, and dead-letter replays read back by
// a read_committed consumer.
import { Kafka, logLevel, type Admin, type Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KafkaReadError } from "../../server/adapters/kafka/connection";
import { KafkaQueueAdmin } from "../../server/adapters/kafka/queue-admin";
import type { ReplayProgress, ReplaySpec } from "../../server/domain/action-ports";
import { ActionRefused } from "../../server/domain/actions/kind";
import { createTopicsAndWait, startTestKafka, type TestKafka } from "../helpers/kafka";
import { asDeadLetter, CLUSTER, clusterTarget, deadLetters, produceDeadLetters, readTopic, type DeadLetter } from "../helpers/kafka-replay";
import { freePort, waitUntil } from "../helpers/prometheus";

const topicRef = (topic: string) => ({ ...CLUSTER, topic });
const groupRef = (group: string) => ({ ...CLUSTER, group });

async function refusal(promise: Promise<unknown>): Promise<ActionRefused> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ActionRefused);
  return error as ActionRefused;
}

describe("Kafka administrator on a real broker", () => {
  let broker: TestKafka;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let queues: KafkaQueueAdmin;

  /** kafka-topics --describe of every topic matching `pattern`: each one's partition count. */
  const partitionCountsByKafka = async (pattern: string) => {
    const output = await broker.tool("org.apache.kafka.tools.TopicCommand", ["--bootstrap-server", broker.brokers[0] ?? "", "--describe", "--topic", pattern]);
    return Object.fromEntries([...output.matchAll(/^Topic: (\S+)\s.*PartitionCount: (\d+)/gm)].map(([, topic, count]) => [topic, Number(count)]));
  };

  /** kafka-consumer-groups --describe --all-groups: each group's committed offset per partition of `topic`. */
  const committedByKafka = async (topic: string) => {
    const output = await waitUntil(async () => {
      const printed = await broker.tool("org.apache.kafka.tools.consumer.group.ConsumerGroupCommand", ["--bootstrap-server", broker.brokers[0] ?? "", "--describe", "--all-groups"]);
      return printed.includes("is rebalancing") ? undefined : printed;
    }, 30_000, "kafka-consumer-groups to describe the groups");
    const offsets: Record<string, number[]> = {};
    for (const line of output.split("\n")) {
      const [group, onTopic, partition, committed] = line.trim().split(/\s+/);
      if (group && onTopic === topic) (offsets[group] ??= [])[Number(partition)] = Number(committed);
    }
    return offsets;
  };

  beforeAll(async () => {
    broker = await startTestKafka();
    kafka = new Kafka({ brokers: broker.brokers, clientId: "kafka-admin-test", logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    queues = new KafkaQueueAdmin(clusterTarget(broker.brokers), {
      consumers: { billing: "payments/billing-consumer" },
      replay: { sessionTimeoutMs: 6_000 },
    });
  }, 240_000);

  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await broker?.stop();
  });

  it("describes a topic's partitions with their log start and end; an unknown topic is null", async () => {
    await createTopicsAndWait(admin, [{ topic: "describe.me", numPartitions: 3 }]);
    await producer.send({ topic: "describe.me", messages: [0, 0, 2, 2, 2].map((partition) => ({ partition, value: "x" })) });
    await admin.deleteTopicRecords({ topic: "describe.me", partitions: [{ partition: 2, offset: "1" }] });
    expect(await queues.describeTopic(topicRef("describe.me"))).toEqual({
      topic: "describe.me",
      partitions: [
        { partition: 0, low: 0, high: 2 },
        { partition: 1, low: 0, high: 0 },
        { partition: 2, low: 1, high: 3 },
      ],
    });
    expect(await queues.describeTopic(topicRef("no.such.topic"))).toBeNull();
  });

  it("adds partitions as kafka-topics then shows; a dry run, a lower or equal count and an unknown topic change nothing", async () => {
    await createTopicsAndWait(admin, [
      { topic: "grow.me", numPartitions: 2 },
      { topic: "grow.dry", numPartitions: 2 },
      { topic: "grow.not", numPartitions: 4 },
    ]);
    await queues.addPartitions(topicRef("grow.me"), 5);
    // Returns once the new partitions answer: the kind's verification reads them at once.
    expect((await queues.describeTopic(topicRef("grow.me")))?.partitions).toHaveLength(5);
    await queues.addPartitions(topicRef("grow.dry"), 5, { dryRun: true });

    expect((await refusal(queues.addPartitions(topicRef("grow.not"), 2))).message).toBe("topic grow.not has 4 partitions; Kafka cannot lower it to 2");
    expect((await refusal(queues.addPartitions(topicRef("grow.not"), 4, { dryRun: true }))).message).toBe("topic grow.not already has 4 partitions; ask for more than 4");
    expect((await refusal(queues.addPartitions(topicRef("grow.typo"), 8))).message).toBe(
      "topic grow.typo does not exist in Kafka cluster events (eu-west-1); check its name on the cluster's topics page",
    );
    expect(await partitionCountsByKafka("grow\\..*")).toEqual({ "grow.me": 5, "grow.dry": 2, "grow.not": 4 });
  }, 40_000);

  describe("resetting a consumer group's offsets", () => {
    const topic = "reset.me";
    const start = Date.now() - 3_600_000;
    /** What every group of these tests committed first. */
    const committedFirst = [3, 7];
    const commitFirst = (group: string) =>
      admin.setOffsets({ groupId: group, topic, partitions: committedFirst.map((offset, partition) => ({ partition, offset: String(offset) })) });

    beforeAll(async () => {
      await createTopicsAndWait(admin, [{ topic, numPartitions: 2 }]);
      // Ten messages per partition, a minute apart: message i was written at start + i minutes.
      await producer.send({
        topic,
        messages: [0, 1].flatMap((partition) => Array.from({ length: 10 }, (_, index) => ({ partition, value: `${index}`, timestamp: String(start + index * 60_000) }))),
      });
      // kafkajs commits as a member of the group, which takes a few seconds per group: all at once.
      await Promise.all(["to.earliest", "to.latest", "to.time", "to.explicit", "busy"].map(commitFirst));
    });

    it("describes a group: state, members and each partition's committed, low and high offsets", async () => {
      expect(await queues.describeConsumerGroup(groupRef("to.earliest"))).toEqual({
        group: "to.earliest",
        state: "Empty",
        members: 0,
        partitions: [
          { topic, partition: 0, committed: 3, low: 0, high: 10 },
          { topic, partition: 1, committed: 7, low: 0, high: 10 },
        ],
      });
      expect(await queues.describeConsumerGroup(groupRef("nobody.consumes"))).toBeNull();
    });

    it("resolves and resets to the earliest, the latest, a time's and explicit offsets, as kafka-consumer-groups then shows", async () => {
      const earliest = await queues.resolveOffsetReset(groupRef("to.earliest"), topic, { to: "earliest" });
      expect(earliest).toEqual([
        { topic, partition: 0, offset: 0 },
        { topic, partition: 1, offset: 0 },
      ]);
      const latest = await queues.resolveOffsetReset(groupRef("to.latest"), topic, { to: "latest" });
      expect(latest.map((entry) => entry.offset)).toEqual([10, 10]);
      // Between message 4 (start + 4 min) and message 5: the first at or after it is 5.
      const atTime = await queues.resolveOffsetReset(groupRef("to.time"), topic, { to: "timestamp", timestamp: start + 4.5 * 60_000 });
      expect(atTime.map((entry) => entry.offset)).toEqual([5, 5]);
      // After the last message: the log end.
      const future = await queues.resolveOffsetReset(groupRef("to.time"), topic, { to: "timestamp", timestamp: Date.now() + 60_000 });
      expect(future.map((entry) => entry.offset)).toEqual([10, 10]);
      // Only the partitions named move.
      const explicit = await queues.resolveOffsetReset(groupRef("to.explicit"), topic, { to: "explicit", offsets: [{ partition: 1, offset: 2 }] });
      expect(explicit).toEqual([{ topic, partition: 1, offset: 2 }]);

      await Promise.all([
        queues.resetOffsets(groupRef("to.earliest"), earliest),
        queues.resetOffsets(groupRef("to.latest"), latest),
        queues.resetOffsets(groupRef("to.time"), atTime),
        queues.resetOffsets(groupRef("to.explicit"), explicit),
      ]);
      expect(await committedByKafka(topic)).toMatchObject({ "to.earliest": [0, 0], "to.latest": [10, 10], "to.time": [5, 5], "to.explicit": [3, 2] });
    }, 40_000);

    it("refuses explicit offsets the partition does not hold, a partition the topic lacks, an unknown topic", async () => {
      expect((await refusal(queues.resolveOffsetReset(groupRef("to.explicit"), topic, { to: "explicit", offsets: [{ partition: 0, offset: 11 }] }))).message).toBe(
        "offset 11 of reset.me/0 is outside what the partition holds (0 to 10); choose an offset between them",
      );
      expect((await refusal(queues.resolveOffsetReset(groupRef("to.explicit"), topic, { to: "explicit", offsets: [{ partition: 7, offset: 0 }] }))).message).toBe(
        "topic reset.me has no partition 7 (it has partitions 0 to 1)",
      );
      expect((await refusal(queues.resolveOffsetReset(groupRef("to.explicit"), "reset.typo", { to: "earliest" }))).message).toMatch(/^topic reset\.typo does not exist/);
    });

    it("refuses a reset while a consumer is a member of the group, and nothing changes", async () => {
      const consumer = kafka.consumer({ groupId: "busy", allowAutoTopicCreation: false });
      await consumer.connect();
      try {
        await consumer.subscribe({ topic });
        // A member, consuming nothing: its committed offsets stay as they are.
        await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
        consumer.pause([{ topic }]);
        await waitUntil(async () => (await queues.describeConsumerGroup(groupRef("busy")))?.state === "Stable", 20_000, "the consumer to join");
        expect((await queues.describeConsumerGroup(groupRef("busy")))?.members).toBe(1);

        const error = await refusal(queues.resetOffsets(groupRef("busy"), [{ topic, partition: 0, offset: 0 }]));
        expect(error.message).toBe(
          "consumer group busy has 1 active member (state Stable); Kafka resets the offsets of an inactive group only: stop its consumers (scale their deployment to 0), reset, then start them again",
        );
      } finally {
        await consumer.disconnect();
      }
      expect((await committedByKafka(topic)).busy).toEqual(committedFirst);
    }, 40_000);
  });

  it("names the workload consuming as a configured group, in the cluster's region", async () => {
    expect(await queues.consumerWorkload(groupRef("billing"))).toEqual({ environment: "test", region: "eu-west-1", namespace: "payments", name: "billing-consumer" });
    expect(await queues.consumerWorkload(groupRef("unmapped"))).toBeNull();
  });

  describe("replaying a dead-letter topic", () => {
    const dlq = "orders.dlq";
    const target = "orders";
    // 18 and 12 waiting; 20 asked for: 10 from each partition, the oldest first.
    const letters = deadLetters(dlq, [18, 12]);
    const spec = (replayId: string, changes: Partial<ReplaySpec> = {}): ReplaySpec => ({
      replayId,
      deadLetters: topicRef(dlq),
      target,
      maxMessages: 20,
      messagesPerSecond: 5,
      ...changes,
    });

    beforeAll(async () => {
      await createTopicsAndWait(admin, [
        { topic: dlq, numPartitions: 2 },
        { topic: target, numPartitions: 3 },
      ]);
      await produceDeadLetters(producer, dlq, letters);
    });

    it("copies keys, values and headers, at most maxMessages, at the rate asked, reporting progress", async () => {
      const reports: ReplayProgress[] = [];
      const reportedAt: number[] = [];
      const startedAt = Date.now();
      const result = await queues.replayDeadLetters(spec("first"), (progress) => {
        reports.push(progress);
        reportedAt.push(Date.now());
      });
      const seconds = (Date.now() - startedAt) / 1000;
      expect(result).toEqual({ planned: 20, replayed: 20, done: true });

      const copies = (await readTopic(broker.brokers, target, 20)).map(asDeadLetter);
      const expected = [...letters.filter((letter) => letter.partition === 0).slice(0, 10), ...letters.filter((letter) => letter.partition === 1).slice(0, 10)];
      expect(copies.map(({ key, value, headers }) => ({ key, value, headers }))).toEqual(
        expect.arrayContaining(expected.map(({ key, value, headers }) => ({ key, value, headers }))),
      );
      expect(copies).toHaveLength(20);
      expect(new Set(copies.map((copy) => copy.source)).size).toBe(20);
      expect(copies.find((copy) => copy.value === "orders.dlq-1-4")?.source).toBe("orders.dlq/1/4");

      // 5 per second in chunks of 2: from the first chunk to the last, 9 × 0.4 s at least.
      const copying = ((reportedAt.at(-1) ?? 0) - (reportedAt[1] ?? 0)) / 1000;
      expect(copying).toBeGreaterThanOrEqual(3.4);
      expect(seconds).toBeLessThan(15);
      // Progress from the plan on, never going back, up to the end.
      expect(reports[0]).toEqual({ planned: 20, replayed: 0, done: false });
      expect(reports.at(-1)).toEqual({ planned: 20, replayed: 20, done: true });
      expect(reports.length).toBeGreaterThanOrEqual(10);
      for (let index = 1; index < reports.length; index++) expect(reports[index]?.replayed).toBeGreaterThanOrEqual(reports[index - 1]?.replayed ?? 0);

      expect(await queues.replayProgress(spec("first"))).toEqual({ planned: 20, replayed: 20, done: true });
      expect(await queues.replayProgress(spec("never-started"))).toBeNull();
    }, 40_000);

    it("runs a finished replay again without copying anything twice", async () => {
      const again = await queues.replayDeadLetters(spec("first", { maxMessages: 30, messagesPerSecond: 100 }), () => undefined);
      expect(again).toEqual({ planned: 20, replayed: 20, done: true });
      expect(await readTopic(broker.brokers, target, 20)).toHaveLength(20);
    }, 30_000);

    it("skips aborted dead letters and finishes past transaction markers", async () => {
      const source = "payments.dlq";
      await createTopicsAndWait(admin, [
        { topic: source, numPartitions: 1 },
        { topic: "payments", numPartitions: 1 },
      ]);
      await producer.send({ topic: source, messages: [{ value: "kept-0" }, { value: "kept-1" }] });
      const transactional = kafka.producer({ transactionalId: "dead-letter-writer", idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await transactional.connect();
      const aborted = await transactional.transaction();
      await aborted.send({ topic: source, messages: [{ value: "aborted-0" }, { value: "aborted-1" }] });
      await aborted.abort();
      const committed = await transactional.transaction();
      await committed.send({ topic: source, messages: [{ value: "kept-2" }] });
      await committed.commit();
      await transactional.disconnect();

      // Offsets 0-1 kept, 2-3 aborted, 4 the abort marker, 5 kept, 6 the commit marker.
      const result = await queues.replayDeadLetters({ ...spec("payments"), deadLetters: topicRef(source), target: "payments", maxMessages: 100, messagesPerSecond: 50 }, () => undefined);
      expect(result).toEqual({ planned: 7, replayed: 3, done: true });
      expect((await readTopic(broker.brokers, "payments", 3)).map((copy) => copy.value).sort()).toEqual(["kept-0", "kept-1", "kept-2"]);
    }, 40_000);

    it("finishes when the records left before the plan's end all come filtered out, in a fetch of their own", async () => {
      const source = "refunds.dlq";
      await createTopicsAndWait(admin, [
        { topic: source, numPartitions: 1 },
        { topic: "refunds", numPartitions: 1 },
      ]);
      // 400 kB each: a fetch (1 MB per partition) holds the two kept ones but not the aborted
      // ones after them, which come in the next fetch with their marker, and nothing else.
      const large = (name: string) => `${name}:${"x".repeat(400_000)}`;
      for (const name of ["kept-0", "kept-1"]) await producer.send({ topic: source, messages: [{ value: large(name) }] });
      const transactional = kafka.producer({ transactionalId: "refunds-writer", idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await transactional.connect();
      const aborted = await transactional.transaction();
      for (const name of ["aborted-0", "aborted-1"]) await aborted.send({ topic: source, messages: [{ value: large(name) }] });
      await aborted.abort();
      await transactional.disconnect();

      const result = await queues.replayDeadLetters({ ...spec("refunds"), deadLetters: topicRef(source), target: "refunds", maxMessages: 100, messagesPerSecond: 50 }, () => undefined);
      expect(result).toEqual({ planned: 5, replayed: 2, done: true });
      expect((await readTopic(broker.brokers, "refunds", 2)).map((copy) => copy.value.split(":")[0]).sort()).toEqual(["kept-0", "kept-1"]);
    }, 40_000);

    describe("after earlier replays of the same dead-letter topic", () => {
      /** The `counts[p]` oldest of `letters` on each partition p. */
      const oldest = (letters: DeadLetter[], counts: number[]) => letters.filter((letter) => Number(letter.value.split("-").at(-1)) < (counts[letter.partition] ?? 0));
      const valuesOf = (copies: Array<{ value: string }>) => copies.map((copy) => copy.value).sort();
      const fast = (replayId: string, source: string, into: string, maxMessages = 1_000): ReplaySpec => ({
        replayId,
        deadLetters: topicRef(source),
        target: into,
        maxMessages,
        messagesPerSecond: 200,
      });
      /** A replay of `<name>.dlq` into `into`, at 200 per second; its result. */
      const replayOf = (replayId: string, name: string, options: { into?: string; maxMessages?: number } = {}) =>
        queues.replayDeadLetters(fast(replayId, `${name}.dlq`, options.into ?? name, options.maxMessages), () => undefined);
      const backlogOf = (name: string, into = name) => queues.deadLetterBacklog(topicRef(`${name}.dlq`), into);
      /** The values on `topic`, read_committed, once `count` arrived and no more came for a while. */
      const copiedTo = async (topic: string, count: number) => valuesOf(await readTopic(broker.brokers, topic, count));
      /** Creates `<name>.dlq` with `counts[p]` dead letters to come on partition p, `<name>` and `others`; the letters, not produced yet. */
      const topicsFor = async (name: string, counts: number[], others: string[] = []) => {
        await createTopicsAndWait(admin, [{ topic: `${name}.dlq`, numPartitions: counts.length }, ...[name, ...others].map((topic) => ({ topic, numPartitions: 2 }))]);
        return deadLetters(`${name}.dlq`, counts);
      };

      it("replays only what arrived since; with nothing new it refuses; another target gets everything", async () => {
        // 10 dead letters, replayed; then 6 more (3 on each partition).
        const all = await topicsFor("shipments", [9, 7], ["shipments-audit"]);
        const first = oldest(all, [6, 4]);
        const later = all.filter((letter) => !first.includes(letter));
        await produceDeadLetters(producer, "shipments.dlq", first);
        expect(await backlogOf("shipments")).toEqual({ retained: 10, replayedBefore: 0 });
        expect(await replayOf("ship-1", "shipments")).toEqual({ planned: 10, replayed: 10, done: true });
        expect(await copiedTo("shipments", 10)).toEqual(valuesOf(first));

        await produceDeadLetters(producer, "shipments.dlq", later);
        expect(await backlogOf("shipments")).toEqual({ retained: 16, replayedBefore: 10 });
        expect(await replayOf("ship-2", "shipments")).toEqual({ planned: 6, replayed: 6, done: true });
        // read_committed, and quiet for a while after the 16th: the first 10 once each, the 6 new ones once each.
        expect(await copiedTo("shipments", 16)).toEqual(valuesOf(all));

        expect(await backlogOf("shipments")).toEqual({ retained: 16, replayedBefore: 16 });
        expect((await refusal(replayOf("ship-3", "shipments"))).message).toBe(
          "every message in shipments.dlq on Kafka cluster events in eu-west-1 has been replayed into shipments by earlier requests; nothing new to replay",
        );
        expect(await queues.replayProgress(fast("ship-3", "shipments.dlq", "shipments"))).toBeNull();

        // Replays into another topic do not count: its consumers saw none of them.
        expect(await backlogOf("shipments", "shipments-audit")).toEqual({ retained: 16, replayedBefore: 0 });
        expect(await replayOf("audit-1", "shipments", { into: "shipments-audit" })).toEqual({ planned: 16, replayed: 16, done: true });
        expect(await copiedTo("shipments-audit", 16)).toEqual(valuesOf(all));
      }, 90_000);

      it("replays the rest of what a replay limited by maxMessages left, not from the start", async () => {
        const letters = await topicsFor("returns", [8, 6]);
        await produceDeadLetters(producer, "returns.dlq", letters);
        // 6 of 14: the 3 oldest of each partition.
        expect(await replayOf("returns-1", "returns", { maxMessages: 6 })).toEqual({ planned: 6, replayed: 6, done: true });
        expect(await copiedTo("returns", 6)).toEqual(valuesOf(oldest(letters, [3, 3])));

        expect(await backlogOf("returns")).toEqual({ retained: 14, replayedBefore: 6 });
        expect(await replayOf("returns-2", "returns")).toEqual({ planned: 8, replayed: 8, done: true });
        expect(await copiedTo("returns", 14)).toEqual(valuesOf(letters));
      }, 60_000);

      it("refuses a replay while another of the same topic runs; once that one stopped, replays what it did not get to", async () => {
        const letters = await topicsFor("refills", [10, 10]);
        await produceDeadLetters(producer, "refills.dlq", letters);
        const slow = { ...fast("refills-slow", "refills.dlq", "refills"), messagesPerSecond: 2 };
        const stop = new AbortController();
        const reports: ReplayProgress[] = [];
        const running = queues.replayDeadLetters(slow, (progress) => reports.push(progress), stop.signal);
        await waitUntil(async () => (reports.at(-1)?.replayed ?? 0) >= 2, 30_000, "the slow replay to copy some dead letters");

        const refused = /^replay refills-slow of refills\.dlq into refills is running \(copied \d+ of 20\); wait for it to finish$/;
        expect((await refusal(backlogOf("refills"))).message).toMatch(refused);
        expect((await refusal(replayOf("refills-next", "refills"))).message).toMatch(refused);
        expect(await queues.replayProgress(fast("refills-next", "refills.dlq", "refills"))).toBeNull();

        stop.abort();
        const stopped = await running;
        expect(stopped.done).toBe(false);
        expect(stopped.replayed).toBeGreaterThanOrEqual(2);
        expect(stopped.replayed).toBeLessThan(20);

        // From what the stopped one reached: what it copied is not copied again, the rest is.
        expect(await backlogOf("refills")).toEqual({ retained: 20, replayedBefore: stopped.replayed });
        const next = await replayOf("refills-next", "refills");
        expect(next).toEqual({ planned: 20 - stopped.replayed, replayed: 20 - stopped.replayed, done: true });
        expect(await copiedTo("refills", 20)).toEqual(valuesOf(letters));
      }, 90_000);
    });

    it("refuses a replay into itself, or from or into a topic that does not exist", async () => {
      expect((await refusal(queues.replayDeadLetters(spec("self", { target: dlq }), () => undefined))).message).toMatch(/cannot be replayed into itself/);
      expect((await refusal(queues.replayDeadLetters(spec("typo", { target: "ordrs" }), () => undefined))).message).toMatch(/^topic ordrs does not exist/);
      expect(await queues.replayProgress(spec("typo"))).toBeNull();
    });
  });

  it("says the cluster cannot be reached when nothing listens at its brokers' address", async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const unreachable = new KafkaQueueAdmin(clusterTarget([address]));
    const error = await unreachable.describeTopic(topicRef("orders")).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(KafkaReadError);
    expect((error as KafkaReadError).kind).toBe("unavailable");
    expect((error as KafkaReadError).message).toContain(`Kafka cluster events (${address}) cannot be reached`);
  }, 30_000);
});
