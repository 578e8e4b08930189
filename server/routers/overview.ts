import { z } from "zod";
import { defaultEnvironmentName } from "../config";
import { regionHealth } from "../domain/health";
import { summariseAreas } from "../domain/overview";
import { readFleet } from "../fleet/read";
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
      const fleet = await readFleet(runtime, environment, ctx.allows);
      const thresholds = runtime.judging().thresholds.regions;
      return {
        environment,
        regions: fleet.regions.map((region) => ({ ...region, health: regionHealth(region, thresholds) })),
        areas: summariseAreas(fleet.verdicts, fleet.regionNames),
        freshness: fleet.freshness,
      };
    }),
});
