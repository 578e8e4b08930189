import { createTRPCRouter, permissionProcedure } from "../trpc";
import { environmentInput, readVisibleFleet } from "./fleet-input";

export const searchRouter = createTRPCRouter({
  /**
   * Every entity the caller may see, with its verdict and page: the command palette (Ctrl-K)
   * filters this list in the browser, so typing costs no request.
   */
  entities: permissionProcedure("service.read")
    .input(environmentInput)
    .query(async ({ ctx, input }) => {
      const { fleet } = await readVisibleFleet(ctx, input?.environment);
      const regions = fleet.regionNames.map((region) => ({ kind: "region" as const, id: `region:${region}`, label: region, region, verdict: null, href: `/regions#${encodeURIComponent(region)}` }));
      return {
        environment: fleet.environment,
        entities: [...fleet.verdicts.map(({ kind, id, label, region, verdict, href }) => ({ kind, id, label, region, verdict, href })), ...regions],
      };
    }),
});
