// Alertmanager's webhook on a real PostgreSQL: refusals that store nothing, idempotent
// redelivery, firing → resolved, resources linked from labels, and what the alerts procedures
// show of it (grouping, permissions, live events with catch-up).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../server/auth/principal";
import type { AlertStoreDeps } from "../../server/alerts/store";
import type { WebhookDeps } from "../../server/alerts/webhook";
import { db } from "../../server/db/client";
import { DEFAULT_ALERT_LABEL_NAMES } from "../../server/domain/alerts/resource";
import type { InProcessEventBus, LiveEvent } from "../../server/events/bus";
import { alertsCaller, alertsRuntime, deliver, recordingEventBus, trackedEvent, uniqueSuffix, webhookAlert, webhookPayload, webhookRequest } from "../helpers/alerts";
import { createTestUser } from "../helpers/users";
import { receiveAlertmanagerWebhook } from "../../server/alerts/webhook";

const TOKEN = "webhook-test-token-0123456789";
const MAX_BYTES = 64 * 1024;

let events: InProcessEventBus;
let published: LiveEvent[];
let storeOpened: number;
let deps: WebhookDeps;

beforeAll(() => {
  ({ events, published } = recordingEventBus());
  storeOpened = 0;
  const store: AlertStoreDeps & { fallbackEnvironment: string } = { db, events, labels: DEFAULT_ALERT_LABEL_NAMES, fallbackEnvironment: "demo" };
  deps = {
    token: TOKEN,
    maxBytes: MAX_BYTES,
    store: async () => {
      storeOpened++;
      return store;
    },
  };
});

afterAll(async () => {
  await events?.close();
});

/** What a refused delivery must not have changed. */
async function snapshot() {
  return { alerts: await db.alert.count(), transitions: await db.alertTransition.count(), events: published.length, storeOpened };
}

function lagAlert(suffix: string, overrides: Partial<Parameters<typeof webhookAlert>[0]> = {}) {
  return webhookAlert({
    labels: { alertname: "KafkaConsumerLagGrowing", environment: "demo", region: "eu-west-1", cluster: "events", consumergroup: `billing-${suffix}`, topic: "orders", severity: "warning", resource_kind: "consumer_group" },
    ...overrides,
  });
}

describe("refused deliveries change nothing", () => {
  it("401 without the token, with a wrong one, or another scheme; the body is not even read", async () => {
    const before = await snapshot();
    const payload = webhookPayload([lagAlert(uniqueSuffix())]);
    for (const token of [null, "wrong-token-0123456789", `${TOKEN}x`, TOKEN.slice(0, -1)]) {
      const response = await deliver(deps, payload, token);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect((await response.json()).error).toMatch(/Authorization: Bearer/);
    }
    const basic = await receiveAlertmanagerWebhook(webhookRequest(JSON.stringify(payload), { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}` }), deps);
    expect(basic.status).toBe(401);
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new TextEncoder().encode("{"));
      },
    });
    expect((await receiveAlertmanagerWebhook(webhookRequest(body, {}), deps)).status).toBe(401);
    expect(pulled).toBeLessThanOrEqual(1);
    expect(await snapshot()).toEqual(before);
  });

  it("503 when no token is configured, so Alertmanager retries once it is", async () => {
    const before = await snapshot();
    const response = await deliver({ ...deps, token: undefined }, webhookPayload([lagAlert(uniqueSuffix())]), TOKEN);
    expect(response.status).toBe(503);
    expect((await response.json()).error).toMatch(/ALERTMANAGER_WEBHOOK_TOKEN/);
    expect(await snapshot()).toEqual(before);
  });

  it("413 for a body over the limit, whether its length is declared or it comes in chunks", async () => {
    const before = await snapshot();
    const huge = JSON.stringify(webhookPayload([lagAlert(uniqueSuffix(), { annotations: { description: "x".repeat(MAX_BYTES) } })]));
    const declared = await receiveAlertmanagerWebhook(webhookRequest(huge, { authorization: `Bearer ${TOKEN}`, "content-length": String(huge.length) }), deps);
    expect(declared.status).toBe(413);
    // A chunked body declares no length; reading stops at the limit.
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new TextEncoder().encode("x".repeat(16 * 1024)));
      },
    });
    const chunked = await receiveAlertmanagerWebhook(webhookRequest(endless, { authorization: `Bearer ${TOKEN}` }), deps);
    expect(chunked.status).toBe(413);
    expect((await chunked.json()).error).toContain(String(MAX_BYTES));
    expect(pulled).toBeLessThan(10);
    expect(await snapshot()).toEqual(before);
  });

  it("400 for what is not a version 4 payload within bounds, naming the problem", async () => {
    const before = await snapshot();
    const valid = webhookPayload([lagAlert(uniqueSuffix())]);
    const cases: [BodyInit, RegExp][] = [
      ["{not json", /not valid JSON/],
      [new Blob([new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])]), /not UTF-8/],
      [JSON.stringify({ ...valid, version: "3" }), /version "3" is not supported/],
      [JSON.stringify({ ...valid, alerts: "none" }), /alerts/],
      [JSON.stringify({ ...valid, alerts: [{ ...valid.alerts[0], startsAt: "yesterday" }] }), /alerts\.0\.startsAt: must be an RFC 3339 time/],
      [JSON.stringify({ ...valid, alerts: [{ ...valid.alerts[0], status: "pending" }] }), /alerts\.0\.status/],
      [JSON.stringify({ ...valid, alerts: [{ ...valid.alerts[0], labels: { ...valid.alerts[0]!.labels, huge: "y".repeat(5000) } }] }), /label values are at most 4096/],
      [JSON.stringify({ ...valid, alerts: [{ ...valid.alerts[0], labels: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`l${i}`, "v"])) }] }), /at most 128 labels/],
      [JSON.stringify({ ...valid, alerts: [{ ...valid.alerts[0], fingerprint: "not-hex" }] }), /fingerprint: must be hexadecimal/],
      [JSON.stringify([valid]), /payload/],
    ];
    for (const [body, problem] of cases) {
      const request = new Request("http://scaleplane.test/api/alerts/alertmanager", { method: "POST", headers: { authorization: `Bearer ${TOKEN}` }, body });
      const response = await receiveAlertmanagerWebhook(request, deps);
      expect(response.status, String(problem)).toBe(400);
      expect((await response.json()).error).toMatch(problem);
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe("stored by fingerprint", () => {
  it("stores a firing alert once, linked to its consumer group; a redelivery moves only 'last received'", async () => {
    const alert = lagAlert(uniqueSuffix());
    const eventsBefore = published.length;
    const first = await deliver(deps, webhookPayload([alert]), TOKEN);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: 1, changed: 1 });
    const stored = await db.alert.findUniqueOrThrow({ where: { fingerprint: alert.fingerprint } });
    expect(stored).toMatchObject({
      alertname: "KafkaConsumerLagGrowing",
      status: "firing",
      severity: "warning",
      startsAt: new Date(alert.startsAt),
      endsAt: null,
      source: "webhook",
      environment: "demo",
      region: "eu-west-1",
      resourceKind: "consumerGroup",
      resourceCluster: "events",
      resourceNamespace: null,
      resourceName: alert.labels.consumergroup,
      labels: alert.labels,
      annotations: alert.annotations,
      generatorUrl: alert.generatorURL,
    });
    expect(published.slice(eventsBefore)).toEqual([expect.objectContaining({ type: "alert.changed", fingerprint: alert.fingerprint, change: "created", status: "firing", resourceKind: "consumerGroup", cluster: "events" })]);

    await new Promise((resolve) => setTimeout(resolve, 5));
    for (let i = 0; i < 3; i++) {
      const again = await deliver(deps, webhookPayload([alert]), TOKEN);
      expect(await again.json()).toEqual({ received: 1, changed: 0 });
    }
    const after = await db.alert.findUniqueOrThrow({ where: { fingerprint: alert.fingerprint } });
    const { lastReceivedAt: firstReceived, updatedAt: _u1, ...firstRest } = stored;
    const { lastReceivedAt: lastReceived, updatedAt: _u2, ...afterRest } = after;
    expect(afterRest).toEqual(firstRest);
    expect(lastReceived.getTime()).toBeGreaterThan(firstReceived.getTime());
    expect(await db.alertTransition.count({ where: { fingerprint: alert.fingerprint } })).toBe(1);
    expect(published.length).toBe(eventsBefore + 1);
  });

  it("records firing → resolved and resolved → firing as transitions, each published once", async () => {
    const suffix = uniqueSuffix();
    const firing = lagAlert(suffix);
    await deliver(deps, webhookPayload([firing]), TOKEN);
    const eventsBefore = published.length;
    const resolved = lagAlert(suffix, { status: "resolved", endsAt: "2026-11-27T10:10:00.000Z" });
    expect(await (await deliver(deps, webhookPayload([resolved]), TOKEN)).json()).toEqual({ received: 1, changed: 1 });
    expect(await (await deliver(deps, webhookPayload([resolved]), TOKEN)).json()).toEqual({ received: 1, changed: 0 });
    expect(await db.alert.findUniqueOrThrow({ where: { fingerprint: firing.fingerprint } })).toMatchObject({ status: "resolved", endsAt: new Date("2026-11-27T10:10:00.000Z") });

    const again = lagAlert(suffix, { startsAt: "2026-11-27T11:00:00.000Z" });
    expect(await (await deliver(deps, webhookPayload([again]), TOKEN)).json()).toEqual({ received: 1, changed: 1 });
    // A late copy of the first episode's notifications (a retry, an HA peer's) changes nothing.
    expect(await (await deliver(deps, webhookPayload([resolved]), TOKEN)).json()).toEqual({ received: 1, changed: 0 });
    expect(await db.alert.findUniqueOrThrow({ where: { fingerprint: firing.fingerprint } })).toMatchObject({ status: "firing", startsAt: new Date("2026-11-27T11:00:00.000Z"), endsAt: null });
    const transitions = await db.alertTransition.findMany({ where: { fingerprint: firing.fingerprint }, orderBy: { id: "asc" } });
    expect(transitions.map(({ from, to, at, source }) => ({ from, to, at: at.toISOString(), source }))).toEqual([
      { from: null, to: "firing", at: "2026-11-27T10:00:00.000Z", source: "webhook" },
      { from: "firing", to: "resolved", at: "2026-11-27T10:10:00.000Z", source: "webhook" },
      { from: "resolved", to: "firing", at: "2026-11-27T11:00:00.000Z", source: "webhook" },
    ]);
    expect(published.slice(eventsBefore).map((event) => (event.type === "alert.changed" ? event.change : event.type))).toEqual(["resolved", "fired"]);
  });

  it("links each alert of a delivery to the resource its labels name", async () => {
    const suffix = uniqueSuffix();
    const alerts = [
      webhookAlert({ labels: { alertname: "ServiceHighErrorRatio", environment: "demo", region: "us-east-1", service_namespace: "checkout", service_name: `cart-${suffix}`, severity: "critical", resource_kind: "service" } }),
      webhookAlert({ labels: { alertname: "DeploymentNoReplicaAvailable", environment: "demo", region: "eu-west-1", namespace: "catalog", deployment: `search-${suffix}`, severity: "critical", resource_kind: "deployment" } }),
      webhookAlert({ labels: { alertname: "RedisInstanceDown", environment: "demo", region: "eu-west-1", cluster: `cache-${suffix}`, pod: "cache-1", severity: "critical", resource_kind: "cache" } }),
      // No environment label: the only configured environment's; no resource named.
      webhookAlert({ labels: { alertname: "ScrapeTargetDown", job: `job-${suffix}`, instance: "10.0.0.1:9100", severity: "warning" } }),
    ];
    expect((await deliver(deps, webhookPayload(alerts), TOKEN)).status).toBe(200);
    const rows = await db.alert.findMany({ where: { fingerprint: { in: alerts.map((alert) => alert.fingerprint) } } });
    const byName = Object.fromEntries(rows.map((row) => [row.alertname, [row.environment, row.resourceKind, row.resourceNamespace, row.resourceCluster, row.resourceName]]));
    expect(byName).toEqual({
      ServiceHighErrorRatio: ["demo", "service", "checkout", null, `cart-${suffix}`],
      DeploymentNoReplicaAvailable: ["demo", "service", "catalog", null, `search-${suffix}`],
      RedisInstanceDown: ["demo", "cache", null, `cache-${suffix}`, `cache-${suffix}`],
      ScrapeTargetDown: ["demo", null, null, null, null],
    });
  });

  it("stores unknown labels safely: NUL, unpaired surrogates and any names become storable text", async () => {
    const suffix = uniqueSuffix();
    const labels = { alertname: `Odd${suffix}`, environment: "demo", "weird.name/with spaces": "a\u0000b", lone: "x\ud800y", emoji: "🔥", ["é".repeat(3)]: "ok" };
    const alert = webhookAlert({ labels, annotations: { "": "empty names are refused", note: "n\u0000" } });
    const refused = await deliver(deps, webhookPayload([alert]), TOKEN);
    expect(refused.status).toBe(400);
    const accepted = webhookAlert({ labels, annotations: { note: "n\u0000" } });
    const response = await deliver(deps, webhookPayload([accepted]), TOKEN);
    expect(response.status).toBe(200);
    const row = await db.alert.findUniqueOrThrow({ where: { fingerprint: accepted.fingerprint } });
    expect(row.labels).toMatchObject({ "weird.name/with spaces": "a\uFFFDb", lone: "x\uFFFDy", emoji: "🔥", ééé: "ok" });
    expect(row.annotations).toEqual({ note: "n\uFFFD" });
  });

  it("computes the fingerprint from the labels when a sender gives none", async () => {
    const alert = lagAlert(uniqueSuffix());
    const { fingerprint, ...withoutFingerprint } = alert;
    expect((await deliver(deps, webhookPayload([withoutFingerprint as typeof alert]), TOKEN)).status).toBe(200);
    expect(await db.alert.findUnique({ where: { fingerprint } })).not.toBeNull();
  });

  it("stores an alert delivered by ten senders at once exactly once (an HA pair, retries)", async () => {
    const alert = lagAlert(uniqueSuffix());
    const eventsBefore = published.length;
    const answers = await Promise.all(Array.from({ length: 10 }, () => deliver(deps, webhookPayload([alert]), TOKEN)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    const changed = await Promise.all(answers.map(async (answer) => (await answer.json()).changed as number));
    expect(changed.reduce((sum, count) => sum + count, 0)).toBe(1);
    expect(await db.alertTransition.count({ where: { fingerprint: alert.fingerprint } })).toBe(1);
    expect(published.length).toBe(eventsBefore + 1);

    const resolved = { ...alert, status: "resolved" as const, endsAt: "2026-11-27T10:10:00.000Z" };
    const resolutions = await Promise.all(Array.from({ length: 10 }, () => deliver(deps, webhookPayload([resolved]), TOKEN)));
    const resolvedCounts = await Promise.all(resolutions.map(async (answer) => (await answer.json()).changed as number));
    expect(resolvedCounts.reduce((sum, count) => sum + count, 0)).toBe(1);
    expect(await db.alertTransition.count({ where: { fingerprint: alert.fingerprint } })).toBe(2);
    expect(published.length).toBe(eventsBefore + 2);
  });
});

describe("the alerts procedures", () => {
  let viewer: Principal;
  let checkoutViewer: Principal;
  let catalogViewer: Principal;
  let suffix: string;

  beforeAll(async () => {
    [viewer, checkoutViewer, catalogViewer] = await Promise.all([
      createTestUser(db, "viewer"),
      createTestUser(db, "viewer", { environment: "demo", namespace: `checkout-${"x"}` }),
      createTestUser(db, "viewer", { environment: "demo", namespace: "catalog" }),
    ]);
    suffix = uniqueSuffix();
  });

  // The checkout alerts fire longer: their group comes first at equal severity.
  const serviceAlert = (namespace: string, pod: string, status: "firing" | "resolved" = "firing") =>
    webhookAlert({
      status,
      startsAt: namespace === "catalog" ? "2026-11-27T10:05:00.000Z" : "2026-11-27T10:00:00.000Z",
      labels: { alertname: `ListTest${suffix}`, environment: "demo", region: "eu-west-1", service_namespace: namespace, service_name: "api", pod, severity: "critical", resource_kind: "service" },
    });

  it("groups alerts by rule and resource and leaves out what the caller may not see", async () => {
    await deliver(deps, webhookPayload([serviceAlert("checkout-x", "api-1"), serviceAlert("checkout-x", "api-2"), serviceAlert("catalog", "api-1"), serviceAlert("checkout-x", "api-3", "resolved")]), TOKEN);
    const runtime = alertsRuntime(events);
    const all = await alertsCaller(db, runtime, viewer).alerts.list({ status: "all", resource: { kind: "service", name: "api" } });
    const mine = all.groups.filter((group) => group.alertname === `ListTest${suffix}`);
    expect(mine.map((group) => [group.resource?.namespace, group.firing, group.resolved])).toEqual([
      ["checkout-x", 2, 1],
      ["catalog", 1, 0],
    ]);
    const firingOnly = await alertsCaller(db, runtime, checkoutViewer).alerts.list({ resource: { name: "api" } });
    expect(firingOnly.groups.filter((group) => group.alertname === `ListTest${suffix}`).map((group) => [group.resource?.namespace, group.firing, group.resolved])).toEqual([["checkout-x", 2, 0]]);
    const bySeverity = await alertsCaller(db, runtime, viewer).alerts.list({ severity: ["warning"], resource: { name: "api" } });
    expect(bySeverity.groups.filter((group) => group.alertname === `ListTest${suffix}`)).toEqual([]);

    const fingerprint = serviceAlert("catalog", "api-1").fingerprint;
    const detail = await alertsCaller(db, runtime, catalogViewer).alerts.get({ fingerprint });
    expect(detail).toMatchObject({ status: "firing", resource: { kind: "service", namespace: "catalog", name: "api" }, canSilence: false, transitions: [{ from: null, to: "firing" }] });
    await expect(alertsCaller(db, runtime, checkoutViewer).alerts.get({ fingerprint })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(alertsCaller(db, runtime, viewer).alerts.get({ fingerprint: "0000000000000000" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("sends live changes the caller may see, and catches up after a reconnect", async () => {
    const runtime = alertsRuntime(events);
    const controller = new AbortController();
    const received: LiveEvent[] = [];
    const ids: string[] = [];
    const subscription = await alertsCaller(db, runtime, catalogViewer, controller.signal).alerts.onChange();
    const reading = (async () => {
      for await (const envelope of subscription) {
        const { id, data } = trackedEvent(envelope);
        ids.push(id);
        received.push(data);
        if (received.length === 1) controller.abort();
      }
    })();
    const live = uniqueSuffix();
    await deliver(deps, webhookPayload([webhookAlert({ labels: { alertname: `Live${live}`, environment: "demo", service_namespace: "checkout-x", service_name: "api", resource_kind: "service" } })]), TOKEN);
    await deliver(deps, webhookPayload([webhookAlert({ labels: { alertname: `Live${live}`, environment: "demo", service_namespace: "catalog", service_name: "api", resource_kind: "service" } })]), TOKEN);
    await reading;
    expect(received).toEqual([expect.objectContaining({ type: "alert.changed", alertname: `Live${live}`, namespace: "catalog" })]);

    // Missed while disconnected: delivered on reconnect with the last id seen.
    const missed = uniqueSuffix();
    await deliver(deps, webhookPayload([webhookAlert({ labels: { alertname: `Missed${missed}`, environment: "demo", service_namespace: "catalog", service_name: "api", resource_kind: "service" } })]), TOKEN);
    const again = new AbortController();
    const resumed = await alertsCaller(db, runtime, catalogViewer, again.signal).alerts.onChange({ lastEventId: ids[0] });
    for await (const envelope of resumed) {
      expect(trackedEvent(envelope).data).toMatchObject({ type: "alert.changed", alertname: `Missed${missed}` });
      again.abort();
    }
  });
});
