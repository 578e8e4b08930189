// Killing the app during a DLQ replay and starting it again finishes the replay with no message
// replayed twice. The action executor (a pg-boss worker over the test database with the real
// Kafka adapter, wired as the app wires it) runs in a child process; the test requests and
// approves a slow dlq.replay, SIGKILLs the child once the request's progress shows messages
// copied, and starts a second child. pg-boss notices the dead execution's missing heartbeat and
// retries its job; the kind resumes from what Kafka committed, the request ends `succeeded`, and
// the target topic, as read_committed readers see it, holds every dead letter exactly once.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { createInterface } from "node:readline";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { actionAdaptersFromConfig } from "@/server/adapters/action-adapters";
import { validateConfig } from "@/server/config/load";
import { db } from "@/server/db/client";
import { approvedRunTrail, auditTrailOf, callerAs, createActionPeople, waitForSettled, type ActionPeople } from "../helpers/action-flow";
import { createTopicsAndWait, startTestKafka, type TestKafka } from "../helpers/kafka";
import { asDeadLetter, deadLetters, produceDeadLetters, readTopic, valuesReadByKafkaTool } from "../helpers/kafka-replay";
import { waitUntil } from "../helpers/prometheus";
import { startTestRuntime, TEST_ENVIRONMENT, type TestRuntime } from "../helpers/runtime";

const ROOT = path.resolve(import.meta.dirname, "../..");
const REGION = "eu-west-1";
const KAFKA_CLUSTER = "events";

/** 30 dead letters over three partitions; at 4 a second the replay takes about 8 s. */
const LETTERS = deadLetters("refunds.dlq", [12, 10, 8]);

/** The simulated environment with the test broker as its Kafka cluster in eu-west-1: the app's configuration. */
const configurationFor = (brokers: string[]) => ({
  version: 1,
  environments: {
    [TEST_ENVIRONMENT]: { source: "simulator", regions: { [REGION]: { clusters: { [KAFKA_CLUSTER]: { kind: "kafka", brokers } } }, "us-east-1": {} } },
  },
});

interface Executor {
  process: ChildProcess;
  exited: Promise<void>;
  output(): string;
}

/** Starts the executor in a child process; resolves once its worker takes jobs. */
async function startExecutor(configuration: unknown): Promise<Executor> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "tests/helpers/action-executor-child.ts"), JSON.stringify(configuration)], {
    cwd: ROOT,
    env: process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the executor did not start in 45 s: ${output}`)), 45_000);
    void exited.then(() => reject(new Error(`the executor exited while starting: ${output}`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line !== "ready") return;
      clearTimeout(timer);
      resolve();
    });
  });
  return { process: child, exited, output: () => output };
}

async function kill(executor: Executor | undefined): Promise<void> {
  if (!executor || executor.process.exitCode !== null || executor.process.signalCode !== null) return;
  executor.process.kill("SIGKILL");
  await executor.exited;
}

/** The request's progress column as the executor last wrote it. */
async function progressOf(requestId: string): Promise<{ planned: number; replayed: number; done: boolean } | null> {
  const request = await db.actionRequest.findUniqueOrThrow({ where: { id: requestId }, select: { progress: true } });
  return request.progress as { planned: number; replayed: number; done: boolean } | null;
}

describe("an app killed during a DLQ replay", () => {
  let broker: TestKafka;
  let runtime: TestRuntime;
  let people: ActionPeople;
  const executors: Executor[] = [];

  beforeAll(async () => {
    broker = await startTestKafka();
    const kafka = new Kafka({ brokers: broker.brokers, clientId: "action-replay-crash-test", logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    try {
      await createTopicsAndWait(admin, [
        { topic: "refunds.dlq", numPartitions: 3 },
        { topic: "refunds", numPartitions: 2 },
      ]);
      await producer.connect();
      await produceDeadLetters(producer, "refunds.dlq", LETTERS);
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
    // This process requests and approves (the kind's preview reads the broker) but executes
    // nothing: the children do.
    const configured = actionAdaptersFromConfig(validateConfig(configurationFor(broker.brokers), "action-replay-crash test"));
    runtime = await startTestRuntime({ db, databaseUrl: inject("databaseUrl"), adapters: configured.adapters, workers: false });
    people = await createActionPeople();
  }, 120_000);

  afterAll(async () => {
    for (const executor of executors) await kill(executor);
    await runtime?.stop();
    await broker?.stop();
  });

  it("finishes the replay after a restart with no message replayed twice", async () => {
    executors.push(await startExecutor(configurationFor(broker.brokers)));
    const requested = await callerAs(runtime, people.operator).actions.request({
      kind: "dlq.replay",
      environment: TEST_ENVIRONMENT,
      params: { region: REGION, cluster: KAFKA_CLUSTER, topic: "refunds.dlq", maxMessages: 1_000, messagesPerSecond: 4 },
      reason: "the refund service is fixed",
      idempotencyKey: randomUUID(),
    });
    expect(requested.state).toBe("pending");
    await callerAs(runtime, people.approver).actions.approve({ id: requested.id });

    // Killed mid-way: some messages copied, not all.
    const atKill = await waitUntil(
      async () => {
        const progress = await progressOf(requested.id);
        return progress && progress.replayed >= 6 ? progress : undefined;
      },
      45_000,
      "the first executor to copy some dead letters",
    );
    await kill(executors[0]);
    expect(atKill.planned).toBe(30);
    expect(atKill.replayed).toBeLessThan(30);
    expect((await db.actionRequest.findUniqueOrThrow({ where: { id: requested.id } })).state).toBe("executing");

    // The progress the restarted execution writes never goes below what the killed one wrote.
    const seen: number[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const progress = await progressOf(requested.id);
        if (progress) seen.push(progress.replayed);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    try {
      executors.push(await startExecutor(configurationFor(broker.brokers)));
      const settled = await waitForSettled(requested.id, 60_000);
      expect(settled.state, `${settled.error ?? ""} ${executors[1]?.output() ?? ""}`).toBe("succeeded");
      expect(settled.progress).toEqual({ planned: 30, replayed: 30, done: true });
      expect(settled.outcome).toMatchObject({ ok: true, resumed: true, message: "resumed after an interruption: replayed 30 of 30 messages from refunds.dlq into refunds" });
    } finally {
      watching = false;
      await watcher;
    }
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(atKill.replayed);
    // One start: the retried job continued the execution the killed app began.
    expect(await auditTrailOf(requested.id)).toEqual(approvedRunTrail(people, "succeeded"));

    // Each dead letter once, keys, values and headers as they were, for kafkajs and Kafka's own consumer.
    const copies = (await readTopic(broker.brokers, "refunds", 30)).map(asDeadLetter);
    expect(copies).toHaveLength(30);
    expect(new Set(copies.map((copy) => copy.source)).size).toBe(30);
    expect(copies.map(({ key, value, headers }) => ({ key, value, headers }))).toEqual(
      expect.arrayContaining(LETTERS.map(({ key, value, headers }) => ({ key, value, headers }))),
    );
    expect((await valuesReadByKafkaTool(broker, "refunds")).sort()).toEqual(LETTERS.map((letter) => letter.value).sort());
  }, 120_000);
});
