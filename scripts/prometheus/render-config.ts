// Renders deploy/prometheus/prometheus.yml and deploy/alertmanager/alertmanager.yml into the
// data folders with this machine's targets, ports and interval. Works on the YAML document
// (not on text), so the comments a production reader relies on survive into the copies.
//
//   node --import tsx scripts/prometheus/render-config.ts   (scripts/prometheus/start.sh runs it)
//
// Settings come from the environment; see scripts/prometheus/start.sh for the list.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isMap, isSeq, parseDocument, type Document, type YAMLMap } from "yaml";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface ScrapeTarget {
  /** The job label of every series scraped from it. */
  job: string;
  /** Full URL of the exposition, e.g. http://127.0.0.1:3000/api/simulator/metrics. */
  url: string;
}

export interface RenderOptions {
  prometheusDir: string;
  alertmanagerDir: string;
  prometheusPort: number;
  alertmanagerPort: number;
  scrapeIntervalSeconds: number;
  /** How often alert and recording rules run; default the larger of the scrape interval and 15 s. */
  ruleEvaluationIntervalSeconds?: number;
  /** Fills the `scaleplane-simulator` job; null leaves the job out. */
  simulatorMetricsUrl: string | null;
  /** Fills the `scaleplane` job (the app's own /api/metrics); null leaves the job out. */
  appMetricsUrl: string | null;
  /** Rule files added to the project's own (tests use this). */
  extraRuleFiles?: string[];
  /** Where Alertmanager sends notifications. */
  webhookUrl: string;
  /** The bearer token for the webhook; when absent, the one already in the token file, or a new one. */
  webhookToken?: string;
  /** Alertmanager's wait before the first notification of a group (tests shorten it). */
  groupWait?: string;
  groupInterval?: string;
  prometheusTemplate?: string;
  alertmanagerTemplate?: string;
  /** The folder whose *.yml rule files are loaded instead of deploy/prometheus/rules (tests with short windows). */
  rulesDir?: string;
}

export interface RenderedFiles {
  prometheusConfig: string;
  alertmanagerConfig: string;
  webhookTokenFile: string;
}

const SIMULATOR_JOB = "scaleplane-simulator";
const APP_JOB = "scaleplane";

function formatSeconds(seconds: number): string {
  return Number.isInteger(seconds) ? `${seconds}s` : `${Math.round(seconds * 1000)}ms`;
}

function scrapeJobs(document: Document): YAMLMap[] {
  const jobs = document.get("scrape_configs");
  if (!isSeq(jobs)) throw new Error("prometheus.yml has no scrape_configs list");
  return jobs.items.filter((item): item is YAMLMap => isMap(item));
}

/** Points a job at `url`, or removes the job when there is nothing to scrape. */
function setJobTarget(document: Document, job: string, url: string | null): void {
  const jobs = document.get("scrape_configs");
  if (!isSeq(jobs)) return;
  const index = jobs.items.findIndex((item) => isMap(item) && item.get("job_name") === job);
  if (index < 0) throw new Error(`prometheus.yml has no job ${job}`);
  if (url === null) {
    jobs.delete(index);
    return;
  }
  const target = new URL(url);
  const entry = scrapeJobs(document).find((item) => item.get("job_name") === job);
  if (!entry) return;
  if (target.protocol === "https:") entry.set("scheme", "https");
  entry.set("metrics_path", target.pathname);
  if (target.search) {
    const params: Record<string, string[]> = {};
    for (const [name, value] of target.searchParams) (params[name] ??= []).push(value);
    entry.set("params", document.createNode(params));
  }
  const targets = document.createNode([target.host]);
  targets.flow = true;
  entry.setIn(["static_configs", 0, "targets"], targets);
}

export function renderPrometheusConfig(options: RenderOptions): string {
  const template = options.prometheusTemplate ?? path.join(ROOT, "deploy/prometheus/prometheus.yml");
  const rulesDir = options.rulesDir ?? path.join(ROOT, "deploy/prometheus/rules");
  const document = parseDocument(readFileSync(template, "utf8"));
  const interval = formatSeconds(options.scrapeIntervalSeconds);
  document.setIn(["global", "scrape_interval"], interval);
  // A scrape may not take longer than the interval between scrapes.
  document.setIn(["global", "scrape_timeout"], formatSeconds(Math.min(options.scrapeIntervalSeconds, 10)));
  // Rules over a whole fleet's histograms are the heaviest thing Prometheus runs here (at
  // 2,000 services, seconds per evaluation): not more often than every 15 s unless asked.
  const evaluationSeconds = options.ruleEvaluationIntervalSeconds ?? Math.max(options.scrapeIntervalSeconds, 15);
  document.setIn(["global", "evaluation_interval"], formatSeconds(evaluationSeconds));
  // The copy lives in the data folder: rule paths must be absolute to find the project's rules.
  document.set("rule_files", document.createNode([path.join(rulesDir, "*.yml"), ...(options.extraRuleFiles ?? [])]));
  const alertmanagerTargets = document.createNode([`127.0.0.1:${options.alertmanagerPort}`]);
  alertmanagerTargets.flow = true;
  document.setIn(["alerting", "alertmanagers", 0, "static_configs", 0, "targets"], alertmanagerTargets);
  setJobTarget(document, SIMULATOR_JOB, options.simulatorMetricsUrl);
  setJobTarget(document, APP_JOB, options.appMetricsUrl);
  return `# Rendered by scripts/prometheus/render-config.ts from ${path.relative(ROOT, template)}; edit that file, not this one.\n${document.toString()}`;
}

export function renderAlertmanagerConfig(options: RenderOptions, webhookTokenFile: string): string {
  const template = options.alertmanagerTemplate ?? path.join(ROOT, "deploy/alertmanager/alertmanager.yml");
  const document = parseDocument(readFileSync(template, "utf8"));
  if (options.groupWait) document.setIn(["route", "group_wait"], options.groupWait);
  if (options.groupInterval) document.setIn(["route", "group_interval"], options.groupInterval);
  const receivers = document.get("receivers");
  if (!isSeq(receivers)) throw new Error("alertmanager.yml has no receivers list");
  const receiver = receivers.items.find((item): item is YAMLMap => isMap(item) && item.get("name") === "scaleplane");
  if (!receiver) throw new Error("alertmanager.yml has no receiver named scaleplane");
  receiver.setIn(["webhook_configs", 0, "url"], options.webhookUrl);
  receiver.setIn(["webhook_configs", 0, "http_config", "authorization", "credentials_file"], webhookTokenFile);
  return `# Rendered by scripts/prometheus/render-config.ts from ${path.relative(ROOT, template)}; edit that file, not this one.\n${document.toString()}`;
}

/** The token stays the same across restarts unless one is given, so the app's copy stays valid. */
function ensureWebhookToken(file: string, token: string | undefined): void {
  if (token) {
    if (!existsSync(file) || readFileSync(file, "utf8") !== token) writeFileSync(file, token, { mode: 0o600 });
  } else if (!existsSync(file)) {
    writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600 });
  }
  chmodSync(file, 0o600);
}

/**
 * Writes `<prometheusDir>/prometheus.yml.rendered` and `<alertmanagerDir>/alertmanager.yml.rendered`;
 * start.sh compares them with the running configuration to decide whether to reload.
 */
export function renderConfigFiles(options: RenderOptions): RenderedFiles {
  mkdirSync(options.prometheusDir, { recursive: true });
  mkdirSync(options.alertmanagerDir, { recursive: true });
  const webhookTokenFile = path.join(options.alertmanagerDir, "webhook-token");
  ensureWebhookToken(webhookTokenFile, options.webhookToken);
  const prometheusConfig = path.join(options.prometheusDir, "prometheus.yml.rendered");
  const alertmanagerConfig = path.join(options.alertmanagerDir, "alertmanager.yml.rendered");
  writeFileSync(prometheusConfig, renderPrometheusConfig(options));
  writeFileSync(alertmanagerConfig, renderAlertmanagerConfig(options, webhookTokenFile));
  return { prometheusConfig, alertmanagerConfig, webhookTokenFile };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`render-config: ${name} is not set (scripts/prometheus/start.sh sets it)`);
  return value;
}

/** An empty variable means "no such job"; an unset one the default. */
function urlOrNull(name: string): string | null {
  const value = process.env[name];
  return value === undefined || value === "" ? null : value;
}

function optionsFromEnvironment(): RenderOptions {
  const scrapeIntervalSeconds = Number(required("SCRAPE_INTERVAL_SECONDS"));
  if (!(scrapeIntervalSeconds > 0)) throw new Error(`render-config: SCRAPE_INTERVAL_SECONDS must be a positive number, got ${process.env.SCRAPE_INTERVAL_SECONDS}`);
  const extraRuleFiles = (process.env.PROMETHEUS_EXTRA_RULE_FILES ?? "").split(":").filter(Boolean).map((file) => path.resolve(file));
  return {
    prometheusDir: required("PROMETHEUS_DIR"),
    alertmanagerDir: required("ALERTMANAGER_DIR"),
    prometheusPort: Number(required("PROMETHEUS_PORT")),
    alertmanagerPort: Number(required("ALERTMANAGER_PORT")),
    scrapeIntervalSeconds,
    ruleEvaluationIntervalSeconds: process.env.RULE_EVALUATION_INTERVAL_SECONDS ? Number(process.env.RULE_EVALUATION_INTERVAL_SECONDS) : undefined,
    simulatorMetricsUrl: urlOrNull("SIMULATOR_METRICS_URL"),
    appMetricsUrl: urlOrNull("APP_METRICS_URL"),
    extraRuleFiles,
    ...(process.env.PROMETHEUS_RULES_DIR ? { rulesDir: path.resolve(process.env.PROMETHEUS_RULES_DIR) } : {}),
    webhookUrl: required("ALERTMANAGER_WEBHOOK_URL"),
    webhookToken: process.env.ALERTMANAGER_WEBHOOK_TOKEN || undefined,
    groupWait: process.env.ALERTMANAGER_GROUP_WAIT || undefined,
    groupInterval: process.env.ALERTMANAGER_GROUP_INTERVAL || undefined,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  try {
    const files = renderConfigFiles(optionsFromEnvironment());
    console.log(JSON.stringify(files));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
