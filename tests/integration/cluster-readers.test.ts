// Clusters the configuration lists by address are read from the systems themselves and take the
// place of what the environment's metrics say of them: here a real Redis and a real Kafka broker
// stand in for the simulated fleet's `product-cache` and `events` cluster in eu-west-1, while
// every other cache and cluster still comes from the simulator. Read through the app's router.
import { Redis } from "ioredis";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClusterReaders } from "../../server/adapters/cluster-readers";
import { alwaysFresh } from "../../server/adapters/environment-metrics";
import { createSimulatedFleet, type SimulatedPlatform } from "../../server/adapters/simulator";
import { validateConfig } from "../../server/config";
import type { Runtime } from "../../server/runtime";
import { callerFor, readingRuntime } from "../helpers/callers";
import { createTopicsAndWait, startTestKafka, type TestKafka } from "../helpers/kafka";
import { waitUntil } from "../helpers/prometheus";
import { startTestRedisSet, type TestRedisSet } from "../helpers/redis-servers";

const EU = "eu-west-1";
let redisSet: TestRedisSet;
let kafka: TestKafka;
let platform: SimulatedPlatform;
let readers: ClusterReaders;
let runtime: Runtime;

beforeAll(async () => {
  [redisSet, kafka] = await Promise.all([startTestRedisSet(), startTestKafka({ name: "cluster-readers" })]);
  const [host, port] = redisSet.primary.split(":");
  const primary = new Redis({ host, port: Number(port) });
  await primary.flushall();
  const pipeline = primary.pipeline();
  for (let i = 0; i < 250; i++) pipeline.set(`product:${i}`, "x".repeat(100));
  await pipeline.exec();
  await primary.quit();
  const client = new Kafka({ clientId: "cluster-readers-test", brokers: kafka.brokers, logLevel: logLevel.NOTHING });
  const admin = client.admin();
  await admin.connect();
  await createTopicsAndWait(admin, [{ topic: "orders", numPartitions: 3 }]);
  await admin.disconnect();

  platform = createSimulatedFleet({ seed: 42, historyHours: 0.1 });
  const config = validateConfig(
    {
      version: 1,
      environments: {
        demo: {
          source: "simulator",
          regions: {
            [EU]: {
              clusters: {
                "product-cache": { kind: "redis", endpoints: [redisSet.primary, redisSet.replica] },
                events: { kind: "kafka", brokers: kafka.brokers },
              },
            },
            "us-east-1": {},
          },
        },
      },
    },
    "the test configuration",
  );
  readers = ClusterReaders.fromConfig(config);
  runtime = { ...readingRuntime({ source: readers.over("demo", alwaysFresh(platform.metrics)), workloads: platform.workloads, simulator: platform }), clusterReaders: readers };
}, 240_000);

afterAll(async () => {
  await readers?.close();
  await redisSet?.stop();
  await kafka?.stop();
});

describe("clusters read directly, in place of their metrics", () => {
  it("lists the real cache in its region and the simulated ones elsewhere", async () => {
    const caller = callerFor(runtime);
    const { caches } = await waitUntil(async () => {
      const answer = await caller.caches.list();
      return answer.caches.find((cache) => cache.cluster === "product-cache" && cache.region === EU)?.keys === 250 ? answer : undefined;
    }, 30_000, "the real cache's figures");
    const real = caches.filter((cache) => cache.cluster === "product-cache" && cache.region === EU);
    expect(real).toHaveLength(1); // replaced, not listed twice
    expect(real[0]?.instances.map((instance) => instance.role).sort()).toEqual(["primary", "replica"]);
    const simulated = await platform.metrics.caches();
    const elsewhere = caches.filter((cache) => !(cache.cluster === "product-cache" && cache.region === EU));
    expect(elsewhere.map((cache) => `${cache.cluster}@${cache.region}`).sort()).toEqual(
      simulated.filter((cache) => !(cache.cluster === "product-cache" && cache.region === EU)).map((cache) => `${cache.cluster}@${cache.region}`).sort(),
    );
  }, 60_000);

  it("gives the real cache's detail (replication, key namespaces) and none for a simulated one", async () => {
    const caller = callerFor(runtime);
    const detail = await caller.caches.detail({ name: "product-cache", region: EU });
    expect(detail?.value.replication.connectedReplicas).toBe(1);
    expect(detail?.value.replication.primary).toBe(redisSet.primary);
    expect(await caller.caches.detail({ name: "product-cache", region: "us-east-1" })).toBeNull();
  }, 30_000);

  it("reads the Kafka cluster from the broker: one broker, the real topic", async () => {
    const caller = callerFor(runtime);
    const answer = await waitUntil(async () => {
      const queues = await caller.queues.cluster({ cluster: "events", region: EU });
      return queues.topics.some((topic) => topic.topic === "orders" && topic.partitions === 3) ? queues : undefined;
    }, 60_000, "the broker's topics");
    expect(answer.clusters).toHaveLength(1);
    expect(answer.clusters[0]).toMatchObject({ brokers: 1, topics: 1, partitions: 3, underReplicatedPartitions: 0 });
    // us-east-1's events cluster is still the simulated one, with its five brokers.
    const us = await caller.queues.cluster({ cluster: "events", region: "us-east-1" });
    expect(us.clusters[0]?.brokers).toBe(5);
  }, 90_000);
});
