// The Kafka adapters of one configured environment: a reader and an administrator per
// `kind: kafka` cluster of each region.
import type { EnvironmentConfig } from "../../config/schema";
import type { KafkaClusterTarget } from "./connection";
import { KafkaQueueAdmin, type KafkaQueueAdminOptions } from "./queue-admin";
import { KafkaClusterReader, type KafkaReaderOptions } from "./reader";

/** Every `kind: kafka` cluster of the environment, with what its configuration says beyond the connection. */
function kafkaClustersOf(environment: string, config: EnvironmentConfig): Array<{ target: KafkaClusterTarget; consumers: Record<string, string> }> {
  const clusters: Array<{ target: KafkaClusterTarget; consumers: Record<string, string> }> = [];
  for (const [region, regionConfig] of Object.entries(config.regions)) {
    for (const [name, cluster] of Object.entries(regionConfig.clusters)) {
      if (cluster.kind !== "kafka") continue;
      clusters.push({
        target: { environment, region, name, brokers: cluster.brokers, tls: cluster.tls, ...(cluster.sasl ? { sasl: cluster.sasl } : {}) },
        consumers: cluster.consumers ?? {},
      });
    }
  }
  return clusters;
}

export function kafkaReadersFor(environment: string, config: EnvironmentConfig, options: KafkaReaderOptions = {}): KafkaClusterReader[] {
  return kafkaClustersOf(environment, config).map(({ target }) => new KafkaClusterReader(target, options));
}

/** The QueueAdminPort of each cluster; each one serves only calls naming its own environment, region and cluster. */
export function kafkaQueueAdminsFor(environment: string, config: EnvironmentConfig, options: Omit<KafkaQueueAdminOptions, "consumers"> = {}): KafkaQueueAdmin[] {
  return kafkaClustersOf(environment, config).map(({ target, consumers }) => new KafkaQueueAdmin(target, { ...options, consumers }));
}
