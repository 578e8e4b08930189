// The configuration file: the shipped examples are valid, defaults are filled in, and every
// kind of mistake is reported with the path of the field and what to do.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { demoConfig } from "../../server/config/demo";
import { ConfigError, loadConfigFile, missingSecrets, parseConfigText, secretReferences, validateConfig } from "../../server/config/load";

const ROOT = path.resolve(import.meta.dirname, "../..");
const EXAMPLE = path.join(ROOT, "deploy/scaleplane/scaleplane.config.example.yaml");
const DEMO_WITH_PROMETHEUS = path.join(ROOT, "deploy/scaleplane/demo-with-prometheus.yaml");

/** The problems of an invalid file, as "path: message" lines. */
function problemsOf(text: string, source = "test.yaml"): string[] {
  try {
    parseConfigText(text, source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((problem) => `${problem.path}: ${problem.message}`);
  }
  throw new Error("expected the configuration to be rejected");
}

/** A valid file with `cluster` as the one cluster of prod/eu-west-1. */
function withCluster(cluster: string): string {
  return ["version: 1", "environments:", "  prod:", "    source: prometheus", "    prometheus: { url: 'http://prometheus:9090' }", "    regions:", "      eu-west-1:", "        clusters:", `          main: ${cluster}`, ""].join("\n");
}

const CLUSTER_PATH = "environments.prod.regions.eu-west-1.clusters.main";

describe("configuration file", () => {
  const temporary = mkdtempSync(path.join(os.tmpdir(), "scaleplane-config-"));
  afterAll(() => rmSync(temporary, { recursive: true, force: true }));

  it("accepts the production example and fills in the defaults", () => {
    const config = loadConfigFile(EXAMPLE);
    expect(config.defaultEnvironment).toBe("prod");
    expect(Object.keys(config.environments)).toEqual(["prod", "staging"]);
    const prod = config.environments.prod;
    expect(prod?.source).toBe("prometheus");
    expect(prod?.regions["eu-west-1"]?.prometheus?.url).toBe("https://prometheus.eu-west-1.prod.example.com");
    const clusters = prod?.regions["eu-west-1"]?.clusters ?? {};
    expect(Object.values(clusters).map((cluster) => cluster.kind).sort()).toEqual(["elasticsearch", "kafka", "kubernetes", "mongodb", "redis", "redis"]);
    expect(clusters.events).toMatchObject({ kind: "kafka", tls: true, sasl: { mechanism: "scram-sha-512", passwordEnv: "KAFKA_PASSWORD" } });
    // Leaving fields out gives the defaults.
    const staging = config.environments.staging;
    expect(staging?.prometheus).toEqual({ url: "http://prometheus.staging.internal:9090", timeoutSeconds: 10, scrapeIntervalSeconds: 15 });
    expect(staging?.labels).toMatchObject({ service: "service_name", namespace: "namespace", consumerGroup: "consumergroup", cache: "cluster", region: "region" });
  });

  it("lists every environment variable the example refers to, and which are unset", () => {
    const config = loadConfigFile(EXAMPLE);
    const variables = secretReferences(config).map((reference) => reference.variable);
    expect(variables).toEqual(expect.arrayContaining(["PROMETHEUS_PROD_TOKEN", "KAFKA_USERNAME", "KAFKA_PASSWORD", "REDIS_SENTINEL_PASSWORD", "MONGODB_ORDERS_URI", "ELASTICSEARCH_SEARCH_API_KEY"]));
    const set = new Set(variables.filter((variable) => variable !== "MONGODB_ORDERS_URI"));
    expect(missingSecrets(config, (variable) => (set.has(variable) ? "x" : undefined))).toEqual([
      { path: "environments.prod.regions.eu-west-1.clusters.orders.uriEnv", variable: "MONGODB_ORDERS_URI" },
    ]);
  });

  it("describes the demo by default: environment demo, regions eu-west-1 and us-east-1, the simulator", () => {
    const config = demoConfig();
    expect(config.defaultEnvironment).toBe("demo");
    expect(config.environments.demo?.source).toBe("simulator");
    expect(Object.keys(config.environments.demo?.regions ?? {})).toEqual(["eu-west-1", "us-east-1"]);
    expect(config.environments.demo?.prometheus).toBeUndefined();
    expect(loadConfigFile(DEMO_WITH_PROMETHEUS).environments.demo).toMatchObject({ source: "prometheus", prometheus: { url: "http://127.0.0.1:9090", scrapeIntervalSeconds: 5 } });
  });

  it("reads JSON files too", () => {
    const file = path.join(temporary, "scaleplane.json");
    writeFileSync(file, JSON.stringify({ version: 1, environments: { lab: { source: "simulator", regions: { "eu-central-1": {} } } } }));
    expect(Object.keys(loadConfigFile(file).environments)).toEqual(["lab"]);
    const broken = path.join(temporary, "broken.json");
    writeFileSync(broken, '{"version": 1,');
    expect(() => loadConfigFile(broken)).toThrow(/broken\.json:\n {2}\(file\): is not valid JSON/);
  });

  it("names a file that is missing", () => {
    const missing = path.join(temporary, "nope.yaml");
    expect(() => loadConfigFile(missing)).toThrow(`Invalid Scaleplane configuration in ${missing}:\n  (file): does not exist; SCALEPLANE_CONFIG names it`);
  });

  it("reports YAML syntax errors with their line", () => {
    expect(problemsOf("version: 1\nenvironments:\n  prod: [\n")).toEqual([expect.stringMatching(/^: is not valid YAML: line 4, column 1: /)]);
    expect(problemsOf("version: 1\nversion: 1\n")).toEqual([expect.stringMatching(/^: is not valid YAML: line 2, column 1: Map keys must be unique/)]);
    expect(problemsOf("")).toEqual([": is empty"]);
  });

  it("reports a wrong version, missing environments and missing fields", () => {
    expect(problemsOf("version: 2\nenvironments: {}\n")).toEqual([
      "version: must be 1 (the only version of this file format so far)",
      "environments: needs at least one environment",
    ]);
    expect(problemsOf("version: 1\n")).toEqual(["environments: is required (record)"]);
    expect(problemsOf("version: 1\nenvironments:\n  prod:\n    regions: { eu-west-1: {} }\n")).toEqual([
      'environments.prod.source: Invalid option: expected one of "simulator"|"prometheus"',
    ]);
  });

  it("reports unknown fields (typos) by name", () => {
    expect(problemsOf("version: 1\nenvironments:\n  prod:\n    source: simulator\n    region: {}\n    regions: { eu-west-1: {} }\n")).toEqual(["environments.prod: unknown field `region`"]);
  });

  it("reports invalid environment, region and cluster names at the name", () => {
    expect(problemsOf("version: 1\nenvironments:\n  Prod:\n    source: simulator\n    regions: { 'eu west': {} }\n")).toEqual([
      'environments.Prod: is not a valid environment name: use lowercase letters, digits, ".", "-" or "_", starting and ending with a letter or digit',
    ]);
    expect(problemsOf(withCluster("{ kind: kafka, brokers: ['k:9092'] }").replace("main:", "-main:"))).toEqual([
      expect.stringMatching(/^environments\.prod\.regions\.eu-west-1\.clusters\.-main: is not a valid cluster name/),
    ]);
  });

  it("reports a Prometheus that is needed but missing, and bad URLs", () => {
    expect(problemsOf("version: 1\nenvironments:\n  prod:\n    source: prometheus\n    regions: { eu-west-1: {}, us-east-1: { prometheus: { url: 'http://p:9090' } } }\n")).toEqual([
      "environments.prod.regions.eu-west-1: reads from Prometheus (source: prometheus) but neither the environment nor the region has `prometheus.url`",
    ]);
    expect(problemsOf("version: 1\nenvironments:\n  prod:\n    source: prometheus\n    prometheus: { url: 'prometheus:9090', timeoutSeconds: -1 }\n    regions: { a: {} }\n")).toEqual([
      "environments.prod.prometheus.url: must be an http:// or https:// URL",
      "environments.prod.prometheus.timeoutSeconds: Too small: expected number to be >0",
    ]);
  });

  it("refuses secrets in the file, with the way to pass them instead", () => {
    const problems = problemsOf(withCluster("{ kind: kafka, brokers: ['k:9092'], sasl: { mechanism: plain, usernameEnv: KAFKA_USER, password: hunter2 } }"));
    expect(problems).toEqual([
      `${CLUSTER_PATH}.sasl.password: secrets are not allowed in the configuration file: put the value in an environment variable and name the variable in this section's field ending in Env (passwordEnv, bearerTokenEnv, apiKeyEnv, uriEnv)`,
      `${CLUSTER_PATH}.sasl.passwordEnv: is required (string)`,
    ]);
    expect(problemsOf("version: 1\nenvironments:\n  prod:\n    source: prometheus\n    prometheus: { url: 'https://admin:secret@prometheus.example.com' }\n    regions: { a: {} }\n")).toEqual([
      "environments.prod.prometheus.url: must not contain credentials; name the environment variables that hold them instead (e.g. bearerTokenEnv)",
    ]);
    expect(problemsOf(withCluster("{ kind: mongodb, uriEnv: 'mongodb://user:pw@db:27017' }"))).toEqual([
      `${CLUSTER_PATH}.uriEnv: must be the name of an environment variable (letters, digits and _), not the secret itself`,
    ]);
  });

  it("reports each kind of cluster's own mistakes", () => {
    expect(problemsOf(withCluster("{ kind: oracle }"))).toEqual([`${CLUSTER_PATH}.kind: needs \`kind\`: one of kubernetes, kafka, redis, mongodb, elasticsearch`]);
    expect(problemsOf(withCluster("{ brokers: ['k:9092'] }"))).toEqual([`${CLUSTER_PATH}.kind: needs \`kind\`: one of kubernetes, kafka, redis, mongodb, elasticsearch`]);
    expect(problemsOf(withCluster("{ kind: kubernetes }"))).toEqual([`${CLUSTER_PATH}: needs either \`context\` (a kubeconfig context) or \`inCluster: true\`, not both`]);
    expect(problemsOf(withCluster("{ kind: kafka, brokers: ['kafka-1', 'kafka-2:99999'] }"))).toEqual([
      `${CLUSTER_PATH}.brokers.0: must be host:port, e.g. broker-1.internal:9092`,
      `${CLUSTER_PATH}.brokers.1: must be host:port, e.g. broker-1.internal:9092`,
    ]);
    expect(problemsOf(withCluster("{ kind: kafka, brokers: [] }"))).toEqual([`${CLUSTER_PATH}.brokers: needs at least one broker`]);
    expect(problemsOf(withCluster("{ kind: redis, endpoints: ['r:6379'], sentinel: { masterName: m, sentinels: ['s:26379'] } }"))).toEqual([
      `${CLUSTER_PATH}: needs either \`endpoints\` or \`sentinel\`, not both`,
    ]);
    expect(problemsOf(withCluster("{ kind: elasticsearch, url: 'search:9200' }"))).toEqual([`${CLUSTER_PATH}.url: must be an http:// or https:// URL`]);
  });

  it("reports a label name Prometheus would not accept", () => {
    expect(problemsOf("version: 1\nenvironments:\n  prod:\n    source: simulator\n    labels: { consumerGroup: consumer-group }\n    regions: { a: {} }\n")).toEqual([
      "environments.prod.labels.consumerGroup: must be a Prometheus label name: letters, digits and _, not starting with a digit",
    ]);
  });

  it("reports a default environment that does not exist", () => {
    expect(problemsOf("version: 1\ndefaultEnvironment: prod\nenvironments:\n  demo: { source: simulator, regions: { a: {} } }\n")).toEqual([
      "defaultEnvironment: names no environment of this file (demo)",
    ]);
  });

  it("puts every problem in one error message, each on its own line", () => {
    expect(() => validateConfig({ version: 1, environments: { prod: { source: "nope", regions: {} } } }, "inline")).toThrow(
      'Invalid Scaleplane configuration in inline:\n  environments.prod.source: Invalid option: expected one of "simulator"|"prometheus"\n  environments.prod.regions: needs at least one region',
    );
  });
});
