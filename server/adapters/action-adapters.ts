// The real adapters the configuration asks for, each placed where its cluster is: Kubernetes per
// region (and the environment's traffic split), Kafka and Redis clusters listed by address, and
// the services whose breakers have an admin endpoint. routeActionPorts sends each call to them.
import type { ScaleplaneConfig } from "../config/schema";
import type { PlacedAdapters } from "./action-ports";
import { HttpBreakerAdmin } from "./breakers/http-breaker-admin";
import { kafkaQueueAdminsFor } from "./kafka/from-config";
import { kubernetesAdaptersFor } from "./kubernetes/from-config";
import { redisCacheAdminsFor } from "./redis/from-config";

export interface ConfiguredAdapters {
  adapters: PlacedAdapters;
  close(): Promise<void>;
}

export function actionAdaptersFromConfig(config: ScaleplaneConfig, secrets: NodeJS.ProcessEnv = process.env): ConfiguredAdapters {
  const adapters: PlacedAdapters = { kubernetes: [], traffic: [], kafka: [], redis: [], breakers: [] };
  const closers: Array<() => unknown> = [];
  for (const [environment, environmentConfig] of Object.entries(config.environments)) {
    const kubernetes = kubernetesAdaptersFor(environment, environmentConfig);
    for (const cluster of kubernetes.clusters) {
      adapters.kubernetes.push({ environment, region: cluster.connection.target.region, workloads: cluster.workloads, autoscalers: cluster.autoscalers, rollouts: cluster.rollouts });
    }
    if (kubernetes.traffic) adapters.traffic.push({ environment, adapter: kubernetes.traffic });

    for (const admin of kafkaQueueAdminsFor(environment, environmentConfig)) {
      adapters.kafka.push({ ...admin.serves, adapter: admin });
    }
    for (const admin of redisCacheAdminsFor(environment, environmentConfig)) {
      adapters.redis.push({ environment, region: admin.region, cache: admin.cluster, adapter: admin });
      closers.push(() => admin.close());
    }
    for (const [region, regionConfig] of Object.entries(environmentConfig.regions)) {
      const breakerAdmin = regionConfig.breakerAdmin;
      if (!breakerAdmin) continue;
      const token = breakerAdmin.tokenEnv ? secrets[breakerAdmin.tokenEnv] : undefined;
      adapters.breakers.push({ environment, region, adapter: new HttpBreakerAdmin({ environment, region, config: breakerAdmin, ...(token ? { token } : {}) }) });
    }
  }
  return {
    adapters,
    async close() {
      await Promise.all(closers.map((close) => close()));
    },
  };
}
