// How alerts are named on screen: the resource an alert is about, and its kind, in words.
import type { AlertResource, AlertResourceKind } from "@/server/domain/alerts/resource";

export const RESOURCE_KIND_LABEL: Record<AlertResourceKind, string> = {
  service: "service",
  consumerGroup: "consumer group",
  topic: "topic",
  kafkaCluster: "Kafka cluster",
  cache: "cache",
  mongodb: "MongoDB",
  elasticsearch: "Elasticsearch",
};

/** "checkout/payments", "events / order-fulfilment", "product-cache". */
export function resourceName(resource: AlertResource): string {
  if (resource.kind === "service") return `${resource.namespace ?? "?"}/${resource.name}`;
  if ((resource.kind === "consumerGroup" || resource.kind === "topic") && resource.cluster) return `${resource.cluster} / ${resource.name}`;
  return resource.name;
}

/** "consumer group events / order-fulfilment in eu-west-1" */
export function resourceSentence(resource: AlertResource): string {
  return `${RESOURCE_KIND_LABEL[resource.kind]} ${resourceName(resource)}${resource.region ? ` in ${resource.region}` : ""}`;
}

/** The alert's one-line text: its summary annotation, else its description. */
export function alertSummary(annotations: Readonly<Record<string, string>>): string {
  return annotations.summary ?? annotations.message ?? annotations.description ?? "";
}
