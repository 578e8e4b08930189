// The Kafka readers of one configured environment: one per `kind: kafka` cluster of each region.
import type { EnvironmentConfig } from "../../config/schema";
import { KafkaClusterReader, type KafkaReaderOptions } from "./reader";

export function kafkaReadersFor(environment: string, config: EnvironmentConfig, options: KafkaReaderOptions = {}): KafkaClusterReader[] {
  const readers: KafkaClusterReader[] = [];
  for (const [region, regionConfig] of Object.entries(config.regions)) {
    for (const [name, cluster] of Object.entries(regionConfig.clusters)) {
      if (cluster.kind !== "kafka") continue;
      readers.push(
        new KafkaClusterReader(
          { environment, region, name, brokers: cluster.brokers, tls: cluster.tls, ...(cluster.sasl ? { sasl: cluster.sasl } : {}) },
          options,
        ),
      );
    }
  }
  return readers;
}
