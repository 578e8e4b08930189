import { z } from "zod";
import type { ConsumerGroupDescription, OffsetResetTarget, PartitionOffset, TopicDescription } from "../action-ports";
import { formatCount } from "../health/format";
import { ActionRefused, type ActionKind, type PreviewLine } from "./kind";
import { groupRef, kafkaClusterFields, kafkaTarget, onCluster, requireGroup, requireTopic, topicRef } from "./kafka-ref";
import { kafkaName, plural, wholeNumber } from "./names";

const RESET_TARGETS = ["earliest", "latest", "timestamp", "explicit"] as const;

export const consumerGroupResetOffsetsParams = z
  .object({
    ...kafkaClusterFields,
    group: kafkaName("group"),
    topic: kafkaName("topic"),
    to: z.enum(RESET_TARGETS, { error: 'to must be "earliest", "latest", "timestamp" or "explicit"' }),
    timestamp: z.iso.datetime({ offset: true, error: "timestamp must be an ISO 8601 time such as 2025-03-01T12:00:00Z" }).optional(),
    offsets: z
      .array(z.object({ partition: wholeNumber("partition", 0, 1_000_000), offset: wholeNumber("offset", 0, Number.MAX_SAFE_INTEGER) }))
      .max(10_000, "offsets can name at most 10,000 partitions")
      .optional(),
  })
  .superRefine((params, ctx) => {
    if (params.to === "timestamp" && params.timestamp === undefined) {
      ctx.addIssue({ code: "custom", message: 'a reset to a timestamp needs timestamp (ISO 8601, e.g. "2025-03-01T12:00:00Z")', path: ["timestamp"] });
    }
    if (params.to !== "timestamp" && params.timestamp !== undefined) {
      ctx.addIssue({ code: "custom", message: `timestamp applies only to a reset with to "timestamp", not "${params.to}"`, path: ["timestamp"] });
    }
    if (params.to === "explicit" && !params.offsets?.length) {
      ctx.addIssue({ code: "custom", message: "an explicit reset needs offsets: [{ partition, offset }, ...]", path: ["offsets"] });
    }
    if (params.to !== "explicit" && params.offsets !== undefined) {
      ctx.addIssue({ code: "custom", message: `offsets apply only to a reset with to "explicit", not "${params.to}"`, path: ["offsets"] });
    }
    const seen = new Set<number>();
    for (const { partition } of params.offsets ?? []) {
      if (seen.has(partition)) ctx.addIssue({ code: "custom", message: `partition ${partition} is listed twice in offsets`, path: ["offsets"] });
      seen.add(partition);
    }
  });
export type ConsumerGroupResetOffsetsParams = z.infer<typeof consumerGroupResetOffsetsParams>;

export interface OffsetReset {
  group: ConsumerGroupDescription;
  topic: TopicDescription;
  /** The offsets the reset would commit, as the cluster resolved the target. */
  resolved: PartitionOffset[];
}

/** Re-processing more messages than this is high risk. */
export const MANY_REPROCESSED = 100_000;

/** What the reset does to one partition. */
interface PartitionMove {
  partition: number;
  committed: number | null;
  offset: number;
  /** Messages the group has not processed that it would never read. */
  skipped: number;
  /** Messages the group processed that it would read again. */
  reprocessed: number;
}

function resetTargetOf(params: ConsumerGroupResetOffsetsParams): OffsetResetTarget {
  switch (params.to) {
    case "earliest":
    case "latest":
      return { to: params.to };
    case "timestamp":
      if (params.timestamp === undefined) throw new ActionRefused("a reset to a timestamp needs timestamp");
      return { to: "timestamp", timestamp: Date.parse(params.timestamp) };
    case "explicit":
      return { to: "explicit", offsets: params.offsets ?? [] };
  }
}

function describeTarget(params: ConsumerGroupResetOffsetsParams): string {
  switch (params.to) {
    case "earliest":
      return "the earliest offsets";
    case "latest":
      return "the latest offsets";
    case "timestamp":
      return `the first offsets at or after ${params.timestamp}`;
    case "explicit":
      return "the offsets given";
  }
}

/** An explicit offset must name a partition of the topic and a message it still holds (or its end). */
function refuseOffsetsOutside(topic: TopicDescription, offsets: ReadonlyArray<{ partition: number; offset: number }>) {
  const partitions = new Map(topic.partitions.map((partition) => [partition.partition, partition]));
  const numbers = [...partitions.keys()].sort((a, b) => a - b);
  for (const { partition, offset } of offsets) {
    const held = partitions.get(partition);
    if (!held) throw new ActionRefused(`topic ${topic.topic} has partitions ${numbers[0]}–${numbers[numbers.length - 1]}; partition ${partition} does not exist`);
    if (offset < held.low) {
      throw new ActionRefused(`offset ${offset} on partition ${partition} of ${topic.topic} is below its log start ${held.low}: those messages were deleted`);
    }
    if (offset > held.high) throw new ActionRefused(`offset ${offset} on partition ${partition} of ${topic.topic} is past its log end ${held.high}`);
  }
}

function movesOf({ group, topic, resolved }: OffsetReset): PartitionMove[] {
  return resolved
    .map((target): PartitionMove => {
      const committed = group.partitions.find((entry) => entry.topic === topic.topic && entry.partition === target.partition)?.committed ?? null;
      const low = topic.partitions.find((partition) => partition.partition === target.partition)?.low ?? 0;
      return {
        partition: target.partition,
        committed,
        offset: target.offset,
        // Messages below the log start were deleted: moving past them skips nothing more.
        skipped: committed === null ? 0 : Math.max(0, target.offset - Math.max(committed, low)),
        reprocessed: committed === null ? 0 : Math.max(0, committed - target.offset),
      };
    })
    .sort((a, b) => a.partition - b.partition);
}

function describeMove(move: PartitionMove): PreviewLine {
  const effect = move.skipped ? ` (skips ${formatCount(move.skipped)})` : move.reprocessed ? ` (re-processes ${formatCount(move.reprocessed)})` : "";
  return {
    label: `partition ${move.partition}`,
    before: move.committed === null ? "none committed" : formatCount(move.committed),
    after: `${formatCount(move.offset)}${effect}`,
  };
}

const partitionOffsetsSchema = z.array(z.object({ topic: z.string(), partition: z.number(), offset: z.number() }));
/** The offsets an execution remembered committing, or null when it recorded none. */
const partitionOffsetsOf = (recorded: unknown): PartitionOffset[] | null => partitionOffsetsSchema.safeParse(recorded).data ?? null;

export const consumerGroupResetOffsets: ActionKind<ConsumerGroupResetOffsetsParams, OffsetReset> = {
  kind: "consumerGroup.resetOffsets",
  title: "Reset a consumer group's offsets",
  permission: "action.request",
  params: consumerGroupResetOffsetsParams,
  riskRule: `high when any message is skipped or more than ${formatCount(MANY_REPROCESSED)} are re-processed; otherwise medium`,
  target: (params, environment) => kafkaTarget(params, params.group, environment),

  async load(ports, params, environment) {
    const ref = groupRef(params, environment);
    const topic = await requireTopic(ports, topicRef(params, params.topic, environment));
    const group = await requireGroup(ports, ref);
    if (group.members > 0) {
      throw new ActionRefused(
        `consumer group ${params.group} has ${plural(group.members, "active member")} ${onCluster(params)}; Kafka resets the offsets of a stopped group only: scale its consumers to 0 first`,
      );
    }
    if (params.to === "explicit") refuseOffsetsOutside(topic, params.offsets ?? []);
    const resolved = await ports.queues.resolveOffsetReset(ref, params.topic, resetTargetOf(params));
    return { group, topic, resolved };
  },

  plan(params, current) {
    const moves = movesOf(current).filter((move) => move.committed !== move.offset);
    if (moves.length === 0) throw new ActionRefused(`the offsets of ${params.group} on ${params.topic} already equal ${describeTarget(params)}`);
    const skipped = moves.reduce((sum, move) => sum + move.skipped, 0);
    const reprocessed = moves.reduce((sum, move) => sum + move.reprocessed, 0);
    const riskReasons: string[] = [];
    if (skipped > 0) riskReasons.push(`skips ${plural(skipped, "message")} the group has not processed: they are never consumed`);
    if (reprocessed > MANY_REPROCESSED) {
      riskReasons.push(`re-processes ${plural(reprocessed, "message")}, more than ${formatCount(MANY_REPROCESSED)}: the consumers must be idempotent and lag until they catch up`);
    }
    const risk = riskReasons.length ? "high" : "medium";
    if (risk === "medium") {
      riskReasons.push(reprocessed > 0 ? `re-processes ${plural(reprocessed, "message")}: the consumers must be idempotent` : "commits offsets where the group had none");
    }
    return {
      risk,
      riskReasons,
      summary: `Reset consumer group ${params.group} on ${params.topic} ${onCluster(params)} to ${describeTarget(params)}: ${plural(moves.length, "partition")} move, ${formatCount(skipped)} messages skipped, ${formatCount(reprocessed)} re-processed`,
      changes: moves.map(describeMove),
      monthlyCostDelta: null,
    };
  },

  async execute(ports, params, { environment, remember }) {
    const ref = groupRef(params, environment);
    // Resolved again: "latest" or "earliest" now, not when the request was made.
    const offsets = await ports.queues.resolveOffsetReset(ref, params.topic, resetTargetOf(params));
    await remember({ partitions: offsets.length, offsets });
    await ports.queues.resetOffsets(ref, offsets);
  },

  async verify(ports, params, { environment, recorded }) {
    const ref = groupRef(params, environment);
    const expected = partitionOffsetsOf(recorded()?.offsets) ?? (await ports.queues.resolveOffsetReset(ref, params.topic, resetTargetOf(params)));
    const group = await ports.queues.describeConsumerGroup(ref);
    if (!group) return { ok: false, observed: {}, message: `consumer group ${params.group} is gone` };
    const committedOf = (target: PartitionOffset) =>
      group.partitions.find((entry) => entry.topic === target.topic && entry.partition === target.partition)?.committed ?? null;
    const different = expected.filter((target) => committedOf(target) !== target.offset);
    const observed = { committed: expected.map((target) => ({ partition: target.partition, expected: target.offset, committed: committedOf(target) })) };
    if (different.length === 0) return { ok: true, observed, message: `${params.group} committed ${describeTarget(params)} on ${plural(expected.length, "partition")} of ${params.topic}` };
    const first = different[0];
    return {
      ok: false,
      observed,
      message: `${plural(different.length, "partition")} of ${params.topic} differ${different.length === 1 ? "s" : ""} from the reset${first ? `: partition ${first.partition} has ${committedOf(first) ?? "none"} committed, expected ${first.offset}` : ""}`,
    };
  },

  rollback(params, before) {
    const offsets = movesOf(before).flatMap(({ partition, committed, offset }) => (committed !== null && committed !== offset ? [{ partition, offset: committed }] : []));
    if (offsets.length === 0) return null;
    return { region: params.region, cluster: params.cluster, group: params.group, topic: params.topic, to: "explicit", offsets };
  },
};
