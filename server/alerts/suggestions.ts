// An alert's suggested actions: the runbook rules that apply to it (the configuration's, or
// the defaults), and the current figures of the resource it names, read from the environment's
// metrics and from the ports the actions themselves use, so a suggestion's numbers are the ones
// its request's preview will start from. Nothing here acts; a suggestion is a prefilled form.
import type { ScaleplaneConfig } from "../config/schema";
import type { ActionPorts } from "../domain/action-ports";
import type { AlertResource } from "../domain/alerts/resource";
import type { ObservedMetricsSource } from "../domain/ports";
import { DEFAULT_RUNBOOKS, suggestActions, type RunbookFigures, type RunbookRule, type SuggesterName, type Suggestion } from "../domain/runbooks";

/** What gathering reads: the configuration (rules, label names), the metrics and the action ports. */
export interface SuggestionSources {
  config: ScaleplaneConfig;
  metrics: ObservedMetricsSource;
  ports: ActionPorts;
}

export interface AlertToSuggestFor {
  alertname: string;
  labels: Readonly<Record<string, string>>;
  resource: AlertResource | null;
}

export interface AlertSuggestions {
  suggestions: Suggestion[];
  /** Why the figures could not be read, when a rule applies but they could not; null otherwise. */
  unavailable: string | null;
}

export function runbookRules(config: ScaleplaneConfig): readonly RunbookRule[] {
  return config.runbooks ?? DEFAULT_RUNBOOKS;
}

function rulesFor(alert: AlertToSuggestFor, rules: readonly RunbookRule[]): RunbookRule[] {
  return rules.filter((rule) => rule.alert === alert.alertname && Object.entries(rule.matchers).every(([label, value]) => alert.labels[label] === value));
}

/** A figure the resource does not have (the group is not in the metrics): nothing to suggest, and why. */
class FiguresMissing extends Error {}

type Reader<Part extends keyof RunbookFigures> = (sources: SuggestionSources, resource: AlertResource, labels: Readonly<Record<string, string>>) => Promise<NonNullable<RunbookFigures[Part]>>;

const inRegion = (region: string | null) => (entity: { region: string }) => region === null || entity.region === region;

/** The consumer group's lag on the alert's topic (the most lagging one without a topic label), its topic, and its consumer workload. */
const readConsumerGroup: Reader<"consumerGroup"> = async ({ config, metrics, ports }, resource, labels) => {
  if (resource.kind !== "consumerGroup" || resource.cluster === null) throw new FiguresMissing(`the alert names no consumer group`);
  const topic = labels[config.alerts.labels.topic];
  const [groups, topics] = await Promise.all([metrics.consumerGroupLag(resource.environment), metrics.topics(resource.environment)]);
  const group = groups.value
    .filter((candidate) => candidate.cluster === resource.cluster && candidate.group === resource.name && inRegion(resource.region)(candidate) && (!topic || candidate.topic === topic))
    .sort((a, b) => b.totalLag - a.totalLag)[0];
  const where = `${resource.cluster}${resource.region ? ` in ${resource.region}` : ""}`;
  if (!group) throw new FiguresMissing(`consumer group ${resource.name}${topic ? ` on ${topic}` : ""} has no figures on Kafka cluster ${where}`);
  const topicStats = topics.value.find((candidate) => candidate.cluster === group.cluster && candidate.topic === group.topic && candidate.region === group.region);
  if (!topicStats) throw new FiguresMissing(`topic ${group.topic} has no figures on Kafka cluster ${group.cluster} in ${group.region}`);
  const groupRef = { environment: resource.environment, region: group.region, cluster: group.cluster, group: group.group };
  const workloadRef =
    (await ports.queues.consumerWorkload(groupRef)) ??
    (group.deployment.name ? { environment: resource.environment, region: group.region, namespace: group.deployment.namespace, name: group.deployment.name } : null);
  if (!workloadRef) throw new FiguresMissing(`no workload is known to consume as group ${group.group} on Kafka cluster ${group.cluster} in ${group.region}`);
  const workload = await ports.workloads.getWorkload(workloadRef);
  if (!workload) throw new FiguresMissing(`the consumer of group ${group.group}, ${workloadRef.namespace}/${workloadRef.name} in ${workloadRef.region}, was not found`);
  return {
    ...group,
    producedPerSecond: topicStats.producedPerSecond,
    partitions: topicStats.partitions,
    consumer: { region: group.region, replicas: workload.desiredReplicas, maxReplicas: workload.maxReplicas },
  };
};

/** The service's autoscaler in the alert's region, or the busiest one against its target. */
const readAutoscaler: Reader<"autoscaler"> = async ({ metrics }, resource) => {
  if (resource.kind !== "service" || resource.namespace === null) throw new FiguresMissing("the alert names no service");
  const autoscalers = await metrics.autoscalers(resource.environment);
  const load = (autoscaler: { cpuUtilisation: number; targetCpuUtilisation: number }) => autoscaler.cpuUtilisation / (autoscaler.targetCpuUtilisation || 1);
  const found = autoscalers.value
    .filter((autoscaler) => autoscaler.namespace === resource.namespace && autoscaler.name === resource.name && inRegion(resource.region)(autoscaler))
    .sort((a, b) => load(b) - load(a))[0];
  if (!found) throw new FiguresMissing(`${resource.namespace}/${resource.name} has no autoscaler${resource.region ? ` in ${resource.region}` : ""} to size it by`);
  return found;
};

/** The cache in the alert's region (else the one with a primary down, then the lowest hit ratio), with its warm sources. */
const readCache: Reader<"cache"> = async ({ metrics, ports }, resource) => {
  if (resource.kind !== "cache") throw new FiguresMissing("the alert names no cache");
  const caches = await metrics.caches(resource.environment);
  const primaryDown = (cache: { instances: { role: string; up: boolean }[] }) => cache.instances.some((instance) => instance.role === "primary" && !instance.up);
  const found = caches.value
    .filter((cache) => cache.cluster === resource.name && inRegion(resource.region)(cache))
    .sort((a, b) => Number(primaryDown(b)) - Number(primaryDown(a)) || a.hitRatio - b.hitRatio)[0];
  if (!found) throw new FiguresMissing(`cache ${resource.name} has no figures${resource.region ? ` in ${resource.region}` : ""}`);
  const sources = await ports.caches.warmSources({ environment: resource.environment, region: found.region, cache: found.cluster });
  return { ...found, warmSources: sources.map((source) => source.name), primaryDown: primaryDown(found) };
};

/** The part of the figures each suggester reads; only those parts are read. */
const PART: Record<SuggesterName, keyof RunbookFigures> = {
  scaleConsumer: "consumerGroup",
  scaleService: "autoscaler",
  warmCache: "cache",
  failoverCache: "cache",
};

async function readPart(part: keyof RunbookFigures, sources: SuggestionSources, resource: AlertResource, labels: Readonly<Record<string, string>>, figures: RunbookFigures): Promise<void> {
  switch (part) {
    case "consumerGroup":
      figures.consumerGroup = await readConsumerGroup(sources, resource, labels);
      return;
    case "autoscaler":
      figures.autoscaler = await readAutoscaler(sources, resource, labels);
      return;
    case "cache":
      figures.cache = await readCache(sources, resource, labels);
      return;
  }
}

/**
 * The suggestions for one alert, computed from the figures of the resource it names now. An
 * alert no rule applies to reads nothing. When its figures cannot be read, there is no
 * suggestion and `unavailable` says why (never a suggestion from figures that are not there).
 */
export async function suggestionsForAlert(sources: SuggestionSources, alert: AlertToSuggestFor): Promise<AlertSuggestions> {
  const rules = rulesFor(alert, runbookRules(sources.config));
  if (rules.length === 0) return { suggestions: [], unavailable: null };
  if (!alert.resource) return { suggestions: [], unavailable: `the alert's labels name no resource to read figures from` };
  const { resource } = alert;
  const figures: RunbookFigures = {};
  const problems: string[] = [];
  for (const part of new Set(rules.map((rule) => PART[rule.suggest]))) {
    try {
      await readPart(part, sources, resource, alert.labels, figures);
    } catch (error) {
      if (!(error instanceof FiguresMissing)) console.warn(`[scaleplane] reading the figures of ${alert.alertname}'s resource ${resource.name} failed:`, error);
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  const suggestions = suggestActions(alert, figures, rules);
  return { suggestions, unavailable: suggestions.length === 0 && problems.length > 0 ? `no suggestion: ${problems.join("; ")}` : null };
}
