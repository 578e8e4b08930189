import { cacheHealth } from "../domain/health";
import { createTRPCRouter, permissionProcedure } from "../trpc";
import { entityInput, entityName, environmentInput, inRegions, readVisibleFleet, visibleEnvironment } from "./fleet-input";

export const cachesRouter = createTRPCRouter({
  /** Every Redis cache of the environment, judged. */
  list: permissionProcedure("service.read")
    .input(environmentInput)
    .query(async ({ ctx, input }) => {
      const { runtime, fleet } = await readVisibleFleet(ctx, input?.environment);
      const thresholds = runtime.judging().thresholds.caches;
      return { environment: fleet.environment, caches: fleet.caches.map((cache) => ({ ...cache, health: cacheHealth(cache, thresholds) })), freshness: fleet.freshness };
    }),

  /**
   * What only the instances themselves tell (replication, Sentinel, slowlog, key namespaces), for
   * a cache the configuration lists by address; null for one known only from metrics.
   */
  detail: permissionProcedure("service.read")
    .input(entityInput({ name: entityName }).required({ region: true }))
    .query(async ({ ctx, input }) => {
      const { runtime, environment } = await visibleEnvironment(ctx, input.environment);
      const reader = runtime.clusterReaders?.cacheReader(environment, input.region, input.name);
      return reader ? await reader.detail() : null;
    }),

  /** The warm-up sources a cache.warm request may name for one cache in one region, so the form offers them. */
  warmSources: permissionProcedure("service.read")
    .input(entityInput({ name: entityName }).required({ region: true }))
    .query(async ({ ctx, input }) => {
      const { runtime, environment } = await visibleEnvironment(ctx, input.environment);
      return runtime.actions.ports.caches.warmSources({ environment, region: input.region, cache: input.name });
    }),

  /** One cache in each region it runs in. */
  get: permissionProcedure("service.read")
    .input(entityInput({ name: entityName }))
    .query(async ({ ctx, input }) => {
      const { runtime, fleet } = await readVisibleFleet(ctx, input.environment);
      const thresholds = runtime.judging().thresholds.caches;
      const caches = inRegions(fleet.caches.filter((cache) => cache.cluster === input.name), input.region, `cache ${input.name}`);
      return { environment: fleet.environment, caches: caches.map((cache) => ({ ...cache, health: cacheHealth(cache, thresholds) })), freshness: fleet.freshness };
    }),
});
