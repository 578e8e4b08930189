// What earlier replays of a dead-letter topic got to: a new replay into the same target starts
// after it, so its consumers do not process a dead letter again because it was replayed twice.
//
// Every replay leaves its consumer group (replay.ts), whose committed offsets on the dead-letter
// topic carry its checkpoint (replay-plan.ts). The committed offset is the position the replay
// reached, everything before it copied or skipped as aborted; a new replay starts from the
// highest one on each partition. Not from the planned end: what a replay never got to (stopped,
// or maxMessages lower than the backlog) is replayed by the next one. Groups whose offsets carry
// no checkpoint are not replays and are left out. A replay into another target does not count:
// the target's consumers never saw those copies.
//
// A replay whose group has members is running, and a new one would copy what it is copying:
// refused until it finished or stopped. Kafka forgets an empty group's offsets after
// offsets.retention.minutes (7 days by default); a replay older than that no longer counts.
import type { Admin } from "kafkajs";
import type { DeadLetterBacklog, PartitionOffsets, TopicRef } from "../../domain/action-ports";
import { ActionRefused } from "../../domain/actions/kind";
import { describeGroup, fetchGroupOffsets, isGroupActive } from "./group-offsets";
import { decodeCheckpoint, progressOf, type PartitionCheckpoint } from "./replay-plan";

/** The consumer groups, and transactional ids, of replays: this prefix and the replay's id. */
export const REPLAY_GROUP_PREFIX = "scaleplane.replay.";

/** Where a new replay of the dead-letter topic starts, by partition, and what that leaves out. */
export interface ReplayStart extends DeadLetterBacklog {
  /** Each partition from its start (`low`: the log start or what earlier replays reached) to its log end. */
  partitions: PartitionOffsets[];
}

/**
 * The highest position earlier replays of `ref` into `target` reached on each partition,
 * leaving out the replay `exceptReplayId` (the one about to plan). Refused while one of them runs.
 */
export async function reachedByEarlierReplays(admin: Admin, ref: TopicRef, target: string, exceptReplayId?: string): Promise<Map<number, number>> {
  const { groups } = await admin.listGroups();
  const replayIds = groups
    .map((group) => group.groupId)
    .filter((groupId) => groupId.startsWith(REPLAY_GROUP_PREFIX))
    .map((groupId) => groupId.slice(REPLAY_GROUP_PREFIX.length))
    .filter((replayId) => replayId !== exceptReplayId)
    .sort();
  const earlier = await Promise.all(replayIds.map(async (replayId) => ({ replayId, checkpoints: await checkpointsOf(admin, replayId, ref.topic, target) })));
  const reached = new Map<number, number>();
  for (const { replayId, checkpoints } of earlier) {
    if (checkpoints.length === 0) continue;
    if (isGroupActive(await describeGroup(admin, REPLAY_GROUP_PREFIX + replayId))) {
      const { planned, replayed } = progressOf(checkpoints);
      throw new ActionRefused(`replay ${replayId} of ${ref.topic} into ${target} is running (copied ${replayed} of ${planned}); wait for it to finish`);
    }
    for (const { partition, position } of checkpoints) reached.set(partition, Math.max(position, reached.get(partition) ?? 0));
  }
  return reached;
}

/** Each partition from the later of its log start and what earlier replays reached. */
export function replayStart(offsets: readonly PartitionOffsets[], reached: ReadonlyMap<number, number>): ReplayStart {
  let retained = 0;
  let replayedBefore = 0;
  const partitions = offsets.map(({ partition, low, high }) => {
    const position = reached.get(partition) ?? low;
    // Beyond the log end: offsets of an earlier topic of the same name, deleted since.
    const start = position > high ? low : Math.max(low, position);
    retained += Math.max(0, high - low);
    replayedBefore += start - low;
    return { partition, low: start, high };
  });
  return { partitions, retained, replayedBefore };
}

/** The replay's checkpoints on `topic` when it copied into `target`; none for a group that is not a replay. */
async function checkpointsOf(admin: Admin, replayId: string, topic: string, target: string): Promise<PartitionCheckpoint[]> {
  const committed = await fetchGroupOffsets(admin, REPLAY_GROUP_PREFIX + replayId, [topic]);
  const checkpoints: PartitionCheckpoint[] = [];
  for (const entry of committed.find((candidate) => candidate.topic === topic)?.partitions ?? []) {
    const position = Number(entry.offset);
    const checkpoint = decodeCheckpoint(entry.metadata);
    if (position < 0 || !checkpoint || checkpoint.target !== target) continue;
    checkpoints.push({ partition: entry.partition, position, ...checkpoint });
  }
  return checkpoints;
}
