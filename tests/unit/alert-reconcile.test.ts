// Prometheus's list of firing alerts against the stored alerts: what is created, matched and
// resolved. The fingerprint is checked against a real Alertmanager in
// tests/integration/alerts-prometheus-sync.test.ts.
import { describe, expect, it } from "vitest";
import { labelSetFingerprint } from "@/server/domain/alerts/fingerprint";
import type { PrometheusAlert, PrometheusAlertRule } from "@/server/domain/alerts/ports";
import { planReconciliation, type ReconcileInput, type StoredAlertForReconcile } from "@/server/domain/alerts/reconcile";

const readAt = new Date(Date.UTC(2026, 10, 27, 12, 0));
const minutesAgo = (minutes: number) => new Date(readAt.getTime() - minutes * 60_000);

const rule = (name: string, durationSeconds = 60): PrometheusAlertRule => ({ name, group: "g", query: "up == 0", durationSeconds, labels: {}, annotations: {}, health: "ok", lastError: null });
const lagLabels = { alertname: "KafkaConsumerLagGrowing", environment: "demo", region: "eu-west-1", cluster: "events", consumergroup: "billing", topic: "orders", severity: "warning" };
const firingAlert = (labels: Record<string, string>, activeAt = minutesAgo(10)): PrometheusAlert => ({ labels, annotations: { summary: "lag grows" }, state: "firing", activeAt });
const stored = (labels: Record<string, string>, overrides: Partial<StoredAlertForReconcile> = {}): StoredAlertForReconcile => ({
  fingerprint: labelSetFingerprint(labels),
  alertname: labels.alertname ?? "",
  status: "firing",
  labels,
  annotations: { summary: "stored" },
  startsAt: minutesAgo(9),
  environment: labels.environment ?? null,
  region: labels.region ?? null,
  ...overrides,
});

function plan(overrides: Partial<ReconcileInput>) {
  return planReconciliation({ scope: { environment: "demo", regions: null }, alerts: [], rules: [rule("KafkaConsumerLagGrowing")], externalLabels: {}, stored: [], readAt, generatorUrlOf: (expression) => `http://prometheus:9090/graph?g0.expr=${encodeURIComponent(expression)}&g0.tab=1`, ...overrides });
}

describe("the fingerprint", () => {
  it("is Alertmanager's: FNV-1a of nothing for no labels, independent of the labels' order", () => {
    expect(labelSetFingerprint({})).toBe("cbf29ce484222325");
    expect(labelSetFingerprint({ a: "1", b: "2" })).toBe(labelSetFingerprint({ b: "2", a: "1" }));
    expect(labelSetFingerprint({ a: "1", b: "2" })).not.toBe(labelSetFingerprint({ a: "12", b: "" }));
    expect(labelSetFingerprint(lagLabels)).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe("reconciling with Prometheus's firing alerts", () => {
  it("creates an alert whose firing delivery was missed, under Alertmanager's fingerprint, starting its `for` after it became active, with the generator URL of its rule", () => {
    const { firing, resolved } = plan({ alerts: [firingAlert(lagLabels)], rules: [rule("KafkaConsumerLagGrowing", 120)], externalLabels: { monitor: "eu" } });
    const labels = { monitor: "eu", ...lagLabels };
    expect(resolved).toEqual([]);
    expect(firing).toEqual([
      { fingerprint: labelSetFingerprint(labels), status: "firing", labels, annotations: { summary: "lag grows" }, startsAt: minutesAgo(8), endsAt: readAt, generatorUrl: "http://prometheus:9090/graph?g0.expr=up%20%3D%3D%200&g0.tab=1", source: "prometheus" },
    ]);
  });

  it("leaves a stored alert's generator URL as its delivery gave it", () => {
    const { firing } = plan({ alerts: [firingAlert(lagLabels)], stored: [stored(lagLabels)] });
    expect(firing.map((observation) => observation.generatorUrl)).toEqual([null]);
  });

  it("matches a stored alert that carries more labels (external labels Alertmanager's copy has)", () => {
    const delivered = stored({ ...lagLabels, replica: "a" });
    const { firing, resolved } = plan({ alerts: [firingAlert(lagLabels)], stored: [delivered] });
    expect(firing.map((observation) => observation.fingerprint)).toEqual([delivered.fingerprint]);
    expect(resolved).toEqual([]);
  });

  it("ignores pending alerts", () => {
    expect(plan({ alerts: [{ ...firingAlert(lagLabels), state: "pending" }] }).firing).toEqual([]);
  });

  it("resolves a stored firing alert of its rules that Prometheus no longer fires", () => {
    const gone = stored(lagLabels);
    const { resolved } = plan({ stored: [gone] });
    expect(resolved).toEqual([{ fingerprint: gone.fingerprint, status: "resolved", labels: lagLabels, annotations: { summary: "stored" }, startsAt: gone.startsAt, endsAt: readAt, generatorUrl: null, source: "prometheus" }]);
  });

  it("leaves alone what is not its own: other rules, other environments, regions another Prometheus serves, resolved alerts", () => {
    const otherRule = stored({ ...lagLabels, alertname: "SomeoneElsesAlert" });
    const otherEnvironment = stored({ ...lagLabels, environment: "prod" });
    const otherRegion = stored({ ...lagLabels, region: "us-east-1" });
    const alreadyResolved = stored(lagLabels, { status: "resolved" });
    const regional = plan({ scope: { environment: "demo", regions: ["eu-west-1"] }, stored: [otherRule, otherEnvironment, otherRegion, alreadyResolved] });
    expect(regional.resolved).toEqual([]);
    const everyRegion = plan({ stored: [otherRegion] });
    expect(everyRegion.resolved.map((observation) => observation.fingerprint)).toEqual([otherRegion.fingerprint]);
  });

  it("never starts an alert after the list was read", () => {
    const { firing } = plan({ alerts: [firingAlert(lagLabels, minutesAgo(0.5))], rules: [rule("KafkaConsumerLagGrowing", 300)] });
    expect(firing[0]?.startsAt).toEqual(readAt);
  });
});
