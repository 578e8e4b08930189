// Suggested actions for alerts, through alerts.forResource over the real fleet simulator and
// PostgreSQL: an incident in the simulator, the alert a rule would fire for it delivered by the
// webhook, and the suggestion's parameters worked out from the figures the simulator reports.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Principal } from "../../server/auth/principal";
import type { AlertStoreDeps } from "../../server/alerts/store";
import type { WebhookDeps } from "../../server/alerts/webhook";
import { db } from "../../server/db/client";
import { DEFAULT_ALERT_LABEL_NAMES } from "../../server/domain/alerts/resource";
import { PRODUCTION_HEADROOM } from "../../server/domain/consumer-scaling";
import { DRAIN_TARGET_SECONDS } from "../../server/domain/runbooks";
import { createCaller } from "../../server/routers";
import type { Runtime } from "../../server/runtime";
import { deliver, uniqueSuffix, webhookAlert, webhookPayload } from "../helpers/alerts";
import { startTestRuntime, TEST_ENVIRONMENT, type TestRuntime } from "../helpers/runtime";
import { createTestUser } from "../helpers/users";

const TOKEN = "suggestions-test-token-0123456789";

let runtime: TestRuntime;
let webhook: WebhookDeps;
let operator: Principal;
let viewer: Principal;
let otherTeam: Principal;

beforeAll(async () => {
  runtime = await startTestRuntime({ db, databaseUrl: inject("databaseUrl"), workers: false });
  const store: AlertStoreDeps & { fallbackEnvironment: string } = { db, events: runtime.events, labels: DEFAULT_ALERT_LABEL_NAMES, fallbackEnvironment: TEST_ENVIRONMENT };
  webhook = { token: TOKEN, maxBytes: 1024 * 1024, store: async () => store };
  [operator, viewer, otherTeam] = await Promise.all([
    createTestUser(db, "operator"),
    createTestUser(db, "viewer"),
    createTestUser(db, "operator", { environment: TEST_ENVIRONMENT, namespace: "catalog" }),
  ]);
});

afterAll(async () => {
  await runtime?.stop();
});

const as = (principal: Principal, on: Runtime = runtime) => createCaller({ db, principal, runtime: async () => on });

/** Simulated seconds, one tick each (the test runtime's fleet does not tick by itself). */
function run(seconds: number) {
  for (let i = 0; i < seconds; i++) runtime.fleet.tick(runtime.fleet.now + 1000);
}

/** As Prometheus links an alert to its rule: the expression in `g0.expr`. */
const generatorUrl = (expression: string) => `http://prometheus.test/graph?g0.expr=${encodeURIComponent(expression)}&g0.tab=1`;

async function fire(labels: Record<string, string>, expression: string, status: "firing" | "resolved" = "firing") {
  const alert = { ...webhookAlert({ labels: { environment: TEST_ENVIRONMENT, ...labels }, status }), generatorURL: generatorUrl(expression) };
  const response = await deliver(webhook, webhookPayload([alert]), TOKEN);
  expect(response.status).toBe(200);
  return alert.fingerprint;
}

const LAG_EXPRESSION = "min_over_time(deriv(scaleplane:kafka_consumergroup_lag:sum[1m])[5m:30s]) > 0 and scaleplane:kafka_consumergroup_lag:sum > 0";

describe("suggested actions from the resource's figures", () => {
  it("a slowed consumer: scale its deployment to keep up with production and drain the lag, N from the simulator's figures", async () => {
    const region = "eu-west-1";
    runtime.fleet.injectIncident({ scenario: "slow consumer", target: "order-fulfilment", region, durationSeconds: 3600 });
    run(180);

    // The figures, read the way an operator would, independently of the code under test.
    const group = (await runtime.metrics.consumerGroupLag(TEST_ENVIRONMENT)).value.find((g) => g.group === "order-fulfilment" && g.region === region)!;
    const topic = (await runtime.metrics.topics(TEST_ENVIRONMENT)).value.find((t) => t.topic === group.topic && t.region === region)!;
    const workload = (await runtime.workloads.getWorkload({ environment: TEST_ENVIRONMENT, namespace: group.deployment.namespace, name: group.deployment.name, region }))!;
    expect(group.totalLag).toBeGreaterThan(0);
    expect(topic.producedPerSecond).toBeGreaterThan(group.consumedPerSecond);
    const perReplica = group.consumedPerSecond / workload.desiredReplicas;
    // The fewest consumers that keep up with a margin and drain within the target, counting that a consumer
    // reads whole partitions: r consumers manage partitions × rate ÷ ceil(partitions / r).
    const needed = topic.producedPerSecond * PRODUCTION_HEADROOM + group.totalLag / DRAIN_TARGET_SECONDS;
    const counts = Array.from({ length: topic.partitions }, (_, index) => index + 1);
    const wanted = counts.find((r) => (topic.partitions * perReplica) / Math.ceil(topic.partitions / r) >= needed) ?? topic.partitions;
    const expected = Math.min(wanted, workload.maxReplicas, topic.partitions);
    expect(expected).toBeGreaterThan(workload.desiredReplicas);

    const fingerprint = await fire(
      { alertname: "KafkaConsumerLagGrowing", region, cluster: group.cluster, consumergroup: group.group, topic: group.topic, severity: "warning", resource_kind: "consumer_group", suffix: uniqueSuffix() },
      LAG_EXPRESSION,
    );
    const answer = await as(operator).alerts.forResource({ kinds: ["consumerGroup"], cluster: group.cluster, name: group.group, region });
    const alert = answer.alerts.find((candidate) => candidate.fingerprint === fingerprint);
    expect(alert?.status).toBe("firing");
    expect(alert?.suggestions).toEqual([
      {
        kind: "consumerGroup.scale",
        suggester: "scaleConsumer",
        params: { region, cluster: group.cluster, group: group.group, replicas: expected },
        rationale: expect.stringContaining(`needs ${expected}`),
      },
    ]);
    expect(alert?.suggestionsUnavailable).toBeNull();
    // The lag rule's condition is a trend, not a level: a threshold of the trend, no page figure to draw it on.
    expect(alert?.threshold).toMatchObject({ comparison: ">", value: 0, figure: null });
    expect(alert?.canSilence).toBe(true);
  });

  it("a hot service with an autoscaler: scale it as the autoscaler computes it, within its maximum", async () => {
    const region = "us-east-1";
    runtime.fleet.injectIncident({ scenario: "traffic spike", target: "checkout/payments", region, durationSeconds: 3600 });
    run(60);
    const hpa = (await runtime.metrics.autoscalers(TEST_ENVIRONMENT)).value.find((a) => a.namespace === "checkout" && a.name === "payments" && a.region === region)!;
    const expected = Math.min(Math.max(Math.ceil(hpa.currentReplicas * (hpa.cpuUtilisation / hpa.targetCpuUtilisation)), hpa.currentReplicas + 1), hpa.maxReplicas);
    expect(expected).toBeGreaterThan(hpa.currentReplicas);

    const fingerprint = await fire(
      { alertname: "ServiceLatencyP95OverSLO", region, service_namespace: "checkout", service_name: "payments", severity: "warning", resource_kind: "service", suffix: uniqueSuffix() },
      "scaleplane:http_server_request_duration_seconds:p95_2m > 0.5",
    );
    const answer = await as(operator).alerts.forResource({ kinds: ["service"], namespace: "checkout", name: "payments", region });
    const alert = answer.alerts.find((candidate) => candidate.fingerprint === fingerprint);
    expect(alert?.suggestions.map(({ kind, params }) => ({ kind, params }))).toEqual([
      { kind: "service.scale", params: { namespace: "checkout", service: "payments", region, replicas: expected } },
    ]);
    // 0.5 s on the rule's scale is 500 ms on the page's p95 chart.
    expect(alert?.threshold).toMatchObject({ comparison: ">", value: 0.5, figure: { name: "p95LatencyMs", scale: 1000 } });
  });

  it("a flushed cache: warm it from its first warm source", async () => {
    runtime.fleet.injectIncident({ scenario: "cache flush", target: "product-cache", region: "eu-west-1", durationSeconds: 600 });
    run(5);
    const fingerprint = await fire({ alertname: "RedisCacheHitRatioDrop", region: "eu-west-1", cluster: "product-cache", severity: "warning", resource_kind: "cache", suffix: uniqueSuffix() }, "scaleplane:redis_hit_ratio:rate2m < 0.8 * avg_over_time(scaleplane:redis_hit_ratio:rate2m[30m] offset 5m)");
    const alert = (await as(operator).alerts.forResource({ kinds: ["cache"], name: "product-cache", region: "eu-west-1" })).alerts.find((candidate) => candidate.fingerprint === fingerprint);
    expect(alert?.suggestions.map(({ kind, params }) => ({ kind, params }))).toEqual([{ kind: "cache.warm", params: { region: "eu-west-1", cache: "product-cache", source: "top-products" } }]);
    // Relative to its own past: no fixed line.
    expect(alert?.threshold).toBeNull();
  });

  it("says why there is no suggestion when the figures are not there, and suggests nothing for a resolved alert", async () => {
    const missing = await fire(
      { alertname: "KafkaConsumerLagGrowing", region: "eu-west-1", cluster: "events", consumergroup: "no-such-group", topic: "orders", severity: "warning", resource_kind: "consumer_group", suffix: uniqueSuffix() },
      LAG_EXPRESSION,
    );
    const [alert] = (await as(operator).alerts.forResource({ kinds: ["consumerGroup"], cluster: "events", name: "no-such-group" })).alerts;
    expect(alert?.fingerprint).toBe(missing);
    expect(alert?.suggestions).toEqual([]);
    expect(alert?.suggestionsUnavailable).toBe("no suggestion: consumer group no-such-group on orders has no figures on Kafka cluster events in eu-west-1");

    const labels = { alertname: "KafkaConsumerLagGrowing", region: "us-east-1", cluster: "events", consumergroup: "order-fulfilment", topic: "orders", severity: "warning", resource_kind: "consumer_group", suffix: uniqueSuffix() };
    const resolved = await fire(labels, LAG_EXPRESSION, "resolved");
    const listed = (await as(operator).alerts.forResource({ kinds: ["consumerGroup"], cluster: "events", name: "order-fulfilment", region: "us-east-1" })).alerts;
    const resolvedAlert = listed.find((candidate) => candidate.fingerprint === resolved);
    // Resolved on 2026-11-27 (the payload builder's time): older than the last hour, so not listed by default.
    expect(resolvedAlert).toBeUndefined();
    const withOld = await as(operator).alerts.forResource({ kinds: ["consumerGroup"], cluster: "events", name: "order-fulfilment", region: "us-east-1", resolvedWithinMinutes: 7 * 24 * 60 });
    const old = withOld.alerts.find((candidate) => candidate.fingerprint === resolved);
    expect(old?.status).toBe("resolved");
    expect(old?.suggestions).toEqual([]);
  });

  it("the configuration's runbooks replace the defaults", async () => {
    const silent = { ...runtime, config: { ...runtime.config, runbooks: [] } } as TestRuntime;
    const answer = await as(operator, silent).alerts.forResource({ kinds: ["consumerGroup"], cluster: "events", name: "order-fulfilment", region: "eu-west-1" });
    expect(answer.alerts.length).toBeGreaterThan(0);
    expect(answer.alerts.every((alert) => alert.suggestions.length === 0 && alert.suggestionsUnavailable === null)).toBe(true);

    const onlyCritical = { ...runtime, config: { ...runtime.config, runbooks: [{ alert: "KafkaConsumerLagGrowing", matchers: { severity: "critical" }, suggest: "scaleConsumer" as const }] } } as TestRuntime;
    const filtered = await as(operator, onlyCritical).alerts.forResource({ kinds: ["consumerGroup"], cluster: "events", name: "order-fulfilment", region: "eu-west-1" });
    expect(filtered.alerts.every((alert) => alert.suggestions.length === 0)).toBe(true);
  });
});

describe("who sees what", () => {
  it("a viewer sees the alerts and suggestions but may not silence; an operator of another namespace does not see a service's alerts", async () => {
    const region = "us-east-1";
    const forViewer = await as(viewer).alerts.forResource({ kinds: ["service"], namespace: "checkout", name: "payments", region });
    expect(forViewer.alerts.length).toBeGreaterThan(0);
    expect(forViewer.alerts.every((alert) => !alert.canSilence)).toBe(true);
    expect(forViewer.alerts.some((alert) => alert.suggestions.length > 0)).toBe(true);
    const forOtherTeam = await as(otherTeam).alerts.forResource({ kinds: ["service"], namespace: "checkout", name: "payments", region });
    expect(forOtherTeam.alerts).toEqual([]);
  });

  it("counts the firing alerts each caller may see, by severity", async () => {
    const everything = await as(operator).alerts.counts();
    const firing = await db.alert.count({ where: { status: "firing" } });
    expect(everything.firing).toBe(firing);
    expect(Object.values(everything.bySeverity).reduce((sum, count) => sum + count, 0)).toBe(firing);
    const catalogOnly = await as(otherTeam).alerts.counts();
    // Theirs: the environment's data systems and alerts naming no resource, and the catalog namespace's services.
    const rows = await db.alert.findMany({ where: { status: "firing" } });
    const theirs = rows.filter((row) => row.environment === TEST_ENVIRONMENT && (row.resourceKind !== "service" || row.resourceNamespace === "catalog"));
    expect(rows.some((row) => row.resourceKind === "service" && row.resourceNamespace === "checkout")).toBe(true);
    expect(catalogOnly.firing).toBe(theirs.length);
    expect(catalogOnly.firing).toBeLessThan(firing);
  });
});

describe("the list", () => {
  it("shows the silences made through Scaleplane that cover each alert now, and whether silencing is on", async () => {
    const suffix = uniqueSuffix();
    const covered = await fire({ alertname: "RedisInstanceDown", region: "eu-west-1", cluster: "session-cache", pod: `a-${suffix}`, severity: "critical", resource_kind: "cache" }, "redis_up == 0");
    const other = await fire({ alertname: "RedisInstanceDown", region: "eu-west-1", cluster: "session-cache", pod: `b-${suffix}`, severity: "critical", resource_kind: "cache" }, "redis_up == 0");
    const record = (id: string, endsAt: Date, expiredAt: Date | null = null) => ({
      id,
      matchers: [
        { name: "alertname", value: "RedisInstanceDown", isRegex: false, isEqual: true },
        { name: "pod", value: `a-${suffix}`, isRegex: false, isEqual: true },
      ],
      environment: TEST_ENVIRONMENT,
      namespace: "redis.session-cache",
      comment: "known",
      createdById: operator.id,
      createdByEmail: operator.email,
      startsAt: new Date(Date.now() - 60_000),
      endsAt,
      expiredAt,
    });
    await db.alertSilence.createMany({
      data: [record(`in-force-${suffix}`, new Date(Date.now() + 3_600_000)), record(`expired-${suffix}`, new Date(Date.now() + 3_600_000), new Date()), record(`ended-${suffix}`, new Date(Date.now() - 1000))],
    });
    const list = await as(operator).alerts.list({ resource: { kind: "cache", name: "session-cache" } });
    const alerts = list.groups.flatMap((group) => group.alerts);
    expect(alerts.find((alert) => alert.fingerprint === covered)?.silencedBy.map((silence) => silence.id)).toEqual([`in-force-${suffix}`]);
    expect(alerts.find((alert) => alert.fingerprint === other)?.silencedBy).toEqual([]);
    expect(list.silencing).toBe(false);
    const withAlertmanager = { ...runtime, config: { ...runtime.config, alerts: { ...runtime.config.alerts, alertmanager: { url: "http://127.0.0.1:9", timeoutSeconds: 1 } } } } as TestRuntime;
    expect((await as(operator, withAlertmanager).alerts.list({ resource: { kind: "cache" } })).silencing).toBe(true);
  });
});
