// The deployed alert rules as the fleet simulator evaluates them when no Prometheus watches
// it: each incident makes the alert a real Prometheus would fire, under the deployed rule's
// name, labels and annotations, pending for the rule's `for` and then firing, and it goes
// away when the incident is over. (A real Prometheus on the same simulator:
// tests/e2e/alert-drilldown.test.ts.)
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadAlertingRules } from "../../server/adapters/alertmanager/rule-files";
import { createSimulatedFleet, SIMULATED_ALERT_NAMES, SimulatedAlertRules, type SimulatedPlatform } from "../../server/adapters/simulator";
import type { PrometheusAlert } from "../../server/domain/alerts/ports";
import { DEFAULT_ALERT_LABEL_NAMES, linkAlertResource } from "../../server/domain/alerts/resource";
import { alertThreshold } from "../../server/domain/alerts/threshold";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DEPLOYED = loadAlertingRules(path.join(ROOT, "deploy/prometheus/rules"));
const START = Date.UTC(2026, 10, 27, 3, 0, 0);
const EU = "eu-west-1";
const US = "us-east-1";
/** How often the demo's alert sync asks (server/config/demo.ts). */
const EVALUATION_SECONDS = 15;

interface Evaluation {
  /** Seconds since START. */
  at: number;
  alerts: PrometheusAlert[];
}

function simulate() {
  const platform = createSimulatedFleet({ startAt: START, historyHours: 0.1 });
  const rules = new SimulatedAlertRules(platform.fleet, DEPLOYED);
  return { platform, rules };
}

/** Runs the fleet second by second, evaluating the rules every EVALUATION_SECONDS. */
async function run(platform: SimulatedPlatform, rules: SimulatedAlertRules, seconds: number): Promise<Evaluation[]> {
  const evaluations: Evaluation[] = [];
  const until = platform.fleet.now + seconds * 1000;
  while (platform.fleet.now < until) {
    for (let i = 0; i < EVALUATION_SECONDS; i++) platform.fleet.tick(platform.fleet.now + 1000);
    evaluations.push({ at: (platform.fleet.now - START) / 1000, alerts: await rules.alerts() });
  }
  return evaluations;
}

const matching = (alerts: readonly PrometheusAlert[], alertname: string, labels: Record<string, string>) =>
  alerts.filter((alert) => alert.labels.alertname === alertname && Object.entries(labels).every(([name, value]) => alert.labels[name] === value));

/** The state of one alert at each evaluation: "firing", "pending" or "-" when not listed. */
function statesOf(evaluations: readonly Evaluation[], alertname: string, labels: Record<string, string>): string[] {
  return evaluations.map((evaluation) => {
    const found = matching(evaluation.alerts, alertname, labels);
    expect(found.length).toBeLessThanOrEqual(1);
    return found[0]?.state ?? "-";
  });
}

/** The evaluation times (s) at which the state changed, e.g. [[60, "pending"], [120, "firing"], [300, "-"]]. */
function changesOf(evaluations: readonly Evaluation[], alertname: string, labels: Record<string, string>): Array<[number, string]> {
  const states = statesOf(evaluations, alertname, labels);
  return states.flatMap((state, i) => (state !== (states[i - 1] ?? "-") ? [[evaluations[i]!.at, state] as [number, string]] : []));
}

describe("the simulator's alert rules", () => {
  it("are the deployed rules, all but Scaleplane's own, as the rule files define them", async () => {
    const { rules } = simulate();
    const own = ["ScrapeTargetDown", "ScaleplaneSlowProcedures"];
    expect(DEPLOYED.map((rule) => rule.name).filter((name) => !own.includes(name)).sort()).toEqual([...SIMULATED_ALERT_NAMES].sort());
    expect(await rules.rules()).toEqual(DEPLOYED.filter((rule) => !own.includes(rule.name)));
    expect(rules.url).toBe("simulator://demo");
  });

  it("a slowed consumer: the lag alert appears after 5 minutes of growth, already firing, names its group, and goes as soon as the lag stops growing", async () => {
    const { platform, rules } = simulate();
    await run(platform, rules, 60);
    platform.fleet.injectIncident({ scenario: "slow consumer", target: "order-fulfilment", region: EU, durationSeconds: 600 });
    const evaluations = await run(platform, rules, 1200);
    const group = { consumergroup: "order-fulfilment", region: EU };

    const changes = changesOf(evaluations, "KafkaConsumerLagGrowing", group);
    expect(changes.map(([, state]) => state)).toEqual(["firing", "-"]);
    const [[firedAt], [goneAt]] = changes as [[number, string], [number, string]];
    // The lag grows from the first evaluation after the slowdown; the expression looks back 5 minutes.
    expect(firedAt).toBe(75 + 300);
    // The slowdown ends at 660 s, one second into the evaluation at 660's window, which still
    // sees the lag grow; the one at 675 sees it shrink.
    expect(goneAt).toBe(675);

    const fired = matching(evaluations.find((evaluation) => evaluation.at === firedAt)!.alerts, "KafkaConsumerLagGrowing", group)[0]!;
    expect(fired.activeAt?.getTime()).toBe(START + firedAt * 1000);
    expect(fired.labels).toEqual({ alertname: "KafkaConsumerLagGrowing", environment: "demo", region: EU, cluster: "events", consumergroup: "order-fulfilment", topic: "orders", severity: "warning", resource_kind: "consumer_group" });
    expect(linkAlertResource(fired.labels, DEFAULT_ALERT_LABEL_NAMES)).toEqual({ kind: "consumerGroup", environment: "demo", region: EU, namespace: null, cluster: "events", name: "order-fulfilment" });
    expect(fired.annotations.summary).toMatch(/^Consumer group order-fulfilment on orders \(events, eu-west-1\) is falling behind: lag grows by [\d.]+k? messages\/s$/);
    expect(fired.annotations.description).toBe(DEPLOYED.find((rule) => rule.name === "KafkaConsumerLagGrowing")?.annotations.description);
    // The same consumer in the other region was not slowed.
    expect(changesOf(evaluations, "KafkaConsumerLagGrowing", { consumergroup: "order-fulfilment", region: US })).toEqual([]);
  });

  it("a lost broker: pending for the rule's minute, then firing with the brokers still up; gone when it is back", async () => {
    const { platform, rules } = simulate();
    await run(platform, rules, 30);
    platform.fleet.injectIncident({ scenario: "broker down", target: "events", region: US, durationSeconds: 180 });
    const evaluations = await run(platform, rules, 300);
    const cluster = { cluster: "events", region: US };
    expect(changesOf(evaluations, "KafkaBrokerDown", cluster)).toEqual([[45, "pending"], [105, "firing"], [210, "-"]]);
    const firing = matching(evaluations.find((evaluation) => evaluation.at === 105)!.alerts, "KafkaBrokerDown", cluster)[0]!;
    expect(firing.annotations.summary).toBe("Kafka cluster events in us-east-1 has lost a broker (4 up)");
    expect(linkAlertResource(firing.labels, DEFAULT_ALERT_LABEL_NAMES)).toMatchObject({ kind: "kafkaCluster", cluster: "events", region: US });
    // Its partitions lose a replica too.
    expect(statesOf(evaluations, "KafkaUnderReplicatedPartitions", { cluster: "events", region: US, topic: "orders" })).toContain("firing");
  });

  it("a condition shorter than the rule's `for` stays pending and never fires", async () => {
    const { platform, rules } = simulate();
    await run(platform, rules, 30);
    platform.fleet.injectIncident({ scenario: "broker down", target: "events", region: US, durationSeconds: 40 });
    const evaluations = await run(platform, rules, 180);
    expect(changesOf(evaluations, "KafkaBrokerDown", { cluster: "events", region: US })).toEqual([[45, "pending"], [75, "-"]]);
  });

  it("failing dependencies: the service's 2-minute error ratio fires with a threshold the page can draw", async () => {
    const { platform, rules } = simulate();
    await run(platform, rules, 30);
    platform.fleet.injectIncident({ scenario: "dependency errors", target: "inventory", region: EU, durationSeconds: 240 });
    const evaluations = await run(platform, rules, 600);
    const service = { service_namespace: "catalog", service_name: "inventory", region: EU };
    const changes = changesOf(evaluations, "ServiceHighErrorRatio", service);
    expect(changes.map(([, state]) => state)).toEqual(["pending", "firing", "-"]);
    expect(changes[1]![0] - changes[0]![0]).toBe(60);
    // Gone once the 2-minute window no longer holds the failures.
    expect(changes[2]![0]).toBeGreaterThan(270);
    expect(changes[2]![0]).toBeLessThanOrEqual(270 + 120 + EVALUATION_SECONDS);
    const firing = matching(evaluations.find((evaluation) => evaluation.at === changes[1]![0])!.alerts, "ServiceHighErrorRatio", service)[0]!;
    expect(firing.annotations.summary).toMatch(/^catalog\/inventory in eu-west-1 answers [\d.]+% of requests with errors$/);
    expect(linkAlertResource(firing.labels, DEFAULT_ALERT_LABEL_NAMES)).toMatchObject({ kind: "service", namespace: "catalog", name: "inventory", region: EU });
    const rule = (await rules.rules()).find((candidate) => candidate.name === "ServiceHighErrorRatio")!;
    expect(alertThreshold(rules.generatorUrl(rule.query))).toMatchObject({ comparison: ">", value: 0.05, figure: { name: "errorRatio", scale: 1 } });
    // The same service in the other region kept answering.
    expect(changesOf(evaluations, "ServiceHighErrorRatio", { ...service, region: US })).toEqual([]);
  });

  it("a flushed cache: the hit ratio drops below 80 % of its earlier average, which needs 5 minutes of earlier evaluations", async () => {
    const { platform, rules } = simulate();
    await run(platform, rules, 600);
    const newcomer = new SimulatedAlertRules(platform.fleet, DEPLOYED);
    platform.fleet.injectIncident({ scenario: "cache flush", target: "product-cache", region: US, durationSeconds: 180 });
    const evaluations: Evaluation[] = [];
    const newcomerSaw: PrometheusAlert[] = [];
    for (let i = 0; i < 12; i++) {
      evaluations.push(...(await run(platform, rules, EVALUATION_SECONDS)));
      newcomerSaw.push(...(await newcomer.alerts()));
    }
    const cache = { cluster: "product-cache", region: US };
    // The 2-minute ratio takes a few evaluations to fall below the line; then the rule's minute.
    expect(changesOf(evaluations, "RedisCacheHitRatioDrop", cache)).toEqual([[645, "pending"], [705, "firing"]]);
    const firing = matching(evaluations.at(-1)!.alerts, "RedisCacheHitRatioDrop", cache)[0]!;
    expect(firing.annotations.summary).toMatch(/^Cache product-cache in us-east-1 hits only [\d.]+% of reads$/);
    expect(linkAlertResource(firing.labels, DEFAULT_ALERT_LABEL_NAMES)).toMatchObject({ kind: "cache", cluster: "product-cache", region: US });
    // A Prometheus that started at the flush has nothing to compare with.
    expect(matching(newcomerSaw, "RedisCacheHitRatioDrop", cache)).toEqual([]);
  });
});
