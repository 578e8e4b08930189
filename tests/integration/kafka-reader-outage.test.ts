// The Kafka reader when the cluster is not there: the first answer fails with a clear error
// within its timeout (nothing listens, or something listens and never answers), and once it
// has figures an outage keeps them, marked stale with the error, until the broker is back.
import net from "node:net";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KafkaReadError } from "../../server/adapters/kafka/connection";
import { KafkaClusterReader } from "../../server/adapters/kafka/reader";
import { createTopicsAndWait, startTestKafka, type TestKafka } from "../helpers/kafka";
import { freePort, waitUntil } from "../helpers/prometheus";

const target = (brokers: string[]) => ({ environment: "test", region: "eu-west-1", name: "events", brokers });

/** Accepts connections and never answers, as a hung broker or a black-holing proxy would. */
async function startSilentServer(): Promise<{ address: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function rejection(promise: Promise<unknown>): Promise<KafkaReadError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(KafkaReadError);
  return error as KafkaReadError;
}

describe("Kafka reader without a cluster", () => {
  const readers: KafkaClusterReader[] = [];
  const track = (reader: KafkaClusterReader) => (readers.push(reader), reader);

  afterAll(async () => {
    for (const reader of readers) await reader.close();
  });

  it("fails the first call with 'unavailable' when nothing listens at the brokers' address", async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const reader = track(new KafkaClusterReader(target([address]), { firstAnswerTimeoutMs: 15_000 }));
    const error = await rejection(reader.kafkaClusters());
    expect(error.kind).toBe("unavailable");
    expect(error.message).toContain("Kafka cluster events");
    expect(error.message).toContain(address);
    // Until a refresh succeeds, every call gives the same reason at once.
    expect((await rejection(reader.topics())).message).toBe(error.message);
  });

  it("fails the first call with 'timeout' when the broker accepts connections but never answers", async () => {
    const silent = await startSilentServer();
    try {
      const reader = track(new KafkaClusterReader(target([silent.address]), { firstAnswerTimeoutMs: 2_000, requestTimeoutMs: 30_000 }));
      const error = await rejection(reader.consumerGroupLag());
      expect(error.kind).toBe("timeout");
      expect(error.message).toBe(`Kafka cluster events (${silent.address}): no figures within 2 s, its first read has not finished`);
    } finally {
      await silent.close();
    }
  });
});

describe("Kafka reader through a broker outage", () => {
  let broker: TestKafka;
  let reader: KafkaClusterReader | undefined;

  beforeAll(async () => {
    // A broker of this test's own: it is stopped half-way. The time allows for fetching the
    // jars on a machine that has never run scripts/kafka/install.sh.
    broker = await startTestKafka({ name: "outage" });
  }, 240_000);

  afterAll(async () => {
    await reader?.close();
    await broker?.stop();
  });

  it("serves the last snapshot marked stale while the broker is down, and fresh figures once it is back", async () => {
    const kafka = new Kafka({ brokers: broker.brokers, clientId: "outage-test", logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await createTopicsAndWait(admin, [{ topic: "events", numPartitions: 2 }]);
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({ topic: "events", messages: [{ partition: 0, value: "a" }, { partition: 1, value: "b" }, { partition: 1, value: "c" }] });
    await producer.disconnect();
    await admin.disconnect();

    const outageReader = new KafkaClusterReader(target(broker.brokers), { refreshIntervalMs: 300, connectionTimeoutMs: 1_000, requestTimeoutMs: 2_000 });
    reader = outageReader;
    const fresh = await outageReader.topics();
    expect(fresh.stale).toBe(false);
    expect(fresh.value).toEqual([expect.objectContaining({ topic: "events", partitions: 2, retainedMessages: 3 })]);

    await broker.halt();
    const stale = await waitUntil(async () => {
      const answer = await outageReader.topics();
      return answer.stale ? answer : undefined;
    }, 30_000, "a stale answer");
    expect(stale.value).toEqual(fresh.value);
    expect(stale.error?.kind).toBe("unavailable");
    expect(stale.error?.message).toContain(`Kafka cluster events (${broker.brokers[0]})`);
    // The snapshot ages while the broker is away.
    const older = await waitUntil(async () => {
      const answer = await outageReader.kafkaClusters();
      return answer.ageSeconds > stale.ageSeconds ? answer : undefined;
    }, 10_000, "the stale answer to age");
    expect(older).toMatchObject({ stale: true, value: [expect.objectContaining({ brokers: 1, topics: 1, partitions: 2 })] });

    await broker.resume();
    const recovered = await waitUntil(async () => {
      const answer = await outageReader.topics();
      return answer.stale ? undefined : answer;
    }, 30_000, "a fresh answer after the broker is back");
    expect(recovered.error).toBeUndefined();
    expect(recovered.value).toEqual(fresh.value);
  }, 90_000);
});
