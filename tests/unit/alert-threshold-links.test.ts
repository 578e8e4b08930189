// From an alert to its resource's page: the threshold read from the rule's expression (the
// shipped rules themselves), the page figure it is drawn on, the link with the alert's window,
// and the resource's verdict among the judged entities.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { alertResourceHref, alertWindow, resourceVerdict, type JudgedEntity } from "../../server/domain/alerts/drilldown";
import type { AlertResource } from "../../server/domain/alerts/resource";
import { alertThreshold, expressionOfGeneratorUrl, simpleThreshold } from "../../server/domain/alerts/threshold";

const RULES_DIR = "deploy/prometheus/rules";
const shippedRules = new Map<string, string>(
  readdirSync(RULES_DIR).flatMap((file) =>
    (parse(readFileSync(path.join(RULES_DIR, file), "utf8")) as { groups: { rules: { alert?: string; expr: string }[] }[] }).groups.flatMap((group) =>
      group.rules.flatMap((rule) => (rule.alert ? [[rule.alert, rule.expr] as [string, string]] : [])),
    ),
  ),
);
const ruleOf = (name: string) => {
  const expression = shippedRules.get(name);
  if (!expression) throw new Error(`no shipped rule ${name}`);
  return expression;
};

describe("the threshold an alert fired on", () => {
  it("reads the shipped rules' simple thresholds and the page figure each measures", () => {
    expect(simpleThreshold(ruleOf("ServiceLatencyP95OverSLO"))).toMatchObject({ comparison: ">", value: 0.5, figure: { name: "p95LatencyMs", scale: 1000 } });
    expect(simpleThreshold(ruleOf("ServiceHighErrorRatio"))).toMatchObject({
      measured: "scaleplane:http_server_errors:rate2m / scaleplane:http_server_requests:rate2m",
      comparison: ">",
      value: 0.05,
      figure: { name: "errorRatio", scale: 1 },
    });
    expect(simpleThreshold(ruleOf("DeploymentNoReplicaAvailable"))).toMatchObject({ comparison: "==", value: 0, figure: { name: "replicas", scale: 1 } });
    expect(simpleThreshold(ruleOf("MongoDBReplicationLag"))).toMatchObject({ comparison: ">", value: 10, figure: null });
    // A trend: there is a number to compare with, but it is not a level of the lag the page charts.
    expect(simpleThreshold(ruleOf("KafkaConsumerLagGrowing"))).toMatchObject({ comparison: ">", value: 0, figure: null });
  });

  it("gives no threshold where the rule compares with something that moves", () => {
    expect(simpleThreshold(ruleOf("RedisCacheHitRatioDrop"))).toBeNull();
    expect(simpleThreshold(ruleOf("KafkaBrokerDown"))).toBeNull();
    expect(simpleThreshold("sum(rate(x[5m]))")).toBeNull();
  });

  it("does not split inside label matchers, strings or brackets, and reads a number written first", () => {
    expect(simpleThreshold('histogram_quantile(0.95, rate(h_bucket{le=">1", code!="5xx"}[5m])) >= 2.5e-1')).toMatchObject({ comparison: ">=", value: 0.25 });
    expect(simpleThreshold("0.9 < cpu_utilisation")).toMatchObject({ measured: "cpu_utilisation", comparison: ">", value: 0.9, figure: { name: "cpuUtilisation", scale: 1 } });
    expect(simpleThreshold("up{job=\"a or b\"} == bool 0")).toMatchObject({ measured: 'up{job="a or b"}', comparison: "==", value: 0 });
    expect(simpleThreshold("max by (x) (a > 3) > 4")).toMatchObject({ measured: "max by (x) (a > 3)", value: 4 });
  });

  it("takes the expression from the generator URL Prometheus puts into the alert", () => {
    const url = `http://prometheus:9090/graph?g0.expr=${encodeURIComponent(ruleOf("ServiceLatencyP95OverSLO"))}&g0.tab=1`;
    expect(expressionOfGeneratorUrl(url)).toBe(ruleOf("ServiceLatencyP95OverSLO").trim());
    expect(alertThreshold(url)).toMatchObject({ value: 0.5, expression: ruleOf("ServiceLatencyP95OverSLO").trim() });
    expect(alertThreshold(null)).toBeNull();
    expect(alertThreshold("not a url")).toBeNull();
    expect(alertThreshold("http://prometheus:9090/graph")).toBeNull();
  });
});

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const minutes = (count: number) => count * 60_000;

const service: AlertResource = { kind: "service", environment: "demo", region: "eu-west-1", namespace: "checkout", cluster: null, name: "payments" };
const group: AlertResource = { kind: "consumerGroup", environment: "demo", region: null, namespace: null, cluster: "events", name: "order-fulfilment" };

describe("the link to the resource's page", () => {
  it("a firing alert: the shortest relative window that shows it with time before it", () => {
    expect(alertWindow({ startsAt: NOW - minutes(5), endsAt: null }, NOW)).toEqual({ window: "15m" });
    expect(alertWindow({ startsAt: NOW - minutes(12), endsAt: null }, NOW)).toEqual({ window: "1h" });
    expect(alertWindow({ startsAt: NOW - minutes(200), endsAt: null }, NOW)).toEqual({ window: "6h" });
    // Longer than the longest window: from before it started until now.
    expect(alertWindow({ startsAt: NOW - minutes(600), endsAt: null }, NOW)).toEqual({ from: NOW - minutes(750), to: NOW });
  });

  it("a resolved alert: an absolute window around it", () => {
    expect(alertWindow({ startsAt: NOW - minutes(60), endsAt: NOW - minutes(20) }, NOW)).toEqual({ from: NOW - minutes(70), to: NOW - minutes(10) });
  });

  it("names the region, the window (where the page has charts) and the alert", () => {
    const alert = { fingerprint: "a1b2", startsAt: new Date(NOW - minutes(5)), endsAt: null };
    expect(alertResourceHref(service, alert, NOW)).toBe("/services/checkout/payments?region=eu-west-1&window=15m&alert=a1b2");
    expect(alertResourceHref(group, alert, NOW)).toBe("/queues/events/groups/order-fulfilment?alert=a1b2");
    expect(alertResourceHref({ ...service, kind: "cache", namespace: null, cluster: "product-cache", name: "product-cache" }, alert, NOW)).toBe("/caches/product-cache?region=eu-west-1&alert=a1b2");
    expect(alertResourceHref({ ...service, kind: "mongodb", namespace: null, cluster: "orders", name: "orders" }, alert, NOW)).toBe("/shards/orders?region=eu-west-1&alert=a1b2");
    const resolved = { fingerprint: "c3", startsAt: NOW - minutes(60), endsAt: NOW - minutes(20) };
    expect(alertResourceHref(service, resolved, NOW)).toBe(`/services/checkout/payments?region=eu-west-1&from=${NOW - minutes(70)}&to=${NOW - minutes(10)}&alert=c3`);
    expect(alertResourceHref(null, alert, NOW)).toBeNull();
  });
});

describe("the resource's verdict", () => {
  const entities: JudgedEntity[] = [
    { kind: "service", id: "checkout/payments@eu-west-1", region: "eu-west-1", verdict: "WARN" },
    { kind: "service", id: "checkout/payments@us-east-1", region: "us-east-1", verdict: "CRIT" },
    { kind: "service", id: "checkout/payments-api@eu-west-1", region: "eu-west-1", verdict: "CRIT" },
    { kind: "consumerGroup", id: "events/order-fulfilment/orders@eu-west-1", region: "eu-west-1", verdict: "OK" },
    { kind: "consumerGroup", id: "events/order-fulfilment/returns@us-east-1", region: "us-east-1", verdict: "WARN" },
  ];

  it("is its entity's in the alert's region, else the worst over its regions and topics", () => {
    expect(resourceVerdict(service, entities)).toBe("WARN");
    expect(resourceVerdict({ ...service, region: null }, entities)).toBe("CRIT");
    expect(resourceVerdict(group, entities)).toBe("WARN");
    expect(resourceVerdict({ ...group, region: "eu-west-1" }, entities)).toBe("OK");
    expect(resourceVerdict({ ...service, name: "cart" }, entities)).toBeNull();
    expect(resourceVerdict(null, entities)).toBeNull();
  });
});
