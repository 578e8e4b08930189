// The port's figures from one refresh's readings (and the refresh before it, for rates).
// Pure: everything here is arithmetic on what collect.ts read.
import type { ConsumerGroupLag, KafkaClusterStats, PartitionLag, TopicStats } from "../../domain/ports";
import type { ClusterReading, GroupMember, TopicReading } from "./collect";

/** Where the figures come from, as the configuration names it. */
export interface ClusterIdentity {
  environment: string;
  region: string;
  cluster: string;
}

/** A consumer group as Kafka describes it (the port's ConsumerGroupLag is per group and topic). */
export interface ConsumerGroupState extends ClusterIdentity {
  group: string;
  /** Stable, PreparingRebalance, CompletingRebalance, Empty, Dead. */
  state: string;
  /** "consumer" for consumer groups. */
  protocolType: string;
  members: GroupMember[];
  /** Topics it has committed offsets on, by name. */
  topics: string[];
}

export interface KafkaSnapshot {
  cluster: KafkaClusterStats;
  topics: TopicStats[];
  consumerGroupLag: ConsumerGroupLag[];
  consumerGroups: ConsumerGroupState[];
}

/** The platform names a dead-letter topic after the topic it collects failures of. */
const DEAD_LETTER_SUFFIX = ".dlq";

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const partitionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;
const committedKey = (group: string, topic: string, partition: number) => `${group}\u0000${topic}\u0000${partition}`;

/**
 * Per second over the time between two readings: the sum of each counter's growth. A counter
 * that went down (a topic deleted and created again, a group's offsets reset to earlier) adds
 * nothing rather than a negative rate; one the earlier reading lacked adds nothing either.
 */
function ratePerSecond(pairs: Iterable<[now: number, before: number | undefined]>, seconds: number): number {
  if (!(seconds > 0)) return 0;
  let growth = 0;
  for (const [now, before] of pairs) {
    if (before !== undefined && now > before) growth += now - before;
  }
  return growth / seconds;
}

function logEndOffsets(topics: readonly TopicReading[]): Map<string, number> {
  const offsets = new Map<string, number>();
  for (const topic of topics) {
    for (const partition of topic.partitions) offsets.set(partitionKey(topic.topic, partition.partition), partition.logEndOffset);
  }
  return offsets;
}

function committedOffsets(reading: ClusterReading): Map<string, number> {
  const offsets = new Map<string, number>();
  for (const group of reading.groups) {
    for (const entry of group.offsets) offsets.set(committedKey(group.group, entry.topic, entry.partition), entry.offset);
  }
  return offsets;
}

/**
 * The figures of one reading. `previous` is the refresh before, for the rates: without it
 * (the first refresh) producedPerSecond and consumedPerSecond are 0.
 */
export function snapshotFrom(identity: ClusterIdentity, reading: ClusterReading, previous?: ClusterReading): KafkaSnapshot {
  const previousLogEnds = previous ? logEndOffsets(previous.topics) : new Map<string, number>();
  const previousCommitted = previous ? committedOffsets(previous) : new Map<string, number>();
  const topicSeconds = previous ? (reading.topicsReadAt - previous.topicsReadAt) / 1000 : 0;
  const groupSeconds = previous ? (reading.groupsReadAt - previous.groupsReadAt) / 1000 : 0;

  const topics = reading.topics.map((topic): TopicStats => ({
    ...identity,
    topic: topic.topic,
    partitions: topic.partitions.length,
    producedPerSecond: ratePerSecond(
      topic.partitions.map((partition) => [partition.logEndOffset, previousLogEnds.get(partitionKey(topic.topic, partition.partition))]),
      topicSeconds,
    ),
    underReplicatedPartitions: topic.partitions.filter((partition) => partition.inSyncReplicas < partition.replicas).length,
    retainedMessages: topic.partitions.reduce((sum, partition) => sum + Math.max(0, partition.logEndOffset - partition.logStartOffset), 0),
    deadLetterOf: topic.topic.endsWith(DEAD_LETTER_SUFFIX) ? topic.topic.slice(0, -DEAD_LETTER_SUFFIX.length) : null,
  }));

  const partitionsOf = new Map(reading.topics.map((topic) => [topic.topic, new Map(topic.partitions.map((partition) => [partition.partition, partition]))]));
  const consumerGroupLag: ConsumerGroupLag[] = [];
  const consumerGroups: ConsumerGroupState[] = [];
  for (const group of reading.groups) {
    const offsetsByTopic = new Map<string, typeof group.offsets>();
    for (const entry of group.offsets) {
      // Offsets on a topic the refresh did not read (deleted, or internal) have no log to compare with.
      if (!partitionsOf.get(entry.topic)?.has(entry.partition)) continue;
      let entries = offsetsByTopic.get(entry.topic);
      if (!entries) offsetsByTopic.set(entry.topic, (entries = []));
      entries.push(entry);
    }
    const topicNames = [...offsetsByTopic.keys()].sort(byName);
    consumerGroups.push({ ...identity, group: group.group, state: group.state, protocolType: group.protocolType, members: group.members, topics: topicNames });
    for (const topic of topicNames) {
      const logs = partitionsOf.get(topic);
      const entries = offsetsByTopic.get(topic) ?? [];
      const partitions = entries
        .map((entry): PartitionLag => {
          const log = logs?.get(entry.partition);
          const logStartOffset = log?.logStartOffset ?? 0;
          const logEndOffset = log?.logEndOffset ?? 0;
          // Below the log start, the messages in between were deleted by retention: the consumer
          // will skip to the log start, so that is where it stands and what its lag counts from.
          const committedOffset = Math.max(entry.offset, logStartOffset);
          return { partition: entry.partition, logEndOffset, committedOffset, lag: Math.max(0, logEndOffset - committedOffset) };
        })
        .sort((a, b) => a.partition - b.partition);
      consumerGroupLag.push({
        ...identity,
        group: group.group,
        topic,
        members: group.members.length,
        // Kafka does not know which deployment runs a group's consumers: the runtime's
        // configuration or the consumers' own telemetry has to say (see README.md here).
        deployment: { namespace: "", name: "" },
        consumedPerSecond: ratePerSecond(
          entries.map((entry) => [entry.offset, previousCommitted.get(committedKey(group.group, topic, entry.partition))]),
          groupSeconds,
        ),
        totalLag: partitions.reduce((sum, partition) => sum + partition.lag, 0),
        partitions,
      });
    }
  }
  consumerGroupLag.sort((a, b) => byName(a.topic, b.topic) || byName(a.group, b.group));

  const cluster: KafkaClusterStats = {
    ...identity,
    brokers: reading.brokers,
    topics: topics.length,
    partitions: topics.reduce((sum, topic) => sum + topic.partitions, 0),
    underReplicatedPartitions: topics.reduce((sum, topic) => sum + topic.underReplicatedPartitions, 0),
  };
  return { cluster, topics, consumerGroupLag, consumerGroups };
}
