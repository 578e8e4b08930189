// The Kubernetes adapters of the configuration: for each `kind: kubernetes` cluster, the ports
// of the region it serves; for an environment with `traffic`, its traffic split.
import type { ClusterConfig, EnvironmentConfig } from "../../config/schema";
import { KubernetesAutoscalers } from "./autoscalers";
import { KubernetesConnection, type KubernetesConnectionOptions } from "./connection";
import { KubernetesRollouts } from "./rollouts";
import { KubernetesTraffic } from "./traffic";
import { KubernetesWorkloads } from "./workloads";

export type KubernetesClusterConfig = Extract<ClusterConfig, { kind: "kubernetes" }>;

/** The ports of one cluster, serving one region of one environment. */
export interface KubernetesClusterAdapters {
  connection: KubernetesConnection;
  workloads: KubernetesWorkloads;
  autoscalers: KubernetesAutoscalers;
  rollouts: KubernetesRollouts;
}

export function kubernetesClusterFromConfig(
  environment: string,
  region: string,
  cluster: string,
  config: KubernetesClusterConfig,
  options: KubernetesConnectionOptions = {},
): KubernetesClusterAdapters {
  const connection = new KubernetesConnection(
    {
      environment,
      region,
      name: cluster,
      ...(config.context ? { context: config.context } : {}),
      ...(config.inCluster ? { inCluster: true } : {}),
      ...(config.kubeconfig ? { kubeconfig: config.kubeconfig } : {}),
    },
    options,
  );
  return { connection, workloads: new KubernetesWorkloads(connection), autoscalers: new KubernetesAutoscalers(connection), rollouts: new KubernetesRollouts(connection) };
}

export interface KubernetesEnvironmentAdapters {
  /** One per `kind: kubernetes` cluster, by region. */
  clusters: KubernetesClusterAdapters[];
  /** The traffic split, when the environment configures one. */
  traffic: KubernetesTraffic | null;
}

/** Every Kubernetes adapter of one environment; the traffic split shares its cluster's connection. */
export function kubernetesAdaptersFor(environment: string, config: EnvironmentConfig, options: KubernetesConnectionOptions = {}): KubernetesEnvironmentAdapters {
  const clusters: KubernetesClusterAdapters[] = [];
  for (const [region, regionConfig] of Object.entries(config.regions)) {
    for (const [name, cluster] of Object.entries(regionConfig.clusters)) {
      if (cluster.kind === "kubernetes") clusters.push(kubernetesClusterFromConfig(environment, region, name, cluster, options));
    }
  }
  const traffic = config.traffic;
  if (!traffic) return { clusters, traffic: null };
  const holder = clusters.find((adapters) => adapters.connection.target.name === traffic.httpRoute.cluster);
  // The schema checks that the route's cluster is a Kubernetes cluster of the environment.
  if (!holder) throw new Error(`environment ${environment}: traffic.httpRoute.cluster ${traffic.httpRoute.cluster} is not one of its Kubernetes clusters`);
  const { namespace, name, rule } = traffic.httpRoute;
  return { clusters, traffic: new KubernetesTraffic(holder.connection, environment, { namespace, name, rule, backends: traffic.backends }) };
}
