// A real Alertmanager (with the Prometheus that scripts/prometheus/start.sh always starts next
// to it) for the alert tests, on free loopback ports with its data under .tmp/, configured from
// deploy/alertmanager/alertmanager.yml to deliver to the test's webhook with short group timings,
// so a notification (and its resolution) arrives within seconds.
import { distinctFreePorts, serviceScripts } from "./local-servers";
import { ensurePrometheusInstalled } from "./prometheus";

const scripts = serviceScripts("prometheus");

export interface TestAlertingOptions {
  /** Where Alertmanager delivers; default an address that refuses connections. */
  webhookUrl?: string;
  webhookToken?: string;
  /** What Prometheus scrapes (as the `scaleplane-simulator` job); default nothing. */
  scrapeUrl?: string;
  /** Alert rules Prometheus evaluates besides the project's (absolute paths). */
  extraRuleFiles?: string[];
  /** A folder whose *.yml rules replace the project's (deploy/prometheus/rules), e.g. copies with short windows. */
  rulesDir?: string;
}

export interface TestAlerting {
  alertmanagerUrl: string;
  prometheusUrl: string;
  stop(): Promise<void>;
}

export async function startTestAlerting(options: TestAlertingOptions = {}): Promise<TestAlerting> {
  await ensurePrometheusInstalled();
  const dataRoot = await scripts.newDataRoot();
  const [prometheusPort, alertmanagerPort] = (await distinctFreePorts(2)) as [number, number];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SCALEPLANE_OBSERVABILITY_DIR: dataRoot,
    PROMETHEUS_PORT: String(prometheusPort),
    ALERTMANAGER_PORT: String(alertmanagerPort),
    SIMULATOR_METRICS_URL: options.scrapeUrl ?? "",
    APP_METRICS_URL: "",
    SCRAPE_INTERVAL_SECONDS: "1",
    RULE_EVALUATION_INTERVAL_SECONDS: "1",
    PROMETHEUS_RETENTION: "1d",
    PROMETHEUS_ALERT_RESEND_DELAY: "1s",
    PROMETHEUS_EXTRA_RULE_FILES: (options.extraRuleFiles ?? []).join(":"),
    PROMETHEUS_RULES_DIR: options.rulesDir ?? "",
    START_ALERTMANAGER: "1",
    ALERTMANAGER_WEBHOOK_URL: options.webhookUrl ?? "http://127.0.0.1:9/unused",
    ALERTMANAGER_WEBHOOK_TOKEN: options.webhookToken ?? "",
    ALERTMANAGER_GROUP_WAIT: "1s",
    ALERTMANAGER_GROUP_INTERVAL: "1s",
  };
  await scripts.start(env);
  return {
    alertmanagerUrl: `http://127.0.0.1:${alertmanagerPort}`,
    prometheusUrl: `http://127.0.0.1:${prometheusPort}`,
    stop: () => scripts.stopAndRemove(env),
  };
}

/** Posts alerts to Alertmanager's API v2, as Prometheus does. */
export async function postAlertsToAlertmanager(alertmanagerUrl: string, alerts: { labels: Record<string, string>; annotations?: Record<string, string>; startsAt?: string; endsAt?: string }[]): Promise<void> {
  const response = await fetch(`${alertmanagerUrl}/api/v2/alerts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(alerts.map((alert) => ({ annotations: {}, ...alert, generatorURL: "http://prometheus.test/graph" }))),
  });
  if (!response.ok) throw new Error(`Alertmanager refused the alerts: HTTP ${response.status} ${await response.text()}`);
}

/** The alerts Alertmanager holds, with whether a silence suppresses each. */
export async function alertmanagerAlerts(alertmanagerUrl: string): Promise<{ fingerprint: string; labels: Record<string, string>; status: { state: string; silencedBy: string[] } }[]> {
  const response = await fetch(`${alertmanagerUrl}/api/v2/alerts`);
  if (!response.ok) throw new Error(`Alertmanager did not list its alerts: HTTP ${response.status}`);
  return (await response.json()) as never;
}
