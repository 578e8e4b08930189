// The application's configuration: the file SCALEPLANE_CONFIG names, or the demo's. Read and
// validated once per process; an invalid file stops the start with every problem listed.
import { env } from "../env";
import { demoConfig } from "./demo";
import { loadConfigFile } from "./load";
import type { EnvironmentConfig, PrometheusConfig, ScaleplaneConfig } from "./schema";

export { ConfigError, loadConfigFile, missingSecrets, parseConfigText, secretReferences, validateConfig, type ConfigProblem, type SecretReference } from "./load";
export type { ClusterConfig, EnvironmentConfig, LabelMapping, PrometheusConfig, RegionConfig, ScaleplaneConfig } from "./schema";

const holder = globalThis as unknown as { scaleplaneConfig?: ScaleplaneConfig };

export function getScaleplaneConfig(): ScaleplaneConfig {
  holder.scaleplaneConfig ??= env.SCALEPLANE_CONFIG ? loadConfigFile(env.SCALEPLANE_CONFIG) : demoConfig();
  return holder.scaleplaneConfig;
}

/** The environment pages open with. */
export function defaultEnvironmentName(config: ScaleplaneConfig): string {
  const name = config.defaultEnvironment ?? Object.keys(config.environments)[0];
  if (name === undefined) throw new Error("The configuration has no environment");
  return name;
}

/** The Prometheus a region reads from: its own, or its environment's; undefined for a simulated one. */
export function prometheusFor(environment: EnvironmentConfig, region: string): PrometheusConfig | undefined {
  if (environment.source !== "prometheus") return undefined;
  return environment.regions[region]?.prometheus ?? environment.prometheus;
}
