// A dead-letter replay killed with SIGKILL mid-way, in the worst place: inside a transaction
// whose copies are already written to the target topic but not committed. Run again under the
// same replay id, the replay continues from what Kafka committed, and the target topic, as
// read_committed consumers (kafkajs, and Kafka's own console consumer) see it, holds every dead
// letter exactly once; the progress recorded in Kafka says done. Likewise when a run still
// alive is overtaken by a newer one (fenced), or stops because its app shuts down.
import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { Kafka, logLevel, type Admin } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KafkaQueueAdmin } from "../../server/adapters/kafka/queue-admin";
import { ReplayTakenOver, type ReplayTuning } from "../../server/adapters/kafka/replay";
import type { ReplayProgress, ReplaySpec } from "../../server/domain/action-ports";
import { createTopicsAndWait, startTestKafka, type TestKafka } from "../helpers/kafka";
import { asDeadLetter, CLUSTER, clusterTarget, deadLetters, produceDeadLetters, readTopic, valuesReadByKafkaTool } from "../helpers/kafka-replay";
import { waitUntil } from "../helpers/prometheus";

const ROOT = path.resolve(import.meta.dirname, "../..");

const TUNING: Partial<ReplayTuning> = {
  // The broker's shortest session: a restarted run joins the replay group once the killed one's lapses.
  sessionTimeoutMs: 6_000,
  // Left to itself, Kafka would abort the killed run's open transaction only after a minute;
  // until then read_committed readers could not read past it.
  transactionTimeoutMs: 60_000,
};

/**
 * Runs the replay in a child process until its `hangAtCommit`-th transaction commit, which it
 * never makes, then kills it with SIGKILL. Resolves with the progress it reported.
 */
async function replayInChildAndKill(brokers: string[], spec: ReplaySpec, hangAtCommit: number): Promise<ReplayProgress[]> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(ROOT, "tests/helpers/kafka-replay-child.ts"), JSON.stringify({ brokers, spec, tuning: TUNING, hangAtCommit })],
    { cwd: ROOT, env: process.env, stdio: ["ignore", "pipe", "pipe"] },
  );
  const reports: ReplayProgress[] = [];
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the child replay did not reach commit ${hangAtCommit} in 30 s: ${stderr}`)), 30_000);
      void exited.then(() => reject(new Error(`the child replay exited before commit ${hangAtCommit}: ${stderr}`)));
      createInterface({ input: child.stdout }).on("line", (line) => {
        const report = JSON.parse(line) as ReplayProgress | { hanging: true };
        if ("hanging" in report) {
          clearTimeout(timer);
          resolve();
        } else {
          reports.push(report);
        }
      });
    });
  } finally {
    child.kill("SIGKILL");
    await exited;
  }
  return reports;
}

describe("dead-letter replay across a crash", () => {
  let broker: TestKafka;
  let admin: Admin;
  let queues: KafkaQueueAdmin;
  const letters = deadLetters("invoices.dlq", [25, 20, 15]);
  const spec: ReplaySpec = {
    replayId: "crash-test",
    deadLetters: { ...CLUSTER, topic: "invoices.dlq" },
    target: "invoices",
    maxMessages: 1_000,
    // Slow: two messages per transaction, two transactions a second.
    messagesPerSecond: 4,
  };

  beforeAll(async () => {
    broker = await startTestKafka();
    const kafka = new Kafka({ brokers: broker.brokers, clientId: "replay-crash-test", logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    await createTopicsAndWait(admin, [
      { topic: "invoices.dlq", numPartitions: 3 },
      { topic: "invoices", numPartitions: 2 },
      { topic: "receipts", numPartitions: 2 },
      { topic: "statements", numPartitions: 1 },
    ]);
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await produceDeadLetters(producer, "invoices.dlq", letters);
    await producer.disconnect();
    queues = new KafkaQueueAdmin(clusterTarget(broker.brokers), { replay: TUNING });
  }, 240_000);

  afterAll(async () => {
    await admin?.disconnect();
    await broker?.stop();
  });

  it("continues after a SIGKILL from what was committed, copying every dead letter exactly once", async () => {
    // Commit 1 is the plan, 2 to 6 copy two messages each, 7 is left open with two more written.
    const reports = await replayInChildAndKill(broker.brokers, spec, 7);
    expect(reports[0]).toEqual({ planned: 60, replayed: 0, done: false });
    expect(reports.at(-1)).toEqual({ planned: 60, replayed: 10, done: false });
    expect(await queues.replayProgress(spec)).toEqual({ planned: 60, replayed: 10, done: false });
    // The open transaction's copies are in the log, visible to read_uncommitted readers only.
    expect(await readTopic(broker.brokers, "invoices", 12, { readUncommitted: true, quietMs: 500 })).toHaveLength(12);

    const restartedAt = Date.now();
    const resumed: ReplayProgress[] = [];
    const result = await queues.replayDeadLetters({ ...spec, messagesPerSecond: 200 }, (progress) => resumed.push(progress));
    expect(result).toEqual({ planned: 60, replayed: 60, done: true });
    // From the killed run's commits on, not from the start.
    expect(resumed[0]).toEqual({ planned: 60, replayed: 10, done: false });
    expect(await queues.replayProgress(spec)).toEqual({ planned: 60, replayed: 60, done: true });

    const copies = (await readTopic(broker.brokers, "invoices", 60)).map(asDeadLetter);
    // Fencing aborted the killed run's transaction at once: no reader waited for its timeout.
    expect(Date.now() - restartedAt).toBeLessThan(30_000);
    expect(copies).toHaveLength(60);
    expect(copies.map(({ key, value, headers }) => ({ key, value, headers }))).toEqual(
      expect.arrayContaining(letters.map(({ key, value, headers }) => ({ key, value, headers }))),
    );
    // Kafka's own consumer agrees: each dead letter once, nothing of the aborted transaction.
    const values = await valuesReadByKafkaTool(broker, "invoices");
    expect(values.sort()).toEqual(letters.map((letter) => letter.value).sort());
    // The aborted copies are still in the log, for read_uncommitted readers.
    expect(await readTopic(broker.brokers, "invoices", 62, { readUncommitted: true, quietMs: 500 })).toHaveLength(62);
  }, 60_000);

  it("stops a run that a newer run of the same replay fenced, and the newer one finishes alone", async () => {
    const zombieSpec: ReplaySpec = { ...spec, replayId: "zombie-test", target: "receipts", messagesPerSecond: 4 };
    const first: ReplayProgress[] = [];
    const older = queues.replayDeadLetters(zombieSpec, (progress) => first.push(progress));
    const olderOutcome = older.then(
      () => null,
      (error: unknown) => error,
    );
    await waitUntil(async () => (first.at(-1)?.replayed ?? 0) >= 4, 20_000, "the first run to copy some dead letters");

    const result = await queues.replayDeadLetters({ ...zombieSpec, messagesPerSecond: 200 }, () => undefined);
    expect(result).toEqual({ planned: 60, replayed: 60, done: true });
    const error = await olderOutcome;
    expect(error).toBeInstanceOf(ReplayTakenOver);
    expect((error as Error).message).toBe("replay zombie-test was taken over by another run of the same replay; this run stopped without copying anything twice");
    expect((await readTopic(broker.brokers, "receipts", 60)).map((copy) => copy.value).sort()).toEqual(letters.map((letter) => letter.value).sort());
  }, 50_000);

  it("stops when its signal aborts, keeping what it committed, and a later run finishes it", async () => {
    const stopSpec: ReplaySpec = { ...spec, replayId: "shutdown-test", target: "statements", maxMessages: 30, messagesPerSecond: 10 };
    const shutdown = new AbortController();
    const stopped = await queues.replayDeadLetters(stopSpec, (progress) => {
      if (progress.replayed >= 10) shutdown.abort();
    }, shutdown.signal);
    expect(stopped.done).toBe(false);
    expect(stopped.replayed).toBeGreaterThanOrEqual(10);
    expect(stopped.replayed).toBeLessThan(30);
    expect(await queues.replayProgress(stopSpec)).toEqual(stopped);

    expect(await queues.replayDeadLetters({ ...stopSpec, messagesPerSecond: 200 }, () => undefined)).toEqual({ planned: 30, replayed: 30, done: true });
    expect(await readTopic(broker.brokers, "statements", 30)).toHaveLength(30);
  }, 40_000);
});
