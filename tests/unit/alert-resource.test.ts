// Which resource an alert's labels name, and who may see and silence it.
import { describe, expect, it } from "vitest";
import { actingScopeOf, alertSeverity, canSeeAlert, DEFAULT_ALERT_LABEL_NAMES, linkAlertResource, placementOf, type AlertLabelNames } from "@/server/domain/alerts/resource";
import type { RoleGrant } from "@/server/domain/permissions";

const names = DEFAULT_ALERT_LABEL_NAMES;

describe("linking an alert to its resource", () => {
  it("links a service alert through the OpenTelemetry labels the service rules keep", () => {
    const labels = { alertname: "ServiceHighErrorRatio", environment: "demo", region: "eu-west-1", service_namespace: "checkout", service_name: "payments", resource_kind: "service", severity: "critical" };
    expect(linkAlertResource(labels, names)).toEqual({ kind: "service", environment: "demo", region: "eu-west-1", namespace: "checkout", cluster: null, name: "payments" });
  });

  it("links a kube-state-metrics deployment alert to the service of the same namespace and name", () => {
    const labels = { alertname: "DeploymentReplicasUnavailable", environment: "demo", region: "us-east-1", namespace: "catalog", deployment: "search", resource_kind: "deployment" };
    expect(linkAlertResource(labels, names)).toEqual({ kind: "service", environment: "demo", region: "us-east-1", namespace: "catalog", cluster: null, name: "search" });
  });

  it("links a consumer group with its Kafka cluster, even though the alert also names a topic", () => {
    const labels = { alertname: "KafkaConsumerLagGrowing", environment: "demo", region: "eu-west-1", cluster: "events", consumergroup: "billing", topic: "orders", resource_kind: "consumer_group" };
    expect(linkAlertResource(labels, names)).toEqual({ kind: "consumerGroup", environment: "demo", region: "eu-west-1", namespace: null, cluster: "events", name: "billing" });
  });

  it("links topics, Kafka clusters, caches, MongoDB and Elasticsearch clusters by their resource_kind", () => {
    const place = { environment: "prod", region: "eu-west-1" };
    expect(linkAlertResource({ ...place, cluster: "events", topic: "orders", resource_kind: "topic" }, names)).toMatchObject({ kind: "topic", cluster: "events", name: "orders" });
    expect(linkAlertResource({ ...place, cluster: "events", resource_kind: "kafka_cluster" }, names)).toMatchObject({ kind: "kafkaCluster", cluster: "events", name: "events" });
    expect(linkAlertResource({ ...place, cluster: "product-cache", pod: "product-cache-1", resource_kind: "cache" }, names)).toMatchObject({ kind: "cache", cluster: "product-cache", name: "product-cache" });
    expect(linkAlertResource({ ...place, cluster: "orders-db", set: "rs0", resource_kind: "mongodb" }, names)).toMatchObject({ kind: "mongodb", name: "orders-db" });
    expect(linkAlertResource({ ...place, cluster: "logs", resource_kind: "elasticsearch" }, names)).toMatchObject({ kind: "elasticsearch", name: "logs" });
  });

  it("infers the kind from the most specific labels when no resource_kind is set", () => {
    const place = { environment: "prod" };
    expect(linkAlertResource({ ...place, cluster: "events", consumergroup: "billing", topic: "orders" }, names)?.kind).toBe("consumerGroup");
    expect(linkAlertResource({ ...place, service_namespace: "checkout", service_name: "cart" }, names)?.kind).toBe("service");
    expect(linkAlertResource({ ...place, cluster: "events", topic: "orders" }, names)?.kind).toBe("topic");
    expect(linkAlertResource({ ...place, region: "eu-west-1" }, names)?.region ?? null).toBeNull();
  });

  it("falls back to inference when the declared kind lacks its labels", () => {
    const labels = { environment: "prod", resource_kind: "consumer_group", service_namespace: "checkout", service_name: "cart" };
    expect(linkAlertResource(labels, names)).toMatchObject({ kind: "service", name: "cart" });
  });

  it("links nothing from a bare cluster label (Kafka, Redis, MongoDB and Elasticsearch all use it) or an unknown kind", () => {
    expect(linkAlertResource({ environment: "prod", cluster: "events" }, names)).toBeNull();
    expect(linkAlertResource({ environment: "prod", cluster: "events", resource_kind: "scrape_target" }, names)).toBeNull();
  });

  it("needs both the namespace and the name of a service", () => {
    expect(linkAlertResource({ environment: "prod", service_name: "cart" }, names)).toBeNull();
    expect(linkAlertResource({ environment: "prod", deployment: "cart" }, names)).toBeNull();
    expect(linkAlertResource({ environment: "prod", service_namespace: "", service_name: "cart" }, names)).toBeNull();
  });

  it("takes the fallback environment only when the alert has no environment label", () => {
    const labels = { service_namespace: "checkout", service_name: "cart" };
    expect(linkAlertResource(labels, names)).toBeNull();
    expect(linkAlertResource(labels, names, "demo")?.environment).toBe("demo");
    expect(linkAlertResource({ ...labels, environment: "prod" }, names, "demo")?.environment).toBe("prod");
  });

  it("reads the label names the configuration gives", () => {
    const custom: AlertLabelNames = { ...names, environment: "env", service: "app", serviceNamespace: "team", cluster: "kafka_cluster", consumerGroup: "group" };
    expect(linkAlertResource({ env: "prod", team: "checkout", app: "cart" }, custom)).toMatchObject({ kind: "service", environment: "prod", namespace: "checkout", name: "cart" });
    expect(linkAlertResource({ env: "prod", kafka_cluster: "events", group: "billing" }, custom)).toMatchObject({ kind: "consumerGroup", cluster: "events", name: "billing" });
    // The default names mean nothing under this mapping.
    expect(linkAlertResource({ environment: "prod", service_namespace: "checkout", service_name: "cart" }, custom)).toBeNull();
  });

  it("reads the severity in lowercase, none without one", () => {
    expect(alertSeverity({ severity: "Critical" }, names)).toBe("critical");
    expect(alertSeverity({}, names)).toBe("none");
  });
});

describe("who may see and act on an alert", () => {
  const viewerOf = (environment: string, namespace: string): RoleGrant[] => [{ role: "viewer", environment, namespace }];
  const operatorOf = (environment: string, namespace: string): RoleGrant[] => [{ role: "operator", environment, namespace }];
  const service = placementOf("prod", linkAlertResource({ environment: "prod", service_namespace: "checkout", service_name: "cart" }, names));
  const group = placementOf("prod", linkAlertResource({ environment: "prod", cluster: "events", consumergroup: "billing" }, names));
  const cache = placementOf("prod", linkAlertResource({ environment: "prod", cluster: "product-cache", resource_kind: "cache" }, names));
  const unlinked = placementOf("prod", null);
  const nowhere = placementOf(null, null);

  it("shows a service's alerts to those who may read its namespace only", () => {
    expect(canSeeAlert(viewerOf("prod", "checkout"), service)).toBe(true);
    expect(canSeeAlert(viewerOf("prod", "catalog"), service)).toBe(false);
    expect(canSeeAlert(viewerOf("staging", "*"), service)).toBe(false);
  });

  it("shows data systems' and unlinked alerts to anyone reading the environment, and alerts of no environment to global readers", () => {
    expect(canSeeAlert(viewerOf("prod", "catalog"), group)).toBe(true);
    expect(canSeeAlert(viewerOf("prod", "catalog"), unlinked)).toBe(true);
    expect(canSeeAlert(viewerOf("staging", "*"), group)).toBe(false);
    expect(canSeeAlert(viewerOf("prod", "*"), nowhere)).toBe(false);
    expect(canSeeAlert(viewerOf("*", "*"), nowhere)).toBe(true);
  });

  it("scopes acting on an alert as the action catalog scopes its resource", () => {
    expect(actingScopeOf(service)).toEqual({ environment: "prod", namespace: "checkout" });
    expect(actingScopeOf(group)).toEqual({ environment: "prod", namespace: "kafka.events" });
    expect(actingScopeOf(cache)).toEqual({ environment: "prod", namespace: "redis.product-cache" });
    expect(actingScopeOf(unlinked)).toEqual({ environment: "prod", namespace: "*" });
    expect(actingScopeOf(nowhere)).toEqual({ environment: "*", namespace: "*" });
    expect(canSeeAlert(operatorOf("prod", "kafka.*"), group, "alert.silence")).toBe(true);
  });
});
