// The demo's alerts without a Prometheus: the simulator's evaluation of the deployed rules
// (server/adapters/simulator/alert-rules.ts) read by the same sync as a real Prometheus and
// applied to the real store. An incident's alert is created linked to its resource, with the
// rule's expression in its generator URL (the threshold the resource page draws), is not
// written again while it keeps firing, and resolves when the incident is over.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrometheusAlertSource } from "../../server/adapters/alertmanager/from-config";
import { loadAlertingRules } from "../../server/adapters/alertmanager/rule-files";
import { createSimulatedFleet, SimulatedAlertRules, type SimulatedPlatform } from "../../server/adapters/simulator";
import { reconcileWithPrometheus } from "../../server/alerts/reconcile";
import type { AlertStoreDeps } from "../../server/alerts/store";
import { db } from "../../server/db/client";
import { DEFAULT_ALERT_LABEL_NAMES } from "../../server/domain/alerts/resource";
import { alertThreshold } from "../../server/domain/alerts/threshold";
import type { InProcessEventBus, LiveEvent } from "../../server/events/bus";
import { recordingEventBus, uniqueSuffix } from "../helpers/alerts";

const ROOT = path.resolve(import.meta.dirname, "../..");
// An environment of its own: the sync resolves only its own environment's alerts.
const ENVIRONMENT = `simulated-${uniqueSuffix()}`;
const REGION = "eu-west-1";

let platform: SimulatedPlatform;
let source: PrometheusAlertSource;
let store: AlertStoreDeps;
let events: InProcessEventBus;
let published: LiveEvent[];

beforeAll(() => {
  // In the past, so the fleet's clock can run ahead as fast as the test ticks it.
  platform = createSimulatedFleet({ environment: ENVIRONMENT, startAt: Date.now() - 3_600_000, historyHours: 0.1 });
  source = { environment: ENVIRONMENT, regions: null, reader: new SimulatedAlertRules(platform.fleet, loadAlertingRules(path.join(ROOT, "deploy/prometheus/rules"))) };
  ({ events, published } = recordingEventBus());
  store = { db, events, labels: DEFAULT_ALERT_LABEL_NAMES };
});

afterAll(async () => {
  await db.alert.deleteMany({ where: { environment: ENVIRONMENT } });
  await events?.close();
});

/** Runs the fleet for `seconds`, syncing every 15 s like the demo. */
async function runAndSync(seconds: number) {
  for (let elapsed = 0; elapsed < seconds; elapsed += 15) {
    for (let i = 0; i < 15; i++) platform.fleet.tick(platform.fleet.now + 1000);
    await reconcileWithPrometheus(store, source);
  }
}

const inventoryAlert = () =>
  db.alert.findFirst({ where: { environment: ENVIRONMENT, alertname: "ServiceHighErrorRatio", resourceNamespace: "catalog", resourceName: "inventory", region: REGION }, include: { transitions: { orderBy: { id: "asc" } } } });

describe("the simulator's alerts through the alert sync", () => {
  it("an incident's alert is stored firing, linked to its service, with the threshold of its rule", async () => {
    await runAndSync(60);
    expect(await inventoryAlert()).toBeNull();
    platform.fleet.injectIncident({ scenario: "dependency errors", target: "inventory", region: REGION, durationSeconds: 300 });
    // Pending while the rule's minute runs: not stored yet.
    await runAndSync(45);
    expect(await inventoryAlert()).toBeNull();
    await runAndSync(60);

    const stored = await inventoryAlert();
    expect(stored).toMatchObject({
      status: "firing",
      source: "prometheus",
      severity: "critical",
      resourceKind: "service",
      resourceNamespace: "catalog",
      resourceName: "inventory",
      labels: { alertname: "ServiceHighErrorRatio", environment: ENVIRONMENT, region: REGION, service_namespace: "catalog", service_name: "inventory", severity: "critical", resource_kind: "service" },
    });
    expect((stored?.annotations as Record<string, string>).summary).toMatch(/^catalog\/inventory in eu-west-1 answers [\d.]+% of requests with errors$/);
    expect(stored?.generatorUrl?.startsWith(`simulator://${ENVIRONMENT}/graph?g0.expr=`)).toBe(true);
    expect(alertThreshold(stored?.generatorUrl)).toMatchObject({ comparison: ">", value: 0.05, figure: { name: "errorRatio" } });
    expect(published).toContainEqual(expect.objectContaining({ type: "alert.changed", fingerprint: stored?.fingerprint, change: "created" }));
  });

  it("keeps firing as one alert with no further writes, and resolves once the incident and its 2-minute window are over", async () => {
    const firing = await inventoryAlert();
    const changesOf = () => published.flatMap((event) => (event.type === "alert.changed" && event.fingerprint === firing?.fingerprint ? [event.change] : []));
    const before = changesOf().length;
    await runAndSync(60);
    expect(changesOf().slice(before)).toEqual([]);
    expect((await inventoryAlert())?.transitions).toHaveLength(1);
    expect(await db.alert.count({ where: { environment: ENVIRONMENT, alertname: "ServiceHighErrorRatio", resourceName: "inventory", region: REGION } })).toBe(1);

    // The incident ends 300 s after it started; the 2-minute error ratio falls below 5 % within the window.
    await runAndSync(300);
    const resolved = await inventoryAlert();
    expect(resolved?.status).toBe("resolved");
    expect(resolved?.transitions.map((transition) => [transition.from, transition.to, transition.source])).toEqual([
      [null, "firing", "prometheus"],
      ["firing", "resolved", "prometheus"],
    ]);
  });
});
