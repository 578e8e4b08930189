// Which resource an alert is about, read from its labels, and who may see or silence it. Pure.
//
// Alert rules keep the labels that place their series (deploy/prometheus/rules/): the
// environment and region, and the service's namespace and name, the Kafka cluster and
// consumer group, the Redis cache. A `resource_kind` label, when a rule sets one, says which
// of those the alert is about; without it the most specific labels present decide.
import { can, canInEnvironment, GLOBAL_SCOPE, type Permission, type RoleGrant, type Scope } from "../permissions";

/** Label names, configurable (`alerts.labels` in the configuration file); the defaults are the exporters'. */
export interface AlertLabelNames {
  /** Set by the alert rule: which kind of resource the alert is about (see RESOURCE_KIND_VALUES). */
  resourceKind: string;
  severity: string;
  environment: string;
  region: string;
  /** OpenTelemetry metrics: the service's namespace and name. */
  serviceNamespace: string;
  service: string;
  /** kube-state-metrics: a Deployment's namespace and name (the service's workload). */
  namespace: string;
  deployment: string;
  /** The data system (Kafka, MongoDB, Elasticsearch cluster) a series belongs to. */
  cluster: string;
  topic: string;
  consumerGroup: string;
  /** redis_exporter: the cache (a primary and its replicas). */
  cache: string;
}

export const DEFAULT_ALERT_LABEL_NAMES: AlertLabelNames = {
  resourceKind: "resource_kind",
  severity: "severity",
  environment: "environment",
  region: "region",
  serviceNamespace: "service_namespace",
  service: "service_name",
  namespace: "namespace",
  deployment: "deployment",
  cluster: "cluster",
  topic: "topic",
  consumerGroup: "consumergroup",
  cache: "cluster",
};

export const ALERT_RESOURCE_KINDS = ["service", "consumerGroup", "topic", "kafkaCluster", "cache", "mongodb", "elasticsearch"] as const;
export type AlertResourceKind = (typeof ALERT_RESOURCE_KINDS)[number];

/** What a rule's `resource_kind` label may say, and the kind each value means. */
export const RESOURCE_KIND_VALUES: Readonly<Record<string, AlertResourceKind>> = {
  service: "service",
  deployment: "service",
  consumer_group: "consumerGroup",
  consumergroup: "consumerGroup",
  topic: "topic",
  kafka_cluster: "kafkaCluster",
  kafka: "kafkaCluster",
  cache: "cache",
  redis: "cache",
  mongodb: "mongodb",
  elasticsearch: "elasticsearch",
};

/**
 * The thing an alert names, as Scaleplane's pages address it. Services have a Kubernetes
 * namespace; data systems belong to no namespace and are named by their cluster instead
 * (a topic and a consumer group by the Kafka cluster they live in).
 */
export interface AlertResource {
  kind: AlertResourceKind;
  environment: string;
  region: string | null;
  /** The service's namespace; null for data systems. */
  namespace: string | null;
  /** The Kafka cluster of a topic or consumer group; the cluster itself for the cluster kinds. */
  cluster: string | null;
  name: string;
}

export type AlertLabels = Readonly<Record<string, string>>;

function labelOf(labels: AlertLabels, name: string): string | null {
  const value = labels[name];
  return value === undefined || value === "" ? null : value;
}

/** The resource of one kind, when the labels that kind needs are there. */
function resourceOfKind(kind: AlertResourceKind, labels: AlertLabels, names: AlertLabelNames, environment: string): AlertResource | null {
  const region = labelOf(labels, names.region);
  const cluster = labelOf(labels, names.cluster);
  const place = { environment, region };
  switch (kind) {
    case "service": {
      const service = labelOf(labels, names.service);
      const serviceNamespace = labelOf(labels, names.serviceNamespace);
      if (service && serviceNamespace) return { kind, ...place, namespace: serviceNamespace, cluster: null, name: service };
      const deployment = labelOf(labels, names.deployment);
      const namespace = labelOf(labels, names.namespace);
      if (deployment && namespace) return { kind, ...place, namespace, cluster: null, name: deployment };
      return null;
    }
    case "consumerGroup": {
      const group = labelOf(labels, names.consumerGroup);
      return group && cluster ? { kind, ...place, namespace: null, cluster, name: group } : null;
    }
    case "topic": {
      const topic = labelOf(labels, names.topic);
      return topic && cluster ? { kind, ...place, namespace: null, cluster, name: topic } : null;
    }
    case "cache": {
      const cache = labelOf(labels, names.cache);
      return cache ? { kind, ...place, namespace: null, cluster: cache, name: cache } : null;
    }
    case "kafkaCluster":
    case "mongodb":
    case "elasticsearch":
      return cluster ? { kind, ...place, namespace: null, cluster, name: cluster } : null;
  }
}

/**
 * Without a `resource_kind`, the most specific labels win: a consumer group's alert also
 * carries its topic and cluster, a service's its namespace. A bare `cluster` names no kind
 * (Kafka, Redis, MongoDB and Elasticsearch all use it), so it links nothing.
 */
const INFERENCE_ORDER: readonly AlertResourceKind[] = ["consumerGroup", "service", "topic"];

/**
 * The resource an alert's labels name, or null when they name none (or no environment). An
 * alert without an environment label belongs to `fallbackEnvironment` when there is one (the
 * only environment configured, or the one of the Prometheus it was read from).
 */
export function linkAlertResource(labels: AlertLabels, names: AlertLabelNames, fallbackEnvironment: string | null = null): AlertResource | null {
  const environment = labelOf(labels, names.environment) ?? fallbackEnvironment;
  if (environment === null) return null;
  const declared = labelOf(labels, names.resourceKind);
  const declaredKind = declared === null ? undefined : RESOURCE_KIND_VALUES[declared.toLowerCase()];
  if (declaredKind) {
    const resource = resourceOfKind(declaredKind, labels, names, environment);
    if (resource) return resource;
  }
  for (const kind of INFERENCE_ORDER) {
    const resource = resourceOfKind(kind, labels, names, environment);
    if (resource) return resource;
  }
  return null;
}

/** The environment an alert belongs to even when it names no resource. */
export function alertEnvironment(labels: AlertLabels, names: AlertLabelNames, fallbackEnvironment: string | null = null): string | null {
  return labelOf(labels, names.environment) ?? fallbackEnvironment;
}

/** Normalised severity: the label in lowercase, "none" without one. */
export function alertSeverity(labels: AlertLabels, names: AlertLabelNames): string {
  return (labelOf(labels, names.severity) ?? "none").toLowerCase();
}

/** Worst first; severities not listed rank after these, "none" last. */
const SEVERITY_ORDER = ["critical", "error", "warning", "info"];

export function severityRank(severity: string): number {
  const index = SEVERITY_ORDER.indexOf(severity);
  if (index >= 0) return index;
  return severity === "none" ? SEVERITY_ORDER.length + 1 : SEVERITY_ORDER.length;
}

/** Where an alert lives, as far as permissions go: what the resource page and the read checks use. */
export interface AlertPlacement {
  environment: string | null;
  resourceKind: AlertResourceKind | null;
  /** Set for services only. */
  namespace: string | null;
  /** Set for data systems. */
  cluster: string | null;
}

export function placementOf(environment: string | null, resource: AlertResource | null): AlertPlacement {
  return {
    environment: resource?.environment ?? environment,
    resourceKind: resource?.kind ?? null,
    namespace: resource?.namespace ?? null,
    cluster: resource?.cluster ?? null,
  };
}

/** Namespaces the action catalog scopes data systems with: `kafka.<cluster>`, `redis.<cache>`. */
const DATA_SYSTEM_SCOPE_PREFIX: Readonly<Record<Exclude<AlertResourceKind, "service">, string>> = {
  consumerGroup: "kafka",
  topic: "kafka",
  kafkaCluster: "kafka",
  cache: "redis",
  mongodb: "mongodb",
  elasticsearch: "elasticsearch",
};

/**
 * The scope acting on an alert's resource needs, as the action catalog scopes the same
 * resource: a service's namespace; `kafka.<cluster>` and `redis.<cache>` for data systems.
 * An alert that names no resource is environment-wide (`*`); without an environment, global.
 */
export function actingScopeOf(placement: AlertPlacement): Scope {
  if (placement.environment === null) return GLOBAL_SCOPE;
  if (placement.resourceKind === null) return { environment: placement.environment, namespace: "*" };
  if (placement.resourceKind === "service") return { environment: placement.environment, namespace: placement.namespace ?? "*" };
  if (placement.cluster === null) return { environment: placement.environment, namespace: "*" };
  return { environment: placement.environment, namespace: `${DATA_SYSTEM_SCOPE_PREFIX[placement.resourceKind]}.${placement.cluster}` };
}

/**
 * Who may see an alert: `permission` (service.read) on the service's namespace; for data
 * systems and alerts that name no resource, anywhere in the environment (as the queues and
 * caches pages); alerts of no environment need a grant on every environment.
 */
export function canSeeAlert(grants: readonly RoleGrant[], placement: AlertPlacement, permission: Permission = "service.read"): boolean {
  if (placement.environment === null) return can(grants, permission, GLOBAL_SCOPE);
  if (placement.resourceKind === "service" && placement.namespace !== null) {
    return can(grants, permission, { environment: placement.environment, namespace: placement.namespace });
  }
  return canInEnvironment(grants, permission, placement.environment);
}

/** One key per resource, for grouping: two alerts on the same thing share it. */
export function resourceKey(resource: AlertResource | null, environment: string | null): string {
  if (resource === null) return `none|${environment ?? ""}`;
  return [resource.kind, resource.environment, resource.region ?? "", resource.namespace ?? resource.cluster ?? "", resource.name].join("|");
}
