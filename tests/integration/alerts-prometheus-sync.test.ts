// Prometheus as the second source of alerts, against a real Prometheus evaluating a rule over
// a series this test controls, with its real Alertmanager: alerts whose webhook deliveries were
// lost are created and resolved from Prometheus's own list, under the fingerprint Alertmanager
// uses, and alerts that were delivered are not duplicated.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrometheusAlertSource } from "../../server/adapters/alertmanager/from-config";
import { PrometheusAlertsReader } from "../../server/adapters/alertmanager/prometheus-alerts";
import { reconcileWithPrometheus, startAlertSync } from "../../server/alerts/reconcile";
import type { AlertStoreDeps } from "../../server/alerts/store";
import type { WebhookDeps } from "../../server/alerts/webhook";
import { validateConfig } from "../../server/config";
import { db } from "../../server/db/client";
import { DEFAULT_ALERT_LABEL_NAMES } from "../../server/domain/alerts/resource";
import { expressionOfGeneratorUrl } from "../../server/domain/alerts/threshold";
import type { InProcessEventBus, LiveEvent } from "../../server/events/bus";
import { recordingEventBus, serveWebhook, uniqueSuffix, type WebhookServer } from "../helpers/alerts";
import { alertmanagerAlerts, startTestAlerting, type TestAlerting } from "../helpers/alertmanager";
import { serveExposition, waitUntil, type TestServer } from "../helpers/prometheus";

const ROOT = path.resolve(import.meta.dirname, "../..");
const TOKEN = "sync-test-token-0123456789";
const suffix = uniqueSuffix();
// A region of its own: reconciling resolves only the alerts of the regions it reads.
const REGION = `sync-${suffix}`;
const ALERT = `SyncTestLag${suffix}`;
const rulesFile = path.join(ROOT, ".tmp/prometheus-tests", `sync-rules-${process.pid}-${suffix}.yml`);

const lag = new Map<string, number>();
let exposition: TestServer & { metricsUrl: string };
let webhook: WebhookServer;
let webhookDeps: WebhookDeps;
let alerting: TestAlerting;
let events: InProcessEventBus;
let published: LiveEvent[];
let store: AlertStoreDeps;
let source: PrometheusAlertSource;

function render(): string {
  const lines = ["# TYPE sync_test_lag gauge"];
  for (const [group, value] of lag) lines.push(`sync_test_lag{region="${REGION}",cluster="events",consumergroup="${group}"} ${value}`);
  return `${lines.join("\n")}\n`;
}

beforeAll(async () => {
  ({ events, published } = recordingEventBus());
  store = { db, events, labels: DEFAULT_ALERT_LABEL_NAMES };
  webhookDeps = { token: TOKEN, maxBytes: 1024 * 1024, store: async () => ({ ...store, fallbackEnvironment: "demo" }) };
  webhook = await serveWebhook(webhookDeps);
  exposition = await serveExposition(render);
  mkdirSync(path.dirname(rulesFile), { recursive: true });
  writeFileSync(
    rulesFile,
    [
      "groups:",
      "  - name: sync-test",
      "    rules:",
      `      - alert: ${ALERT}`,
      "        expr: sync_test_lag > 0",
      "        for: 2s",
      "        labels: { severity: warning, resource_kind: consumer_group }",
      '        annotations: { summary: "lag {{ $value }}" }',
      "",
    ].join("\n"),
  );
  alerting = await startTestAlerting({ scrapeUrl: exposition.metricsUrl, extraRuleFiles: [rulesFile], webhookUrl: webhook.url, webhookToken: TOKEN });
  source = { environment: "demo", regions: [REGION], reader: new PrometheusAlertsReader({ url: alerting.prometheusUrl, timeoutMs: 5000 }) };
});

afterAll(async () => {
  await alerting?.stop();
  await webhook?.close();
  await exposition?.close();
  await events?.close();
  rmSync(rulesFile, { force: true });
});

async function prometheusFires(group: string, firing: boolean) {
  await waitUntil(
    async () => {
      const alerts = await source.reader.alerts();
      const listed = alerts.some((alert) => alert.labels.consumergroup === group && alert.state === "firing");
      return listed === firing;
    },
    20_000,
    `Prometheus to ${firing ? "fire" : "stop firing"} for ${group}`,
  );
}

function alertOf(group: string) {
  return db.alert.findFirst({ where: { alertname: ALERT, resourceName: group } });
}

describe("reading Prometheus's alerts", () => {
  it("lists its alerting rules with their `for`, and no external labels here", async () => {
    const rules = await source.reader.rules();
    expect(rules.find((rule) => rule.name === ALERT)).toMatchObject({ group: "sync-test", query: "sync_test_lag > 0", durationSeconds: 2, labels: { severity: "warning" } });
    expect(rules.map((rule) => rule.name)).toContain("KafkaConsumerLagGrowing");
    expect(await source.reader.externalLabels()).toEqual({});
  });

  it("creates and resolves an alert whose deliveries were lost, under Alertmanager's fingerprint", async () => {
    webhookDeps.token = "a-token-alertmanager-does-not-have";
    const group = `missed-${suffix}`;
    lag.set(group, 5);
    await prometheusFires(group, true);
    const [fromAlertmanager] = await waitUntil(async () => {
      const held = (await alertmanagerAlerts(alerting.alertmanagerUrl)).filter((alert) => alert.labels.consumergroup === group);
      return held.length > 0 && held;
    }, 20_000, "Alertmanager to hold the alert");
    expect(await alertOf(group)).toBeNull();

    const first = await reconcileWithPrometheus(store, source);
    expect(first.changed).toBe(1);
    const created = await alertOf(group);
    expect(created).toMatchObject({
      fingerprint: fromAlertmanager!.fingerprint,
      status: "firing",
      source: "prometheus",
      environment: "demo",
      region: REGION,
      resourceKind: "consumerGroup",
      resourceCluster: "events",
      resourceName: group,
    });
    // The generator URL Prometheus gave the lost delivery names the expression ours names, so the threshold is drawn alike.
    const delivered = fromAlertmanager as unknown as { generatorURL: string };
    expect(expressionOfGeneratorUrl(delivered.generatorURL)).toBe("sync_test_lag > 0");
    expect(expressionOfGeneratorUrl(created?.generatorUrl)).toBe(expressionOfGeneratorUrl(delivered.generatorURL));
    expect(created?.generatorUrl?.startsWith(`${alerting.prometheusUrl}/graph?`)).toBe(true);
    const eventsBefore = published.length;
    expect((await reconcileWithPrometheus(store, source)).changed).toBe(0);
    expect(published.length).toBe(eventsBefore);

    lag.set(group, 0);
    await prometheusFires(group, false);
    expect((await reconcileWithPrometheus(store, source)).changed).toBe(1);
    const resolved = await db.alert.findUniqueOrThrow({ where: { fingerprint: created!.fingerprint }, include: { transitions: { orderBy: { id: "asc" } } } });
    expect(resolved.status).toBe("resolved");
    expect(resolved.transitions.map((transition) => [transition.from, transition.to, transition.source])).toEqual([
      [null, "firing", "prometheus"],
      ["firing", "resolved", "prometheus"],
    ]);
    expect(published.slice(eventsBefore)).toEqual([expect.objectContaining({ type: "alert.changed", fingerprint: created!.fingerprint, change: "resolved" })]);
    webhookDeps.token = TOKEN;
  });

  it("agrees with the webhook: a delivered alert is matched, not duplicated, and the webhook resolves it", async () => {
    const group = `delivered-${suffix}`;
    lag.set(group, 3);
    const delivered = await waitUntil(() => alertOf(group), 30_000, "the webhook delivery");
    expect(delivered.source).toBe("webhook");
    await prometheusFires(group, true);
    await reconcileWithPrometheus(store, source);
    expect(await db.alert.count({ where: { alertname: ALERT, resourceName: group } })).toBe(1);
    expect(await db.alertTransition.count({ where: { fingerprint: delivered.fingerprint } })).toBe(1);

    lag.set(group, 0);
    const resolved = await waitUntil(async () => {
      const row = await db.alert.findUniqueOrThrow({ where: { fingerprint: delivered.fingerprint } });
      return row.status === "resolved" ? row : null;
    }, 30_000, "the webhook's resolved delivery");
    expect(resolved.source).toBe("webhook");
  });

  it("leaves alone alerts of other regions and of rules it does not have; the sync round prunes old resolved alerts", async () => {
    const outside = { fingerprint: `feed${suffix}0001`, alertname: ALERT, status: "firing" as const, severity: "warning", labels: { alertname: ALERT, region: "eu-west-1" }, annotations: {}, startsAt: new Date(), lastReceivedAt: new Date(0), source: "webhook" as const, environment: "demo", region: "eu-west-1" };
    const foreignRule = { ...outside, fingerprint: `feed${suffix}0002`, alertname: `NotARule${suffix}`, labels: { alertname: `NotARule${suffix}`, region: REGION }, region: REGION };
    const old = { ...outside, fingerprint: `feed${suffix}0003`, status: "resolved" as const, endsAt: new Date(Date.now() - 40 * 86_400_000), region: REGION };
    await db.alert.createMany({ data: [outside, foreignRule, old] });
    const sync = startAlertSync({ store, config: validateConfig({ version: 1, alerts: { prometheusSyncSeconds: 0 }, environments: { demo: { source: "simulator", regions: { [REGION]: {} } } } }, "test"), sources: [source] });
    const results = await sync.runOnce();
    await sync.stop();
    expect(results).toEqual([expect.objectContaining({ prometheus: alerting.prometheusUrl })]);
    const statuses = await db.alert.findMany({ where: { fingerprint: { in: [outside.fingerprint, foreignRule.fingerprint, old.fingerprint] } }, select: { fingerprint: true, status: true } });
    expect(Object.fromEntries(statuses.map((row) => [row.fingerprint, row.status]))).toEqual({ [outside.fingerprint]: "firing", [foreignRule.fingerprint]: "firing" });
  });
});
