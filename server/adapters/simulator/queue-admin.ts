// Kafka administration over the simulated clusters: what kafka-topics and
// kafka-consumer-groups would show and change, and dead-letter replays that copy a set number
// of messages per simulated second while they run.
import type {
  ClusterRef, ConsumerGroupDescription, ConsumerGroupRef, DeadLetterBacklog, OffsetResetTarget, PartitionOffset, QueueAdminPort, RegionalWorkloadRef,
  ReplayProgress, ReplaySpec, TopicDescription, TopicRef, WriteOptions,
} from "../../domain/action-ports";
import { retainedMessages } from "../../domain/actions/kafka-ref";
import { ActionRefused } from "../../domain/actions/kind";
import type { SimulatedFleet } from "./fleet";
import { offsetAtTime, offsetProblem, type KafkaClusterState, type PartitionState, type TopicState } from "./kafka";
import { progressOf, type ReplayState } from "./replays";

const lowOf = (partition: PartitionState) => Math.floor(partition.oldest);
const highOf = (partition: PartitionState) => Math.floor(partition.logEnd);
const clusterLabel = (ref: ClusterRef) => `Kafka cluster ${ref.cluster} in ${ref.region} (${ref.environment})`;

export class SimulatedQueueAdmin implements QueueAdminPort {
  constructor(private readonly fleet: SimulatedFleet) {}

  async describeTopic(ref: TopicRef): Promise<TopicDescription | null> {
    const topic = this.cluster(ref)?.topics.find((t) => t.name === ref.topic);
    if (topic === undefined) return null;
    return { topic: topic.name, partitions: topic.partitions.map((p) => ({ partition: p.index, low: lowOf(p), high: highOf(p) })) };
  }

  async addPartitions(ref: TopicRef, total: number, options: WriteOptions = {}): Promise<void> {
    this.requireCluster(ref);
    this.fleet.addPartitions(ref.region, ref.cluster, ref.topic, total, options);
  }

  async describeConsumerGroup(ref: ConsumerGroupRef): Promise<ConsumerGroupDescription | null> {
    const cluster = this.cluster(ref);
    const topic = cluster && groupTopic(cluster, ref.group);
    if (cluster === undefined || topic === undefined) return null;
    const members = this.fleet.consumerOf(cluster, topic)?.availableReplicas ?? 0;
    return {
      group: ref.group,
      state: members > 0 ? "Stable" : "Empty",
      members,
      partitions: topic.partitions.map((p) => ({
        topic: topic.name, partition: p.index, committed: Number.isNaN(p.committed) ? null : Math.floor(p.committed), low: lowOf(p), high: highOf(p),
      })),
    };
  }

  async resolveOffsetReset(ref: ConsumerGroupRef, topicName: string, target: OffsetResetTarget): Promise<PartitionOffset[]> {
    const topic = this.requireGroupTopic(ref, topicName);
    const at = (partition: PartitionState, offset: number): PartitionOffset => ({ topic: topic.name, partition: partition.index, offset });
    switch (target.to) {
      case "earliest":
        return topic.partitions.map((p) => at(p, lowOf(p)));
      case "latest":
        return topic.partitions.map((p) => at(p, highOf(p)));
      case "timestamp":
        if (!Number.isFinite(target.timestamp)) throw new ActionRefused(`Resetting ${ref.group} to a time needs a valid time, got ${target.timestamp}`);
        return topic.partitions.map((p) => at(p, offsetAtTime(topic, p, target.timestamp, this.fleet.now)));
      case "explicit": {
        const partitions = target.offsets.map((o) => o.partition);
        const repeated = partitions.filter((p, i) => partitions.indexOf(p) !== i);
        if (repeated.length > 0) throw new ActionRefused(`Partition ${repeated[0]} of ${topic.name} is given more than one offset`);
        for (const { partition, offset } of target.offsets) {
          const problem = offsetProblem(topic, partition, offset);
          if (problem !== null) throw new ActionRefused(problem);
        }
        return target.offsets.map(({ partition, offset }) => ({ topic: topic.name, partition, offset }));
      }
    }
  }

  async resetOffsets(ref: ConsumerGroupRef, offsets: readonly PartitionOffset[]): Promise<void> {
    const cluster = this.requireCluster(ref);
    const topic = groupTopic(cluster, ref.group);
    if (topic === undefined) throw new ActionRefused(`${clusterLabel(ref)} has no consumer group ${ref.group}`);
    const other = offsets.find((o) => o.topic !== topic.name);
    if (other !== undefined) throw new ActionRefused(`Consumer group ${ref.group} reads ${topic.name}; it has no offsets on ${other.topic}`);
    this.fleet.commitOffsets(ref.region, ref.cluster, topic.name, offsets);
  }

  async consumerWorkload(ref: ConsumerGroupRef): Promise<RegionalWorkloadRef | null> {
    const cluster = this.cluster(ref);
    const topic = cluster && groupTopic(cluster, ref.group);
    const consumer = cluster && topic ? this.fleet.consumerOf(cluster, topic) : null;
    return consumer === null ? null : { ...consumer.ref };
  }

  async replayDeadLetters(spec: ReplaySpec, onProgress: (progress: ReplayProgress) => void, signal?: AbortSignal): Promise<ReplayProgress> {
    const replay = this.replayFor(spec);
    onProgress(progressOf(replay));
    if (replay.done || signal?.aborted) return progressOf(replay);
    return new Promise<ReplayProgress>((resolve, reject) => {
      const leave = () => {
        replay.runners.delete(runner);
        signal?.removeEventListener("abort", stop);
      };
      // Aborted: the replay pauses where it is, and continues when run again.
      const stop = () => {
        leave();
        resolve(progressOf(replay));
      };
      const runner = (progress: ReplayProgress) => {
        try {
          onProgress(progress);
        } catch (error) {
          leave();
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        if (progress.done) stop();
      };
      replay.runners.add(runner);
      signal?.addEventListener("abort", stop, { once: true });
    });
  }

  /** A simulated replay deletes the dead letters it copied: what the topic holds was never replayed. */
  async deadLetterBacklog(ref: TopicRef): Promise<DeadLetterBacklog> {
    const topic = await this.describeTopic(ref);
    if (topic === null) throw new ActionRefused(`${clusterLabel(ref)} has no topic ${ref.topic}`);
    return { retained: retainedMessages(topic), replayedBefore: 0 };
  }

  async replayProgress(spec: ReplaySpec): Promise<ReplayProgress | null> {
    if (spec.deadLetters.environment !== this.fleet.environment) return null;
    const replay = this.fleet.replay(spec.replayId);
    return replay === undefined ? null : progressOf(replay);
  }

  private replayFor(spec: ReplaySpec): ReplayState {
    const ref = spec.deadLetters;
    const cluster = this.requireCluster(ref);
    const deadLetters = cluster.topics.find((t) => t.name === ref.topic);
    if (deadLetters === undefined) throw new ActionRefused(`${clusterLabel(ref)} has no topic ${ref.topic}`);
    if (deadLetters.deadLetterOf === null) throw new ActionRefused(`Topic ${ref.topic} is not a dead-letter topic (<topic>.dlq); only dead letters are replayed`);
    const target = cluster.topics.find((t) => t.name === spec.target);
    if (target === undefined) throw new ActionRefused(`${clusterLabel(ref)} has no topic ${spec.target} to replay ${ref.topic} into`);
    if (target === deadLetters) throw new ActionRefused(`A replay of ${ref.topic} needs another topic to write to`);
    const replay = this.fleet.replayFor({
      id: spec.replayId, cluster, deadLetters, target, maxMessages: spec.maxMessages, messagesPerSecond: spec.messagesPerSecond,
    });
    if (replay.deadLetters !== deadLetters || replay.target !== target) {
      throw new ActionRefused(`Replay ${spec.replayId} copies ${replay.deadLetters.name} into ${replay.target.name} in ${replay.cluster.region}; it cannot be resumed for another topic`);
    }
    return replay;
  }

  private cluster(ref: ClusterRef): KafkaClusterState | undefined {
    return ref.environment === this.fleet.environment ? this.fleet.kafkaCluster(ref.region, ref.cluster) : undefined;
  }

  private requireCluster(ref: ClusterRef): KafkaClusterState {
    const cluster = this.cluster(ref);
    if (cluster === undefined) throw new ActionRefused(`There is no ${clusterLabel(ref)}`);
    return cluster;
  }

  private requireGroupTopic(ref: ConsumerGroupRef, topicName: string): TopicState {
    const cluster = this.requireCluster(ref);
    const topic = groupTopic(cluster, ref.group);
    if (topic === undefined) throw new ActionRefused(`${clusterLabel(ref)} has no consumer group ${ref.group}`);
    if (topic.name !== topicName) throw new ActionRefused(`Consumer group ${ref.group} reads ${topic.name}, not ${topicName}`);
    return topic;
  }
}

/** In the simulator each group reads one topic. */
const groupTopic = (cluster: KafkaClusterState, group: string) => cluster.topics.find((t) => t.group?.name === group);
