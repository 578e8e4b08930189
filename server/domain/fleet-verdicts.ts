// Every entity of an environment with its verdict and the page that explains it: what the
// overview counts and lists. Pure: figures in, verdicts out.
import {
  cacheHealth, consumerGroupHealth, DEFAULT_HEALTH_THRESHOLDS, elasticsearchHealth, kafkaClusterHealth, mongoClusterHealth, serviceHealth, topicHealth,
  type BurrowWindow, type Health, type HealthThresholds,
} from "./health";
import type { EntityVerdict } from "./overview";
import type {
  CacheStats, ConsumerGroupLag, ElasticsearchClusterStats, KafkaClusterStats, MongoClusterStats, ServiceStats, TopicStats, Workload,
} from "./ports";

export interface FleetFigures {
  workloads: readonly Workload[];
  services: readonly ServiceStats[];
  consumerGroups: readonly ConsumerGroupLag[];
  topics: readonly TopicStats[];
  kafkaClusters: readonly KafkaClusterStats[];
  caches: readonly CacheStats[];
  mongoClusters: readonly MongoClusterStats[];
  elasticsearchClusters: readonly ElasticsearchClusterStats[];
}

/** What judging needs besides the figures: the thresholds and what the lag poller remembers. */
export interface JudgingContext {
  thresholds: HealthThresholds;
  /** A consumer group's Burrow windows by partition. */
  lagWindows?: (group: ConsumerGroupLag) => ReadonlyMap<number, BurrowWindow> | undefined;
  /** How many brokers a Kafka cluster had lately. */
  expectedBrokers?: (cluster: KafkaClusterStats) => number | undefined;
  /** "Now" for Burrow: the lag poller's last poll, so a stalled poller does not look like stopped consumers. */
  now?: number;
}

export const DEFAULT_JUDGING: JudgingContext = { thresholds: DEFAULT_HEALTH_THRESHOLDS };

const segment = encodeURIComponent;

/** The entity pages' routes (kept stable for links and bookmarks). */
export const entityHref = {
  service: (namespace: string, name: string, region: string) => `/services/${segment(namespace)}/${segment(name)}?region=${segment(region)}`,
  kafkaCluster: (cluster: string, region: string) => `/queues/${segment(cluster)}?region=${segment(region)}`,
  topic: (cluster: string, topic: string, region: string) => `/queues/${segment(cluster)}/topics/${segment(topic)}?region=${segment(region)}`,
  consumerGroup: (cluster: string, group: string, region: string) => `/queues/${segment(cluster)}/groups/${segment(group)}?region=${segment(region)}`,
  cache: (name: string, region: string) => `/caches/${segment(name)}?region=${segment(region)}`,
  shardCluster: (cluster: string, region: string) => `/shards/${segment(cluster)}?region=${segment(region)}`,
};

/** A service in one region, as the overview and the services list key it: "shop/checkout@eu-west-1". */
export const serviceKey = (entity: { namespace: string; name: string; region: string }) => `${entity.namespace}/${entity.name}@${entity.region}`;

function serviceVerdicts(figures: FleetFigures, context: JudgingContext): EntityVerdict[] {
  const stats = new Map(figures.services.map((service) => [serviceKey(service), service]));
  // The workloads are the inventory; without a workload source, the services Prometheus knows.
  const inventory = figures.workloads.length > 0 ? figures.workloads : figures.services;
  return inventory.map((entity) => {
    const workload = "desiredReplicas" in entity ? entity : undefined;
    const health = serviceHealth(stats.get(serviceKey(entity)), workload, context.thresholds.services);
    return {
      kind: "service",
      id: serviceKey(entity),
      label: `${entity.namespace}/${entity.name}`,
      region: entity.region,
      verdict: health.verdict,
      reasons: health.reasons,
      href: entityHref.service(entity.namespace, entity.name, entity.region),
    };
  });
}

function entity(kind: EntityVerdict["kind"], id: string, label: string, region: string, health: Health, href: string): EntityVerdict {
  return { kind, id, label, region, verdict: health.verdict, reasons: health.reasons, href };
}

export function fleetVerdicts(figures: FleetFigures, context: JudgingContext = DEFAULT_JUDGING): EntityVerdict[] {
  const { thresholds } = context;
  return [
    ...serviceVerdicts(figures, context),
    ...figures.kafkaClusters.map((cluster) =>
      entity("kafkaCluster", `${cluster.cluster}@${cluster.region}`, cluster.cluster, cluster.region,
        kafkaClusterHealth(cluster, thresholds.kafkaClusters, context.expectedBrokers?.(cluster)), entityHref.kafkaCluster(cluster.cluster, cluster.region)),
    ),
    ...figures.topics.map((topic) =>
      entity("topic", `${topic.cluster}/${topic.topic}@${topic.region}`, `${topic.cluster} / ${topic.topic}`, topic.region,
        topicHealth(topic, thresholds.topics), entityHref.topic(topic.cluster, topic.topic, topic.region)),
    ),
    ...figures.consumerGroups.map((group) =>
      entity("consumerGroup", `${group.cluster}/${group.group}/${group.topic}@${group.region}`, `${group.cluster} / ${group.group}`, group.region,
        consumerGroupHealth(group, context.lagWindows?.(group), thresholds.consumerGroups, context.now), entityHref.consumerGroup(group.cluster, group.group, group.region)),
    ),
    ...figures.caches.map((cache) =>
      entity("cache", `${cache.cluster}@${cache.region}`, cache.cluster, cache.region, cacheHealth(cache, thresholds.caches), entityHref.cache(cache.cluster, cache.region)),
    ),
    ...figures.mongoClusters.map((cluster) =>
      entity("mongoCluster", `${cluster.cluster}@${cluster.region}`, cluster.cluster, cluster.region,
        mongoClusterHealth(cluster, thresholds.mongoClusters), entityHref.shardCluster(cluster.cluster, cluster.region)),
    ),
    ...figures.elasticsearchClusters.map((cluster) =>
      entity("elasticsearchCluster", `${cluster.cluster}@${cluster.region}`, cluster.cluster, cluster.region,
        elasticsearchHealth(cluster, thresholds.elasticsearchClusters), entityHref.shardCluster(cluster.cluster, cluster.region)),
    ),
  ];
}
