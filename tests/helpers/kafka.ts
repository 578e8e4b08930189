// A real Apache Kafka broker for tests, started through the project's own scripts on free
// loopback ports with a data folder under .tmp/, and Kafka's own command-line tools (from the
// same jars) as an independent peer to compare figures with.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { processIsAlive } from "../../scripts/lib/processes";
import type { Admin } from "kafkajs";
import { freePort, waitUntil } from "./prometheus";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");
const SCRIPTS = path.join(ROOT, "scripts/kafka");
const TEST_DATA_ROOT = path.join(ROOT, ".tmp/kafka-tests");

export interface TestKafka {
  /** Bootstrap addresses, host:port. */
  brokers: string[];
  port: number;
  controllerPort: number;
  dataRoot: string;
  /** The folder of Kafka's jars (scripts/kafka/install.sh's cache). */
  libDir: string;
  /** Runs one of Kafka's command-line tools by class name; resolves with its standard output. */
  tool(className: string, args: string[]): Promise<string>;
  /** Stops the broker but keeps its data (an outage). */
  halt(): Promise<void>;
  /** Starts it again on the same ports with the same data. */
  resume(): Promise<void>;
  /** Stops it for good and deletes its data. */
  stop(): Promise<void>;
}

export interface TestKafkaOptions {
  /**
   * Brokers of one test process are shared by name: a test that stops its broker asks for a
   * name of its own so the others keep theirs.
   */
  name?: string;
}

/** Brokers left behind by a test process that died before its afterAll: stop them, drop their data. */
async function cleanUpAbandoned(): Promise<void> {
  if (!existsSync(TEST_DATA_ROOT)) return;
  for (const entry of readdirSync(TEST_DATA_ROOT)) {
    const ownerPid = Number(entry.split("-")[1]);
    if (!Number.isInteger(ownerPid) || processIsAlive(ownerPid)) continue;
    const dataRoot = path.join(TEST_DATA_ROOT, entry);
    await run(path.join(SCRIPTS, "stop.sh"), [], { env: { ...process.env, SCALEPLANE_OBSERVABILITY_DIR: dataRoot } }).catch(() => undefined);
    rmSync(dataRoot, { recursive: true, force: true });
  }
}

let sequence = 0;
const running = new Map<string, Promise<TestKafka>>();

/**
 * A single-node KRaft broker through scripts/kafka/start.sh, on free ports with its data under
 * .tmp/kafka-tests/. Memoised per test process and name: asking again gives the broker already
 * started, until it is stopped. The first call on a machine fetches the jars (about a minute);
 * after that a start takes 5-15 s, most of it the JVM's.
 */
export function startTestKafka(options: TestKafkaOptions = {}): Promise<TestKafka> {
  const name = options.name ?? "shared";
  let started = running.get(name);
  if (!started) {
    started = launchTestKafka(() => running.delete(name));
    started.catch(() => running.delete(name));
    running.set(name, started);
  }
  return started;
}

async function launchTestKafka(forget: () => void): Promise<TestKafka> {
  const { stdout } = await run(path.join(SCRIPTS, "install.sh"), [], { timeout: 600_000 });
  const libDir = stdout.trim();
  await cleanUpAbandoned();
  const port = await freePort();
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();
  const dataRoot = path.join(TEST_DATA_ROOT, `run-${process.pid}-${Date.now().toString(36)}-${sequence++}`);
  const scriptEnv: NodeJS.ProcessEnv = {
    ...process.env,
    SCALEPLANE_OBSERVABILITY_DIR: dataRoot,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    // Few partitions of __consumer_offsets: a group's coordinator is ready sooner.
    KAFKA_OFFSETS_TOPIC_PARTITIONS: "3",
  };
  const stopBroker = () => run(path.join(SCRIPTS, "stop.sh"), [], { env: scriptEnv });
  const startBroker = () => run(path.join(SCRIPTS, "start.sh"), [], { env: scriptEnv, timeout: 120_000 });
  try {
    await startBroker();
  } catch (error) {
    await stopBroker().catch(() => undefined);
    throw error;
  }
  // Kafka's tools log through log4j too; to stderr, so their standard output stays parseable.
  const toolLog4j = path.join(dataRoot, "tools-log4j.properties");
  writeFileSync(toolLog4j, "log4j.rootLogger=ERROR, stderr\nlog4j.appender.stderr=org.apache.log4j.ConsoleAppender\nlog4j.appender.stderr.Target=System.err\nlog4j.appender.stderr.layout=org.apache.log4j.SimpleLayout\n");
  const brokers = [`127.0.0.1:${port}`];
  return {
    brokers,
    port,
    controllerPort,
    dataRoot,
    libDir,
    async tool(className, args) {
      const { stdout: output } = await run(
        process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, "bin/java") : "java",
        ["-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", `-Dlog4j.configuration=file:${toolLog4j}`, "-cp", `${libDir}/*`, className, ...args],
        { timeout: 60_000 },
      );
      return output;
    },
    async halt() {
      await stopBroker();
    },
    async resume() {
      await startBroker();
    },
    async stop() {
      forget();
      await stopBroker();
      rmSync(dataRoot, { recursive: true, force: true });
    },
  };
}

/**
 * Creates topics and waits until every partition has a leader that answers for its offsets:
 * a new partition's leader can refuse requests for a moment after the topic exists.
 */
export async function createTopicsAndWait(admin: Admin, topics: Array<{ topic: string; numPartitions: number }>): Promise<void> {
  await admin.createTopics({ topics, waitForLeaders: false });
  for (const { topic, numPartitions } of topics) {
    await waitUntil(async () => (await admin.fetchTopicOffsets(topic)).length === numPartitions, 30_000, `the partitions of ${topic} to have leaders`);
  }
}
