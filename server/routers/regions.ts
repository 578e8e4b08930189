import { planFailover } from "../domain/failover";
import { regionHealth } from "../domain/health";
import { emptyCounts } from "../domain/overview";
import { createTRPCRouter, permissionProcedure } from "../trpc";
import { environmentInput, readVisibleFleet } from "./fleet-input";

export const regionsRouter = createTRPCRouter({
  /** Each region: its traffic weight and figures, its entities' verdicts, and what failing it over would move. */
  list: permissionProcedure("service.read")
    .input(environmentInput)
    .query(async ({ ctx, input }) => {
      const { runtime, fleet } = await readVisibleFleet(ctx, input?.environment);
      const thresholds = runtime.judging().thresholds.regions;
      const names = [...new Set([...fleet.regionNames, ...fleet.regions.map((region) => region.region)])];
      return {
        environment: fleet.environment,
        regions: names.map((name) => {
          const traffic = fleet.regions.find((region) => region.region === name);
          const counts = emptyCounts();
          for (const entity of fleet.verdicts) if (entity.region === name) counts[entity.verdict]++;
          return {
            region: name,
            traffic: traffic ?? null,
            health: regionHealth(traffic, thresholds),
            counts,
            failover: planFailover(name, fleet.regions, fleet.workloads),
          };
        }),
        freshness: fleet.freshness,
      };
    }),
});
