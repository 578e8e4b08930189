// Burrow needs a history of offsets per partition; the ports only say what the offsets are now.
// This poller asks every environment's source for its consumer groups on an interval and keeps
// each partition's sliding window, so a page can judge a group at once instead of waiting a
// window's time after it opens. It also remembers how many brokers each Kafka cluster had
// lately, which is how "1 of 3 brokers down" can be said when the port only counts brokers up.
import { observeGroup, type BurrowWindow } from "../domain/health";
import type { ConsumerGroupLag, KafkaClusterStats, ObservedMetricsSource } from "../domain/ports";

export interface ConsumerLagTrackerOptions {
  /** Seconds between polls; times the window size, the span Burrow judges over. */
  intervalSeconds: number;
  /** Observations kept per partition (HealthThresholds.consumerGroups.windowSize). */
  windowSize: number;
  /** How long a broker count seen counts as the cluster's size. */
  brokerMemorySeconds?: number;
  now?: () => number;
  onError?: (error: unknown) => void;
}

type GroupRef = Pick<ConsumerGroupLag, "environment" | "region" | "cluster" | "group" | "topic">;
type ClusterRef = Pick<KafkaClusterStats, "environment" | "region" | "cluster">;

const groupKey = (group: GroupRef) => [group.environment, group.region, group.cluster, group.group, group.topic].join("\u0000");
const clusterKey = (cluster: ClusterRef) => [cluster.environment, cluster.region, cluster.cluster].join("\u0000");

export class ConsumerLagTracker {
  private readonly windows = new Map<string, ReadonlyMap<number, BurrowWindow>>();
  private readonly brokersSeen = new Map<string, { brokers: number; at: number }[]>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private readonly now: () => number;
  /** When the last poll that brought fresh figures finished; what "now" means to Burrow. */
  lastPollAt: number | null = null;

  constructor(
    private readonly metrics: Pick<ObservedMetricsSource, "consumerGroupLag" | "kafkaClusters">,
    private readonly options: ConsumerLagTrackerOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.options.intervalSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One poll (a poll already running is joined, not doubled). */
  poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    try {
      const [groups, clusters] = await Promise.all([this.metrics.consumerGroupLag(), this.metrics.kafkaClusters()]);
      const at = this.now();
      // A stale answer is an old picture: observing it as new would fake a stalled group.
      if (!groups.stale) {
        const seen = new Set<string>();
        for (const group of groups.value) {
          const key = groupKey(group);
          seen.add(key);
          this.windows.set(key, observeGroup(this.windows.get(key) ?? new Map(), group, at, this.options.windowSize));
        }
        for (const key of this.windows.keys()) if (!seen.has(key)) this.windows.delete(key);
        this.lastPollAt = at;
      }
      if (!clusters.stale) {
        const memoryMs = (this.options.brokerMemorySeconds ?? 3600) * 1000;
        for (const cluster of clusters.value) {
          const key = clusterKey(cluster);
          const recent = (this.brokersSeen.get(key) ?? []).filter((entry) => at - entry.at <= memoryMs);
          this.brokersSeen.set(key, [...recent, { brokers: cluster.brokers, at }]);
        }
      }
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  /** The group's partition windows, oldest observation first. */
  windowsOf(group: GroupRef): ReadonlyMap<number, BurrowWindow> | undefined {
    return this.windows.get(groupKey(group));
  }

  /** The most brokers the cluster had up lately: its size, as far as the figures tell. */
  expectedBrokers(cluster: ClusterRef): number | undefined {
    const seen = this.brokersSeen.get(clusterKey(cluster));
    return seen && seen.length > 0 ? Math.max(...seen.map((entry) => entry.brokers)) : undefined;
  }
}
