// The changes actions make to one configured Kafka cluster (QueueAdminPort): partitions added,
// consumer groups' offsets reset, dead-letter topics replayed. Each call opens its own kafkajs
// admin client and closes it: actions are rare, and a client kept open would keep asking for
// the metadata of every topic it ever touched, deleted ones included (see collect.ts).
//
// What Kafka would refuse is refused here first, with an ActionRefused that says why and what
// to do; what Kafka refuses anyway is translated the same way. Failures to reach the cluster
// are KafkaReadErrors of the kinds in connection.ts (unavailable, timeout, unauthorized, error).
import { AssignerProtocol, type Admin, type Kafka } from "kafkajs";
import type {
  ClusterRef,
  ConsumerGroupDescription,
  ConsumerGroupRef,
  DeadLetterBacklog,
  GroupPartitionOffset,
  OffsetResetTarget,
  PartitionOffset,
  PartitionOffsets,
  QueueAdminPort,
  RegionalWorkloadRef,
  ReplayProgress,
  ReplaySpec,
  TopicDescription,
  TopicRef,
  WriteOptions,
} from "../../domain/action-ports";
import { ActionRefused } from "../../domain/actions/kind";
import { classifyKafkaError, hasProtocolError, kafkaClientFor, KafkaReadError, type KafkaClusterTarget } from "./connection";
import { describeGroup, fetchGroupOffsets, isGroupActive } from "./group-offsets";
import { DeadLetterReplayRun, readCheckpoints, ReplayTakenOver, type ReplayTuning } from "./replay";
import { reachedByEarlierReplays, replayStart } from "./replay-history";
import { progressOf } from "./replay-plan";

export interface KafkaQueueAdminOptions {
  /**
   * The workload consuming as each consumer group, "<namespace>/<deployment>" in the cluster's
   * region (the configuration's `consumers`): Kafka itself does not know it.
   */
  consumers?: Readonly<Record<string, string>>;
  /** Per broker connection. Default 3 s. */
  connectionTimeoutMs?: number;
  /** Per request. Default 10 s. */
  requestTimeoutMs?: number;
  /** How long adding partitions waits for the new ones to have leaders. Default 10 s. */
  partitionsReadyTimeoutMs?: number;
  replay?: Partial<ReplayTuning>;
}

const DEFAULT_REPLAY_TUNING: ReplayTuning = {
  sessionTimeoutMs: 10_000,
  transactionTimeoutMs: 30_000,
  maxMessagesPerTransaction: 500,
};

const byPartition = <T extends { partition: number }>(a: T, b: T) => a.partition - b.partition;

function partitionNumbers(offsets: readonly PartitionOffsets[]): string {
  return offsets.length === 1 ? "partition 0 only" : `partitions 0 to ${offsets.length - 1}`;
}

export class KafkaQueueAdmin implements QueueAdminPort {
  /** The only cluster this adapter serves: route calls whose reference names it here. */
  readonly serves: ClusterRef;
  private readonly timeouts: { connectionTimeoutMs: number; requestTimeoutMs: number };
  private readonly partitionsReadyTimeoutMs: number;
  private readonly replayTuning: ReplayTuning;
  private readonly consumers: ReadonlyMap<string, { namespace: string; name: string }>;

  constructor(
    private readonly target: KafkaClusterTarget,
    options: KafkaQueueAdminOptions = {},
  ) {
    this.serves = { environment: target.environment, region: target.region, cluster: target.name };
    this.timeouts = { connectionTimeoutMs: options.connectionTimeoutMs ?? 3_000, requestTimeoutMs: options.requestTimeoutMs ?? 10_000 };
    this.partitionsReadyTimeoutMs = options.partitionsReadyTimeoutMs ?? 10_000;
    this.replayTuning = { ...DEFAULT_REPLAY_TUNING, ...options.replay };
    this.consumers = new Map(
      Object.entries(options.consumers ?? {}).map(([group, workload]) => {
        const [namespace = "", name = ""] = workload.split("/");
        return [group, { namespace, name }];
      }),
    );
  }

  async describeTopic(ref: TopicRef): Promise<TopicDescription | null> {
    this.assertServes(ref);
    const partitions = await this.withAdmin((admin) => topicOffsets(admin, ref.topic));
    return partitions ? { topic: ref.topic, partitions } : null;
  }

  async addPartitions(ref: TopicRef, total: number, options: WriteOptions = {}): Promise<void> {
    this.assertServes(ref);
    if (!Number.isSafeInteger(total) || total < 1) throw new ActionRefused(`a topic's partition count is a whole number of at least 1, not ${total}`);
    await this.withAdmin(async (admin) => {
      const current = await partitionCount(admin, ref.topic);
      if (current === null) throw this.unknownTopic(ref.topic);
      if (total < current) throw new ActionRefused(`topic ${ref.topic} has ${current} partitions; Kafka cannot lower it to ${total}`);
      if (total === current) throw new ActionRefused(`topic ${ref.topic} already has ${current} partitions; ask for more than ${current}`);
      try {
        await admin.createPartitions({ topicPartitions: [{ topic: ref.topic, count: total }], validateOnly: options.dryRun === true });
      } catch (error) {
        if (hasProtocolError(error, "UNKNOWN_TOPIC_OR_PARTITION")) throw this.unknownTopic(ref.topic);
        if (hasProtocolError(error, "INVALID_PARTITIONS", "POLICY_VIOLATION", "INVALID_REQUEST", "INVALID_REPLICA_ASSIGNMENT", "TOPIC_AUTHORIZATION_FAILED", "CLUSTER_AUTHORIZATION_FAILED")) {
          throw new ActionRefused(`${this.where()} refused to raise topic ${ref.topic} to ${total} partitions: ${reasonOf(error)}`, { cause: error });
        }
        throw error;
      }
      if (!options.dryRun) await this.waitForLeaders(admin, ref.topic, total);
    });
  }

  async describeConsumerGroup(ref: ConsumerGroupRef): Promise<ConsumerGroupDescription | null> {
    this.assertServes(ref);
    return this.withAdmin(async (admin) => {
      const description = await describeGroup(admin, ref.group);
      const committed = await fetchGroupOffsets(admin, ref.group);
      const committedOn = committed.filter((entry) => entry.partitions.some((partition) => Number(partition.offset) >= 0)).map((entry) => entry.topic);
      if (description.state === "Dead" && committedOn.length === 0) return null;
      // A group that has not committed yet still consumes the topics its members subscribe to.
      const topics = [...new Set([...committedOn, ...description.members.flatMap((member) => subscribedTopics(member.memberMetadata))])].sort();
      const partitions: GroupPartitionOffset[] = [];
      for (const topic of topics) {
        const offsets = await topicOffsets(admin, topic);
        if (!offsets) continue; // deleted since the group committed on it
        const committedByPartition = new Map((committed.find((entry) => entry.topic === topic)?.partitions ?? []).map((entry) => [entry.partition, Number(entry.offset)]));
        for (const { partition, low, high } of offsets) {
          const offset = committedByPartition.get(partition);
          partitions.push({ topic, partition, committed: offset !== undefined && offset >= 0 ? offset : null, low, high });
        }
      }
      return { group: ref.group, state: description.state, members: description.members.length, partitions };
    });
  }

  async resolveOffsetReset(ref: ConsumerGroupRef, topic: string, target: OffsetResetTarget): Promise<PartitionOffset[]> {
    this.assertServes(ref);
    return this.withAdmin(async (admin) => {
      const offsets = await topicOffsets(admin, topic);
      if (!offsets) throw this.unknownTopic(topic);
      switch (target.to) {
        case "earliest":
          return offsets.map(({ partition, low }) => ({ topic, partition, offset: low }));
        case "latest":
          return offsets.map(({ partition, high }) => ({ topic, partition, offset: high }));
        case "timestamp": {
          // Kafka answers the first offset at or after the time, and kafkajs the log end where there is none.
          const found = await admin.fetchTopicOffsetsByTimestamp(topic, target.timestamp);
          return found.map(({ partition, offset }) => ({ topic, partition, offset: Number(offset) })).sort(byPartition);
        }
        case "explicit":
          return explicitOffsets(topic, offsets, target.offsets);
      }
    });
  }

  async resetOffsets(ref: ConsumerGroupRef, offsets: readonly PartitionOffset[]): Promise<void> {
    this.assertServes(ref);
    if (offsets.length === 0) throw new ActionRefused(`no offsets given to reset consumer group ${ref.group} to`);
    const byTopic = new Map<string, PartitionOffset[]>();
    for (const offset of offsets) byTopic.set(offset.topic, [...(byTopic.get(offset.topic) ?? []), offset]);
    await this.withAdmin(async (admin) => {
      // Right before: a consumer that joined since the preview would have its offsets moved under it.
      await this.refuseWhileActive(admin, ref.group);
      for (const [topic, partitions] of byTopic) {
        try {
          await admin.setOffsets({ groupId: ref.group, topic, partitions: partitions.map(({ partition, offset }) => ({ partition, offset: String(offset) })) });
        } catch (error) {
          if (isActiveGroupRefusal(error)) throw this.activeGroup(ref.group, null, error);
          if (hasProtocolError(error, "UNKNOWN_TOPIC_OR_PARTITION")) throw this.unknownTopic(topic);
          throw error;
        }
      }
      // kafkajs commits as a member of the group: a consumer that joined at the same moment may
      // have been given partitions, whose offsets then did not move.
      const committed = await fetchGroupOffsets(admin, ref.group, [...byTopic.keys()]);
      const unchanged = offsets.filter(
        ({ topic, partition, offset }) => Number(committed.find((entry) => entry.topic === topic)?.partitions.find((entry) => entry.partition === partition)?.offset) !== offset,
      );
      if (unchanged.length > 0) {
        const names = unchanged.map(({ topic, partition }) => `${topic}/${partition}`).join(", ");
        throw new ActionRefused(`consumer group ${ref.group}: a consumer joined while its offsets were being reset and ${names} kept their offsets; stop its consumers and reset again`);
      }
    });
  }

  async consumerWorkload(ref: ConsumerGroupRef): Promise<RegionalWorkloadRef | null> {
    this.assertServes(ref);
    const workload = this.consumers.get(ref.group);
    return workload ? { environment: ref.environment, region: this.target.region, ...workload } : null;
  }

  async replayDeadLetters(spec: ReplaySpec, onProgress: (progress: ReplayProgress) => void, signal?: AbortSignal): Promise<ReplayProgress> {
    this.assertServes(spec.deadLetters);
    const dlq = spec.deadLetters.topic;
    if (spec.target === dlq) throw new ActionRefused(`topic ${dlq} cannot be replayed into itself; name the topic its messages failed in`);
    if (!Number.isSafeInteger(spec.maxMessages) || spec.maxMessages < 1) throw new ActionRefused(`a replay copies at least 1 message; ${spec.maxMessages} was asked for`);
    if (!(spec.messagesPerSecond > 0)) throw new ActionRefused(`a replay needs a rate above 0 messages per second; ${spec.messagesPerSecond} was asked for`);
    return this.withAdmin(async (admin, kafka) => {
      for (const topic of [dlq, spec.target]) {
        if ((await partitionCount(admin, topic)) === null) throw this.unknownTopic(topic);
      }
      return new DeadLetterReplayRun(kafka, admin, spec, onProgress, this.replayTuning).run(signal);
    });
  }

  async deadLetterBacklog(ref: TopicRef, target: string): Promise<DeadLetterBacklog> {
    this.assertServes(ref);
    return this.withAdmin(async (admin) => {
      const offsets = await topicOffsets(admin, ref.topic);
      if (!offsets) throw this.unknownTopic(ref.topic);
      const { retained, replayedBefore } = replayStart(offsets, await reachedByEarlierReplays(admin, ref, target));
      return { retained, replayedBefore };
    });
  }

  async replayProgress(spec: ReplaySpec): Promise<ReplayProgress | null> {
    this.assertServes(spec.deadLetters);
    const checkpoints = await this.withAdmin((admin) => readCheckpoints(admin, spec));
    return checkpoints ? progressOf(checkpoints) : null;
  }

  private async refuseWhileActive(admin: Admin, group: string): Promise<void> {
    const description = await describeGroup(admin, group);
    if (isGroupActive(description)) throw this.activeGroup(group, { state: description.state, members: description.members.length });
  }

  private activeGroup(group: string, seen: { state: string; members: number } | null, cause?: unknown): ActionRefused {
    const what = seen ? `has ${seen.members} active member${seen.members === 1 ? "" : "s"} (state ${seen.state})` : "has active members";
    return new ActionRefused(
      `consumer group ${group} ${what}; Kafka resets the offsets of an inactive group only: stop its consumers (scale their deployment to 0), reset, then start them again`,
      { cause },
    );
  }

  private async waitForLeaders(admin: Admin, topic: string, total: number): Promise<void> {
    const deadline = Date.now() + this.partitionsReadyTimeoutMs;
    while (Date.now() < deadline) {
      // A partition without a leader yet fails the whole metadata answer: ask again.
      const ready = await topicOffsets(admin, topic).then(
        (offsets) => offsets?.length === total,
        () => false,
      );
      if (ready) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  private unknownTopic(topic: string): ActionRefused {
    return new ActionRefused(`topic ${topic} does not exist in ${this.where()}; check its name on the cluster's topics page`);
  }

  private where(): string {
    return `Kafka cluster ${this.target.name} (${this.target.region})`;
  }

  private assertServes(ref: ClusterRef): void {
    const { environment, region, cluster } = this.serves;
    if (ref.environment !== environment || ref.region !== region || ref.cluster !== cluster) {
      throw new Error(`the adapter of Kafka cluster ${environment}/${region}/${cluster} was asked about ${ref.environment}/${ref.region}/${ref.cluster}`);
    }
  }

  private async withAdmin<T>(work: (admin: Admin, kafka: Kafka) => Promise<T>): Promise<T> {
    let admin: Admin | undefined;
    try {
      const kafka = kafkaClientFor(this.target, this.timeouts);
      admin = kafka.admin({ retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2_000 } });
      await admin.connect();
      return await work(admin, kafka);
    } catch (error) {
      if (error instanceof ActionRefused || error instanceof KafkaReadError || error instanceof ReplayTakenOver) throw error;
      throw classifyKafkaError(error, this.target);
    } finally {
      await admin?.disconnect().catch(() => undefined);
    }
  }
}

/** Each partition's log start and end, or null when the topic does not exist. */
async function topicOffsets(admin: Admin, topic: string): Promise<PartitionOffsets[] | null> {
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.map(({ partition, low, high }) => ({ partition, low: Number(low), high: Number(high) })).sort(byPartition);
  } catch (error) {
    if (hasProtocolError(error, "UNKNOWN_TOPIC_OR_PARTITION")) return null;
    throw error;
  }
}

/** The topic's partitions from the cluster metadata (no leader needed), or null when it does not exist. */
async function partitionCount(admin: Admin, topic: string): Promise<number | null> {
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return topics.find((entry) => entry.name === topic)?.partitions.length ?? null;
  } catch (error) {
    if (hasProtocolError(error, "UNKNOWN_TOPIC_OR_PARTITION")) return null;
    throw error;
  }
}

function subscribedTopics(memberMetadata: Buffer): string[] {
  try {
    return AssignerProtocol.MemberMetadata.decode(memberMetadata)?.topics ?? [];
  } catch {
    // Not a consumer's subscription (Kafka Connect and others use their own format).
    return [];
  }
}

function explicitOffsets(topic: string, offsets: readonly PartitionOffsets[], wanted: ReadonlyArray<{ partition: number; offset: number }>): PartitionOffset[] {
  if (wanted.length === 0) throw new ActionRefused(`no offsets given for topic ${topic}; name at least one partition and its offset`);
  const byNumber = new Map(offsets.map((entry) => [entry.partition, entry]));
  const seen = new Set<number>();
  return wanted
    .map(({ partition, offset }) => {
      const held = byNumber.get(partition);
      if (!held) throw new ActionRefused(`topic ${topic} has no partition ${partition} (it has ${partitionNumbers(offsets)})`);
      if (seen.has(partition)) throw new ActionRefused(`partition ${partition} of topic ${topic} is given twice; give each partition one offset`);
      seen.add(partition);
      if (!Number.isSafeInteger(offset) || offset < held.low || offset > held.high) {
        throw new ActionRefused(
          `offset ${offset} of ${topic}/${partition} is outside what the partition holds (${held.low} to ${held.high}); choose an offset between them`,
        );
      }
      return { topic, partition, offset };
    })
    .sort(byPartition);
}

/** kafkajs's own check that the group is inactive, or Kafka's refusal of a commit from outside an active group. */
function isActiveGroupRefusal(error: unknown): boolean {
  if (error instanceof Error && /must have no running instances/.test(error.message)) return true;
  return hasProtocolError(error, "UNKNOWN_MEMBER_ID", "ILLEGAL_GENERATION", "REBALANCE_IN_PROGRESS", "NON_EMPTY_GROUP");
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
