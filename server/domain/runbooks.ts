// Suggested actions for an alert: runbook rules map an alert's name and labels to an action
// kind whose parameters come from the figures of the resource the alert names. A suggestion is
// only ever a prefilled request form; nothing here executes anything. Pure.
import { z } from "zod";
import { consumersFor, DRAIN_TARGET_SECONDS, PRODUCTION_HEADROOM } from "./consumer-scaling";
import type { AutoscalerStatus, CacheStats, ConsumerGroupLag } from "./ports";

/** How a suggestion's parameters are worked out: one per kind of remedy. */
export const SUGGESTERS = ["scaleConsumer", "scaleService", "warmCache", "failoverCache"] as const;
export type SuggesterName = (typeof SUGGESTERS)[number];

export const runbookRuleSchema = z.strictObject({
  /** The alert's name (alertname label). */
  alert: z.string().min(1),
  /** Labels the alert must carry with these exact values, e.g. { severity: critical }. */
  matchers: z.record(z.string(), z.string()).default({}),
  suggest: z.enum(SUGGESTERS),
});
export type RunbookRule = z.output<typeof runbookRuleSchema>;

/** The rules for the alerts deploy/prometheus/rules ships; the configuration's `runbooks` replaces them. */
export const DEFAULT_RUNBOOKS: readonly RunbookRule[] = [
  { alert: "KafkaConsumerLagGrowing", matchers: {}, suggest: "scaleConsumer" },
  { alert: "KafkaConsumerGroupStalled", matchers: {}, suggest: "scaleConsumer" },
  { alert: "ServiceLatencyP95OverSLO", matchers: {}, suggest: "scaleService" },
  { alert: "DeploymentReplicasUnavailable", matchers: {}, suggest: "scaleService" },
  { alert: "RedisCacheHitRatioDrop", matchers: {}, suggest: "warmCache" },
  { alert: "RedisInstanceDown", matchers: {}, suggest: "failoverCache" },
];

export interface AlertForRunbook {
  alertname: string;
  labels: Readonly<Record<string, string>>;
}

/** What the suggesters may read about the resource an alert names; absent parts suggest nothing. */
export interface RunbookFigures {
  consumerGroup?: Omit<ConsumerGroupLag, "partitions"> & {
    /** Messages per second produced to the topic. */
    producedPerSecond: number;
    /** The topic's partition count: consumers beyond it sit idle. */
    partitions: number;
    /** The consumer deployment's bounds and replicas, from its HPA or policy. */
    consumer: { region: string; replicas: number; maxReplicas: number };
  };
  autoscaler?: AutoscalerStatus;
  cache?: CacheStats & { warmSources: string[]; primaryDown: boolean };
}

export interface Suggestion {
  rule: RunbookRule;
  kind: string;
  params: Record<string, unknown>;
  /** One sentence: why this action, with the figures behind it. */
  rationale: string;
}

export { DRAIN_TARGET_SECONDS } from "./consumer-scaling";

export function suggestActions(alert: AlertForRunbook, figures: RunbookFigures, rules: readonly RunbookRule[] = DEFAULT_RUNBOOKS): Suggestion[] {
  const suggestions: Suggestion[] = [];
  for (const rule of rules) {
    if (rule.alert !== alert.alertname) continue;
    if (!Object.entries(rule.matchers).every(([label, value]) => alert.labels[label] === value)) continue;
    const suggestion = SUGGEST[rule.suggest](figures);
    if (suggestion && !suggestions.some((existing) => existing.kind === suggestion.kind)) suggestions.push({ rule, ...suggestion });
  }
  return suggestions;
}

type Suggest = (figures: RunbookFigures) => Omit<Suggestion, "rule"> | null;

const SUGGEST: Record<SuggesterName, Suggest> = {
  scaleConsumer: ({ consumerGroup: group }) => {
    if (!group) return null;
    const { consumer } = group;
    if (consumer.replicas === 0 || group.consumedPerSecond <= 0) return null;
    const perConsumer = group.consumedPerSecond / consumer.replicas;
    const scaling = consumersFor({
      producedPerSecond: group.producedPerSecond,
      totalLag: group.totalLag,
      perConsumer,
      partitions: group.partitions,
      current: consumer.replicas,
      maxReplicas: consumer.maxReplicas,
    });
    if (scaling.replicas <= consumer.replicas) return null;
    const limit = scaling.limitedBy === "partitions" ? `the topic's ${group.partitions} partitions` : `the maximum of ${consumer.maxReplicas}`;
    const capped = scaling.limitedBy === null ? "" : ` (${scaling.wanted === null ? "no count keeps up" : `${scaling.wanted} wanted`}; capped at ${limit})`;
    return {
      kind: "consumerGroup.scale",
      params: { region: group.region, cluster: group.cluster, group: group.group, replicas: scaling.replicas },
      rationale:
        `Each of the ${consumer.replicas} consumers handles ${formatRate(perConsumer)}; keeping up with ${formatRate(group.producedPerSecond)} produced ` +
        `(planning for ${Math.round((PRODUCTION_HEADROOM - 1) * 100)} % more) ` +
        `and draining ${Math.round(group.totalLag).toLocaleString("en")} messages of lag within ${DRAIN_TARGET_SECONDS / 60} minutes needs ${scaling.replicas}${capped}, ` +
        `counting that a consumer reads whole partitions.`,
    };
  },

  scaleService: ({ autoscaler }) => {
    if (!autoscaler || autoscaler.currentReplicas === 0) return null;
    // As the HPA computes it: replicas × utilisation / target, within the bounds.
    const wanted = Math.ceil(autoscaler.currentReplicas * (autoscaler.cpuUtilisation / autoscaler.targetCpuUtilisation));
    const replicas = Math.min(Math.max(wanted, autoscaler.currentReplicas + 1), autoscaler.maxReplicas);
    if (replicas <= autoscaler.currentReplicas) return null;
    return {
      kind: "service.scale",
      params: { namespace: autoscaler.namespace, service: autoscaler.name, region: autoscaler.region, replicas },
      rationale:
        `CPU at ${Math.round(autoscaler.cpuUtilisation * 100)}% of the ${Math.round(autoscaler.targetCpuUtilisation * 100)}% target on ${autoscaler.currentReplicas} replicas; ` +
        `${replicas} brings it back to the target (maximum ${autoscaler.maxReplicas}).`,
    };
  },

  warmCache: ({ cache }) => {
    const source = cache?.warmSources[0];
    if (!cache || source === undefined) return null;
    return {
      kind: "cache.warm",
      params: { region: cache.region, cache: cache.cluster, source },
      rationale: `The hit ratio is ${Math.round(cache.hitRatio * 100)}%; warming from "${source}" reloads the keys readers ask for most before the database takes every miss.`,
    };
  },

  failoverCache: ({ cache }) => {
    if (!cache?.primaryDown) return null;
    return {
      kind: "cache.failover",
      params: { region: cache.region, cache: cache.cluster },
      rationale: `The primary of ${cache.cluster} is down; a Sentinel failover promotes a replica so writes work again.`,
    };
  },
};

function formatRate(perSecond: number): string {
  return `${perSecond >= 100 ? Math.round(perSecond).toLocaleString("en") : perSecond.toFixed(1)} msg/s`;
}
