// The Kafka action kinds end to end against a real broker: region eu-west-1 of the simulated
// environment "demo" has a real Kafka cluster named "events" (the simulator's clusters have that
// name too; the real one takes their place in eu-west-1) and a Kubernetes API server (tests/
// helpers/kube-api-server.ts) holding the consumer's Deployment, both configured as a user would
// (brokers, the `consumers` mapping, a kubeconfig context) and wired by actionAdaptersFromConfig,
// as the app is. An operator requests, an approver approves, the pg-boss worker executes; the
// outcome is read back with Kafka's own command-line tools, a plain kafkajs admin or the
// Kubernetes client, never through the adapter under test.
import { AppsV1Api, KubeConfig } from "@kubernetes/client-node";
import { Kafka, logLevel, type Admin, type Consumer, type Producer } from "kafkajs";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { actionAdaptersFromConfig, type ConfiguredAdapters } from "@/server/adapters/action-adapters";
import { validateConfig } from "@/server/config/load";
import { db } from "@/server/db/client";
import {
  approvedRunTrail,
  auditTrailOf,
  callerAs,
  createActionPeople,
  refusalOf,
  requestApproveAndRun,
  waitForSettled,
  type ActionInput,
  type ActionPeople,
} from "../helpers/action-flow";
import { createTopicsAndWait, startTestKafka, type TestKafka } from "../helpers/kafka";
import { deadLetters, produceDeadLetters, valuesReadByKafkaTool } from "../helpers/kafka-replay";
import { startKubeApiServer, workload, type KubeApiServer } from "../helpers/kube-api-server";
import { waitUntil } from "../helpers/prometheus";
import { startTestRuntime, TEST_ENVIRONMENT, type TestRuntime } from "../helpers/runtime";

const REGION = "eu-west-1";
const KAFKA_CLUSTER = "events";
const KUBE_CLUSTER = "eu-demo";
const CONSUMER = { namespace: "orders", name: "fulfilment-worker" };
const on = { region: REGION, cluster: KAFKA_CLUSTER };
const where = `on Kafka cluster ${KAFKA_CLUSTER} in ${REGION}`;

/** Every topic and group of these tests: what "nothing changed" compares. */
const TOPICS = ["grow.me", "grow.not", "ledger", "orders", "invoices.dlq", "invoices"] as const;
const GROUPS = ["ledger-audit", "ledger-busy", "ledger-late", "order-fulfilment"] as const;
/** What each ledger group committed first on ledger's two partitions, of 10 messages each. */
const LEDGER_COMMITTED = [6, 8];
/** order-fulfilment on orders' three partitions of 5 messages each: 4 + 3 + 2 = 9 behind. */
const ORDERS_COMMITTED = [1, 2, 3];
/** 8 and 6 dead letters; a replay of 10 takes the 5 oldest of each partition. */
const LETTERS = deadLetters("invoices.dlq", [8, 6]);

let broker: TestKafka;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
let kube: KubeApiServer;
let apps: AppsV1Api;
let configured: ConfiguredAdapters;
let runtime: TestRuntime;
let people: ActionPeople;

beforeAll(async () => {
  [broker, kube] = await Promise.all([startTestKafka(), startKubeApiServer({ seed: [["deployments", workload(CONSUMER.namespace, CONSUMER.name, 2)]] })]);
  kafka = new Kafka({ brokers: broker.brokers, clientId: "actions-kafka-test", logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await createTopicsAndWait(admin, [
    { topic: "grow.me", numPartitions: 2 },
    { topic: "grow.not", numPartitions: 4 },
    { topic: "ledger", numPartitions: 2 },
    { topic: "orders", numPartitions: 3 },
    { topic: "invoices.dlq", numPartitions: 2 },
    { topic: "invoices", numPartitions: 2 },
  ]);
  await producer.send({ topic: "ledger", messages: [0, 1].flatMap((partition) => Array.from({ length: 10 }, (_, index) => ({ partition, value: `ledger-${index}` }))) });
  await producer.send({ topic: "orders", messages: [0, 1, 2].flatMap((partition) => Array.from({ length: 5 }, (_, index) => ({ partition, value: `order-${index}` }))) });
  await produceDeadLetters(producer, "invoices.dlq", LETTERS);
  // kafkajs commits as a member of each group, a few seconds per group: all at once.
  const commit = (groupId: string, topic: string, offsets: number[]) =>
    admin.setOffsets({ groupId, topic, partitions: offsets.map((offset, partition) => ({ partition, offset: String(offset) })) });
  await Promise.all([
    ...["ledger-audit", "ledger-busy", "ledger-late"].map((group) => commit(group, "ledger", LEDGER_COMMITTED)),
    commit("order-fulfilment", "orders", ORDERS_COMMITTED),
  ]);

  const config = validateConfig(
    {
      version: 1,
      environments: {
        [TEST_ENVIRONMENT]: {
          source: "simulator",
          regions: {
            [REGION]: {
              clusters: {
                [KUBE_CLUSTER]: { kind: "kubernetes", context: kube.context, kubeconfig: kube.kubeconfigPath },
                [KAFKA_CLUSTER]: { kind: "kafka", brokers: broker.brokers, consumers: { "order-fulfilment": `${CONSUMER.namespace}/${CONSUMER.name}` } },
              },
            },
            "us-east-1": {},
          },
        },
      },
    },
    "actions-kafka test",
  );
  configured = actionAdaptersFromConfig(config);
  runtime = await startTestRuntime({ db, databaseUrl: inject("databaseUrl"), adapters: configured.adapters });
  people = await createActionPeople();

  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(kube.kubeconfigPath);
  kubeconfig.setCurrentContext(kube.context);
  apps = kubeconfig.makeApiClient(AppsV1Api);
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
  await configured?.close();
  await producer?.disconnect();
  await admin?.disconnect();
  await kube?.close();
  await broker?.stop();
});

// ── Reading the systems back, not through the adapter ────────────────────────────────────

/** kafka-topics --describe: each topic's partition count, as Kafka's own tool prints it. */
async function partitionCountsByKafka(pattern: string): Promise<Record<string, number>> {
  const output = await broker.tool("org.apache.kafka.tools.TopicCommand", ["--bootstrap-server", broker.brokers[0] ?? "", "--describe", "--topic", pattern]);
  return Object.fromEntries([...output.matchAll(/^Topic: (\S+)\s.*PartitionCount: (\d+)/gm)].map(([, topic, count]) => [topic, Number(count)]));
}

/** kafka-consumer-groups --describe --group: the group's committed offset per partition of `topic`. */
async function committedByKafka(group: string, topic: string): Promise<number[]> {
  const output = await broker.tool("org.apache.kafka.tools.consumer.group.ConsumerGroupCommand", ["--bootstrap-server", broker.brokers[0] ?? "", "--describe", "--group", group]);
  const offsets: number[] = [];
  for (const line of output.split("\n")) {
    const [name, onTopic, partition, committed] = line.trim().split(/\s+/);
    if (name === group && onTopic === topic) offsets[Number(partition)] = Number(committed);
  }
  return offsets;
}

/** The group's committed offsets on ledger, through a plain kafkajs admin. */
async function committedOffsets(groupId: string): Promise<number[]> {
  const [ledger] = await admin.fetchOffsets({ groupId, topics: ["ledger"] });
  return (ledger?.partitions ?? []).sort((a, b) => a.partition - b.partition).map((entry) => Number(entry.offset));
}

const deploymentReplicas = async () => (await apps.readNamespacedDeployment(CONSUMER)).spec?.replicas;

/**
 * What the refusals must leave as it was: every topic's partitions and log ends, every group's
 * committed offsets, the groups that exist (a replay that started would have made its own), and
 * the consumer Deployment's resourceVersion.
 */
async function systemsState() {
  const topics = Object.fromEntries(
    await Promise.all(TOPICS.map(async (topic) => [topic, (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition).map((entry) => entry.high)] as const)),
  );
  const committed = Object.fromEntries(
    await Promise.all(
      GROUPS.map(async (groupId) => {
        const offsets = await admin.fetchOffsets({ groupId, topics: ["ledger", "orders"] });
        return [groupId, offsets.map(({ topic, partitions }) => ({ topic, offsets: partitions.sort((a, b) => a.partition - b.partition).map((entry) => entry.offset) }))] as const;
      }),
    ),
  );
  const groups = (await admin.listGroups()).groups.map((group) => group.groupId).sort();
  const deployment = (await apps.readNamespacedDeployment(CONSUMER)).metadata?.resourceVersion;
  return { topics, committed, groups, deployment };
}

/** The refusal's message, after checking that the request changed nothing in Kafka or Kubernetes. */
async function refusedChangingNothing(input: ActionInput): Promise<string> {
  const before = await systemsState();
  const message = await refusalOf(runtime, people, input);
  expect(await systemsState()).toEqual(before);
  return message;
}

/** A consumer that is a member of `group`, consuming nothing (its offsets stay as committed). */
async function memberOf(group: string, topic: string): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId: group, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topic });
  await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
  consumer.pause([{ topic }]);
  await waitUntil(async () => (await admin.describeGroups([group])).groups[0]?.state === "Stable", 20_000, `a consumer to join ${group}`);
  return consumer;
}

// ── The kinds ────────────────────────────────────────────────────────────────────────────

describe("each Kafka kind changes the real cluster", () => {
  it("topic.addPartitions raises the partition count, as kafka-topics then shows", async () => {
    const request = await requestApproveAndRun(runtime, people, { kind: "topic.addPartitions", params: { ...on, topic: "grow.me", partitions: 3 } });
    expect(request.state, request.error ?? "").toBe("succeeded");
    expect(await partitionCountsByKafka("grow\\..*")).toEqual({ "grow.me": 3, "grow.not": 4 });
    expect(request.risk).toBe("medium");
    expect(request.preview).toMatchObject({ changes: [{ label: "partitions", before: "2", after: "3" }], rollback: null });
    expect(request.outcome).toMatchObject({ ok: true, observed: { partitions: 3 }, message: "topic grow.me now has 3 partitions" });
    expect(await auditTrailOf(request.id)).toEqual(approvedRunTrail(people, "succeeded"));
  }, 40_000);

  it("consumerGroup.resetOffsets commits the earliest offsets, as kafka-consumer-groups then shows; the preview offers the offsets before as its inverse", async () => {
    expect(await committedOffsets("ledger-audit")).toEqual(LEDGER_COMMITTED);
    const request = await requestApproveAndRun(runtime, people, { kind: "consumerGroup.resetOffsets", params: { ...on, group: "ledger-audit", topic: "ledger", to: "earliest" } });
    expect(request.state, request.error ?? "").toBe("succeeded");
    expect(await committedByKafka("ledger-audit", "ledger")).toEqual([0, 0]);
    expect(request.risk).toBe("medium");
    expect(request.preview).toMatchObject({
      changes: [
        { label: "partition 0", before: "6", after: "0 (re-processes 6)" },
        { label: "partition 1", before: "8", after: "0 (re-processes 8)" },
      ],
      rollback: { ...on, group: "ledger-audit", topic: "ledger", to: "explicit", offsets: [{ partition: 0, offset: 6 }, { partition: 1, offset: 8 }] },
    });
    expect(await auditTrailOf(request.id)).toEqual(approvedRunTrail(people, "succeeded"));
  }, 60_000);

  it("dlq.replay copies the oldest dead letters into the topic once each, as Kafka's console consumer (read_committed) then reads", async () => {
    const request = await requestApproveAndRun(runtime, people, { kind: "dlq.replay", params: { ...on, topic: "invoices.dlq", maxMessages: 10, messagesPerSecond: 20 } }, 60_000);
    expect(request.state, request.error ?? "").toBe("succeeded");
    const expected = [0, 1].flatMap((partition) => LETTERS.filter((letter) => letter.partition === partition).slice(0, 5).map((letter) => letter.value));
    expect((await valuesReadByKafkaTool(broker, "invoices")).sort()).toEqual(expected.sort());
    expect(request.progress).toEqual({ planned: 10, replayed: 10, done: true });
    expect(request.outcome).toMatchObject({ ok: true, message: "replayed 10 of 10 messages from invoices.dlq into invoices" });
    expect(request.preview).toMatchObject({
      changes: [
        { label: "messages replayed", before: "0", after: "10 of 14" },
        { label: "duration", before: "—", after: "about 1 s" },
      ],
      rollback: null,
    });
    expect(await auditTrailOf(request.id)).toEqual(approvedRunTrail(people, "succeeded"));
  }, 60_000);

  it("a second dlq.replay of the same topic replays only what the first left, saying so in its preview; a third is refused as nothing new", async () => {
    // After the replay above: 10 of the 14 dead letters copied, 4 left (3 on partition 0, 1 on partition 1).
    const request = await requestApproveAndRun(runtime, people, { kind: "dlq.replay", params: { ...on, topic: "invoices.dlq", maxMessages: 100, messagesPerSecond: 20 } }, 60_000);
    expect(request.state, request.error ?? "").toBe("succeeded");
    expect(request.preview).toMatchObject({
      summary: `Replay 4 of the 4 messages in invoices.dlq not replayed before (earlier requests replayed 10) into invoices ${where} at 20 msg/s`,
      changes: [
        { label: "messages replayed", before: "0", after: "4 of 4" },
        { label: "duration", before: "—", after: "about 1 s" },
      ],
    });
    expect(request.progress).toEqual({ planned: 4, replayed: 4, done: true });
    // Each dead letter once on the topic, read_committed by Kafka's own consumer.
    expect((await valuesReadByKafkaTool(broker, "invoices")).sort()).toEqual(LETTERS.map((letter) => letter.value).sort());

    expect(await refusedChangingNothing({ kind: "dlq.replay", params: { ...on, topic: "invoices.dlq", maxMessages: 100, messagesPerSecond: 20 } })).toBe(
      `every message in invoices.dlq ${where} has been replayed into invoices by earlier requests; nothing new to replay`,
    );
  }, 60_000);

  it("consumerGroup.scale scales the Deployment the configuration names for the group; the simulator's copy is left alone", async () => {
    const [simulated] = runtime.fleet.find({ environment: TEST_ENVIRONMENT, ...CONSUMER, region: REGION });
    expect(await deploymentReplicas()).toBe(2);
    const request = await requestApproveAndRun(runtime, people, { kind: "consumerGroup.scale", params: { ...on, group: "order-fulfilment", replicas: 3 } });
    expect(request.state, request.error ?? "").toBe("succeeded");
    expect(await deploymentReplicas()).toBe(3);
    expect(request.preview).toMatchObject({
      summary: `Scale the consumers of group order-fulfilment (${CONSUMER.namespace}/${CONSUMER.name}) in ${REGION} from 2 to 3 replicas; lag now 9 messages`,
      changes: [{ label: "replicas", before: "2", after: "3" }],
      rollback: { ...on, group: "order-fulfilment", replicas: 2 },
    });
    expect(await auditTrailOf(request.id)).toEqual(approvedRunTrail(people, "succeeded"));
    expect(runtime.fleet.find({ environment: TEST_ENVIRONMENT, ...CONSUMER, region: REGION })[0]?.desiredReplicas).toBe(simulated?.desiredReplicas);
  }, 30_000);
});

describe("bad requests are refused with a clear reason and change nothing", () => {
  it("a partition count lower than or equal to the topic's, or a topic that does not exist", async () => {
    expect(await refusedChangingNothing({ kind: "topic.addPartitions", params: { ...on, topic: "grow.not", partitions: 2 } })).toBe(
      "topic grow.not has 4 partitions; Kafka cannot lower it to 2",
    );
    expect(await refusedChangingNothing({ kind: "topic.addPartitions", params: { ...on, topic: "grow.not", partitions: 4 } })).toBe("topic grow.not already has 4 partitions; ask for more than 4");
    expect(await refusedChangingNothing({ kind: "topic.addPartitions", params: { ...on, topic: "grow.typo", partitions: 8 } })).toBe(
      `topic grow.typo not found ${where} (${TEST_ENVIRONMENT})`,
    );
  });

  it("a reset of a group with a connected consumer, or of a group Kafka does not know", async () => {
    const consumer = await memberOf("ledger-busy", "ledger");
    try {
      expect(await refusedChangingNothing({ kind: "consumerGroup.resetOffsets", params: { ...on, group: "ledger-busy", topic: "ledger", to: "earliest" } })).toBe(
        `consumer group ledger-busy has 1 active member ${where}; Kafka resets the offsets of a stopped group only: scale its consumers to 0 first`,
      );
    } finally {
      await consumer.disconnect();
    }
    expect(await refusedChangingNothing({ kind: "consumerGroup.resetOffsets", params: { ...on, group: "nobody.consumes", topic: "ledger", to: "latest" } })).toBe(
      `consumer group nobody.consumes not found ${where} (${TEST_ENVIRONMENT})`,
    );
    expect(await committedOffsets("ledger-busy")).toEqual(LEDGER_COMMITTED);
  }, 40_000);

  it("a consumer that joins between approval and execution: the execution fails saying so and the offsets stay", async () => {
    const requested = await callerAs(runtime, people.operator).actions.request({
      kind: "consumerGroup.resetOffsets",
      environment: TEST_ENVIRONMENT,
      params: { ...on, group: "ledger-late", topic: "ledger", to: "latest" },
      reason: "integration test of a group that came back",
      idempotencyKey: randomUUID(),
    });
    expect(requested.state).toBe("pending");
    const consumer = await memberOf("ledger-late", "ledger");
    try {
      await callerAs(runtime, people.approver).actions.approve({ id: requested.id });
      const settled = await waitForSettled(requested.id);
      expect(settled.state).toBe("failed");
      expect(settled.error).toBe(
        "consumer group ledger-late has 1 active member (state Stable); Kafka resets the offsets of an inactive group only: stop its consumers (scale their deployment to 0), reset, then start them again",
      );
      expect(await auditTrailOf(requested.id)).toEqual(approvedRunTrail(people, "failed"));
    } finally {
      await consumer.disconnect();
    }
    expect(await committedOffsets("ledger-late")).toEqual(LEDGER_COMMITTED);
  }, 50_000);

  it("a replay of no messages, or from a dead-letter topic that does not exist", async () => {
    expect(await refusedChangingNothing({ kind: "dlq.replay", params: { ...on, topic: "invoices.dlq", maxMessages: 0, messagesPerSecond: 10 } })).toBe(
      "invalid parameters — maxMessages: maxMessages must be at least 1",
    );
    expect(await refusedChangingNothing({ kind: "dlq.replay", params: { ...on, topic: "refunds.dlq", maxMessages: 10, messagesPerSecond: 10 } })).toBe(
      `dead-letter topic refunds.dlq not found ${where} (${TEST_ENVIRONMENT})`,
    );
  });

  it("negative replicas, or a group no configured workload consumes as", async () => {
    expect(await refusedChangingNothing({ kind: "consumerGroup.scale", params: { ...on, group: "order-fulfilment", replicas: -1 } })).toBe(
      "invalid parameters — replicas: replicas cannot be negative",
    );
    expect(await refusedChangingNothing({ kind: "consumerGroup.scale", params: { ...on, group: "ledger-audit", replicas: 2 } })).toBe(
      `no workload is known to consume as group ledger-audit ${where}; scale the consumer's deployment with service.scale`,
    );
    expect(await deploymentReplicas()).toBe(3);
  });
});
