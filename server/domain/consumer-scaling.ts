// How many consumers a lagging consumer group needs. Pure; shared by the runbook suggestion and
// the consumer group page's advice, so both name the same number.
//
// Kafka gives each consumer of a group whole partitions. With r consumers on P partitions some
// consumer reads ceil(P / r) of them, and the partitions it reads get only its rate split that
// many ways; since producers spread messages over every partition, those partitions fall behind
// first. So 9 consumers on 12 partitions keep up no better than 6 (three of them still read two
// partitions each): the group's real capacity is P × per-consumer rate ÷ ceil(P / r).

/** The lag should be gone within this long after scaling: an hour of backlog is not "caught up". */
export const DRAIN_TARGET_SECONDS = 600;

/**
 * Capacity to plan for, as a multiple of what is produced now. The produced rate is a recent
 * average and traffic keeps moving through the day: a group sized to the bare minimum drains
 * at a trickle and lags again at the next bump, which is how the alert came about.
 */
export const PRODUCTION_HEADROOM = 1.25;

/** Messages per second `consumers` can consume on `partitions`, each consumer reading `perConsumer`. */
export function groupCapacity(consumers: number, partitions: number, perConsumer: number): number {
  if (consumers <= 0 || partitions <= 0) return 0;
  const busiest = Math.ceil(partitions / Math.min(consumers, partitions));
  return (partitions * perConsumer) / busiest;
}

export interface ConsumerScaling {
  /** The consumer count to scale to. */
  replicas: number;
  /** The count that would keep up and drain within the target, before the ceiling; null when none would. */
  wanted: number | null;
  /** What the ceiling is: the partition count (more consumers sit idle) or the deployment's maximum. */
  limitedBy: "partitions" | "maxReplicas" | null;
  /** Seconds to drain the lag at `replicas`; null when it would not drain. */
  drainSeconds: number | null;
}

export interface ConsumerFigures {
  producedPerSecond: number;
  totalLag: number;
  /** Messages per second one consumer reads (today's rate over today's consumers). */
  perConsumer: number;
  partitions: number;
  current: number;
  maxReplicas: number;
}

/**
 * The fewest consumers above `current` that keep up with production plus PRODUCTION_HEADROOM and
 * drain the lag within DRAIN_TARGET_SECONDS, within the partitions and the deployment's maximum;
 * the ceiling when none below it suffices.
 */
export function consumersFor(figures: ConsumerFigures): ConsumerScaling {
  const { producedPerSecond, totalLag, perConsumer, partitions } = figures;
  const needed = producedPerSecond * PRODUCTION_HEADROOM + totalLag / DRAIN_TARGET_SECONDS;
  const ceiling = Math.max(Math.min(figures.maxReplicas, partitions), 0);
  let wanted: number | null = null;
  for (let replicas = 1; replicas <= partitions; replicas++) {
    if (groupCapacity(replicas, partitions, perConsumer) >= needed) {
      wanted = replicas;
      break;
    }
  }
  const replicas = Math.min(Math.max(wanted ?? ceiling, figures.current + 1), ceiling);
  const limitedBy = wanted !== null && wanted <= ceiling ? null : ceiling === partitions ? "partitions" : "maxReplicas";
  const spare = groupCapacity(replicas, partitions, perConsumer) - producedPerSecond;
  return { replicas, wanted, limitedBy, drainSeconds: spare > 0 ? totalLag / spare : null };
}
