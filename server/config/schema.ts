// The shape of Scaleplane's configuration file: environments → regions → clusters, the
// Prometheus each reads from, and the label names that place a series. Secrets are never in
// the file: a field ending in `Env` names the environment variable that holds one.
import { z } from "zod";
import { healthThresholdsSchema } from "../domain/health/thresholds";

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

const kubernetesCluster = z
  .strictObject({
    kind: z.literal("kubernetes"),
    /** A context of the kubeconfig (KUBECONFIG or ~/.kube/config). */
    context: z.string().min(1).optional(),
    /** Use the service account of the pod Scaleplane runs in. */
    inCluster: z.boolean().optional(),
  })
  .refine((cluster) => Boolean(cluster.context) !== Boolean(cluster.inCluster), {
    message: "needs either `context` (a kubeconfig context) or `inCluster: true`, not both",
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

const regionSchema = z.strictObject({
  /** A Prometheus of this region's own; otherwise the environment's. */
  prometheus: prometheusSchema.optional(),
  clusters: z.record(name("cluster"), clusterSchema).default({}),
});

const environmentSchema = z.strictObject({
  /** Where the figures come from: the built-in fleet simulator, or Prometheus. */
  source: z.enum(["simulator", "prometheus"]),
  prometheus: prometheusSchema.optional(),
  labels: labelMappingSchema.default(labelMappingSchema.parse({})),
  regions: z.record(name("region"), regionSchema).refine((regions) => Object.keys(regions).length > 0, "needs at least one region"),
});

export const configSchema = z
  .strictObject({
    version: z.literal(1, "must be 1 (the only version of this file format so far)"),
    /** The environment pages open with; the first one when absent. */
    defaultEnvironment: name("environment").optional(),
    /** SLOs and thresholds of the health verdicts; every level has a default (server/domain/health/thresholds.ts). */
    health: healthThresholdsSchema,
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
