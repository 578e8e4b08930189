// The deployed Prometheus alerting rules, evaluated by the fleet simulator itself. An
// environment with `source: simulator` has no Prometheus, yet the alerts page, the alert
// panels and the runbook suggestions should show what a real one would fire on the simulated
// fleet. So this is a Prometheus as far as the alert sync is concerned (PrometheusAlertsPort):
// the rules come from the deployed rule files (names, labels, `for`, annotations, expression),
// and each rule's condition is written here against the simulator's state, with the windows
// of its PromQL approximated (a 2-minute rate is the mean of the last 2 minutes of history; a
// lag that "has grown for 5 minutes" must have grown at every evaluation for 5 minutes).
// Rules without a condition here (Scaleplane's own scrape and latency) are not listed, so
// their alerts are never resolved by this source.
import type { PrometheusAlert, PrometheusAlertRule, PrometheusAlertsPort } from "../../domain/alerts/ports";
import { renderAlertTemplate } from "../../domain/alerts/templates";
import { statusOf } from "./elasticsearch";
import type { SimulatedFleet } from "./fleet";
import { isUnderReplicated, lagOf } from "./kafka";
import { chunksAreBalanced } from "./mongo";

/** One series for which a rule's condition holds now, with the value `$value` shows. */
interface Breach {
  labels: Record<string, string>;
  value: number;
}

/** The fleet's figures several rules read, computed at most once per evaluation. */
interface FleetViews {
  services(): ServiceView[];
  deployments(): DeploymentView[];
  consumerGroups(): ConsumerGroupView[];
}

/** What a condition may look at: the fleet, its shared views, and the memory of earlier evaluations. */
interface EvaluationContext extends FleetViews {
  fleet: SimulatedFleet;
  now: number;
  /** A figure's samples from earlier evaluations (kept 35 minutes), oldest first. */
  samples(key: string): readonly Sample[];
}

interface Sample {
  t: number;
  value: number;
}

interface SimulatedCondition {
  /** The series whose condition holds at this evaluation. */
  breaches(context: EvaluationContext): Breach[];
  /**
   * How long the condition must have held before the PromQL expression itself is true, for
   * expressions that look back (`min_over_time(deriv(...)[5m])`): the alert is not even
   * pending before. Its `for` counts after that.
   */
  holdsForSeconds?: number;
  /** Figures to remember at every evaluation, for conditions that compare with the past. */
  remember?(context: Omit<EvaluationContext, "samples">): Array<[key: string, value: number]>;
}

const TWO_MINUTES_MS = 120_000;
const MEMORY_MS = 35 * 60_000;

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
const mean = (values: readonly number[]) => (values.length === 0 ? Number.NaN : sum(values) / values.length);

type Labels = Record<string, string>;
interface ServiceView { labels: Labels; requestsPerSecond: number; errorRatio: number; p95Seconds: number }
interface DeploymentView { labels: Labels; desired: number; available: number }
interface ConsumerGroupView { labels: Labels; lag: number; consumedPerSecond: number }

function services(fleet: SimulatedFleet, now: number): ServiceView[] {
  return fleet.workloadStates().filter((workload) => workload.spec.kind === "service").map((workload) => {
    // `rate(...[2m])`: the mean of the last 2 minutes of history (the current figures before there is any).
    const recent = workload.history.after(now - TWO_MINUTES_MS);
    const window = recent.length > 0 ? recent : [workload.current];
    const requests = mean(window.map((point) => point.requestsPerSecond));
    const errors = mean(window.map((point) => point.requestsPerSecond * point.errorRatio));
    return {
      labels: { environment: fleet.environment, region: workload.ref.region, service_namespace: workload.ref.namespace, service_name: workload.ref.name },
      requestsPerSecond: requests,
      errorRatio: requests > 0 ? errors / requests : 0,
      p95Seconds: mean(window.map((point) => point.p95LatencyMs)) / 1000,
    };
  });
}

function deployments(fleet: SimulatedFleet): DeploymentView[] {
  return fleet.workloadStates().map((workload) => ({
    labels: { environment: fleet.environment, region: workload.ref.region, namespace: workload.ref.namespace, deployment: workload.ref.name },
    desired: workload.desiredReplicas,
    available: workload.availableReplicas,
  }));
}

function consumerGroups(fleet: SimulatedFleet): ConsumerGroupView[] {
  return fleet.kafkaClusters().flatMap((cluster) =>
    cluster.topics.flatMap((topic) => {
      if (topic.group === null || fleet.consumerOf(cluster, topic) === null) return [];
      return [{
        labels: { environment: fleet.environment, region: cluster.region, cluster: cluster.name, consumergroup: topic.group.name, topic: topic.name },
        lag: sum(topic.partitions.map(lagOf)),
        consumedPerSecond: topic.group.consumedPerSecond,
      }];
    }),
  );
}

/** Each view computed on first use and kept for the rest of the evaluation. */
function viewsOf(fleet: SimulatedFleet, now: number): FleetViews {
  const once = <T>(compute: () => T) => {
    let value: T | undefined;
    return () => (value ??= compute());
  };
  return { services: once(() => services(fleet, now)), deployments: once(() => deployments(fleet)), consumerGroups: once(() => consumerGroups(fleet)) };
}

const lagKey = (labels: Readonly<Record<string, string>>) => `lag|${labels.region}|${labels.cluster}|${labels.consumergroup}|${labels.topic}`;
const hitRatioKey = (region: string, cache: string) => `hit-ratio|${region}|${cache}`;

/** The conditions, by the deployed rules' alert names (deploy/prometheus/rules/). */
const CONDITIONS: Readonly<Record<string, SimulatedCondition>> = {
  ServiceHighErrorRatio: {
    breaches: (context) => context.services().filter((s) => s.errorRatio > 0.05 && s.requestsPerSecond > 0.5).map((s) => ({ labels: s.labels, value: s.errorRatio })),
  },
  ServiceLatencyP95OverSLO: {
    breaches: (context) => context.services().filter((s) => s.p95Seconds > 0.5).map((s) => ({ labels: s.labels, value: s.p95Seconds })),
  },
  DeploymentReplicasUnavailable: {
    breaches: (context) => context.deployments().filter((d) => d.desired - d.available > 0).map((d) => ({ labels: d.labels, value: d.desired - d.available })),
  },
  DeploymentNoReplicaAvailable: {
    breaches: (context) => context.deployments().filter((d) => d.available === 0 && d.desired > 0).map((d) => ({ labels: d.labels, value: 0 })),
  },
  KafkaConsumerLagGrowing: {
    // deriv(lag[1m]) > 0 at every point of the last 5 minutes: the lag grew between every two evaluations.
    holdsForSeconds: 300,
    remember: (context) => context.consumerGroups().map((group) => [lagKey(group.labels), group.lag]),
    breaches: (context) =>
      context.consumerGroups().flatMap((group) => {
        const history = context.samples(lagKey(group.labels));
        const previous = history.at(-2);
        if (group.lag <= 0 || previous === undefined || group.lag <= previous.value) return [];
        return [{ labels: group.labels, value: (group.lag - previous.value) / ((context.now - previous.t) / 1000) }];
      }),
  },
  KafkaConsumerGroupStalled: {
    breaches: (context) => context.consumerGroups().filter((group) => group.consumedPerSecond === 0 && group.lag > 0).map((group) => ({ labels: group.labels, value: 0 })),
  },
  KafkaUnderReplicatedPartitions: {
    breaches: ({ fleet, now }) =>
      fleet.kafkaClusters().flatMap((cluster) =>
        cluster.topics.flatMap((topic) => {
          const count = topic.partitions.filter((partition) => isUnderReplicated(cluster, partition, now)).length;
          return count > 0 ? [{ labels: { environment: fleet.environment, region: cluster.region, cluster: cluster.name, topic: topic.name }, value: count }] : [];
        }),
      ),
  },
  KafkaBrokerDown: {
    breaches: ({ fleet }) =>
      fleet.kafkaClusters().flatMap((cluster) => {
        const up = cluster.brokers.filter((broker) => broker.up).length;
        return up < cluster.brokers.length ? [{ labels: { environment: fleet.environment, region: cluster.region, cluster: cluster.name }, value: up }] : [];
      }),
  },
  RedisCacheHitRatioDrop: {
    remember: ({ fleet }) => fleet.cacheStates().map((cache) => [hitRatioKey(cache.region, cache.spec.name), cache.hitRatio]),
    // Below 80 % of its average over the 30 minutes before the last 5, with reads going on.
    breaches: (context) =>
      context.fleet.cacheStates().flatMap((cache) => {
        const history = context.samples(hitRatioKey(cache.region, cache.spec.name));
        const recent = mean(history.filter((sample) => sample.t > context.now - TWO_MINUTES_MS).map((sample) => sample.value));
        const before = history.filter((sample) => sample.t <= context.now - 5 * 60_000 && sample.t > context.now - MEMORY_MS);
        if (before.length === 0 || !(cache.lookupsPerSecond > 1) || !(recent < 0.8 * mean(before.map((sample) => sample.value)))) return [];
        return [{ labels: { environment: context.fleet.environment, region: cache.region, cluster: cache.spec.name }, value: recent }];
      }),
  },
  RedisInstanceDown: {
    // The simulator's Redis instances never go down (a cache flush empties them); listed so the alert resolves if one was stored.
    breaches: () => [],
  },
  MongoDBReplicationLag: {
    breaches: ({ fleet }) =>
      fleet.mongoClusters().flatMap((cluster) =>
        cluster.shards.flatMap((shard) =>
          shard.members.filter((member) => member.lagSeconds > 10).map((member) => ({
            labels: { environment: fleet.environment, region: cluster.region, cluster: cluster.spec.name, set: shard.id, name: member.name },
            value: member.lagSeconds,
          })),
        ),
      ),
  },
  MongoDBShardsUnbalanced: {
    breaches: ({ fleet }) => fleet.mongoClusters().filter((cluster) => !chunksAreBalanced(cluster)).map((cluster) => ({ labels: { environment: fleet.environment, region: cluster.region, cluster: cluster.spec.name }, value: 0 })),
  },
  MongoDBDown: {
    breaches: ({ fleet }) => fleet.mongoClusters().filter((cluster) => !cluster.up).map((cluster) => ({ labels: { environment: fleet.environment, region: cluster.region, cluster: cluster.spec.name }, value: 0 })),
  },
  ElasticsearchClusterRed: {
    breaches: ({ fleet }) =>
      fleet.elasticsearchClusters().filter((cluster) => statusOf(cluster) === "red").map((cluster) => ({ labels: { environment: fleet.environment, region: cluster.region, cluster: cluster.spec.name, color: "red" }, value: 1 })),
  },
};

/** The alert names the simulator can evaluate. */
export const SIMULATED_ALERT_NAMES: readonly string[] = Object.keys(CONDITIONS);

interface Tracked {
  /** When the condition was first seen holding (before `holdsForSeconds`). */
  since: number;
}

const seriesKey = (alertname: string, labels: Readonly<Record<string, string>>) =>
  `${alertname}\u0000${Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, value]) => `${name}=${value}`).join("\u0000")}`;

/**
 * The simulator's Prometheus. Each `alerts()` call is one evaluation at the fleet's clock
 * (the alert sync calls it every `alerts.prometheusSyncSeconds`), like a rule group's
 * evaluation interval: a condition that holds across calls is pending, then firing once its
 * `for` has passed.
 */
export class SimulatedAlertRules implements PrometheusAlertsPort {
  private readonly evaluated: PrometheusAlertRule[];
  private readonly tracked = new Map<string, Tracked>();
  private readonly memory = new Map<string, Sample[]>();

  /** `rules`: the deployed rule files' alerting rules (server/adapters/alertmanager/rule-files.ts). */
  constructor(private readonly fleet: SimulatedFleet, rules: readonly PrometheusAlertRule[]) {
    this.evaluated = rules.filter((rule) => rule.name in CONDITIONS);
  }

  get url(): string {
    return `simulator://${this.fleet.environment}`;
  }

  async rules(): Promise<PrometheusAlertRule[]> {
    return this.evaluated.map((rule) => ({ ...rule }));
  }

  async externalLabels(): Promise<Record<string, string>> {
    return {};
  }

  generatorUrl(expression: string): string {
    return `${this.url}/graph?g0.expr=${encodeURIComponent(expression)}&g0.tab=1`;
  }

  async alerts(): Promise<PrometheusAlert[]> {
    const now = this.fleet.now;
    const views = viewsOf(this.fleet, now);
    this.remember({ fleet: this.fleet, now, ...views });
    const context: EvaluationContext = { fleet: this.fleet, now, ...views, samples: (key) => this.memory.get(key) ?? [] };
    const seen = new Set<string>();
    const alerts: PrometheusAlert[] = [];
    for (const rule of this.evaluated) {
      const condition = CONDITIONS[rule.name];
      if (!condition) continue;
      for (const breach of condition.breaches(context)) {
        const labels = { ...breach.labels, ...rule.labels, alertname: rule.name };
        const key = seriesKey(rule.name, labels);
        seen.add(key);
        const tracked = this.tracked.get(key) ?? { since: now };
        this.tracked.set(key, tracked);
        const activeAt = tracked.since + (condition.holdsForSeconds ?? 0) * 1000;
        if (activeAt > now) continue;
        alerts.push({
          labels,
          annotations: Object.fromEntries(Object.entries(rule.annotations).map(([name, template]) => [name, renderAlertTemplate(template, labels, breach.value)])),
          state: now - activeAt >= rule.durationSeconds * 1000 ? "firing" : "pending",
          activeAt: new Date(activeAt),
        });
      }
    }
    for (const key of this.tracked.keys()) if (!seen.has(key)) this.tracked.delete(key);
    return alerts;
  }

  private remember(context: Omit<EvaluationContext, "samples">): void {
    const { now } = context;
    for (const rule of this.evaluated) {
      for (const [key, value] of CONDITIONS[rule.name]?.remember?.(context) ?? []) {
        const samples = (this.memory.get(key) ?? []).filter((sample) => sample.t > now - MEMORY_MS && sample.t < now);
        samples.push({ t: now, value });
        this.memory.set(key, samples);
      }
    }
  }
}
