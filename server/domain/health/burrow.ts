// Consumer lag judged the way Burrow judges it: not against a fixed number of messages, but by
// how the committed offset and the lag moved over a sliding window of observations per partition.
//
// Burrow's window holds commits (it reads them from __consumer_offsets); ours holds what a poller
// saw each time it read the committed and end offsets. Each observation counts as a commit unless
// it says when the last commit really was (`committedAt`), and a group with no members cannot be
// committing at all. That is how STOP (commits stopped) stays apart from STALL (the consumers
// are there and committing, but the offset does not move).
import type { ConsumerGroupLag } from "../ports";
import { formatCount, formatDuration } from "./format";
import { DEFAULT_HEALTH_THRESHOLDS } from "./thresholds";
import type { Health, Verdict } from "./verdict";

export interface OffsetObservation {
  /** When the offsets were read, epoch ms. */
  timestamp: number;
  committedOffset: number;
  /** The next offset to be written. */
  logEndOffset: number;
  /** The oldest offset retention kept, when the source knows it. */
  logStartOffset?: number;
  /** When the group last committed this partition, epoch ms, when the source knows it. */
  committedAt?: number;
}

/**
 * A partition's latest observations, oldest first, at most `capacity` of them. Immutable:
 * `observe` returns a new window and leaves the old one untouched, so a request can go on
 * evaluating the window it got while the poller pushes the next observation.
 */
export interface BurrowWindow {
  readonly capacity: number;
  readonly observations: readonly OffsetObservation[];
}

export function emptyWindow(capacity: number): BurrowWindow {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`a window holds at least one observation, not ${capacity}`);
  return { capacity, observations: [] };
}

const isUsable = (observation: OffsetObservation) =>
  Number.isFinite(observation.timestamp) && Number.isFinite(observation.committedOffset) && Number.isFinite(observation.logEndOffset);

/** The window with one more observation, its oldest dropped when full. */
export function observe(window: BurrowWindow, observation: OffsetObservation): BurrowWindow {
  const last = window.observations.at(-1);
  // A repeated answer (a cached figure, a retried poll) would push an older observation out while
  // adding no time to the window; a figure that is not a number has nothing to say.
  if (!isUsable(observation) || (last !== undefined && observation.timestamp <= last.timestamp)) return window;
  const kept = window.observations.slice(Math.max(0, window.observations.length + 1 - window.capacity));
  return { capacity: window.capacity, observations: [...kept, observation] };
}

function resized(window: BurrowWindow, capacity: number): BurrowWindow {
  if (window.capacity === capacity) return window;
  return { capacity, observations: window.observations.slice(Math.max(0, window.observations.length - capacity)) };
}

/**
 * One poll of a group pushed into its partitions' windows (a new map; the old one is untouched).
 * Partitions the group no longer reports are dropped with their windows.
 */
export function observeGroup(
  windows: ReadonlyMap<number, BurrowWindow>,
  group: Pick<ConsumerGroupLag, "partitions">,
  timestamp: number,
  capacity: number,
  logStartOffset?: (partition: number) => number | undefined,
): Map<number, BurrowWindow> {
  const next = new Map<number, BurrowWindow>();
  for (const partition of group.partitions) {
    const window = resized(windows.get(partition.partition) ?? emptyWindow(capacity), capacity);
    const logStart = logStartOffset?.(partition.partition);
    next.set(partition.partition, observe(window, {
      timestamp,
      committedOffset: partition.committedOffset,
      logEndOffset: partition.logEndOffset,
      ...(logStart === undefined ? {} : { logStartOffset: logStart }),
    }));
  }
  return next;
}

/**
 * The offset the group will really resume from and its lag. Retention may have deleted what
 * the group committed (or it never committed: Kafka reports -1); it then resumes at the log
 * start. A committed offset past the log end (a truncated log) is no negative lag.
 */
export function effectiveOffsets(observation: OffsetObservation): { committedOffset: number; lag: number } {
  const committedOffset = Math.max(observation.committedOffset, observation.logStartOffset ?? 0);
  return { committedOffset, lag: Math.max(0, observation.logEndOffset - committedOffset) };
}

export type PartitionStatus = "OK" | "WARN" | "STALL" | "STOP" | "REWIND" | "UNKNOWN";

export interface PartitionEvaluation {
  status: PartitionStatus;
  /** The latest lag, clamped; null before the first observation. */
  lag: number | null;
  reason: string;
}

export interface EvaluationOptions {
  /** Observations a lagging partition needs before it is judged. */
  minObservations?: number;
  /**
   * The time of the evaluation, epoch ms; by default the newest observation's. Pass the poller's
   * last poll rather than the wall clock: a poller that stalls then shows as stale figures, not
   * as every consumer having stopped.
   */
  now?: number;
  /** The group's members now, when known: none means nobody is committing. */
  members?: number;
}

/** An observation as the rules read it: offsets clamped, a commit time whether known or not. */
export interface WindowPoint {
  t: number;
  committedAt: number;
  committed: number;
  lag: number;
}

export function pointsOf(window: BurrowWindow): WindowPoint[] {
  return window.observations.map((observation) => {
    const { committedOffset, lag } = effectiveOffsets(observation);
    return { t: observation.timestamp, committedAt: observation.committedAt ?? observation.timestamp, committed: committedOffset, lag };
  });
}

/**
 * A partition's status over its window, the rules in the order they decide:
 * REWIND  the committed offset is below where it was earlier in the window (not recovered yet);
 * OK      the lag is 0 now or was at some point in the window (caught up recently);
 * STOP    the group has no members;
 * UNKNOWN fewer observations than `minObservations`;
 * STOP    the last commit is older than the commits the window saw span:
 *         now − last commit > last commit − first commit;
 * STALL   the committed offset did not move over the window while there was lag;
 * WARN    the offset moves but the lag never fell from one observation to the next;
 * OK      the lag fell at least once.
 */
export function evaluatePartition(window: BurrowWindow, options: EvaluationOptions = {}): PartitionEvaluation {
  const minObservations = options.minObservations ?? DEFAULT_HEALTH_THRESHOLDS.consumerGroups.minObservations;
  const points = pointsOf(window);
  const first = points[0];
  const last = points.at(-1);
  if (first === undefined || last === undefined) return { status: "UNKNOWN", lag: null, reason: "no offsets observed yet" };
  const lag = last.lag;
  const lagText = `lag ${formatCount(lag)}`;
  const span = formatDuration(last.t - first.t);

  const highestBefore = Math.max(...points.slice(0, -1).map((point) => point.committed));
  if (last.committed < highestBefore) {
    return { status: "REWIND", lag, reason: `committed offset went back from ${formatCount(highestBefore)} to ${formatCount(last.committed)}, ${lagText}` };
  }
  if (lag === 0) return { status: "OK", lag, reason: "caught up" };
  if (points.some((point) => point.lag === 0)) return { status: "OK", lag, reason: `${lagText}, caught up within the last ${span}` };
  if (options.members === 0) return { status: "STOP", lag, reason: `no consumers, ${lagText}` };
  if (points.length < minObservations) {
    return { status: "UNKNOWN", lag, reason: `${lagText}, ${points.length} of ${minObservations} observations needed to judge it` };
  }

  const now = options.now ?? last.t;
  const sinceLastCommit = now - last.committedAt;
  if (sinceLastCommit > last.committedAt - first.committedAt) {
    const silence = last.committedAt === last.t ? "no offsets reported" : "no commit";
    return { status: "STOP", lag, reason: `${silence} for ${formatDuration(sinceLastCommit)}, ${lagText}` };
  }
  if (points.every((point) => point.committed === first.committed)) {
    return { status: "STALL", lag, reason: `committed offset ${formatCount(first.committed)} unchanged over ${span}, ${lagText}` };
  }
  const lagNeverFell = points.every((point, i) => i === 0 || point.lag >= (points[i - 1]?.lag ?? point.lag));
  if (lagNeverFell) return { status: "WARN", lag, reason: `${lagText} and not decreasing over ${span}` };
  return { status: "OK", lag, reason: `${lagText} and decreasing` };
}

const STATUS_RANK: Record<PartitionStatus, number> = { UNKNOWN: 0, OK: 1, WARN: 2, REWIND: 3, STALL: 4, STOP: 5 };

export const STATUS_VERDICT: Record<PartitionStatus, Verdict> = { UNKNOWN: "UNKNOWN", OK: "OK", WARN: "WARN", REWIND: "CRIT", STALL: "CRIT", STOP: "CRIT" };

export interface PartitionWindow {
  partition: number;
  window: BurrowWindow;
}

export interface EvaluatedPartition extends PartitionEvaluation {
  partition: number;
}

export interface GroupEvaluation extends Health {
  /** The worst partition's status. */
  status: PartitionStatus;
  /** By partition number. */
  partitions: EvaluatedPartition[];
}

/** Partitions named one by one in the reasons; the rest are counted. */
const NAMED_PARTITIONS = 3;

function reasonsFor(evaluated: readonly EvaluatedPartition[]): string[] {
  const judged = evaluated
    .filter((p) => p.status !== "OK" && p.status !== "UNKNOWN")
    .sort((a, b) => STATUS_RANK[b.status] - STATUS_RANK[a.status] || (b.lag ?? 0) - (a.lag ?? 0) || a.partition - b.partition);
  const reasons = judged.slice(0, NAMED_PARTITIONS).map((p) => `partition ${p.partition}: ${p.reason}`);
  const rest = judged.slice(NAMED_PARTITIONS);
  if (rest.length > 0) {
    const byStatus = new Map<PartitionStatus, number>();
    for (const p of rest) byStatus.set(p.status, (byStatus.get(p.status) ?? 0) + 1);
    const counts = [...byStatus].map(([status, n]) => `${n} ${status}`).join(", ");
    reasons.push(`${rest.length} more partition${rest.length === 1 ? "" : "s"}: ${counts}`);
  }
  const unjudged = evaluated.filter((p) => p.status === "UNKNOWN");
  const example = unjudged[0];
  if (example !== undefined) {
    reasons.push(unjudged.length === 1 ? `partition ${example.partition}: ${example.reason}` : `${unjudged.length} of ${evaluated.length} partitions not judged yet (partition ${example.partition}: ${example.reason})`);
  }
  return reasons;
}

/** A group's status is its worst partition's; a partition without enough observations does not hide the others. */
export function evaluateGroup(partitions: readonly PartitionWindow[], options: EvaluationOptions = {}): GroupEvaluation {
  if (partitions.length === 0) return { verdict: "UNKNOWN", status: "UNKNOWN", reasons: ["no partitions observed"], partitions: [] };
  // One time for every partition: a partition whose offsets stopped coming while the others' still
  // come has stopped.
  const newest = Math.max(...partitions.map((p) => p.window.observations.at(-1)?.timestamp ?? Number.NEGATIVE_INFINITY));
  const now = options.now ?? (Number.isFinite(newest) ? newest : undefined);
  const evaluated = partitions
    .map((p) => ({ partition: p.partition, ...evaluatePartition(p.window, { ...options, ...(now === undefined ? {} : { now }) }) }))
    .sort((a, b) => a.partition - b.partition);
  const status = evaluated.reduce<PartitionStatus>((worst, p) => (STATUS_RANK[p.status] > STATUS_RANK[worst] ? p.status : worst), "UNKNOWN");
  return { verdict: STATUS_VERDICT[status], status, reasons: reasonsFor(evaluated), partitions: evaluated };
}
