// Against a real Alertmanager (Debian's 0.25, started by the project's scripts): its webhook
// deliveries stored under its own fingerprints, firing then resolved; silences created and
// expired through the procedures as audited actions, scoped by what their matchers pin, and
// failing closed when the audit event cannot be written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../server/auth/principal";
import { AlertmanagerSilences } from "../../server/adapters/alertmanager/silences";
import { silenceAlerts, expireSilence } from "../../server/alerts/silences";
import { createDb, db, type Db } from "../../server/db/client";
import { labelSetFingerprint } from "../../server/domain/alerts/fingerprint";
import { DEFAULT_ALERT_LABEL_NAMES } from "../../server/domain/alerts/resource";
import type { InProcessEventBus, LiveEvent } from "../../server/events/bus";
import type { Runtime } from "../../server/runtime";
import { alertsCaller, alertsRuntime, recordingEventBus, serveWebhook, uniqueSuffix, type WebhookServer } from "../helpers/alerts";
import { alertmanagerAlerts, postAlertsToAlertmanager, startTestAlerting, type TestAlerting } from "../helpers/alertmanager";
import { createScratchDatabase, withClient, type ScratchDatabase } from "../helpers/databases";
import { freePort, waitUntil } from "../helpers/prometheus";
import { createTestUser } from "../helpers/users";

const TOKEN = "silences-test-token-0123456789";

let alerting: TestAlerting;
let webhook: WebhookServer;
let events: InProcessEventBus;
let published: LiveEvent[];
let runtime: Runtime;
let alertmanager: AlertmanagerSilences;
let checkoutOperator: Principal;
let catalogOperator: Principal;
let demoOperator: Principal;
let admin: Principal;
let viewer: Principal;

beforeAll(async () => {
  ({ events, published } = recordingEventBus());
  webhook = await serveWebhook({
    token: TOKEN,
    maxBytes: 1024 * 1024,
    store: async () => ({ db, events, labels: DEFAULT_ALERT_LABEL_NAMES, fallbackEnvironment: "demo" }),
  });
  alerting = await startTestAlerting({ webhookUrl: webhook.url, webhookToken: TOKEN });
  runtime = alertsRuntime(events, { alerts: { alertmanager: { url: alerting.alertmanagerUrl } } });
  alertmanager = new AlertmanagerSilences({ url: alerting.alertmanagerUrl, timeoutMs: 5000 });
  [checkoutOperator, catalogOperator, demoOperator, admin, viewer] = await Promise.all([
    createTestUser(db, "operator", { environment: "demo", namespace: "checkout" }),
    createTestUser(db, "operator", { environment: "demo", namespace: "catalog" }),
    createTestUser(db, "operator", { environment: "demo", namespace: "*" }),
    createTestUser(db, "admin"),
    createTestUser(db, "viewer"),
  ]);
});

afterAll(async () => {
  await alerting?.stop();
  await webhook?.close();
  await events?.close();
});

function cartAlertLabels(suffix: string, namespace = "checkout") {
  return { alertname: `SilenceTest${suffix}`, environment: "demo", region: "eu-west-1", service_namespace: namespace, service_name: "cart", severity: "critical", resource_kind: "service" };
}

/** Fires an alert in Alertmanager and waits until its webhook delivery is stored. */
async function fire(labels: Record<string, string>, endsAt?: Date) {
  await postAlertsToAlertmanager(alerting.alertmanagerUrl, [{ labels, annotations: { summary: "errors" }, ...(endsAt ? { endsAt: endsAt.toISOString() } : {}) }]);
  const fingerprint = labelSetFingerprint(labels);
  return waitUntil(() => db.alert.findUnique({ where: { fingerprint } }), 20_000, `the delivery of ${labels.alertname}`);
}

async function silencedBy(fingerprint: string): Promise<string[] | undefined> {
  return (await alertmanagerAlerts(alerting.alertmanagerUrl)).find((alert) => alert.fingerprint === fingerprint)?.status.silencedBy;
}

const auditOf = (silenceId: string, database: Db = db) =>
  database.auditEvent.findMany({ where: { targetId: silenceId }, orderBy: { seq: "asc" }, select: { action: true, actorEmail: true, details: true } });

describe("Alertmanager's webhook", () => {
  it("delivers alerts under the fingerprint Scaleplane computes from the labels, firing then resolved", async () => {
    const labels = { alertname: `Delivered${uniqueSuffix()}`, environment: "demo", region: "eu-west-1", cluster: "events", consumergroup: "billing", resource_kind: "consumer_group", severity: "warning" };
    const stored = await fire(labels, new Date(Date.now() + 3000));
    const [inAlertmanager] = (await alertmanagerAlerts(alerting.alertmanagerUrl)).filter((alert) => alert.labels.alertname === labels.alertname);
    expect(inAlertmanager?.fingerprint).toBe(stored.fingerprint);
    expect(stored).toMatchObject({ status: "firing", resourceKind: "consumerGroup", resourceCluster: "events", resourceName: "billing", source: "webhook" });
    const resolved = await waitUntil(async () => {
      const row = await db.alert.findUniqueOrThrow({ where: { fingerprint: stored.fingerprint } });
      return row.status === "resolved" ? row : null;
    }, 20_000, "the resolved delivery");
    expect(resolved.endsAt).not.toBeNull();
    const transitions = await db.alertTransition.findMany({ where: { fingerprint: stored.fingerprint }, orderBy: { id: "asc" } });
    expect(transitions.map((transition) => [transition.from, transition.to])).toEqual([
      [null, "firing"],
      ["firing", "resolved"],
    ]);
  });
});

describe("silences", () => {
  it("silence an alert in Alertmanager with its own labels, audited, for someone who may act on its service", async () => {
    const alert = await fire(cartAlertLabels(uniqueSuffix()));
    const caller = alertsCaller(db, runtime, checkoutOperator);
    const silence = await caller.alerts.silence({ fingerprint: alert.fingerprint, durationMinutes: 30, comment: "deploy in progress, errors expected" });
    expect(silence.scope).toEqual({ environment: "demo", namespace: "checkout" });
    expect(silence.endsAt.getTime() - silence.startsAt.getTime()).toBe(30 * 60_000);
    await waitUntil(async () => (await silencedBy(alert.fingerprint))?.includes(silence.id), 10_000, "Alertmanager to suppress the alert");
    const inAlertmanager = await alertmanager.get(silence.id);
    expect(inAlertmanager).toMatchObject({ state: "active", createdBy: checkoutOperator.email, comment: "deploy in progress, errors expected" });
    expect(inAlertmanager?.matchers).toHaveLength(Object.keys(alert.labels as object).length);
    expect(await db.alertSilence.findUniqueOrThrow({ where: { id: silence.id } })).toMatchObject({ alertFingerprint: alert.fingerprint, environment: "demo", namespace: "checkout", createdByEmail: checkoutOperator.email, expiredAt: null });
    expect(await auditOf(silence.id)).toEqual([expect.objectContaining({ action: "alert.silence", actorEmail: checkoutOperator.email, details: expect.objectContaining({ silenceId: silence.id, alertFingerprint: alert.fingerprint, durationMinutes: 30 }) })]);
    expect(published).toContainEqual(expect.objectContaining({ type: "silence.changed", silenceId: silence.id, state: "active" }));

    const detail = await caller.alerts.get({ fingerprint: alert.fingerprint });
    expect(detail.canSilence).toBe(true);
    expect(detail.silences.active.map((active) => active.id)).toContain(silence.id);
    expect(detail.silences.error).toBeNull();
  });

  it("expire it, audited once, and the alert notifies again", async () => {
    const alert = await fire(cartAlertLabels(uniqueSuffix()));
    const caller = alertsCaller(db, runtime, checkoutOperator);
    const silence = await caller.alerts.silence({ fingerprint: alert.fingerprint, durationMinutes: 60, comment: "investigating" });
    await waitUntil(async () => (await silencedBy(alert.fingerprint))?.includes(silence.id), 10_000, "the silence to apply");
    const expired = await caller.alerts.expireSilence({ silenceId: silence.id });
    expect((await alertmanager.get(silence.id))?.state).toBe("expired");
    await waitUntil(async () => (await silencedBy(alert.fingerprint))?.length === 0, 10_000, "the alert to be active again");
    expect(await db.alertSilence.findUniqueOrThrow({ where: { id: silence.id } })).toMatchObject({ expiredAt: expired.expiredAt, expiredByEmail: checkoutOperator.email });
    // Again: nothing more happens.
    await caller.alerts.expireSilence({ silenceId: silence.id });
    expect((await auditOf(silence.id)).map((event) => event.action)).toEqual(["alert.silence", "alert.expireSilence"]);
  });

  it("are refused to those who may not act on the resource, and to broad matchers without a broad grant, creating nothing", async () => {
    const alert = await fire(cartAlertLabels(uniqueSuffix()));
    const before = (await alertmanager.list()).length;
    await expect(alertsCaller(db, runtime, catalogOperator).alerts.silence({ fingerprint: alert.fingerprint, durationMinutes: 10, comment: "not mine" })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringContaining("demo/checkout"),
    });
    await expect(alertsCaller(db, runtime, viewer).alerts.silence({ fingerprint: alert.fingerprint, durationMinutes: 10, comment: "viewers cannot" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const byName = [{ name: "alertname", value: alert.alertname }];
    await expect(alertsCaller(db, runtime, checkoutOperator).alerts.silence({ fingerprint: alert.fingerprint, matchers: byName, durationMinutes: 10, comment: "every cart alert" })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringContaining("on */*"),
    });
    await expect(alertsCaller(db, runtime, demoOperator).alerts.silence({ matchers: byName, durationMinutes: 10, comment: "all environments" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      alertsCaller(db, runtime, checkoutOperator).alerts.silence({ fingerprint: alert.fingerprint, matchers: [{ name: "service_name", value: "payments" }, { name: "environment", value: "demo" }], durationMinutes: 10, comment: "wrong service" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining('service_name="payments" does not match') });
    await expect(alertsCaller(db, runtime, admin).alerts.silence({ matchers: [{ name: "alertname", value: ".*", isRegex: true }], durationMinutes: 10, comment: "everything" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect((await alertmanager.list()).length).toBe(before);

    // An environment-wide operator may pin the environment and a regular expression on the service.
    const regex = await alertsCaller(db, runtime, demoOperator).alerts.silence({
      fingerprint: alert.fingerprint,
      matchers: [{ name: "environment", value: "demo" }, { name: "alertname", value: alert.alertname }, { name: "service_name", value: "ca.*", isRegex: true }],
      durationMinutes: 10,
      comment: "cart and its canaries",
    });
    expect(regex.scope).toEqual({ environment: "demo", namespace: "*" });
    await waitUntil(async () => (await silencedBy(alert.fingerprint))?.includes(regex.id), 10_000, "the regex silence to apply");
  });

  it("expire one made outside Scaleplane for whoever may act where its matchers reach", async () => {
    const suffix = uniqueSuffix();
    const now = new Date();
    const id = await alertmanager.create({
      matchers: [
        { name: "environment", value: "demo", isRegex: false, isEqual: true },
        { name: "service_namespace", value: "catalog", isRegex: false, isEqual: true },
        { name: "service_name", value: `search-${suffix}`, isRegex: false, isEqual: true },
      ],
      startsAt: now,
      endsAt: new Date(now.getTime() + 3_600_000),
      createdBy: "amtool",
      comment: "made by hand",
    });
    await expect(alertsCaller(db, runtime, checkoutOperator).alerts.expireSilence({ silenceId: id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await alertmanager.get(id))?.state).toBe("active");
    await alertsCaller(db, runtime, catalogOperator).alerts.expireSilence({ silenceId: id });
    expect((await alertmanager.get(id))?.state).toBe("expired");
    expect(await auditOf(id)).toEqual([expect.objectContaining({ action: "alert.expireSilence", details: expect.objectContaining({ createdThroughScaleplane: false }) })]);
    await expect(alertsCaller(db, runtime, admin).alerts.expireSilence({ silenceId: "00000000-0000-4000-8000-000000000000" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("say clearly when no Alertmanager is configured, or it does not answer, and record nothing", async () => {
    const alert = await fire(cartAlertLabels(uniqueSuffix()));
    const unconfigured = alertsRuntime(events);
    await expect(alertsCaller(db, unconfigured, admin).alerts.silence({ fingerprint: alert.fingerprint, durationMinutes: 10, comment: "no alertmanager" })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringContaining("alerts.alertmanager.url"),
    });
    const down = alertsRuntime(events, { alerts: { alertmanager: { url: `http://127.0.0.1:${await freePort()}` } } });
    const silencesBefore = await db.alertSilence.count();
    await expect(alertsCaller(db, down, admin).alerts.silence({ fingerprint: alert.fingerprint, durationMinutes: 10, comment: "alertmanager down" })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(/Alertmanager at http:\/\/127\.0\.0\.1:\d+ refused the connection/),
    });
    expect(await db.alertSilence.count()).toBe(silencesBefore);
  });
});

describe("when the audit event cannot be written", () => {
  let scratch: ScratchDatabase;
  let scratchDb: Db;

  beforeAll(async () => {
    scratch = await createScratchDatabase("silence_audit_fails");
    scratchDb = createDb(scratch.url, 2);
  });

  afterAll(async () => {
    await scratchDb?.$disconnect();
    await scratch?.drop();
  });

  async function auditFails(action: string | null) {
    await withClient(scratch.url, async (client) => {
      await client.query(`ALTER TABLE "AuditEvent" DROP CONSTRAINT IF EXISTS audit_write_fails`);
      if (action) await client.query(`ALTER TABLE "AuditEvent" ADD CONSTRAINT audit_write_fails CHECK ("action" <> '${action}')`);
    });
  }

  const deps = () => ({ db: scratchDb, events, silences: alertmanager, labels: DEFAULT_ALERT_LABEL_NAMES });
  const matchers = (suffix: string) => [
    { name: "environment", value: "demo", isRegex: false, isEqual: true },
    { name: "service_namespace", value: "checkout", isRegex: false, isEqual: true },
    { name: "service_name", value: `cart-${suffix}`, isRegex: false, isEqual: true },
  ];

  it("no silence stays in Alertmanager: the one created is expired again", async () => {
    await auditFails("alert.silence");
    const suffix = uniqueSuffix();
    const before = new Set((await alertmanager.list()).map((silence) => silence.id));
    await expect(silenceAlerts(deps(), checkoutOperator, { matchers: matchers(suffix), durationMinutes: 30, comment: "audit will fail" })).rejects.toThrow(/audit_write_fails/);
    const created = (await alertmanager.list()).filter((silence) => !before.has(silence.id));
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ state: "expired", comment: "audit will fail" });
    expect(await scratchDb.alertSilence.count()).toBe(0);
    expect(await scratchDb.auditEvent.count({ where: { action: "alert.silence" } })).toBe(0);
  });

  it("an expiry that cannot be audited is undone: the silence is in force again until its end", async () => {
    await auditFails(null);
    const suffix = uniqueSuffix();
    const silence = await silenceAlerts(deps(), checkoutOperator, { matchers: matchers(suffix), durationMinutes: 30, comment: "to be expired" });
    await auditFails("alert.expireSilence");
    await expect(expireSilence(deps(), checkoutOperator, silence.id)).rejects.toThrow(/audit_write_fails/);
    expect((await alertmanager.get(silence.id))?.state).toBe("expired");
    const restored = (await alertmanager.list()).filter((candidate) => candidate.state === "active" && candidate.matchers.some((matcher) => matcher.value === `cart-${suffix}`));
    expect(restored).toHaveLength(1);
    expect(restored[0]?.endsAt.getTime()).toBe(silence.endsAt.getTime());
    expect(await scratchDb.alertSilence.findUniqueOrThrow({ where: { id: silence.id } })).toMatchObject({ expiredAt: null });
    await auditFails(null);
  });
});
