// What a dead-letter replay copies, fixed when it first starts, and how that plan is kept in
// Kafka so that a restarted replay (same replay id, another process) finds it again.
//
// The plan lives in the metadata string of the replay's own committed offsets, one per
// partition of the dead-letter topic: `{end, planned, copied, target}` next to the offset the
// replay has reached. Every transaction that copies messages commits the new offset and the new
// `copied` count together with the copied messages, so the progress a restart reads back is
// exactly what was written, never more, never less. A separate compacted topic would need a
// second write per transaction and a topic Scaleplane must create on every cluster; the commit
// metadata needs neither (Kafka keeps up to offset.metadata.max.bytes, 4 KB by default).
// It lasts as long as Kafka keeps the group's offsets (offsets.retention.minutes, 7 days by
// default, counted from when the group became empty).
import type { PartitionOffsets, ReplayProgress } from "../../domain/action-ports";

/** One partition of the dead-letter topic: the offsets the replay copies, [start, end). */
export interface PartitionRange {
  partition: number;
  start: number;
  end: number;
}

export interface ReplayPlan {
  /** By partition number. */
  partitions: PartitionRange[];
  /** Offsets in the ranges: the messages the replay copies at most. */
  planned: number;
}

/**
 * Splits `maxMessages` over the partitions' backlogs (`low` to log end when the replay starts:
 * the log start, or where earlier replays got to) as evenly as they allow: a partition holding
 * fewer than its share gives the rest to the others. Each partition is copied from `low` on.
 */
export function planReplay(partitions: readonly PartitionOffsets[], maxMessages: number): ReplayPlan {
  const bySize = [...partitions].sort((a, b) => a.high - a.low - (b.high - b.low) || a.partition - b.partition);
  let remaining = Math.max(0, Math.floor(maxMessages));
  const ranges: PartitionRange[] = [];
  bySize.forEach((offsets, index) => {
    const backlog = Math.max(0, offsets.high - offsets.low);
    const share = Math.floor(remaining / (bySize.length - index));
    const taken = Math.min(backlog, share);
    remaining -= taken;
    ranges.push({ partition: offsets.partition, start: offsets.low, end: offsets.low + taken });
  });
  ranges.sort((a, b) => a.partition - b.partition);
  return { partitions: ranges, planned: ranges.reduce((sum, range) => sum + range.end - range.start, 0) };
}

/** What the commit metadata of one partition holds. */
export interface ReplayCheckpoint {
  /** The topic the messages are copied to. */
  target: string;
  /** The partition's end: the replay copies offsets below it. */
  end: number;
  /** The whole replay's planned messages (the same on every partition). */
  planned: number;
  /** Messages of this partition copied so far. */
  copied: number;
}

/** Marks metadata written by a replay, so a group of the same name used otherwise is noticed. */
const FORMAT = "scaleplane.replay/1";

export function encodeCheckpoint(checkpoint: ReplayCheckpoint): string {
  return JSON.stringify({ format: FORMAT, ...checkpoint });
}

/** The checkpoint in a commit's metadata, or null when the metadata is not one. */
export function decodeCheckpoint(metadata: string | null | undefined): ReplayCheckpoint | null {
  if (!metadata) return null;
  let value: unknown;
  try {
    value = JSON.parse(metadata);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const { format, target, end, planned, copied } = value as Record<string, unknown>;
  if (format !== FORMAT || typeof target !== "string") return null;
  if (![end, planned, copied].every((figure) => Number.isSafeInteger(figure) && (figure as number) >= 0)) return null;
  return { target, end: end as number, planned: planned as number, copied: copied as number };
}

/** One partition's state: the offset reached (committed) and its checkpoint. */
export interface PartitionCheckpoint extends ReplayCheckpoint {
  partition: number;
  position: number;
}

export function progressOf(partitions: readonly PartitionCheckpoint[]): ReplayProgress {
  return {
    planned: partitions[0]?.planned ?? 0,
    replayed: partitions.reduce((sum, partition) => sum + partition.copied, 0),
    done: partitions.every((partition) => partition.position >= partition.end),
  };
}
