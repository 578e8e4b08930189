// One run of a dead-letter replay: copies the planned messages of the dead-letter topic into
// the target topic, exactly once even across crashes.
//
// Each chunk of messages is one Kafka transaction of the replay's transactional producer: the
// copies, and the replay group's new offset with its checkpoint (replay-plan.ts), commit
// together or not at all. A run first fences every earlier run of the same replay (a producer
// with the same transactional id: Kafka aborts what that one left open and refuses its further
// writes), then reads the committed offsets and continues from there. Readers of the target
// topic with isolation read_committed see each copied message once.
//
// A new replay starts after what earlier replays of the dead-letter topic into the same target
// reached, and is refused while one of them runs (replay-history.ts).
//
// The run consumes the dead-letter topic as a member of the replay group, with read_committed
// too (aborted messages of the dead-letter topic are not copied). A run restarted after a crash
// joins once Kafka has dropped the crashed member (its session timeout).
import { setTimeout as sleep } from "node:timers/promises";
import type { Admin, Batch, Consumer, IHeaders, Kafka, KafkaMessage, Message, Producer, Transaction } from "kafkajs";
import type { ReplayProgress, ReplaySpec } from "../../domain/action-ports";
import { everythingReplayed } from "../../domain/actions/dlq-replay";
import { ActionRefused, ExecutionSuperseded } from "../../domain/actions/kind";
import { hasProtocolError } from "./connection";
import { fetchGroupOffsets } from "./group-offsets";
import { reachedByEarlierReplays, REPLAY_GROUP_PREFIX, replayStart } from "./replay-history";
import { decodeCheckpoint, encodeCheckpoint, planReplay, progressOf, type PartitionCheckpoint } from "./replay-plan";

export interface ReplayTuning {
  /** The replay group's session timeout: how long a restarted run waits for a crashed one's membership to lapse. */
  sessionTimeoutMs: number;
  /** Kafka aborts a transaction left open this long (a run that hangs without crashing). */
  transactionTimeoutMs: number;
  /** Most messages per transaction. */
  maxMessagesPerTransaction: number;
}

/** Headers added to every copy: where it came from, and when it was first written. */
export const REPLAY_SOURCE_HEADER = "scaleplane-replay-source";
export const ORIGINAL_TIMESTAMP_HEADER = "scaleplane-original-timestamp";

/** The consumer group, and transactional id, that hold the replay's progress. */
export function replayGroupId(replayId: string): string {
  return REPLAY_GROUP_PREFIX + replayId;
}

/** The replay's checkpoints as committed in Kafka, by partition; null when it never started. */
export async function readCheckpoints(admin: Admin, spec: ReplaySpec): Promise<PartitionCheckpoint[] | null> {
  const groupId = replayGroupId(spec.replayId);
  // Without topics: the group's offsets on every topic, so a deleted dead-letter topic is no error.
  const committed = await fetchGroupOffsets(admin, groupId);
  const partitions = committed.find((entry) => entry.topic === spec.deadLetters.topic)?.partitions ?? [];
  const checkpoints: PartitionCheckpoint[] = [];
  for (const entry of partitions) {
    const position = Number(entry.offset);
    if (position < 0) continue;
    const checkpoint = decodeCheckpoint(entry.metadata);
    if (!checkpoint) {
      throw new ActionRefused(
        `consumer group ${groupId} has offsets on ${spec.deadLetters.topic} that no replay wrote; delete that group or replay under another request`,
      );
    }
    checkpoints.push({ partition: entry.partition, position, ...checkpoint });
  }
  return checkpoints.length > 0 ? checkpoints.sort((a, b) => a.partition - b.partition) : null;
}

/**
 * Spaces out admissions to `perSecond` messages on average. A chunk goes out at once, so the
 * rate holds over time, not within a chunk. Waits in short steps so the caller can heartbeat.
 */
class Pacer {
  private admitted = 0;
  private readonly startedAt = Date.now();

  constructor(private readonly perSecond: number) {}

  /** Resolves when `count` more messages may go; false when `shouldStop` said so first. */
  async admit(count: number, shouldStop: () => boolean, whileWaiting: () => Promise<void>): Promise<boolean> {
    const due = this.startedAt + (this.admitted / this.perSecond) * 1000;
    for (let now = Date.now(); now < due; now = Date.now()) {
      if (shouldStop()) return false;
      await sleep(Math.min(due - now, 500));
      await whileWaiting();
    }
    if (shouldStop()) return false;
    this.admitted += count;
    return true;
  }
}

function copyOf(message: KafkaMessage, source: string): Message {
  const headers: IHeaders = { ...(message.headers ?? {}), [REPLAY_SOURCE_HEADER]: source, [ORIGINAL_TIMESTAMP_HEADER]: message.timestamp };
  // The copy gets a new timestamp: with the original one, a message older than the target's
  // retention could be deleted as soon as its segment rolls, before anyone consumed it.
  return { key: message.key, value: message.value, headers };
}

/** kafkajs's sendOffsets passes each partition's metadata through to TxnOffsetCommit; its types leave it out. */
interface OffsetWithMetadata {
  partition: number;
  offset: string;
  metadata: string;
}

type Outcome = "done" | "stopped";

export class DeadLetterReplayRun {
  private readonly groupId: string;
  private readonly dlq: string;
  private producer: Producer | undefined;
  private consumer: Consumer | undefined;
  private checkpoints = new Map<number, PartitionCheckpoint>();
  /** Transactions one at a time: a batch's chunks and the moves past filtered records share the producer. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Created with the first batch: the rate counts from the first copy, not from the group join. */
  private pacer: Pacer | undefined;
  private stopping = false;
  private settle!: (outcome: Outcome) => void;
  private fail!: (error: unknown) => void;
  private readonly outcome = new Promise<Outcome>((resolve, reject) => {
    this.settle = resolve;
    this.fail = reject;
  });

  constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly spec: ReplaySpec,
    private readonly onProgress: (progress: ReplayProgress) => void,
    private readonly tuning: ReplayTuning,
  ) {
    this.groupId = replayGroupId(spec.replayId);
    this.dlq = spec.deadLetters.topic;
    // Awaited in run(); a failure before that (or after it returned) is not unhandled.
    this.outcome.catch(() => undefined);
  }

  async run(signal?: AbortSignal): Promise<ReplayProgress> {
    const stop = () => this.finish("stopped");
    signal?.addEventListener("abort", stop, { once: true });
    try {
      if (signal?.aborted) return this.progress() ?? { planned: 0, replayed: 0, done: false };
      this.producer = this.kafka.producer({
        transactionalId: this.groupId,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: this.tuning.transactionTimeoutMs,
        allowAutoTopicCreation: false,
        // Any failure ends the run and the next run starts over from what Kafka committed, so
        // the producer needs no endless retries to keep its sequence numbers intact.
        retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 5_000 },
      });
      await this.producer.connect();
      // The first transaction registers the transactional id: Kafka fences earlier runs and
      // aborts what they left open before the committed offsets are read below.
      await (await this.producer.transaction()).abort();
      await this.loadOrPlan();
      this.report();
      if (this.isDone() || this.stopping) return this.progressOrEmpty();
      await this.consume();
      await this.outcome;
      return this.progressOrEmpty();
    } catch (error) {
      throw explainFencing(error, this.spec.replayId);
    } finally {
      signal?.removeEventListener("abort", stop);
      this.stopping = true;
      await this.queue.catch(() => undefined);
      await this.consumer?.disconnect().catch(() => undefined);
      await this.producer?.disconnect().catch(() => undefined);
    }
  }

  private async loadOrPlan(): Promise<void> {
    const existing = await readCheckpoints(this.admin, this.spec);
    if (existing) {
      const startedFor = existing[0]?.target;
      if (startedFor !== this.spec.target) {
        throw new ActionRefused(`replay ${this.spec.replayId} copies ${this.dlq} into ${startedFor}; it cannot continue into ${this.spec.target}`);
      }
      this.checkpoints = new Map(existing.map((checkpoint) => [checkpoint.partition, checkpoint]));
      return;
    }
    // A new replay: from what earlier replays into the same target reached (replay-history.ts).
    const reached = await reachedByEarlierReplays(this.admin, this.spec.deadLetters, this.spec.target, this.spec.replayId);
    const offsets = await this.admin.fetchTopicOffsets(this.dlq);
    const start = replayStart(
      offsets.map((entry) => ({ partition: entry.partition, low: Number(entry.low), high: Number(entry.high) })),
      reached,
    );
    const plan = planReplay(start.partitions, this.spec.maxMessages);
    if (plan.planned === 0 && start.replayedBefore > 0) throw new ActionRefused(everythingReplayed(this.spec.deadLetters, this.spec.target));
    const checkpoints = plan.partitions.map(
      (range): PartitionCheckpoint => ({ partition: range.partition, position: range.start, end: range.end, planned: plan.planned, copied: 0, target: this.spec.target }),
    );
    // The plan is committed before anything is copied, so every later run reads the same one.
    await this.inTransaction((transaction) =>
      transaction.sendOffsets({ consumerGroupId: this.groupId, topics: [{ topic: this.dlq, partitions: checkpoints.map((checkpoint) => this.offsetOf(checkpoint)) }] }),
    );
    this.checkpoints = new Map(checkpoints.map((checkpoint) => [checkpoint.partition, checkpoint]));
  }

  private async consume(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: this.tuning.sessionTimeoutMs,
      rebalanceTimeout: Math.max(this.tuning.sessionTimeoutMs * 2, 20_000),
      heartbeatInterval: Math.min(1_000, this.tuning.sessionTimeoutMs / 3),
      maxWaitTimeInMs: 500,
      allowAutoTopicCreation: false,
      readUncommitted: false,
      retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2_000, restartOnFailure: async () => false },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (event) => this.abandon(event.payload.error));
    // A fetch whose records were all filtered out (transaction markers, aborted messages) never
    // reaches eachBatch, yet may be all that stands between a partition and its end.
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
      const { partition, batchSize, lastOffset } = event.payload;
      if (batchSize === 0) this.enqueue(() => this.moveTo(partition, [], Number(lastOffset) + 1));
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.dlq], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale, pause, resolveOffset }) => {
        const checkpoint = this.checkpoints.get(batch.partition);
        if (!checkpoint || checkpoint.position >= checkpoint.end) {
          pause();
          return;
        }
        const shouldStop = () => this.stopping || !isRunning() || isStale();
        await this.copyBatch(batch, checkpoint, shouldStop, heartbeat);
        resolveOffset(String(checkpoint.position - 1));
        if (checkpoint.position >= checkpoint.end) pause();
      },
    });
  }

  private async copyBatch(batch: Batch, checkpoint: PartitionCheckpoint, shouldStop: () => boolean, heartbeat: () => Promise<void>): Promise<void> {
    const pending = batch.messages.filter((message) => Number(message.offset) >= checkpoint.position && Number(message.offset) < checkpoint.end);
    // Everything in the batch up to its last record (copied or filtered out), within the plan.
    const reached = Math.min(checkpoint.end, Number(batch.lastOffset()) + 1);
    // Two transactions a second at most: each costs several round trips to the brokers.
    const chunkSize = Math.max(1, Math.min(this.tuning.maxMessagesPerTransaction, Math.floor(this.spec.messagesPerSecond / 2)));
    const pacer = (this.pacer ??= new Pacer(this.spec.messagesPerSecond));
    for (let start = 0; start < pending.length; start += chunkSize) {
      const chunk = pending.slice(start, start + chunkSize);
      if (!(await pacer.admit(chunk.length, shouldStop, heartbeat))) return;
      const last = start + chunkSize >= pending.length;
      const next = last ? reached : Number(chunk.at(-1)?.offset) + 1;
      await this.enqueue(() => this.moveTo(batch.partition, chunk, next));
      await heartbeat();
    }
    if (pending.length === 0 && !shouldStop()) await this.enqueue(() => this.moveTo(batch.partition, [], reached));
  }

  /** Copies `messages` of the partition and moves its offset to `next`, in one transaction. */
  private async moveTo(partition: number, messages: KafkaMessage[], next: number): Promise<void> {
    const checkpoint = this.checkpoints.get(partition);
    if (!checkpoint || this.stopping) return;
    const target = Math.min(next, checkpoint.end);
    const fresh = messages.filter((message) => Number(message.offset) >= checkpoint.position && Number(message.offset) < target);
    if (target <= checkpoint.position && fresh.length === 0) return;
    const after: PartitionCheckpoint = { ...checkpoint, position: Math.max(target, checkpoint.position), copied: checkpoint.copied + fresh.length };
    await this.inTransaction(async (transaction) => {
      if (fresh.length > 0) {
        await transaction.send({ topic: this.spec.target, messages: fresh.map((message) => copyOf(message, `${this.dlq}/${partition}/${message.offset}`)) });
      }
      await transaction.sendOffsets({ consumerGroupId: this.groupId, topics: [{ topic: this.dlq, partitions: [this.offsetOf(after)] }] });
    });
    Object.assign(checkpoint, after);
    this.report();
    if (this.isDone()) this.finish("done");
  }

  /**
   * `work` and a commit, as one transaction. Kafka answers CONCURRENT_TRANSACTIONS while it
   * still writes the markers of the previous one (kafkajs retries that for sends, not for
   * offsets): nothing of the attempt is committed then, so it is aborted and made again.
   */
  private async inTransaction(work: (transaction: Transaction) => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const transaction = await this.requireProducer().transaction();
      try {
        await work(transaction);
        await transaction.commit();
        return;
      } catch (error) {
        await transaction.abort().catch(() => undefined);
        if (!hasProtocolError(error, "CONCURRENT_TRANSACTIONS") || attempt >= 20) throw error;
        await sleep(Math.min(50 * attempt, 500));
      }
    }
  }

  private offsetOf(checkpoint: PartitionCheckpoint): OffsetWithMetadata {
    const { target, end, planned, copied } = checkpoint;
    return { partition: checkpoint.partition, offset: String(checkpoint.position), metadata: encodeCheckpoint({ target, end, planned, copied }) };
  }

  /** Runs transactions one after another; the first failure ends the run. */
  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(() => (this.stopping ? undefined : work()));
    this.queue = next.catch((error: unknown) => this.abandon(error));
    return next.catch(() => undefined);
  }

  private abandon(error: unknown): void {
    this.stopping = true;
    this.fail(error);
  }

  private finish(outcome: Outcome): void {
    this.stopping = true;
    this.settle(outcome);
  }

  private isDone(): boolean {
    return [...this.checkpoints.values()].every((checkpoint) => checkpoint.position >= checkpoint.end);
  }

  private progress(): ReplayProgress | null {
    return this.checkpoints.size > 0 ? progressOf([...this.checkpoints.values()]) : null;
  }

  private progressOrEmpty(): ReplayProgress {
    return this.progress() ?? { planned: 0, replayed: 0, done: true };
  }

  private report(): void {
    const progress = this.progress();
    if (progress) this.onProgress(progress);
  }

  private requireProducer(): Producer {
    if (!this.producer) throw new Error("the replay's producer is not connected");
    return this.producer;
  }
}

/** This run was fenced: a newer run of the same replay started, and carries on from what was committed. */
export class ReplayTakenOver extends ExecutionSuperseded {
  override readonly name = "ReplayTakenOver";

  constructor(replayId: string, options?: { cause?: unknown }) {
    super(`replay ${replayId} was taken over by another run of the same replay; this run stopped without copying anything twice`, options);
  }
}

function explainFencing(error: unknown, replayId: string): unknown {
  return hasProtocolError(error, "INVALID_PRODUCER_EPOCH", "PRODUCER_FENCED", "TRANSACTION_COORDINATOR_FENCED") ? new ReplayTakenOver(replayId, { cause: error }) : error;
}
