// What the Kafka pages share: the row types, links, worst-first ordering, and the plain-words
// reading of a consumer group's lag (where it is heading, when it drains, what to do about it).
import type { BurrowStatus } from "@/components/queues-badges";
import type { LagPoint } from "@/components/queues-sparkline";
import type { RouterOutputs, Verdict } from "@/lib/api-types";
import { consumersFor, PRODUCTION_HEADROOM } from "@/server/domain/consumer-scaling";

export type QueuesList = RouterOutputs["queues"]["list"];
export type ClusterRow = QueuesList["clusters"][number];
export type TopicRow = QueuesList["topics"][number];
export type GroupRow = QueuesList["groups"][number];
export type GroupDetail = RouterOutputs["queues"]["group"]["groups"][number];
export type PartitionRow = GroupDetail["partitions"][number];

/** How often the Kafka pages refresh (React Query pauses it while the tab is hidden). */
export const REFRESH_MS = 5_000;

/** Worst first: an unjudged entity is more worrying than a healthy one. */
export const VERDICT_RANK: Record<Verdict, number> = { CRIT: 3, WARN: 2, UNKNOWN: 1, OK: 0 };
/** The verdict of a cluster, topic or group over the regions shown: the worst; null while none is known. */
export const worstVerdict = (rows: readonly { health: { verdict: Verdict } }[]): Verdict | null =>
  rows.reduce<Verdict | null>((worst, row) => (worst === null || VERDICT_RANK[row.health.verdict] > VERDICT_RANK[worst] ? row.health.verdict : worst), null);
/** Burrow statuses worst first, for sorting (STOP and STALL are outages, REWIND replays). */
export const STATUS_RANK: Record<BurrowStatus, number> = { STOP: 5, STALL: 4, REWIND: 3, WARN: 2, UNKNOWN: 1, OK: 0 };

const segment = encodeURIComponent;
// The entity routes (as server/domain/fleet-verdicts.ts builds them), kept stable for bookmarks.
export const href = {
  cluster: (cluster: string, region?: string) => `/queues/${segment(cluster)}${region ? `?region=${segment(region)}` : ""}`,
  topic: (cluster: string, topic: string, region?: string) => `/queues/${segment(cluster)}/topics/${segment(topic)}${region ? `?region=${segment(region)}` : ""}`,
  group: (cluster: string, group: string, region?: string) => `/queues/${segment(cluster)}/groups/${segment(group)}${region ? `?region=${segment(region)}` : ""}`,
  service: (namespace: string, name: string, region: string) => `/services/${segment(namespace)}/${segment(name)}?region=${segment(region)}`,
};

export const groupKey = (row: { cluster: string; group: string; topic: string; region: string }) => `${row.cluster}/${row.group}/${row.topic}@${row.region}`;
export const topicKey = (row: { cluster: string; topic: string; region: string }) => `${row.cluster}/${row.topic}@${row.region}`;

/** The dead-letter topic of each source topic, by the source's key (`<topic>.dlq` in the same cluster and region). */
export function deadLettersBySource(topics: readonly TopicRow[]): Map<string, TopicRow> {
  const bySource = new Map<string, TopicRow>();
  for (const topic of topics) {
    if (topic.deadLetterOf !== null) bySource.set(topicKey({ ...topic, topic: topic.deadLetterOf }), topic);
  }
  return bySource;
}

/** "4 min", "< 1 min", "1 h 20 min", "2 d 3 h": rounded up, since a drain estimate should not promise too much. */
export function formatWait(seconds: number): string {
  if (seconds < 60) return "< 1 min";
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** A wait in a sentence: "in about 4 min", or "within a minute" (not "in about < 1 min"). */
function inAbout(seconds: number): string {
  return seconds < 60 ? "within a minute" : `in about ${formatWait(seconds)}`;
}

/** An elapsed span as operators say it: "45 s", "1 min 35 s", "6 min". */
export function formatSpan(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes >= 10 || seconds % 60 === 0) return `${minutes} min`;
  return `${minutes} min ${seconds % 60} s`;
}

export const formatCount = (value: number | null | undefined) => (typeof value === "number" && Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "–");

/** What the drain column says: a time, "not draining", or nothing to drain. */
export function drainLabel(totalLag: number, seconds: number | null, status: BurrowStatus): { text: string; tone: "ok" | "bad" | "quiet" } {
  if (totalLag <= 0 || seconds === 0) return { text: "no lag", tone: "quiet" };
  if (seconds === null) return status === "UNKNOWN" ? { text: "not judged yet", tone: "quiet" } : { text: "not draining", tone: "bad" };
  return { text: formatWait(seconds), tone: seconds > 900 ? "bad" : "ok" };
}

/**
 * A group's total lag over the poller's window: the partitions' lags summed at each poll. Only
 * polls that saw every partition count, so a partition added mid-window does not look like a jump.
 */
export function totalLagSeries(partitions: readonly PartitionRow[]): LagPoint[] {
  const observed = partitions.filter((partition) => partition.recent.length > 0);
  const sums = new Map<number, { lag: number; seen: number }>();
  for (const partition of observed) {
    for (const point of partition.recent) {
      const sum = sums.get(point.t) ?? { lag: 0, seen: 0 };
      sum.lag += point.lag;
      sum.seen += 1;
      sums.set(point.t, sum);
    }
  }
  return [...sums]
    .filter(([, sum]) => sum.seen === observed.length)
    .map(([t, sum]) => ({ t, lag: sum.lag }))
    .sort((a, b) => a.t - b.t);
}

export interface LagTrend {
  direction: "growing" | "shrinking" | "steady";
  /** Messages per second the lag changed by over the window (negative when it falls). */
  perSecond: number;
  /** How long it has been heading this way: since its lowest (growing) or highest (shrinking) point. */
  forMs: number;
  /** It has been heading this way for the whole window, so possibly for longer. */
  wholeWindow: boolean;
  windowMs: number;
}

export function lagTrend(series: readonly LagPoint[]): LagTrend | null {
  const first = series[0];
  const last = series.at(-1);
  if (!first || !last || series.length < 2 || last.t <= first.t) return null;
  const windowMs = last.t - first.t;
  const perSecond = (last.lag - first.lag) / (windowMs / 1000);
  const peak = Math.max(...series.map((point) => point.lag));
  if (Math.abs(last.lag - first.lag) <= Math.max(1, peak * 0.01)) return { direction: "steady", perSecond, forMs: windowMs, wholeWindow: true, windowMs };
  const growing = last.lag > first.lag;
  // The turning point: the last time the lag was at its lowest (growing) or highest (shrinking).
  let turn = first;
  for (const point of series) if (growing ? point.lag <= turn.lag : point.lag >= turn.lag) turn = point;
  return { direction: growing ? "growing" : "shrinking", perSecond, forMs: last.t - turn.t, wholeWindow: turn.t === first.t, windowMs };
}

/** "Lag 25,381, growing for at least 1 min 35 s (+27 msg/s)." */
export function trendSentence(totalLag: number, trend: LagTrend | null): string {
  if (totalLag <= 0) return "No lag: the group is caught up.";
  const lag = `Lag ${formatCount(totalLag)}`;
  if (!trend) return `${lag}; no history yet to tell where it is heading.`;
  const rate = `${trend.perSecond > 0 ? "+" : "−"}${formatCount(Math.abs(trend.perSecond))} msg/s`;
  const since = `${trend.wholeWindow ? "at least " : ""}${formatSpan(trend.forMs)}`;
  if (trend.direction === "steady") return `${lag}, steady over the last ${formatSpan(trend.windowMs)}.`;
  return `${lag}, ${trend.direction} for ${since} (${rate}).`;
}

export interface Advice {
  tone: "ok" | "warn" | "crit" | "info";
  text: string;
  /** Scaling the consumer deployment is what helps. */
  scale: boolean;
  /** The consumer count that would help, when the rates tell it. */
  scaleTo?: number;
}

/**
 * What to do about a group's lag, from its Burrow status, members and rates. Scaling is advised
 * only where it helps: consumers are there, keep committing, and are too few for the inflow.
 */
export function adviceFor(group: Pick<GroupDetail, "members" | "consumedPerSecond" | "totalLag" | "partitions"> & { health: { status: BurrowStatus; timeToDrainSeconds: number | null } }, producedPerSecond: number | null): Advice {
  const { members, consumedPerSecond, totalLag } = group;
  const { status, timeToDrainSeconds } = group.health;
  const partitions = group.partitions.length;
  if (members === 0 && totalLag > 0) return { tone: "crit", text: "No consumer is running: the consumer deployment is scaled to 0 or its pods are down. Check its replicas and scale it up.", scale: true };
  if (status === "STOP") return { tone: "crit", text: "Consumers are connected but have stopped committing: check the consumer's logs; restarting the deployment usually brings commits back. More consumers will not help.", scale: false };
  if (status === "STALL") return { tone: "crit", text: "The committed offset is not moving although consumers are connected: a consumer is probably stuck on one message. Check its logs and the dead-letter topic; scaling will not help.", scale: false };
  if (status === "REWIND") return { tone: "warn", text: "The committed offset went backwards (an offset reset, or a consumer replaying): the lag is messages being read again and should fall. Check who reset the offsets.", scale: false };
  if (totalLag <= 0) return { tone: "ok", text: "Caught up: nothing to do.", scale: false };
  if (status === "UNKNOWN") return { tone: "info", text: "Not judged yet: the lag poller needs a few more observations of this group.", scale: false };
  const draining = timeToDrainSeconds !== null && timeToDrainSeconds > 0;
  if (draining && timeToDrainSeconds <= 900) return { tone: "ok", text: `Draining: no lag ${inAbout(timeToDrainSeconds)} at the current rate. Nothing to do unless it stops falling.`, scale: false };

  const perConsumer = members > 0 ? consumedPerSecond / members : 0;
  const slow = draining ? `Draining too slowly (about ${formatWait(timeToDrainSeconds)}).` : "The consumers do not keep up.";
  if (!(perConsumer > 0) || producedPerSecond === null) return { tone: "warn", text: `${slow} Scaling the consumer deployment drains it sooner.`, scale: true };
  const rates = `Producers write ${formatRate(producedPerSecond)} msg/s; each of the ${members} consumers reads about ${formatRate(perConsumer)} msg/s.`;
  if (members >= partitions) return { tone: "warn", text: `${slow} ${rates} There is already one consumer per partition (${partitions}), so more will sit idle: make each consumer faster or add partitions.`, scale: false };
  // The page knows no deployment maximum: the partitions are the ceiling here.
  const scaling = consumersFor({ producedPerSecond, totalLag, perConsumer, partitions, current: members, maxReplicas: partitions });
  if (scaling.drainSeconds === null) {
    return { tone: "warn", text: `${slow} ${rates} Even ${partitions} consumers (one per partition, the most that help) would not keep up: make each consumer faster or add partitions.`, scale: false };
  }
  const why =
    scaling.replicas === partitions
      ? "one per partition, the most that help"
      : `the fewest that keep up with ${Math.round((PRODUCTION_HEADROOM - 1) * 100)} % more than is produced, counting that a consumer reads whole partitions`;
  return { tone: "warn", text: `${slow} ${rates} Scaling the consumer to ${scaling.replicas} (${why}) drains it ${inAbout(scaling.drainSeconds)}.`, scale: true, scaleTo: scaling.replicas };
}

function formatRate(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString("en-US");
  return value.toFixed(value >= 10 ? 0 : 1);
}

/** Case-insensitive match of the filter text against any of the fields. */
export function matches(needle: string, ...fields: string[]): boolean {
  if (!needle) return true;
  return fields.some((field) => field.toLowerCase().includes(needle));
}
