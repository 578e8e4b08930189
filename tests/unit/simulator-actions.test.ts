// Every action port over the simulated fleet: each change lands in the fleet and shows in the
// figures the app reads (lag, hit ratio, DLQ depth, traffic, breakers, pods), a dry run changes
// nothing, and what cannot be done is refused with a sentence a user can act on.
import { describe, expect, it } from "vitest";
import { createSimulatedFleet, renderExposition, type SimulatedPlatform } from "../../server/adapters/simulator";
import { BREAKER_HALF_OPEN_TRIAL_MS, BREAKER_OPEN_MS } from "../../server/adapters/simulator/breaker";
import { FAILOVER_SWITCH_SECONDS } from "../../server/adapters/simulator/redis";
import type { CacheRef, ConsumerGroupRef, ReplayProgress, ReplaySpec, TopicRef } from "../../server/domain/action-ports";
import { ActionRefused } from "../../server/domain/actions/kind";
import { parseExposition, select } from "./simulator-prometheus";

const START = Date.UTC(2025, 0, 15, 12, 0, 7);
const ENV = "demo";
const EU = "eu-west-1";
const US = "us-east-1";

const platform = () => createSimulatedFleet({ startAt: START, historyHours: 0.1 });
const run = (p: SimulatedPlatform, seconds: number) => {
  for (let i = 0; i < seconds; i++) p.fleet.tick(p.fleet.now + 1000);
};
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

const payments = { environment: ENV, namespace: "checkout", name: "payments", region: EU };
const fulfilment = { environment: ENV, namespace: "orders", name: "fulfilment-worker", region: EU };
const events = { environment: ENV, region: EU, cluster: "events" };
const ordersTopic: TopicRef = { ...events, topic: "orders" };
const orderGroup: ConsumerGroupRef = { ...events, group: "order-fulfilment" };
const productCache: CacheRef = { environment: ENV, region: EU, cache: "product-cache" };

async function lagOf(p: SimulatedPlatform, group: string, region = EU) {
  const found = (await p.metrics.consumerGroupLag()).find((g) => g.group === group && g.region === region);
  if (!found) throw new Error(`no group ${group} in ${region}`);
  return found;
}

async function topicStats(p: SimulatedPlatform, topic: string, region = EU) {
  const found = (await p.metrics.topics()).find((t) => t.topic === topic && t.region === region);
  if (!found) throw new Error(`no topic ${topic} in ${region}`);
  return found;
}

async function cacheStats(p: SimulatedPlatform, cache = "product-cache", region = EU) {
  const found = (await p.metrics.caches()).find((c) => c.cluster === cache && c.region === region);
  if (!found) throw new Error(`no cache ${cache} in ${region}`);
  return found;
}

async function highs(p: SimulatedPlatform, ref: TopicRef): Promise<number[]> {
  const topic = await p.actions.queues.describeTopic(ref);
  if (!topic) throw new Error(`no topic ${ref.topic}`);
  return topic.partitions.map((partition) => partition.high);
}

async function lows(p: SimulatedPlatform, ref: TopicRef): Promise<number[]> {
  const topic = await p.actions.queues.describeTopic(ref);
  if (!topic) throw new Error(`no topic ${ref.topic}`);
  return topic.partitions.map((partition) => partition.low);
}

describe("simulated action ports: Kubernetes", () => {
  it("scales through the workload port, checks a dry run without applying it, and lets a consumer go to 0", async () => {
    const p = platform();
    const { workloads } = p.actions;
    expect(workloads).toBe(p.workloads);
    const before = await workloads.getWorkload(payments);
    await workloads.scaleWorkload(payments, 30, { dryRun: true });
    expect(await workloads.getWorkload(payments)).toEqual(before);
    await expect(workloads.scaleWorkload(payments, 61, { dryRun: true })).rejects.toThrow(ActionRefused);
    await expect(workloads.scaleWorkload(payments, 61, { dryRun: true })).rejects.toThrow(/outside its bounds \[3, 60\]/);
    await workloads.scaleWorkload(payments, 30);
    expect((await workloads.getWorkload(payments))?.desiredReplicas).toBe(30);

    // A consumer has no autoscaler: 0 is a valid count (it stops consuming).
    expect((await workloads.getWorkload(fulfilment))?.minReplicas).toBe(0);
    await workloads.scaleWorkload(fulfilment, 0);
    run(p, 5);
    expect((await lagOf(p, "order-fulfilment")).members).toBe(0);
    expect((await lagOf(p, "order-fulfilment")).consumedPerSecond).toBe(0);
  });

  it("reads and patches an HPA in whole percent; the HPA acts on the new bounds at its next sync", async () => {
    const p = platform();
    const { autoscalers } = p.actions;
    const before = await autoscalers.getAutoscaler(payments);
    expect(before).toMatchObject({ ...payments, minReplicas: 3, maxReplicas: 60, targetCpuUtilisationPercent: 95 });
    const floor = (before?.desiredReplicas ?? 0) + 6;

    const preview = await autoscalers.patchAutoscaler(payments, { minReplicas: floor, targetCpuUtilisationPercent: 70 }, { dryRun: true });
    expect(preview).toMatchObject({ minReplicas: floor, maxReplicas: 60, targetCpuUtilisationPercent: 70 });
    expect(await autoscalers.getAutoscaler(payments)).toEqual(before);

    const patched = await autoscalers.patchAutoscaler(payments, { minReplicas: floor, targetCpuUtilisationPercent: 70 });
    expect(patched).toMatchObject({ minReplicas: floor, targetCpuUtilisationPercent: 70 });
    const hpa = (await p.metrics.autoscalers()).find((a) => a.name === "payments" && a.region === EU);
    expect(hpa).toMatchObject({ minReplicas: floor, targetCpuUtilisation: 0.7 });
    run(p, 16);
    expect((await p.workloads.getWorkload(payments))?.desiredReplicas).toBeGreaterThanOrEqual(floor);

    await expect(autoscalers.patchAutoscaler(payments, { targetCpuUtilisationPercent: 70.5 })).rejects.toThrow(/whole percent from 1 to 100, got 70.5/);
    await expect(autoscalers.patchAutoscaler(payments, { minReplicas: 61 })).rejects.toThrow(/1 ≤ min ≤ max; the change gives \[61, 60\]/);
    await expect(autoscalers.patchAutoscaler(fulfilment, { maxReplicas: 8 })).rejects.toThrow(/has no autoscaler/);
    expect(await autoscalers.getAutoscaler(fulfilment)).toBeNull();
    expect(await autoscalers.getAutoscaler({ ...payments, environment: "prod" })).toBeNull();
    await expect(autoscalers.patchAutoscaler({ ...payments, environment: "prod" }, { maxReplicas: 8 })).rejects.toThrow(/No workload checkout\/payments in eu-west-1 \(prod\)/);
  });

  it("restarts a rollout: a new template replaces the pods a few at a time, available dips by at most 25 %, then recovers", async () => {
    const p = platform();
    const { rollouts } = p.actions;
    await p.workloads.scaleWorkload(fulfilment, 8);
    run(p, 60);
    const before = await rollouts.getRollout(fulfilment);
    expect(before).toEqual({ restartedAt: null, replicas: 8, updatedReplicas: 8, availableReplicas: 8, generation: 1, observedGeneration: 1 });
    const oldPods = new Set(p.fleet.workloadState(fulfilment)?.pods.map((pod) => pod.name));

    await rollouts.restartRollout(fulfilment, "2025-01-15T12:01:07.000Z", { dryRun: true });
    expect(await rollouts.getRollout(fulfilment)).toEqual(before);
    await expect(rollouts.restartRollout(fulfilment, "yesterday")).rejects.toThrow(/must be an ISO time/);

    await rollouts.restartRollout(fulfilment, "2025-01-15T12:01:07.000Z");
    expect(await rollouts.getRollout(fulfilment)).toMatchObject({ restartedAt: "2025-01-15T12:01:07.000Z", generation: 2, observedGeneration: 1 });
    const available: number[] = [];
    const total: number[] = [];
    for (let s = 0; s < 240; s++) {
      run(p, 1);
      const status = await rollouts.getRollout(fulfilment);
      available.push(status?.availableReplicas ?? -1);
      total.push(status?.replicas ?? -1);
    }
    // maxUnavailable 25 % of 8 is 2, maxSurge 2: never fewer than 6 available nor more than 10 pods.
    expect(Math.min(...available)).toBe(6);
    expect(Math.max(...total)).toBe(10);
    expect((await lagOf(p, "order-fulfilment")).members).toBe(8);
    expect(await rollouts.getRollout(fulfilment)).toEqual({
      restartedAt: "2025-01-15T12:01:07.000Z", replicas: 8, updatedReplicas: 8, availableReplicas: 8, generation: 2, observedGeneration: 2,
    });
    const pods = p.fleet.workloadState(fulfilment)?.pods ?? [];
    expect(pods).toHaveLength(8);
    expect(pods.some((pod) => oldPods.has(pod.name))).toBe(false);
    expect(await rollouts.getRollout({ ...fulfilment, name: "nope" })).toBeNull();
    await expect(rollouts.restartRollout({ ...fulfilment, environment: "prod" }, "2025-01-15T12:01:07.000Z")).rejects.toThrow(ActionRefused);
  });

  it("shifts traffic in whole-number weights that read back as they were set", async () => {
    const p = platform();
    const { traffic } = p.actions;
    expect(await traffic.getRegionWeights(ENV)).toEqual({ [EU]: 60, [US]: 40 });
    await traffic.setRegionWeights(ENV, { [EU]: 0, [US]: 7 }, { dryRun: true });
    expect(await traffic.getRegionWeights(ENV)).toEqual({ [EU]: 60, [US]: 40 });

    const euBefore = (await p.metrics.regionTraffic()).find((r) => r.region === EU)?.requestsPerSecond ?? 0;
    await traffic.setRegionWeights(ENV, { [EU]: 1, [US]: 3 });
    expect(await traffic.getRegionWeights(ENV)).toEqual({ [EU]: 1, [US]: 3 });
    run(p, 5);
    const after = await p.metrics.regionTraffic();
    expect(after.find((r) => r.region === EU)?.trafficWeight).toBe(0.25);
    expect(after.find((r) => r.region === EU)?.requestsPerSecond).toBeLessThan(euBefore * 0.5);
    // A region left out keeps its weight.
    await traffic.setRegionWeights(ENV, { [US]: 1 });
    expect(await traffic.getRegionWeights(ENV)).toEqual({ [EU]: 1, [US]: 1 });

    await expect(traffic.setRegionWeights(ENV, { [EU]: 0.5 })).rejects.toThrow(/whole number of 0 or more, got 0.5/);
    await expect(traffic.setRegionWeights(ENV, { [EU]: 0, [US]: 0 })).rejects.toThrow(ActionRefused);
    await expect(traffic.setRegionWeights(ENV, { "ap-south-1": 1 })).rejects.toThrow(/unknown regions ap-south-1/);
    expect(await traffic.getRegionWeights("prod")).toBeNull();
    await expect(traffic.setRegionWeights("prod", { [EU]: 1 })).rejects.toThrow(/prod has no traffic split/);
  });

  it("forces a breaker open (the caller fails the calls it needs) and hands it back to its own rules", async () => {
    const p = platform();
    const { breakers } = p.actions;
    const edge = { environment: ENV, namespace: "checkout", name: "checkout-api", region: EU, dependency: "cart" };
    expect(await breakers.getBreaker(edge)).toEqual({ state: "closed", forced: null });
    const errorsBefore = (await p.metrics.currentServiceStats()).find((s) => s.name === "checkout-api" && s.region === EU)?.errorRatio ?? 1;

    await breakers.forceBreaker(edge, "open");
    run(p, BREAKER_OPEN_MS / 1000 + 10);
    expect(await breakers.getBreaker(edge)).toEqual({ state: "open", forced: "open" });
    const dependency = (await p.metrics.dependencies()).find((d) => d.name === "checkout-api" && d.region === EU && d.dependency === "cart");
    expect(dependency).toMatchObject({ breakerState: "open", callsPerSecond: 0 });
    // cart takes 80 % of checkout-api's requests: they fail fast while the breaker is open.
    expect((await p.metrics.currentServiceStats()).find((s) => s.name === "checkout-api" && s.region === EU)?.errorRatio).toBeGreaterThan(errorsBefore + 0.7);

    await breakers.forceBreaker(edge, "auto");
    expect(await breakers.getBreaker(edge)).toEqual({ state: "open", forced: null });
    run(p, (BREAKER_OPEN_MS + BREAKER_HALF_OPEN_TRIAL_MS) / 1000 + 2);
    expect(await breakers.getBreaker(edge)).toEqual({ state: "closed", forced: null });

    await expect(breakers.forceBreaker({ ...edge, dependency: "search" }, "open")).rejects.toThrow(/does not call search; it calls cart, inventory, payments/);
    expect(await breakers.getBreaker({ ...edge, dependency: "search" })).toBeNull();
    expect(await breakers.getBreaker({ ...edge, environment: "prod" })).toBeNull();
  });
});

describe("simulated action ports: Kafka", () => {
  it("describes topics and groups from the cluster's offsets, and names the consumer to scale", async () => {
    const p = platform();
    const { queues } = p.actions;
    const topic = await queues.describeTopic(ordersTopic);
    expect(topic?.partitions).toHaveLength(12);
    const group = await queues.describeConsumerGroup(orderGroup);
    const lag = await lagOf(p, "order-fulfilment");
    expect(group).toMatchObject({ group: "order-fulfilment", state: "Stable", members: lag.members });
    expect(group?.partitions.map((x) => x.committed)).toEqual(lag.partitions.map((x) => x.committedOffset));
    expect(group?.partitions.map((x) => x.high)).toEqual(lag.partitions.map((x) => x.logEndOffset));
    expect(await queues.consumerWorkload(orderGroup)).toEqual(fulfilment);
    expect(await queues.describeTopic({ ...ordersTopic, topic: "nope" })).toBeNull();
    expect(await queues.describeConsumerGroup({ ...orderGroup, environment: "prod" })).toBeNull();
    expect(await queues.consumerWorkload({ ...orderGroup, group: "nobody" })).toBeNull();
  });

  it("resets a group's offsets only once its consumer is scaled to 0; lag grows without it and falls once it is back", async () => {
    const p = platform();
    const { queues } = p.actions;
    const latest = await queues.resolveOffsetReset(orderGroup, "orders", { to: "latest" });
    await expect(queues.resetOffsets(orderGroup, latest)).rejects.toThrow(/order-fulfilment has \d+ active members \(orders\/fulfilment-worker\); scale it to 0/);

    await p.workloads.scaleWorkload(fulfilment, 0);
    run(p, 60);
    const group = await queues.describeConsumerGroup(orderGroup);
    expect(group).toMatchObject({ state: "Empty", members: 0 });
    const stalled = await lagOf(p, "order-fulfilment");
    expect(stalled.totalLag).toBeGreaterThan(5000);

    const topic = await queues.describeTopic(ordersTopic);
    const earliest = await queues.resolveOffsetReset(orderGroup, "orders", { to: "earliest" });
    expect(earliest.map((o) => o.offset)).toEqual(topic?.partitions.map((x) => x.low));
    const anHourAgo = await queues.resolveOffsetReset(orderGroup, "orders", { to: "timestamp", timestamp: p.fleet.now - 3_600_000 });
    anHourAgo.forEach((o, i) => {
      const partition = topic?.partitions[i];
      expect(o.offset).toBeGreaterThan(partition?.low ?? Infinity);
      expect(o.offset).toBeLessThan(partition?.high ?? -Infinity);
    });
    const future = await queues.resolveOffsetReset(orderGroup, "orders", { to: "timestamp", timestamp: p.fleet.now + 60_000 });
    expect(future.map((o) => o.offset)).toEqual(topic?.partitions.map((x) => x.high));
    await expect(queues.resolveOffsetReset(orderGroup, "orders", { to: "explicit", offsets: [{ partition: 12, offset: 0 }] })).rejects.toThrow(/no partition 12; its partitions are 0 to 11/);
    await expect(queues.resolveOffsetReset(orderGroup, "orders", { to: "explicit", offsets: [{ partition: 0, offset: -1 }] })).rejects.toThrow(/Offset -1 is outside partition 0 of orders/);
    await expect(queues.resolveOffsetReset(orderGroup, "payments", { to: "latest" })).rejects.toThrow(/reads orders, not payments/);
    await expect(queues.resolveOffsetReset({ ...orderGroup, group: "nobody" }, "orders", { to: "latest" })).rejects.toThrow(/has no consumer group nobody/);

    // Skip the backlog: the group starts from the log end.
    const skip = await queues.resolveOffsetReset(orderGroup, "orders", { to: "latest" });
    await queues.resetOffsets(orderGroup, skip);
    expect((await queues.describeConsumerGroup(orderGroup))?.partitions.map((x) => x.committed)).toEqual(skip.map((o) => o.offset));
    expect((await lagOf(p, "order-fulfilment")).totalLag).toBe(0);

    // Then let the lag build again and watch the consumer drain it once it runs.
    run(p, 60);
    const backlog = (await lagOf(p, "order-fulfilment")).totalLag;
    expect(backlog).toBeGreaterThan(5000);
    await p.workloads.scaleWorkload(fulfilment, 12);
    run(p, 180);
    expect((await lagOf(p, "order-fulfilment")).totalLag).toBeLessThan(backlog / 10);
  });

  it("adds partitions: refuses lowering, a dry run changes nothing, new partitions start empty and then take messages", async () => {
    const p = platform();
    const { queues } = p.actions;
    await expect(queues.addPartitions(ordersTopic, 6)).rejects.toThrow("Topic orders has 12 partitions; Kafka cannot lower it to 6");
    await expect(queues.addPartitions(ordersTopic, 12)).rejects.toThrow(/already has 12 partitions/);
    await expect(queues.addPartitions({ ...ordersTopic, topic: "nope" }, 16)).rejects.toThrow(/has no topic nope/);
    await queues.addPartitions(ordersTopic, 16, { dryRun: true });
    expect((await topicStats(p, "orders")).partitions).toBe(12);

    const before = await highs(p, ordersTopic);
    await queues.addPartitions(ordersTopic, 16);
    expect((await topicStats(p, "orders")).partitions).toBe(16);
    const added = await queues.describeTopic(ordersTopic);
    expect(added?.partitions.slice(12)).toEqual([12, 13, 14, 15].map((partition) => ({ partition, low: 0, high: 0 })));
    expect((await queues.describeConsumerGroup(orderGroup))?.partitions.slice(12).map((x) => x.committed)).toEqual([0, 0, 0, 0]);
    // The consumer may now run one member per partition.
    expect((await p.workloads.getWorkload(fulfilment))?.maxReplicas).toBe(16);

    run(p, 30);
    const after = await highs(p, ordersTopic);
    after.slice(12).forEach((high) => expect(high).toBeGreaterThan(0));
    // Keys spread over 16 partitions now: each old one receives less than before.
    const produced = sum(after.map((high, i) => high - (before[i] ?? 0)));
    expect(after[0]! - before[0]!).toBeLessThan((produced / 12) * 1.3);
    const exposition = parseExposition(renderExposition(p.fleet));
    expect(select(exposition, "kafka_topic_partitions", { region: EU, cluster: "events", topic: "orders" })[0]?.value).toBe(16);
  });

  it("replays dead letters at the set rate: the DLQ shrinks, the topic grows, a resumed replay never exceeds maxMessages", async () => {
    const p = platform();
    const { queues } = p.actions;
    const deadLetters: TopicRef = { ...events, topic: "orders.dlq" };
    const spec: ReplaySpec = { replayId: "request-1", deadLetters, target: "orders", maxMessages: 300, messagesPerSecond: 20 };
    expect(await queues.replayProgress(spec)).toBeNull();
    const depthBefore = (await topicStats(p, "orders.dlq")).retainedMessages;
    const lowBefore = sum(await lows(p, deadLetters));
    const highBefore = sum(await highs(p, ordersTopic));
    expect(depthBefore).toBeGreaterThan(300);

    // Run for 5 seconds, then stop (the app shuts down): 100 messages copied.
    const reports: ReplayProgress[] = [];
    const controller = new AbortController();
    const first = queues.replayDeadLetters(spec, (progress) => reports.push(progress), controller.signal);
    run(p, 5);
    controller.abort();
    expect(await first).toEqual({ planned: 300, replayed: 100, done: false });
    expect(reports.map((r) => r.replayed)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(sum(await lows(p, deadLetters)) - lowBefore).toBe(100);
    expect((await topicStats(p, "orders.dlq")).retainedMessages).toBeLessThan(depthBefore - 90);

    // Nothing moves while nobody runs it.
    run(p, 10);
    expect(await queues.replayProgress(spec)).toEqual({ planned: 300, replayed: 100, done: false });

    // Resumed under the same id: the plan stands (a larger maxMessages does not widen it).
    const resumed = queues.replayDeadLetters({ ...spec, maxMessages: 10_000 }, () => undefined);
    run(p, 20);
    expect(await resumed).toEqual({ planned: 300, replayed: 300, done: true });
    expect(sum(await lows(p, deadLetters)) - lowBefore).toBe(300);
    // The topic received the 300 messages on top of what its producer wrote.
    const producedMeanwhile = sum(await highs(p, ordersTopic)) - highBefore;
    expect(producedMeanwhile).toBeGreaterThan(300);

    // Running it again after it is done copies nothing more.
    expect(await queues.replayDeadLetters(spec, () => undefined)).toEqual({ planned: 300, replayed: 300, done: true });
    // The copied dead letters are gone: a new replay finds none of them.
    const retained = sum(await highs(p, deadLetters)) - sum(await lows(p, deadLetters));
    expect(retained).toBeGreaterThan(0);
    expect(await queues.deadLetterBacklog(deadLetters, "orders")).toEqual({ retained, replayedBefore: 0 });
    run(p, 5);
    expect(sum(await lows(p, deadLetters)) - lowBefore).toBe(300);

    await expect(queues.replayDeadLetters({ ...spec, replayId: "request-2", deadLetters: ordersTopic, target: "payments" }, () => undefined)).rejects.toThrow(/not a dead-letter topic/);
    await expect(queues.replayDeadLetters({ ...spec, replayId: "request-3", target: "nope" }, () => undefined)).rejects.toThrow(/has no topic nope/);
    await expect(queues.replayDeadLetters({ ...spec, target: "payments" }, () => undefined)).rejects.toThrow(/cannot be resumed for another topic/);
    await expect(queues.replayDeadLetters({ ...spec, replayId: "request-4", maxMessages: 0 }, () => undefined)).rejects.toThrow(/at least 1 whole message/);
  });

  it("a replay's plan is the backlog when it is smaller than maxMessages", async () => {
    const p = platform();
    const deadLetters: TopicRef = { ...events, topic: "orders.dlq" };
    const depth = (await topicStats(p, "orders.dlq")).retainedMessages;
    const replay = p.actions.queues.replayDeadLetters({ replayId: "all", deadLetters, target: "orders", maxMessages: 1_000_000, messagesPerSecond: 500 }, () => undefined);
    run(p, 5);
    expect(await replay).toEqual({ planned: depth, replayed: depth, done: true });
    expect((await topicStats(p, "orders.dlq")).retainedMessages).toBeLessThan(5);
  });
});

describe("simulated action ports: Redis", () => {
  it("estimates a pattern's keys from the cache's namespaces", async () => {
    const p = platform();
    const { caches } = p.actions;
    const all = await caches.estimateKeys(productCache, "*");
    expect(all.matching).toBe(all.totalKeys);
    expect(all.totalKeys).toBe((await cacheStats(p)).keys);
    expect(all.exact).toBe(false);
    expect((await caches.estimateKeys(productCache, "product:*")).matching).toBeCloseTo(all.totalKeys * 0.7, -1);
    // Prices come in three currencies.
    expect((await caches.estimateKeys(productCache, "price:*:usd")).matching / all.totalKeys).toBeCloseTo(0.2 / 3, 2);
    const someProducts = (await caches.estimateKeys(productCache, "product:1*")).matching / all.totalKeys;
    expect(someProducts).toBeGreaterThan(0.05);
    expect(someProducts).toBeLessThan(0.1);
    expect((await caches.estimateKeys(productCache, "nope:*")).matching).toBe(0);
    await expect(caches.estimateKeys({ ...productCache, cache: "nope" }, "*")).rejects.toThrow(/There is no cache nope in eu-west-1 \(demo\)/);
  });

  it("invalidating a namespace drops the hit ratio like a partial flush; it recovers as the cache refills, faster once warmed", async () => {
    const p = platform();
    const { caches } = p.actions;
    run(p, 2);
    const steady = await cacheStats(p);
    const inventoryBefore = (await p.metrics.currentServiceStats()).find((s) => s.name === "inventory" && s.region === EU)?.requestsPerSecond ?? 0;

    const reports: unknown[] = [];
    const result = await caches.invalidate(productCache, "product:*", (progress) => reports.push(progress));
    expect(result.done).toBe(true);
    expect(result.scanned).toBe(steady.keys);
    expect(result.deleted).toBeCloseTo(steady.keys * 0.7, -1);
    expect(reports).toEqual([result]);
    expect((await caches.estimateKeys(productCache, "product:*")).matching).toBe(0);
    run(p, 1);
    const invalidated = await cacheStats(p);
    expect(invalidated.keys).toBeLessThan(steady.keys * 0.35);
    expect(invalidated.hitRatio).toBeLessThan(steady.hitRatio - 0.5);
    expect(invalidated.hitRatio).toBeGreaterThan(0.2);
    run(p, 1);
    // The misses fall through to the service behind the cache.
    expect((await p.metrics.currentServiceStats()).find((s) => s.name === "inventory" && s.region === EU)?.requestsPerSecond).toBeGreaterThan(inventoryBefore * 2);

    // Twin caches: one recovers on its own, the other is warmed.
    const twin = platform();
    run(twin, 2);
    await twin.actions.caches.invalidate(productCache, "product:*", () => undefined);
    run(twin, 1);
    expect((await cacheStats(twin)).hitRatio).toBeCloseTo(invalidated.hitRatio, 6);

    const sources = await caches.warmSources(productCache);
    expect(sources.map((s) => [s.name, s.keys])).toEqual([["top-products", 42_000], ["price-list", 120_000]]);
    const warmed = await caches.warm(productCache, "top-products", () => undefined);
    expect(warmed).toEqual({ loaded: 42_000, failed: 0, total: 42_000, done: true });
    run(p, 1);
    run(twin, 1);
    const warm = await cacheStats(p);
    const cold = await cacheStats(twin);
    expect(warm.hitRatio).toBeGreaterThan(cold.hitRatio + 0.05);

    run(p, 300);
    expect((await cacheStats(p)).hitRatio).toBeGreaterThan(steady.hitRatio - 0.1);
    await expect(caches.warm(productCache, "everything", () => undefined)).rejects.toThrow(/has no warm source everything; its sources: top-products, price-list/);
  });

  it("a partial pattern's keys are gone at once and come back as they are missed", async () => {
    const p = platform();
    const { caches } = p.actions;
    const before = await caches.estimateKeys(productCache, "product:1*");
    const product = await caches.estimateKeys(productCache, "product:*");
    await caches.invalidate(productCache, "product:1*", () => undefined);
    expect((await caches.estimateKeys(productCache, "product:1*")).matching).toBe(0);
    // The rest of the namespace stays.
    expect((await caches.estimateKeys(productCache, "product:*")).matching).toBeCloseTo(product.matching - before.matching, -1);
    run(p, 30);
    const refilled = (await caches.estimateKeys(productCache, "product:1*")).matching;
    expect(refilled).toBeGreaterThan(0);
    expect(refilled).toBeLessThanOrEqual(before.matching);
  });

  it("fails the Sentinel-managed primary over to its replica with a brief blip; counters stay per instance", async () => {
    const p = platform();
    const { caches } = p.actions;
    const primary = await caches.describePrimary(productCache);
    expect(primary).toEqual({
      primary: "product-cache-0.product-cache.eu-west-1:6379",
      replicas: ["product-cache-1.product-cache.eu-west-1:6379", "product-cache-2.product-cache.eu-west-1:6379"],
      sentinels: 3, quorum: 2, failoverPossible: true,
    });
    run(p, 2);
    const steady = await cacheStats(p);
    const scrapeBefore = parseExposition(renderExposition(p.fleet));

    await caches.failover(productCache);
    await expect(caches.failover(productCache)).rejects.toThrow(/failover of cache product-cache in eu-west-1 is in progress/);
    expect((await caches.describePrimary(productCache))?.primary).toBe("product-cache-1.product-cache.eu-west-1:6379");
    expect((await caches.describePrimary(productCache))?.replicas).toContain("product-cache-0.product-cache.eu-west-1:6379");
    run(p, 1);
    expect((await cacheStats(p)).hitRatio).toBe(0);
    expect((await cacheStats(p)).instances.find((i) => i.role === "primary")?.pod).toBe("product-cache-1");
    run(p, FAILOVER_SWITCH_SECONDS + 1);
    expect((await cacheStats(p)).hitRatio).toBeGreaterThan(steady.hitRatio - 0.02);
    await caches.failover(productCache);

    const scrapeAfter = parseExposition(renderExposition(p.fleet));
    const labels = { region: EU, cluster: "product-cache" };
    const roles = select(scrapeAfter, "redis_instance_info", labels).map((s) => [s.labels.pod, s.labels.role]);
    expect(roles).toEqual([["product-cache-0", "slave"], ["product-cache-1", "slave"], ["product-cache-2", "master"]]);
    for (const name of ["redis_keyspace_hits_total", "redis_keyspace_misses_total", "redis_commands_processed_total"]) {
      for (const sample of select(scrapeAfter, name, labels)) {
        const earlier = select(scrapeBefore, name, { ...labels, pod: sample.labels.pod ?? "" })[0];
        expect(sample.value, `${name} ${sample.labels.pod}`).toBeGreaterThanOrEqual(earlier?.value ?? 0);
      }
    }
    // The new primary counts only its own hits: not the cache's whole history at once.
    const hits = (pod: string) => select(scrapeAfter, "redis_keyspace_hits_total", { ...labels, pod })[0]?.value ?? 0;
    expect(hits("product-cache-2")).toBe(0);
    expect(hits("product-cache-1")).toBeGreaterThan(0);
    expect(await caches.describePrimary({ ...productCache, environment: "prod" })).toBeNull();
    await expect(caches.failover({ ...productCache, cache: "nope" })).rejects.toThrow(ActionRefused);
  });
});

describe("simulated action ports: dry runs and other environments", () => {
  it("a dry run of every write changes nothing in the fleet", async () => {
    const p = platform();
    run(p, 3);
    const before = renderExposition(p.fleet);
    const dryRun = { dryRun: true };
    await p.actions.workloads.scaleWorkload(payments, 40, dryRun);
    await p.actions.autoscalers.patchAutoscaler(payments, { minReplicas: 10, maxReplicas: 50, targetCpuUtilisationPercent: 60 }, dryRun);
    await p.actions.rollouts.restartRollout(payments, new Date(p.fleet.now).toISOString(), dryRun);
    await p.actions.traffic.setRegionWeights(ENV, { [EU]: 0, [US]: 100 }, dryRun);
    await p.actions.queues.addPartitions(ordersTopic, 24, dryRun);
    expect(renderExposition(p.fleet)).toBe(before);
    run(p, 30);
    expect((await topicStats(p, "orders")).partitions).toBe(12);
    expect((await p.actions.rollouts.getRollout(payments))?.generation).toBe(1);
    expect(await p.actions.traffic.getRegionWeights(ENV)).toEqual({ [EU]: 60, [US]: 40 });
  });

  it("finds nothing in another environment and refuses to change it", async () => {
    const p = platform();
    const { queues, caches, breakers } = p.actions;
    const prodTopic = { ...ordersTopic, environment: "prod" };
    expect(await queues.describeTopic(prodTopic)).toBeNull();
    await expect(queues.addPartitions(prodTopic, 16)).rejects.toThrow("There is no Kafka cluster events in eu-west-1 (prod)");
    await expect(queues.resetOffsets({ ...orderGroup, environment: "prod" }, [])).rejects.toThrow(ActionRefused);
    expect(await queues.replayProgress({ replayId: "x", deadLetters: { ...prodTopic, topic: "orders.dlq" }, target: "orders", maxMessages: 1, messagesPerSecond: 1 })).toBeNull();
    expect(await caches.warmSources({ ...productCache, environment: "prod" })).toEqual([]);
    await expect(caches.invalidate({ ...productCache, environment: "prod" }, "*", () => undefined)).rejects.toThrow(ActionRefused);
    await expect(breakers.forceBreaker({ ...payments, environment: "prod", dependency: "cart" }, "open")).rejects.toThrow(/No workload checkout\/payments in eu-west-1 \(prod\)/);
  });
});
