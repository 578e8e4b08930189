// The whole platform for a given number of services: the hand-written catalog, then
// services generated deterministically from their index (the same count always gives the
// same names, namespaces and call graph; the seed only varies their figures), with a topic
// and consumer for every 20th generated service and a cache for every 50th.
import {
  CACHES, ELASTICSEARCH_CLUSTERS, KAFKA_CLUSTERS, MONGO_CLUSTERS, REGIONS, SERVICES, TOPICS, WORKERS,
  type CacheSpec, type DependencySpec, type ElasticsearchSpec, type KafkaSpec, type MongoSpec,
  type RegionSpec, type ServiceSpec, type TopicSpec, type WorkerSpec,
} from "./catalog";
import { hash32, mulberry32 } from "./random";

export interface PlatformSpec {
  regions: readonly RegionSpec[];
  services: readonly ServiceSpec[];
  workers: readonly WorkerSpec[];
  topics: readonly TopicSpec[];
  caches: readonly CacheSpec[];
  mongo: readonly MongoSpec[];
  elasticsearch: readonly ElasticsearchSpec[];
  kafka: readonly KafkaSpec[];
}

export const DEFAULT_SERVICE_COUNT = 30;
export const MAX_SERVICE_COUNT = 5000;

const NAMESPACES = ["orders", "accounts", "shipping", "billing", "media", "growth", "risk", "support"];
const NOUNS = [
  "ledger", "invoice", "shipment", "profile", "review", "pricing", "coupon", "wishlist", "thumbnail",
  "recommend", "fraud", "tax", "address", "loyalty", "refund", "subscription", "warehouse", "courier",
  "rating", "upload", "consent", "referral", "voucher", "quote", "tracking", "returns", "banner",
  "feed", "report", "audit", "geo", "currency", "locale", "preference", "notification", "mailer",
  "sms", "ticket", "chat", "survey",
];
const ROLES = ["api", "service", "backend", "sync", "store", "engine", "query", "admin", "edge", "reader"];
/** How far ahead in the generated list a service may call: keeps the graph acyclic and local. */
const CALL_REACH = 40;
const TOPIC_EVERY = 20;
const CACHE_EVERY = 50;
const MiB = 1024 * 1024;

/** A stream of numbers fixed by the generated service's index alone. */
const streamOf = (index: number) => mulberry32(hash32(0x5ca1e, index));
const between = (random: () => number, low: number, high: number) => low + (high - low) * random();
const logBetween = (random: () => number, low: number, high: number) => low * (high / low) ** random();

export function generatedServiceName(index: number): string {
  const noun = NOUNS[index % NOUNS.length] ?? "svc";
  const role = ROLES[Math.floor(index / NOUNS.length) % ROLES.length] ?? "api";
  const round = Math.floor(index / (NOUNS.length * ROLES.length));
  return round === 0 ? `${noun}-${role}` : `${noun}-${role}-${round + 1}`;
}

function generatedService(index: number, count: number): ServiceSpec {
  const random = streamOf(index);
  const meanRps = logBetween(random, 40, 1500);
  const capacityPerReplicaRps = between(random, 60, 300);
  // A whole percent, as an HPA spec writes it (averageUtilization is an integer).
  const hpaTargetUtilisation = Math.round(between(random, 0.65, 0.8) * 100) / 100;
  // Room for the peak hour of the busiest region and a spike on top.
  const peakReplicas = (meanRps * 0.6 * 1.35 * 2.5) / (capacityPerReplicaRps * hpaTargetUtilisation);
  const dependencies: DependencySpec[] = [];
  const wanted = Math.floor(random() * 4);
  for (let attempt = 0; attempt < wanted * 3 && dependencies.length < wanted; attempt++) {
    const callee = index + 1 + Math.floor(random() * CALL_REACH);
    const name = random() < 0.1 ? (random() < 0.5 ? "auth" : "inventory") : callee < count ? generatedServiceName(callee) : null;
    if (name !== null && !dependencies.some((d) => d.service === name)) dependencies.push({ service: name, callShare: Math.round(between(random, 0.2, 1) * 100) / 100 });
  }
  return {
    namespace: NAMESPACES[index % NAMESPACES.length] ?? "default",
    name: generatedServiceName(index),
    meanRps,
    capacityPerReplicaRps,
    baseLatencyMs: between(random, 8, 80),
    baseErrorRatio: between(random, 0.0003, 0.003),
    minReplicas: 2,
    maxReplicas: Math.max(6, Math.ceil(peakReplicas)),
    startingUtilisation: between(random, 0.45, 0.7),
    hpaTargetUtilisation,
    dependencies,
  };
}

export function platformSpec(serviceCount: number = DEFAULT_SERVICE_COUNT): PlatformSpec {
  if (!Number.isInteger(serviceCount) || serviceCount < SERVICES.length || serviceCount > MAX_SERVICE_COUNT) {
    throw new RangeError(`services must be a whole number from ${SERVICES.length} to ${MAX_SERVICE_COUNT}, got ${serviceCount}`);
  }
  const generatedCount = serviceCount - SERVICES.length;
  const generated = Array.from({ length: generatedCount }, (_, index) => generatedService(index, generatedCount));
  const topics: TopicSpec[] = [...TOPICS];
  const workers: WorkerSpec[] = [...WORKERS];
  const caches: CacheSpec[] = [...CACHES];
  generated.forEach((spec, index) => {
    const random = mulberry32(hash32(0xcafe, index));
    if (index % TOPIC_EVERY === 0) {
      const topic = `${spec.name}-events`;
      topics.push({ name: topic, partitions: 6, producer: spec.name, messagesPerRequest: 0.5 });
      workers.push({
        namespace: spec.namespace, name: `${spec.name}-consumer`, group: `${spec.name}-consumer`, topic,
        perReplicaThroughput: between(random, 100, 300), baseLatencyMs: between(random, 5, 40),
        baseErrorRatio: between(random, 0.0005, 0.002), dependencies: [],
      });
    }
    if (index % CACHE_EVERY === 10) {
      caches.push({
        name: `${spec.name}-cache`, front: spec.name, lookupsPerRequest: 1.5, backing: spec.dependencies[0]?.service ?? null,
        workingSetKeys: 200_000, bytesPerKey: 1024, maxMemoryBytes: 256 * MiB,
      });
    }
  });
  const platform: PlatformSpec = {
    regions: REGIONS, services: [...SERVICES, ...generated], workers, topics, caches,
    mongo: MONGO_CLUSTERS, elasticsearch: ELASTICSEARCH_CLUSTERS, kafka: KAFKA_CLUSTERS,
  };
  checkReferences(platform);
  return platform;
}

/** A catalog mistake should fail at start, not as a missing series later. */
function checkReferences(platform: PlatformSpec): void {
  const services = new Set<string>();
  for (const spec of [...platform.services, ...platform.workers]) {
    if (services.has(spec.name)) throw new Error(`simulator catalog: service name ${spec.name} is used twice`);
    services.add(spec.name);
  }
  const topics = new Set(platform.topics.map((topic) => topic.name));
  const known = (name: string, what: string) => {
    if (!services.has(name)) throw new Error(`simulator catalog: ${what} names unknown service ${name}`);
  };
  for (const spec of [...platform.services, ...platform.workers]) for (const d of spec.dependencies) known(d.service, `${spec.name}'s dependency`);
  for (const topic of platform.topics) known(topic.producer, `topic ${topic.name}`);
  for (const worker of platform.workers) if (!topics.has(worker.topic)) throw new Error(`simulator catalog: worker ${worker.name} reads unknown topic ${worker.topic}`);
  for (const cache of platform.caches) {
    known(cache.front, `cache ${cache.name}`);
    if (cache.backing !== null) known(cache.backing, `cache ${cache.name}`);
  }
  for (const mongo of platform.mongo) known(mongo.writer, `MongoDB cluster ${mongo.name}`);
  for (const es of platform.elasticsearch) known(es.searcher, `Elasticsearch cluster ${es.name}`);
}
