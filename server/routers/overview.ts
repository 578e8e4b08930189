import { z } from "zod";
import { regionHealth } from "../domain/health";
import { summariseAreas } from "../domain/overview";
import { createTRPCRouter, permissionProcedure } from "../trpc";
import { readVisibleFleet } from "./fleet-input";

export const overviewRouter = createTRPCRouter({
  /**
   * The fleet at a glance: every entity's verdict counted per area and region, the worst
   * first, and the regions' traffic. A fixed number of queries whatever the fleet's size.
   */
  get: permissionProcedure("service.read")
    .input(z.object({ environment: z.string().optional() }).optional())
    .query(async ({ ctx, input }) => {
      const { runtime, fleet } = await readVisibleFleet(ctx, input?.environment);
      const environment = fleet.environment;
      const thresholds = runtime.judging().thresholds.regions;
      return {
        environment,
        regions: fleet.regions.map((region) => ({ ...region, health: regionHealth(region, thresholds) })),
        areas: summariseAreas(fleet.verdicts, fleet.regionNames),
        freshness: fleet.freshness,
      };
    }),
});
