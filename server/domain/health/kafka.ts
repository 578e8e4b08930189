// Verdicts for Kafka: clusters, topics (dead-letter topics included) and consumer groups.
import type { ConsumerGroupLag, KafkaClusterStats, TopicStats } from "../ports";
import { emptyWindow, evaluateGroup, pointsOf, type BurrowWindow, type EvaluatedPartition, type PartitionStatus } from "./burrow";
import { contrast, formatCount, formatDuration, formatRate } from "./format";
import { DEFAULT_HEALTH_THRESHOLDS, type HealthThresholds } from "./thresholds";
import { above, atLeast, crit, judge, unknown, type Health } from "./verdict";

export function kafkaClusterHealth(
  stats: KafkaClusterStats | undefined,
  thresholds: HealthThresholds["kafkaClusters"] = DEFAULT_HEALTH_THRESHOLDS.kafkaClusters,
  /** Brokers the cluster should have (from its configuration); without it, only "none up" is judged. */
  expectedBrokers?: number,
): Health {
  if (!stats) return unknown("no figures for this Kafka cluster");
  if (stats.brokers === 0) return judge([crit("no broker up")]);
  const down = expectedBrokers === undefined ? null : Math.max(0, expectedBrokers - stats.brokers);
  return judge([
    down === null ? null : atLeast(down, thresholds.brokersDown, () => `${down} of ${expectedBrokers} brokers down`),
    atLeast(stats.underReplicatedPartitions, thresholds.underReplicatedPartitions, () =>
      `${formatCount(stats.underReplicatedPartitions)} of ${formatCount(stats.partitions)} partitions under-replicated`),
  ]);
}

export function topicHealth(stats: TopicStats | undefined, thresholds: HealthThresholds["topics"] = DEFAULT_HEALTH_THRESHOLDS.topics): Health {
  if (!stats) return unknown("no figures for this topic");
  const dlqInflow = stats.deadLetterOf === null
    ? null
    : above(stats.producedPerSecond, thresholds.dlqInflowPerSecond, (level) => {
      const [inflow, limit] = contrast(stats.producedPerSecond, level, (x, extra) => formatRate(x, "msg/s", extra));
      return `dead letters from ${stats.deadLetterOf} at ${inflow} > ${limit}`;
    });
  return judge([
    atLeast(stats.underReplicatedPartitions, thresholds.underReplicatedPartitions, () =>
      `${formatCount(stats.underReplicatedPartitions)} of ${formatCount(stats.partitions)} partitions under-replicated`),
    dlqInflow,
  ]);
}

/**
 * Seconds until the group has no lag, if each lagging partition keeps falling at the rate it
 * fell over its window: the slowest partition decides, since a partition's lag is only consumed
 * by its own consumer. Null when some lagging partition is not falling (it never drains at this
 * rate) or has too few observations to tell, or nothing was observed; 0 when no partition lags.
 */
export function timeToDrainSeconds(
  windows: ReadonlyMap<number, BurrowWindow> | undefined,
  minObservations: number = DEFAULT_HEALTH_THRESHOLDS.consumerGroups.minObservations,
): number | null {
  const observed = [...(windows?.values() ?? [])].map(pointsOf).filter((points) => points.length > 0);
  if (observed.length === 0) return null;
  let slowest = 0;
  for (const points of observed) {
    const first = points[0];
    const last = points.at(-1);
    if (first === undefined || last === undefined || last.lag === 0) continue;
    if (points.length < minObservations) return null;
    const fallPerSecond = (first.lag - last.lag) / ((last.t - first.t) / 1000);
    if (!(fallPerSecond > 0)) return null;
    slowest = Math.max(slowest, last.lag / fallPerSecond);
  }
  return slowest;
}

export interface ConsumerGroupHealth extends Health {
  /** The Burrow status of the group's worst partition. */
  status: PartitionStatus;
  /** Each partition's Burrow status and latest lag, by partition number. */
  partitions: EvaluatedPartition[];
  /** Lag now, clamped at 0 per partition. */
  totalLag: number;
  /** See timeToDrainSeconds. */
  timeToDrainSeconds: number | null;
}

/**
 * A consumer group's verdict: the Burrow evaluation of its partitions' windows (what the poller
 * observed), then the levels on the current figures. Without windows it is UNKNOWN unless a
 * level on the figures is crossed.
 */
export function consumerGroupHealth(
  group: ConsumerGroupLag | undefined,
  windows: ReadonlyMap<number, BurrowWindow> | undefined,
  thresholds: HealthThresholds["consumerGroups"] = DEFAULT_HEALTH_THRESHOLDS.consumerGroups,
  /** See EvaluationOptions.now. */
  now?: number,
): ConsumerGroupHealth {
  if (!group) return { ...unknown("no lag figures for this group"), status: "UNKNOWN", partitions: [], totalLag: 0, timeToDrainSeconds: null };
  const burrow = evaluateGroup(
    group.partitions.map((p) => ({ partition: p.partition, window: windows?.get(p.partition) ?? emptyWindow(thresholds.windowSize) })),
    { minObservations: thresholds.minObservations, members: group.members, ...(now === undefined ? {} : { now }) },
  );
  const totalLag = group.partitions.reduce((sum, p) => sum + Math.max(0, p.lag), 0);
  const drain = totalLag === 0 ? 0 : timeToDrainSeconds(windows, thresholds.minObservations);
  const levels = judge([
    atLeast(totalLag, thresholds.totalLag, (level) => `total lag ${formatCount(totalLag)} ≥ ${formatCount(level)}`),
    drain === null
      ? null
      : above(drain, thresholds.timeToDrainSeconds, (level) => `lag ${formatCount(totalLag)} takes ${formatDuration(drain * 1000)} to drain > ${formatDuration(level * 1000)}`),
  ], burrow.verdict);
  return { verdict: levels.verdict, reasons: [...burrow.reasons, ...levels.reasons], status: burrow.status, partitions: burrow.partitions, totalLag, timeToDrainSeconds: drain };
}
