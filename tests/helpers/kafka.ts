// A real Apache Kafka broker for tests, started through the project's own scripts on free
// loopback ports with a data folder under .tmp/, and Kafka's own command-line tools (from the
// same jars) as an independent peer to compare figures with.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import type { Admin } from "kafkajs";
import { distinctFreePorts, memoisedPerOptions, serviceScripts } from "./local-servers";
import { waitUntil } from "./prometheus";

const run = promisify(execFile);
const scripts = serviceScripts("kafka");

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

/** Brokers of this process by name. */
const startKafkaOnce = memoisedPerOptions((_options: TestKafkaOptions, forget) => launchTestKafka(forget), (options) => options.name ?? "shared");

/**
 * A single-node KRaft broker through scripts/kafka/start.sh, on free ports with its data under
 * .tmp/kafka-tests/. Memoised per test process and name: asking again gives the broker already
 * started, until it is stopped. The first call on a machine fetches the jars (about a minute);
 * after that a start takes 5-15 s, most of it the JVM's.
 */
export function startTestKafka(options: TestKafkaOptions = {}): Promise<TestKafka> {
  return startKafkaOnce(options);
}

async function launchTestKafka(forget: () => void): Promise<TestKafka> {
  const { stdout } = await scripts.run("install", process.env, 600_000);
  const libDir = stdout.trim();
  const dataRoot = await scripts.newDataRoot();
  const [port, controllerPort] = (await distinctFreePorts(2)) as [number, number];
  const scriptEnv: NodeJS.ProcessEnv = {
    ...process.env,
    SCALEPLANE_OBSERVABILITY_DIR: dataRoot,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    // Few partitions of __consumer_offsets: a group's coordinator is ready sooner.
    KAFKA_OFFSETS_TOPIC_PARTITIONS: "3",
  };
  await scripts.start(scriptEnv);
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
      await scripts.run("stop", scriptEnv);
    },
    async resume() {
      await scripts.run("start", scriptEnv, 120_000);
    },
    async stop() {
      forget();
      await scripts.stopAndRemove(scriptEnv);
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
