import { cacheHealth } from "../domain/health";
import { createTRPCRouter, permissionProcedure } from "../trpc";
import { entityInput, entityName, environmentInput, inRegions, readVisibleFleet } from "./fleet-input";

export const cachesRouter = createTRPCRouter({
  /** Every Redis cache of the environment, judged. */
  list: permissionProcedure("service.read")
    .input(environmentInput)
    .query(async ({ ctx, input }) => {
      const { runtime, fleet } = await readVisibleFleet(ctx, input?.environment);
      const thresholds = runtime.judging().thresholds.caches;
      return { environment: fleet.environment, caches: fleet.caches.map((cache) => ({ ...cache, health: cacheHealth(cache, thresholds) })), freshness: fleet.freshness };
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
