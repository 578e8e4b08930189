// Clusters the configuration lists by address (`kind: kafka`, `kind: redis`) are read from the
// systems themselves, in the background; their figures stand in for what the environment's
// metrics source says of the same cluster (same region and name), and clusters only the
// metrics know stay as they are.
import type { ScaleplaneConfig } from "../config/schema";
import { combineFreshness, type Observed, type ObservedMetricsSource } from "../domain/ports";
import { kafkaReadersFor } from "./kafka/from-config";
import type { KafkaClusterReader } from "./kafka/reader";
import type { RedisCacheReader } from "./redis/cache-reader";
import { redisCacheReadersFor } from "./redis/from-config";

type Placed = { region: string; cluster: string };
const placeOf = (entity: Placed) => `${entity.region}\u0000${entity.cluster}`;

/** The metrics' answer with the entities of directly read clusters replaced by the readers'. */
function overlay<T extends Placed>(fromMetrics: Observed<T[]>, direct: Observed<T[]>, readClusters: ReadonlySet<string>): Observed<T[]> {
  const kept = fromMetrics.value.filter((entity) => !readClusters.has(placeOf(entity)));
  return { value: [...kept, ...direct.value], ...combineFreshness([fromMetrics, direct]) };
}

async function gather<T>(answers: Array<Promise<Observed<T[]>>>): Promise<Observed<T[]>> {
  const settled = await Promise.all(answers);
  return { value: settled.flatMap((answer) => answer.value), ...combineFreshness(settled) };
}

export class ClusterReaders {
  constructor(
    readonly caches: readonly RedisCacheReader[],
    readonly kafka: readonly KafkaClusterReader[],
  ) {}

  static fromConfig(config: ScaleplaneConfig): ClusterReaders {
    const environments = Object.entries(config.environments);
    return new ClusterReaders(
      environments.flatMap(([name, environment]) => redisCacheReadersFor(name, environment)),
      environments.flatMap(([name, environment]) => kafkaReadersFor(name, environment)),
    );
  }

  cacheReader(environment: string, region: string, cluster: string): RedisCacheReader | undefined {
    return this.caches.find((reader) => reader.environment === environment && reader.region === region && reader.cluster === cluster);
  }

  /** `source` for `environment`, with the clusters read directly answered by their readers. */
  over(environment: string, source: ObservedMetricsSource): ObservedMetricsSource {
    const caches = this.caches.filter((reader) => reader.environment === environment);
    const kafka = this.kafka.filter((reader) => reader.target.environment === environment);
    if (caches.length === 0 && kafka.length === 0) return source;
    const cachePlaces = new Set(caches.map(placeOf));
    const kafkaPlaces = new Set(kafka.map((reader) => placeOf({ region: reader.target.region, cluster: reader.target.name })));
    return {
      ...bound(source),
      caches: async (env) => overlay(await source.caches(env), await gather(caches.map(async (reader) => {
        const answer = await reader.stats();
        return { ...answer, value: [answer.value] };
      })), cachePlaces),
      kafkaClusters: async (env) => overlay(await source.kafkaClusters(env), await gather(kafka.map((reader) => reader.kafkaClusters(env))), kafkaPlaces),
      topics: async (env) => overlay(await source.topics(env), await gather(kafka.map((reader) => reader.topics(env))), kafkaPlaces),
      consumerGroupLag: async (env) => overlay(await source.consumerGroupLag(env), await gather(kafka.map((reader) => reader.consumerGroupLag(env))), kafkaPlaces),
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.caches.map((reader) => reader.close()), ...this.kafka.map((reader) => reader.close())]);
  }
}

/** The source's methods bound to it, so they survive being spread into another object. */
function bound(source: ObservedMetricsSource): ObservedMetricsSource {
  return {
    currentServiceStats: (environment) => source.currentServiceStats(environment),
    serviceSeries: (ref, window) => source.serviceSeries(ref, window),
    regionTraffic: (environment) => source.regionTraffic(environment),
    autoscalers: (environment) => source.autoscalers(environment),
    dependencies: (environment) => source.dependencies(environment),
    consumerGroupLag: (environment) => source.consumerGroupLag(environment),
    topics: (environment) => source.topics(environment),
    kafkaClusters: (environment) => source.kafkaClusters(environment),
    caches: (environment) => source.caches(environment),
    mongoClusters: (environment) => source.mongoClusters(environment),
    elasticsearchClusters: (environment) => source.elasticsearchClusters(environment),
    ping: () => source.ping(),
  };
}
