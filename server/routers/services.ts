import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { serviceHealth, worstVerdict } from "../domain/health";
import { defaultEnvironmentName } from "../config";
import { combineFreshness, type ServiceStats, type Workload } from "../domain/ports";
import { createTRPCRouter, permissionProcedure } from "../trpc";

const keyOf = (x: { namespace: string; name: string; region: string }) => `${x.namespace}/${x.name}@${x.region}`;

/** Workloads joined with their current figures and verdict, one row per service and region. */
function joinRows(workloads: Workload[], stats: ServiceStats[]) {
  const statsByKey = new Map(stats.map((s) => [keyOf(s), s]));
  return workloads.map((workload) => {
    const figures = statsByKey.get(keyOf(workload));
    return { ...workload, stats: figures ?? null, health: serviceHealth(figures, workload) };
  });
}

const windowInput = z
  .object({ from: z.number().int(), to: z.number().int() })
  .refine((w) => w.to > w.from, "the window must end after it starts")
  .refine((w) => w.to - w.from <= 7 * 24 * 3600 * 1000, "the window can be at most 7 days");

export const servicesRouter = createTRPCRouter({
  list: permissionProcedure("service.read")
    .input(z.object({ environment: z.string().optional() }).optional())
    .query(async ({ ctx, input }) => {
      const runtime = await ctx.runtime();
      const environment = input?.environment ?? defaultEnvironmentName(runtime.config);
      const [workloads, stats] = await Promise.all([runtime.workloads.listWorkloads(environment), runtime.metrics.currentServiceStats(environment)]);
      const { value, ...freshness } = stats;
      return { environment, rows: joinRows(workloads.filter((w) => ctx.allows(w)), value), freshness };
    }),

  get: permissionProcedure("service.read")
    .input(z.object({ environment: z.string().optional(), namespace: z.string().min(1), name: z.string().min(1), window: windowInput.optional() }))
    .query(async ({ ctx, input }) => {
      const runtime = await ctx.runtime();
      const environment = input.environment ?? defaultEnvironmentName(runtime.config);
      ctx.authorize({ environment, namespace: input.namespace });
      const [workloads, stats] = await Promise.all([runtime.workloads.listWorkloads(environment), runtime.metrics.currentServiceStats(environment)]);
      const regions = joinRows(
        workloads.filter((w) => w.namespace === input.namespace && w.name === input.name),
        stats.value,
      );
      if (regions.length === 0) throw new TRPCError({ code: "NOT_FOUND", message: `service ${input.namespace}/${input.name} not found in ${environment}` });
      const now = Date.now();
      const window = input.window ?? { from: now - 3600_000, to: now };
      const stepSeconds = Math.max(30, Math.round((window.to - window.from) / 1000 / 240));
      const answers = await Promise.all(
        regions.map((region) => runtime.metrics.serviceSeries({ environment, namespace: input.namespace, name: input.name, region: region.region }, { ...window, stepSeconds })),
      );
      const series = regions.map((region, index) => ({ region: region.region, points: answers[index]?.value ?? [] }));
      return {
        environment,
        namespace: input.namespace,
        name: input.name,
        verdict: worstVerdict(regions.map((r) => r.health.verdict)),
        regions,
        series,
        window,
        freshness: combineFreshness([stats, ...answers]),
      };
    }),
});
