// What the dead-letter replay tests share: dead-letter messages with keys and headers written
// to a real broker, and the target topic read back as a read_committed consumer sees it.
import { Kafka, logLevel, type Producer } from "kafkajs";
import type { KafkaClusterTarget } from "../../server/adapters/kafka/connection";
import { ORIGINAL_TIMESTAMP_HEADER, REPLAY_SOURCE_HEADER } from "../../server/adapters/kafka/replay";
import type { TestKafka } from "./kafka";
import { waitUntil } from "./prometheus";

export const CLUSTER = { environment: "test", region: "eu-west-1", cluster: "events" };

export function clusterTarget(brokers: string[]): KafkaClusterTarget {
  return { environment: CLUSTER.environment, region: CLUSTER.region, name: CLUSTER.cluster, brokers };
}

export interface DeadLetter {
  partition: number;
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

/** `counts[p]` messages on partition p, every third one without a key, each with two headers. */
export function deadLetters(topic: string, counts: number[]): DeadLetter[] {
  return counts.flatMap((count, partition) =>
    Array.from({ length: count }, (_, index) => ({
      partition,
      key: index % 3 === 2 ? null : `order-${partition}-${index}`,
      value: `${topic}-${partition}-${index}`,
      headers: { "failure-reason": `timeout #${index}`, "original-topic": topic.replace(/\.dlq$/, "") },
    })),
  );
}

export async function produceDeadLetters(producer: Producer, topic: string, messages: DeadLetter[]): Promise<void> {
  await producer.send({ topic, messages: messages.map(({ partition, key, value, headers }) => ({ partition, key, value, headers })) });
}

export interface Copied {
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

/**
 * Every message of `topic` a consumer sees (read_committed unless `readUncommitted`), once
 * `expected` have arrived and a further `quietMs` brought no more (so extra copies show too).
 */
export async function readTopic(brokers: string[], topic: string, expected: number, options: { readUncommitted?: boolean; quietMs?: number } = {}): Promise<Copied[]> {
  const kafka = new Kafka({ brokers, clientId: "replay-test-reader", logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({
    groupId: `reader-${topic}-${Date.now()}`,
    readUncommitted: options.readUncommitted ?? false,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 200,
  });
  const seen: Copied[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
        seen.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? "", headers });
      },
    });
    await waitUntil(async () => seen.length >= expected, 30_000, `${expected} messages on ${topic} (saw ${seen.length})`);
    await new Promise((resolve) => setTimeout(resolve, options.quietMs ?? 1_500));
    return seen;
  } finally {
    await consumer.disconnect();
  }
}

/** A copy as the dead letter it came from: the headers without the ones the replay adds. */
export function asDeadLetter(copy: Copied): Omit<DeadLetter, "partition"> & { source: string } {
  const { [REPLAY_SOURCE_HEADER]: source = "", [ORIGINAL_TIMESTAMP_HEADER]: _timestamp, ...headers } = copy.headers;
  return { key: copy.key, value: copy.value, headers, source };
}

/** Kafka's own consumer, read_committed, as an independent reader: the values on the topic, one per line. */
export async function valuesReadByKafkaTool(broker: TestKafka, topic: string): Promise<string[]> {
  const output = await broker.tool("org.apache.kafka.tools.consumer.ConsoleConsumer", [
    "--bootstrap-server",
    broker.brokers[0] ?? "",
    "--topic",
    topic,
    "--from-beginning",
    "--isolation-level",
    "read_committed",
    "--timeout-ms",
    "4000",
  ]);
  return output.split("\n").filter((line) => line.trim() !== "");
}
