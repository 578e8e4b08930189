// Everything an environment's pages show, read at once from its metrics source and judged: one
// fixed set of queries whatever the fleet's size (the cache shares them between pages, viewers
// and replicas), then the verdicts. What the caller may not see is left out before judging.
import { fleetVerdicts, type FleetFigures } from "../domain/fleet-verdicts";
import type { EntityVerdict } from "../domain/overview";
import { combineFreshness, type AutoscalerStatus, type DependencyStats, type Freshness, type RegionTraffic } from "../domain/ports";
import type { Scope } from "../domain/permissions";
import type { Runtime } from "../runtime";

export interface Fleet extends FleetFigures {
  environment: string;
  /** The environment's regions, as configured. */
  regionNames: string[];
  regions: RegionTraffic[];
  autoscalers: AutoscalerStatus[];
  dependencies: DependencyStats[];
  /** Every entity with its verdict. */
  verdicts: EntityVerdict[];
  freshness: Freshness;
}

function rememberSince(runtime: Runtime, environment: string, verdicts: EntityVerdict[]): EntityVerdict[] {
  return runtime.verdictMemory ? runtime.verdictMemory.record(environment, verdicts, Date.now()) : verdicts;
}

export async function readFleet(runtime: Runtime, environment: string, allows: (scope: Scope) => boolean): Promise<Fleet> {
  const { metrics } = runtime;
  const [workloads, services, regions, autoscalers, dependencies, consumerGroups, topics, kafkaClusters, caches, mongoClusters, elasticsearchClusters] = await Promise.all([
    runtime.workloads.listWorkloads(environment),
    metrics.currentServiceStats(environment),
    metrics.regionTraffic(environment),
    metrics.autoscalers(environment),
    metrics.dependencies(environment),
    metrics.consumerGroupLag(environment),
    metrics.topics(environment),
    metrics.kafkaClusters(environment),
    metrics.caches(environment),
    metrics.mongoClusters(environment),
    metrics.elasticsearchClusters(environment),
  ]);
  const figures: FleetFigures = {
    workloads: workloads.filter((workload) => allows(workload)),
    services: services.value.filter((service) => allows(service)),
    consumerGroups: consumerGroups.value,
    topics: topics.value,
    kafkaClusters: kafkaClusters.value,
    caches: caches.value,
    mongoClusters: mongoClusters.value,
    elasticsearchClusters: elasticsearchClusters.value,
  };
  return {
    environment,
    regionNames: Object.keys(runtime.config.environments[environment]?.regions ?? {}),
    ...figures,
    regions: regions.value,
    autoscalers: autoscalers.value.filter((autoscaler) => allows(autoscaler)),
    dependencies: dependencies.value.filter((dependency) => allows(dependency)),
    verdicts: rememberSince(runtime, environment, fleetVerdicts(figures, runtime.judging())),
    freshness: combineFreshness([services, regions, autoscalers, dependencies, consumerGroups, topics, kafkaClusters, caches, mongoClusters, elasticsearchClusters]),
  };
}
