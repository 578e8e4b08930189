import { z } from "zod";
import { defaultEnvironmentName } from "../config";
import { fleetVerdicts } from "../domain/fleet-verdicts";
import { summariseAreas } from "../domain/overview";
import { combineFreshness } from "../domain/ports";
import { createTRPCRouter, permissionProcedure } from "../trpc";

export const overviewRouter = createTRPCRouter({
  /**
   * The fleet at a glance: every entity's verdict counted per area and region, the worst
   * first, and the regions' traffic. A fixed number of queries whatever the fleet's size.
   */
  get: permissionProcedure("service.read")
    .input(z.object({ environment: z.string().optional() }).optional())
    .query(async ({ ctx, input }) => {
      const runtime = await ctx.runtime();
      const environment = input?.environment ?? defaultEnvironmentName(runtime.config);
      ctx.authorizeEnvironment(environment);
      const { metrics } = runtime;
      const [workloads, services, regions, consumerGroups, topics, kafkaClusters, caches, mongoClusters, elasticsearchClusters] = await Promise.all([
        runtime.workloads.listWorkloads(environment),
        metrics.currentServiceStats(environment),
        metrics.regionTraffic(environment),
        metrics.consumerGroupLag(environment),
        metrics.topics(environment),
        metrics.kafkaClusters(environment),
        metrics.caches(environment),
        metrics.mongoClusters(environment),
        metrics.elasticsearchClusters(environment),
      ]);
      const entities = fleetVerdicts({
        workloads: workloads.filter((workload) => ctx.allows(workload)),
        services: services.value.filter((service) => ctx.allows(service)),
        consumerGroups: consumerGroups.value,
        topics: topics.value,
        kafkaClusters: kafkaClusters.value,
        caches: caches.value,
        mongoClusters: mongoClusters.value,
        elasticsearchClusters: elasticsearchClusters.value,
      }, runtime.judging());
      const regionNames = Object.keys(runtime.config.environments[environment]?.regions ?? {});
      return {
        environment,
        regions: regions.value,
        areas: summariseAreas(entities, regionNames),
        freshness: combineFreshness([services, regions, consumerGroups, topics, kafkaClusters, caches, mongoClusters, elasticsearchClusters]),
      };
    }),
});
