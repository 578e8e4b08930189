// A Kafka cluster: brokers, topics with per-partition log-end, oldest and committed offsets,
// and one consumer group per consumed topic. Offsets are kept as fractions (a rate times a
// second is rarely whole) and reported floored, so lag = floor(log end) - floor(committed)
// is exactly what kafka_exporter would compute from the two offsets.
import { hash32, mulberry32 } from "./random";

export interface BrokerState {
  id: number;
  up: boolean;
  /** Until then its replicas are still catching up after a restart (out of the ISR). */
  catchingUpUntil: number;
  downSince: number;
}

export interface PartitionState {
  readonly index: number;
  /** Share of the topic's messages that land here (keys are never spread evenly). */
  weight: number;
  /** Broker ids; the first one is the preferred leader. */
  readonly replicas: readonly number[];
  logEnd: number;
  oldest: number;
  /** NaN when no group consumes the topic. */
  committed: number;
}

export interface ConsumerGroupState {
  readonly name: string;
  consumedPerSecond: number;
}

export interface TopicState {
  readonly name: string;
  /** For `<topic>.dlq`, the topic it collects failures of. */
  readonly deadLetterOf: string | null;
  readonly partitions: PartitionState[];
  /** Messages per second the topic receives on average: retention deletes at this pace. */
  readonly meanRatePerSecond: number;
  producedPerSecond: number;
  readonly group: ConsumerGroupState | null;
}

export interface KafkaClusterState {
  readonly name: string;
  readonly region: string;
  readonly replicationFactor: number;
  readonly brokers: BrokerState[];
  readonly topics: TopicState[];
}

const DAY_SECONDS = 86_400;
/** How long topics have existed, so offsets look like a running cluster's, not zeros. */
const TOPIC_AGE_SECONDS = 30 * DAY_SECONDS;
const RETENTION_SECONDS = 7 * DAY_SECONDS;
/** A restarted broker replicates what it missed this much faster than it was written. */
const CATCH_UP_SPEEDUP = 5;
const MAX_CATCH_UP_MS = 5 * 60_000;

export function createKafkaCluster(name: string, region: string, brokers: number, replicationFactor: number): KafkaClusterState {
  return {
    name, region, replicationFactor,
    brokers: Array.from({ length: brokers }, (_, id) => ({ id, up: true, catchingUpUntil: 0, downSince: 0 })),
    topics: [],
  };
}

export interface TopicOptions {
  name: string;
  partitions: number;
  meanRatePerSecond: number;
  consumerGroup: string | null;
  deadLetterOf?: string;
  seed: number;
}

const nameCodes = (name: string) => [...name].map((c) => c.charCodeAt(0));

export function addTopic(cluster: KafkaClusterState, options: TopicOptions): TopicState {
  const random = mulberry32(hash32(options.seed, ...nameCodes(options.name)));
  const raw = Array.from({ length: options.partitions }, () => 0.8 + 0.4 * random());
  const total = raw.reduce((a, b) => a + b, 0);
  const brokerCount = cluster.brokers.length;
  const firstBroker = Math.floor(random() * brokerCount);
  const dlqBacklog = options.deadLetterOf === undefined ? 0 : Math.floor(200 + 800 * random());
  const partitions = raw.map((share, index): PartitionState => {
    const weight = share / total;
    const rate = options.meanRatePerSecond * weight;
    const logEnd = Math.floor(rate * TOPIC_AGE_SECONDS) + dlqBacklog;
    return {
      index, weight,
      replicas: Array.from({ length: Math.min(cluster.replicationFactor, brokerCount) }, (_, r) => (firstBroker + index + r) % brokerCount),
      logEnd,
      oldest: Math.max(0, Math.floor(logEnd - rate * RETENTION_SECONDS - dlqBacklog)),
      // In flight: about half a second of messages.
      committed: options.consumerGroup === null ? Number.NaN : Math.max(0, logEnd - rate * 0.5),
    };
  });
  const topic: TopicState = {
    name: options.name,
    deadLetterOf: options.deadLetterOf ?? null,
    partitions,
    meanRatePerSecond: options.meanRatePerSecond,
    producedPerSecond: 0,
    group: options.consumerGroup === null ? null : { name: options.consumerGroup, consumedPerSecond: 0 },
  };
  cluster.topics.push(topic);
  return topic;
}

export function produce(topic: TopicState, messagesPerSecond: number, dtSeconds: number): void {
  topic.producedPerSecond = messagesPerSecond;
  for (const partition of topic.partitions) {
    partition.logEnd += messagesPerSecond * partition.weight * dtSeconds;
    partition.oldest = Math.min(partition.logEnd, partition.oldest + topic.meanRatePerSecond * partition.weight * dtSeconds);
  }
}

/**
 * The group's members split the partitions round-robin (partition p → member p mod members);
 * each member spreads its throughput over its partitions and cannot lend what a drained
 * partition leaves unused. Members beyond the partition count sit idle, as in Kafka.
 * Returns messages consumed per second.
 */
export function consume(topic: TopicState, members: number, perMemberThroughput: number, dtSeconds: number): number {
  if (topic.group === null) return 0;
  let consumed = 0;
  if (members > 0) {
    const count = topic.partitions.length;
    for (const partition of topic.partitions) {
      const member = partition.index % members;
      const assigned = Math.floor((count - 1 - member) / members) + 1;
      const capacity = (perMemberThroughput / assigned) * dtSeconds;
      const taken = Math.min(capacity, partition.logEnd - partition.committed);
      partition.committed += taken;
      consumed += taken;
    }
  }
  topic.group.consumedPerSecond = consumed / dtSeconds;
  return topic.group.consumedPerSecond;
}

const brokerInSync = (broker: BrokerState | undefined, now: number) => broker !== undefined && broker.up && broker.catchingUpUntil <= now;

export function inSyncReplicas(cluster: KafkaClusterState, partition: PartitionState, now: number): number {
  return partition.replicas.filter((id) => brokerInSync(cluster.brokers[id], now)).length;
}

export function isUnderReplicated(cluster: KafkaClusterState, partition: PartitionState, now: number): boolean {
  return inSyncReplicas(cluster, partition, now) < partition.replicas.length;
}

/** The first in-sync replica leads (the preferred one when it is back); -1 when none is. */
export function leaderOf(cluster: KafkaClusterState, partition: PartitionState, now: number): number {
  return partition.replicas.find((id) => brokerInSync(cluster.brokers[id], now)) ?? -1;
}

export function setBrokerUp(cluster: KafkaClusterState, brokerId: number, up: boolean, now: number): void {
  const broker = cluster.brokers[brokerId];
  if (broker === undefined) throw new RangeError(`Kafka cluster ${cluster.name} in ${cluster.region} has no broker ${brokerId}`);
  if (broker.up === up) return;
  broker.up = up;
  if (!up) broker.downSince = now;
  else broker.catchingUpUntil = now + Math.min(MAX_CATCH_UP_MS, (now - broker.downSince) / CATCH_UP_SPEEDUP);
}

export const lagOf = (partition: PartitionState) => Math.floor(partition.logEnd) - Math.floor(partition.committed);

/**
 * Raises the topic's partition count to `total`. The new partitions start empty; keys hash over
 * every partition from now on, so each old partition's share shrinks and the new ones take theirs.
 */
export function addPartitions(cluster: KafkaClusterState, topic: TopicState, total: number, seed: number): void {
  const count = topic.partitions.length;
  if (!Number.isInteger(total) || total <= count) throw new RangeError(`topic ${topic.name} has ${count} partitions; the new count must be higher, got ${total}`);
  const random = mulberry32(hash32(seed, count, total, ...nameCodes(topic.name)));
  const raw = [...topic.partitions.map((p) => p.weight * count), ...Array.from({ length: total - count }, () => 0.8 + 0.4 * random())];
  const sum = raw.reduce((a, b) => a + b, 0);
  topic.partitions.forEach((partition, index) => {
    partition.weight = (raw[index] ?? 0) / sum;
  });
  const brokerCount = cluster.brokers.length;
  const firstBroker = topic.partitions[0]?.replicas[0] ?? 0;
  const replicaCount = Math.min(cluster.replicationFactor, brokerCount);
  for (let index = count; index < total; index++) {
    topic.partitions.push({
      index,
      weight: (raw[index] ?? 0) / sum,
      replicas: Array.from({ length: replicaCount }, (_, r) => (firstBroker + index + r) % brokerCount),
      logEnd: 0,
      oldest: 0,
      committed: topic.group === null ? Number.NaN : 0,
    });
  }
}

/**
 * The first offset written at or after `timestamp`, from the partition's mean rate (retention
 * deletes at the same pace, so the log holds a steady stream): the log end when nothing was
 * written since, the log start when the time is older than what the log holds.
 */
export function offsetAtTime(topic: TopicState, partition: PartitionState, timestamp: number, now: number): number {
  const rate = (topic.meanRatePerSecond > 0 ? topic.meanRatePerSecond : topic.producedPerSecond) * partition.weight;
  const since = rate * Math.max(0, (now - timestamp) / 1000);
  return Math.max(Math.floor(partition.oldest), Math.min(Math.floor(partition.logEnd), Math.floor(partition.logEnd - since)));
}

/** Removes up to `count` of the oldest messages (as a replay that deletes what it copied); returns how many. */
export function takeOldest(topic: TopicState, count: number): number {
  let taken = 0;
  for (const partition of topic.partitions) {
    const low = Math.floor(partition.oldest);
    const take = Math.min(count - taken, Math.floor(partition.logEnd) - low);
    if (take <= 0) continue;
    partition.oldest = low + take;
    taken += take;
  }
  return taken;
}

/** Whole messages waiting to be read from the log start: a dead-letter topic's depth. */
export const retainedOf = (topic: TopicState) => topic.partitions.reduce((sum, p) => sum + Math.floor(p.logEnd) - Math.floor(p.oldest), 0);

/** Appends `count` whole messages, spread over the partitions by their shares. */
export function appendMessages(topic: TopicState, count: number): void {
  const exact = topic.partitions.map((p) => count * p.weight);
  const whole = exact.map(Math.floor);
  let left = count - whole.reduce((a, b) => a + b, 0);
  // The largest remainders take the messages rounding left over.
  const byRemainder = exact.map((value, index) => ({ index, remainder: value - Math.floor(value) })).sort((a, b) => b.remainder - a.remainder);
  for (const { index } of byRemainder) {
    if (left <= 0) break;
    whole[index] = (whole[index] ?? 0) + 1;
    left -= 1;
  }
  topic.partitions.forEach((partition, index) => {
    partition.logEnd += whole[index] ?? 0;
  });
}

/** Why `offset` cannot be committed on the topic's partition, or null when it can. */
export function offsetProblem(topic: TopicState, partition: number, offset: number): string | null {
  const state = Number.isInteger(partition) ? topic.partitions[partition] : undefined;
  if (state === undefined) return `Topic ${topic.name} has no partition ${partition}; its partitions are 0 to ${topic.partitions.length - 1}`;
  const low = Math.floor(state.oldest);
  const high = Math.floor(state.logEnd);
  if (!Number.isInteger(offset) || offset < low || offset > high) return `Offset ${offset} is outside partition ${partition} of ${topic.name}, which holds ${low} to ${high}`;
  return null;
}
