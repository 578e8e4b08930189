// The shape of Scaleplane's configuration file: environments → regions → clusters, the
// Prometheus each reads from, and the label names that place a series. Secrets are never in
// the file: a field ending in `Env` names the environment variable that holds one.
import { z } from "zod";
import { healthThresholdsSchema } from "../domain/health/thresholds";
import { runbookRuleSchema } from "../domain/runbooks";

/** Names used as map keys and shown in the UI: environment, region and cluster names. */
const NAME = /^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/;
/** Prometheus label names (its own rule). */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Environment variable names, as shells accept them. */
const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** host:port, e.g. kafka-1.internal:9092 or 10.0.0.5:6379 */
const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/;

const name = (what: string) =>
  z.string().regex(NAME, `is not a valid ${what} name: use lowercase letters, digits, ".", "-" or "_", starting and ending with a letter or digit`);

const labelName = (fallback: string) =>
  z.string().regex(LABEL_NAME, "must be a Prometheus label name: letters, digits and _, not starting with a digit").default(fallback);

const envVarName = z.string().regex(ENV_VAR_NAME, "must be the name of an environment variable (letters, digits and _), not the secret itself");

const hostPort = z.string().refine((value) => {
  const match = HOST_PORT.exec(value);
  const port = Number(match?.[2]);
  return match !== null && port > 0 && port < 65536;
}, "must be host:port, e.g. broker-1.internal:9092");

/** An http(s) URL without credentials in it (those go into environment variables). */
const httpUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), "must be an http:// or https:// URL")
  .refine((value) => !URL.canParse(value) || (new URL(value).username === "" && new URL(value).password === ""), {
    message: "must not contain credentials; name the environment variables that hold them instead (e.g. bearerTokenEnv)",
  });

export const prometheusSchema = z.strictObject({
  url: httpUrl,
  /** How long one query may take before the page gets stale data and an error. */
  timeoutSeconds: z.number().positive().max(300).default(10),
  /** Prometheus's scrape interval: Scaleplane caches results this long. */
  scrapeIntervalSeconds: z.number().positive().max(3600).default(15),
  /** Environment variable holding a bearer token, for a Prometheus behind an auth proxy. */
  bearerTokenEnv: envVarName.optional(),
});

/**
 * Which label carries what. The defaults are the exporters' own names (docs/metrics.md):
 * kube-state-metrics and cAdvisor, the OpenTelemetry collector's Prometheus exporter,
 * kafka_exporter, redis_exporter; `environment`, `region` and `cluster` are target labels.
 */
export const labelMappingSchema = z.strictObject({
  environment: labelName("environment"),
  region: labelName("region"),
  /** The data system (Kafka, Redis, MongoDB, Elasticsearch cluster) a series belongs to. */
  cluster: labelName("cluster"),
  /** OpenTelemetry metrics: the service's namespace and name (resource attributes). */
  serviceNamespace: labelName("service_namespace"),
  service: labelName("service_name"),
  /** Kubernetes metrics (kube-state-metrics, cAdvisor). */
  namespace: labelName("namespace"),
  deployment: labelName("deployment"),
  container: labelName("container"),
  pod: labelName("pod"),
  /** kafka_exporter */
  topic: labelName("topic"),
  partition: labelName("partition"),
  consumerGroup: labelName("consumergroup"),
  /** redis_exporter: the cache (a primary and its replicas) and one instance of it. */
  cache: labelName("cluster"),
  cacheInstance: labelName("pod"),
});

/**
 * Alerts: the labels that name an alert's resource (server/domain/alerts/resource.ts; the
 * defaults are what deploy/prometheus/rules/ keep), the Alertmanager silences go to, and how
 * often Prometheus's own list of alerts is read in case a webhook delivery was missed.
 */
const alertsSchema = z.strictObject({
  labels: z
    .strictObject({
      /** Set by a rule to say what the alert is about: service, deployment, consumer_group, topic, kafka_cluster, cache, mongodb, elasticsearch. */
      resourceKind: labelName("resource_kind"),
      severity: labelName("severity"),
      environment: labelName("environment"),
      region: labelName("region"),
      serviceNamespace: labelName("service_namespace"),
      service: labelName("service_name"),
      namespace: labelName("namespace"),
      deployment: labelName("deployment"),
      cluster: labelName("cluster"),
      topic: labelName("topic"),
      consumerGroup: labelName("consumergroup"),
      cache: labelName("cluster"),
    })
    .prefault({}),
  /** Where silences are created and expired (Alertmanager's API v2). Without it, silencing is off. */
  alertmanager: z
    .strictObject({
      url: httpUrl,
      timeoutSeconds: z.number().positive().max(60).default(5),
      /** Environment variable holding a bearer token, for an Alertmanager behind an auth proxy. */
      bearerTokenEnv: envVarName.optional(),
    })
    .optional(),
  /** Seconds between reads of each configured Prometheus's firing alerts and rules; 0 turns it off. */
  prometheusSyncSeconds: z.number().min(0).max(3600).default(60),
  /** Days a resolved alert is kept. */
  keepResolvedDays: z.number().int().min(1).max(366).default(14),
});

const kubernetesCluster = z
  .strictObject({
    kind: z.literal("kubernetes"),
    /** A context of the kubeconfig (KUBECONFIG or ~/.kube/config). */
    context: z.string().min(1).optional(),
    /** Use the service account of the pod Scaleplane runs in. */
    inCluster: z.boolean().optional(),
    /** The kubeconfig file holding `context`, when it is not KUBECONFIG or ~/.kube/config. */
    kubeconfig: z.string().min(1).optional(),
  })
  .refine((cluster) => Boolean(cluster.context) !== Boolean(cluster.inCluster), {
    message: "needs either `context` (a kubeconfig context) or `inCluster: true`, not both",
  })
  .refine((cluster) => !(cluster.inCluster && cluster.kubeconfig), {
    message: "`kubeconfig` goes with `context`; with `inCluster: true` the pod's service account is used",
  });

const kafkaCluster = z.strictObject({
  kind: z.literal("kafka"),
  brokers: z.array(hostPort).min(1, "needs at least one broker"),
  tls: z.boolean().default(false),
  sasl: z
    .strictObject({
      mechanism: z.enum(["plain", "scram-sha-256", "scram-sha-512"]),
      usernameEnv: envVarName,
      passwordEnv: envVarName,
    })
    .optional(),
  /**
   * The Deployment consuming as each consumer group, "<namespace>/<deployment>" in this
   * cluster's region: scaling a group scales it (Kafka itself does not know who consumes).
   */
  consumers: z
    .record(
      z.string().min(1, "needs a consumer group name"),
      z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\/[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'must be "<namespace>/<deployment>", e.g. "payments/ledger-consumer"'),
    )
    .optional(),
});

/**
 * What `cache.warm` can load into a cache: each key from `loaderUrl?key=<key>`, SET with the
 * body. The keys are a list (`keys`, or `keysFile`: an absolute path, one key a line), or the
 * `hottest.count` hottest keys the cache holds at the time (sampled; see
 * server/adapters/redis/warm.ts), reloaded so the keys read most get fresh values.
 */
const cacheWarmSource = z
  .strictObject({
    keys: z.array(z.string().min(1)).min(1, "needs at least one key").optional(),
    keysFile: z.string().startsWith("/", "must be an absolute path").optional(),
    hottest: z.strictObject({ count: z.number().int().positive().max(100_000) }).optional(),
    loaderUrl: httpUrl,
    /** Without it a loaded key keeps the TTL it had (none for a new key). */
    ttlSeconds: z.number().int().positive().optional(),
  })
  .refine((source) => [source.keys, source.keysFile, source.hottest].filter((choice) => choice !== undefined).length === 1, {
    message: "needs exactly one of `keys`, `keysFile` or `hottest`",
  });

const redisCluster = z
  .strictObject({
    kind: z.literal("redis"),
    /** The instances (primary first), when Scaleplane talks to them directly. */
    endpoints: z.array(hostPort).min(1, "needs at least one endpoint").optional(),
    /** Or the Sentinels that know the primary. */
    sentinel: z
      .strictObject({
        masterName: z.string().min(1),
        sentinels: z.array(hostPort).min(1, "needs at least one sentinel"),
        passwordEnv: envVarName.optional(),
      })
      .optional(),
    usernameEnv: envVarName.optional(),
    passwordEnv: envVarName.optional(),
    tls: z.boolean().default(false),
    /** By name, as `cache.warm` requests name them. */
    warmSources: z.record(name("warm source"), cacheWarmSource).optional(),
  })
  .refine((cluster) => Boolean(cluster.endpoints) !== Boolean(cluster.sentinel), {
    message: "needs either `endpoints` or `sentinel`, not both",
  });

const mongodbCluster = z.strictObject({
  kind: z.literal("mongodb"),
  /** A connection string carries credentials, so it comes from the environment as a whole. */
  uriEnv: envVarName,
});

const elasticsearchCluster = z.strictObject({
  kind: z.literal("elasticsearch"),
  url: httpUrl,
  apiKeyEnv: envVarName.optional(),
});

export const CLUSTER_KINDS = ["kubernetes", "kafka", "redis", "mongodb", "elasticsearch"] as const;

export const clusterSchema = z.discriminatedUnion(
  "kind",
  [kubernetesCluster, kafkaCluster, redisCluster, mongodbCluster, elasticsearchCluster],
  { error: (issue) => (issue.code === "invalid_union" ? `needs \`kind\`: one of ${CLUSTER_KINDS.join(", ")}` : undefined) },
);

/** `namespace/service`, as a key of breakerAdmin.services. */
const SERVICE_KEY = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Services whose circuit breakers Scaleplane may force, each by the base URL of its admin
 * endpoint (docs/breaker-admin.md describes the two requests it answers).
 */
const breakerAdminSchema = z.strictObject({
  services: z.record(z.string().regex(SERVICE_KEY, "must be namespace/service, e.g. checkout/payments"), httpUrl),
  /** Environment variable holding the bearer token the endpoints expect. */
  tokenEnv: envVarName.optional(),
  timeoutSeconds: z.number().positive().max(60).default(5),
});

const regionSchema = z.strictObject({
  /** A Prometheus of this region's own; otherwise the environment's. */
  prometheus: prometheusSchema.optional(),
  clusters: z.record(name("cluster"), clusterSchema).default({}),
  breakerAdmin: breakerAdminSchema.optional(),
});

/** Kubernetes object names (DNS subdomains) and namespaces (DNS labels). */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The environment's traffic split between regions: one rule of a Gateway API HTTPRoute, with a
 * backendRef per region whose weights `region.failover` changes.
 */
const trafficSchema = z.strictObject({
  httpRoute: z.strictObject({
    /** The `kind: kubernetes` cluster holding the route, in one of the environment's regions. */
    cluster: name("cluster"),
    namespace: z.string().regex(DNS_LABEL, "must be a Kubernetes namespace (lowercase letters, digits and -)"),
    name: z.string().regex(DNS_SUBDOMAIN, "must be a Kubernetes object name (lowercase letters, digits, - and .)"),
    /** The rule (by position in spec.rules) whose backendRefs split the traffic. */
    rule: z.number().int().min(0).default(0),
  }),
  /** Each region's backendRef in that rule, by its name. */
  backends: z
    .record(name("region"), z.string().regex(DNS_SUBDOMAIN, "must be the name of a backendRef (a Service name)"))
    .refine((backends) => Object.keys(backends).length > 0, "needs the backendRef of at least one region"),
});

export type TrafficConfig = z.output<typeof trafficSchema>;

/** The traffic split names regions and a cluster of its own environment, each backend once. */
function checkTraffic(traffic: TrafficConfig, regions: Record<string, { clusters: Record<string, { kind: string }> }>, context: z.RefinementCtx): void {
  const regionNames = Object.keys(regions);
  for (const region of Object.keys(traffic.backends)) {
    if (!(region in regions)) {
      context.addIssue({ code: "custom", path: ["traffic", "backends", region], message: `names no region of this environment (${regionNames.join(", ")})` });
    }
  }
  const seen = new Map<string, string>();
  for (const [region, backend] of Object.entries(traffic.backends)) {
    const other = seen.get(backend);
    if (other) context.addIssue({ code: "custom", path: ["traffic", "backends", region], message: `is also the backend of region ${other}; each region needs its own backendRef` });
    seen.set(backend, region);
  }
  const { cluster } = traffic.httpRoute;
  const kinds = Object.values(regions).flatMap((region) => (cluster in region.clusters ? [region.clusters[cluster]?.kind] : []));
  if (!kinds.includes("kubernetes")) {
    context.addIssue({
      code: "custom",
      path: ["traffic", "httpRoute", "cluster"],
      message: kinds.length ? `is a ${kinds[0]} cluster; the HTTPRoute lives in a \`kind: kubernetes\` cluster` : `names no cluster of this environment's regions (${regionNames.join(", ")})`,
    });
  }
}

const environmentSchema = z
  .strictObject({
    /** Where the figures come from: the built-in fleet simulator, or Prometheus. */
    source: z.enum(["simulator", "prometheus"]),
    prometheus: prometheusSchema.optional(),
    labels: labelMappingSchema.default(labelMappingSchema.parse({})),
    regions: z.record(name("region"), regionSchema).refine((regions) => Object.keys(regions).length > 0, "needs at least one region"),
    traffic: trafficSchema.optional(),
  })
  .superRefine((environment, context) => {
    if (environment.traffic) checkTraffic(environment.traffic, environment.regions, context);
  });

export const configSchema = z
  .strictObject({
    version: z.literal(1, "must be 1 (the only version of this file format so far)"),
    /** The environment pages open with; the first one when absent. */
    defaultEnvironment: name("environment").optional(),
    /** SLOs and thresholds of the health verdicts; every level has a default (server/domain/health/thresholds.ts). */
    health: healthThresholdsSchema,
    alerts: alertsSchema.prefault({}),
    /** Runbook rules: which alerts suggest which action (server/domain/runbooks.ts); replaces the defaults when given. */
    runbooks: z.array(runbookRuleSchema).max(500).optional(),
    environments: z.record(name("environment"), environmentSchema).refine((environments) => Object.keys(environments).length > 0, "needs at least one environment"),
  })
  .superRefine((config, context) => {
    if (config.defaultEnvironment !== undefined && !(config.defaultEnvironment in config.environments)) {
      context.addIssue({
        code: "custom",
        path: ["defaultEnvironment"],
        message: `names no environment of this file (${Object.keys(config.environments).join(", ")})`,
      });
    }
    for (const [environmentName, environment] of Object.entries(config.environments)) {
      if (environment.source !== "prometheus" || environment.prometheus) continue;
      for (const [regionName, region] of Object.entries(environment.regions)) {
        if (!region.prometheus) {
          context.addIssue({
            code: "custom",
            path: ["environments", environmentName, "regions", regionName],
            message: "reads from Prometheus (source: prometheus) but neither the environment nor the region has `prometheus.url`",
          });
        }
      }
    }
  });

export type ScaleplaneConfig = z.output<typeof configSchema>;
export type ScaleplaneConfigInput = z.input<typeof configSchema>;
export type EnvironmentConfig = ScaleplaneConfig["environments"][string];
export type RegionConfig = EnvironmentConfig["regions"][string];
export type ClusterConfig = z.output<typeof clusterSchema>;
export type PrometheusConfig = z.output<typeof prometheusSchema>;
export type LabelMapping = z.output<typeof labelMappingSchema>;
export type AlertsConfig = z.output<typeof alertsSchema>;
export type BreakerAdminConfig = z.output<typeof breakerAdminSchema>;
