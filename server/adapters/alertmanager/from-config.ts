// The alerting systems the configuration names: the Alertmanager silences go to, and each
// distinct Prometheus whose alerts are read (an environment's, and a region's own).
import type { PrometheusConfig, ScaleplaneConfig } from "../../config/schema";
import type { PrometheusAlertsPort, SilencePort } from "../../domain/alerts/ports";
import { secretFromEnvironment } from "../../env";
import { PrometheusAlertsReader } from "./prometheus-alerts";
import { AlertmanagerSilences } from "./silences";

function bearerToken(variable: string | undefined, what: string): string | undefined {
  if (variable === undefined) return undefined;
  const token = secretFromEnvironment(variable);
  if (token === undefined) throw new Error(`${what}: the environment variable ${variable} (bearerTokenEnv) is not set`);
  return token;
}

/** Null when no Alertmanager is configured (silencing is then off). */
export function silencesFromConfig(config: ScaleplaneConfig): SilencePort | null {
  const alertmanager = config.alerts.alertmanager;
  if (!alertmanager) return null;
  const token = bearerToken(alertmanager.bearerTokenEnv, `Alertmanager ${alertmanager.url}`);
  return new AlertmanagerSilences({ url: alertmanager.url, timeoutMs: alertmanager.timeoutSeconds * 1000, ...(token ? { bearerToken: token } : {}) });
}

/** One Prometheus and what it evaluates rules for: an environment, or some of its regions. */
export interface PrometheusAlertSource {
  environment: string;
  /** The regions it serves; null when it serves every region of the environment. */
  regions: string[] | null;
  reader: PrometheusAlertsPort;
}

export function prometheusAlertSourcesFromConfig(config: ScaleplaneConfig): PrometheusAlertSource[] {
  const sources: PrometheusAlertSource[] = [];
  for (const [environment, environmentConfig] of Object.entries(config.environments)) {
    if (environmentConfig.source !== "prometheus") continue;
    const groups = new Map<PrometheusConfig, string[]>();
    for (const [region, regionConfig] of Object.entries(environmentConfig.regions)) {
      const prometheus = regionConfig.prometheus ?? environmentConfig.prometheus;
      if (prometheus) groups.set(prometheus, [...(groups.get(prometheus) ?? []), region]);
    }
    const regionCount = Object.keys(environmentConfig.regions).length;
    for (const [prometheus, regions] of groups) {
      const token = bearerToken(prometheus.bearerTokenEnv, `Prometheus ${prometheus.url}`);
      sources.push({
        environment,
        regions: prometheus === environmentConfig.prometheus && regions.length === regionCount ? null : regions,
        reader: new PrometheusAlertsReader({ url: prometheus.url, timeoutMs: prometheus.timeoutSeconds * 1000, ...(token ? { bearerToken: token } : {}) }),
      });
    }
  }
  return sources;
}
