import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { autoscalerHealth, serviceHealth, worstVerdict, type HealthThresholds } from "../domain/health";
import { defaultEnvironmentName } from "../config";
import { serviceKey } from "../domain/fleet-verdicts";
import { combineFreshness, type DependencyStats, type ServiceStats, type Workload } from "../domain/ports";
import { createTRPCRouter, permissionProcedure } from "../trpc";


/** Workloads joined with their current figures and verdict, one row per service and region. */
function joinRows(workloads: Workload[], stats: ServiceStats[], thresholds: HealthThresholds["services"]) {
  const statsByKey = new Map(stats.map((s) => [serviceKey(s), s]));
  return workloads.map((workload) => {
    const figures = statsByKey.get(serviceKey(workload));
    return { ...workload, stats: figures ?? null, health: serviceHealth(figures, workload, thresholds) };
  });
}

/**
 * The calls around one service: what it calls (downstream, with its breaker on each) and who
 * calls it (upstream, with their breakers on it), each neighbour with its own verdict. Service
 * names are unique across namespaces in the call graph's metrics, so edges name services only.
 */
function callGraphAround(name: string, dependencies: DependencyStats[], rows: ReturnType<typeof joinRows>) {
  const verdictOf = (service: string, region: string) => {
    const row = rows.find((candidate) => candidate.name === service && candidate.region === region);
    return row ? { namespace: row.namespace, verdict: row.health.verdict, reasons: row.health.reasons } : null;
  };
  return {
    downstream: dependencies.filter((edge) => edge.name === name).map((edge) => ({ ...edge, neighbour: verdictOf(edge.dependency, edge.region) })),
    upstream: dependencies.filter((edge) => edge.dependency === name).map((edge) => ({ ...edge, neighbour: verdictOf(edge.name, edge.region) })),
  };
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
      return { environment, rows: joinRows(workloads.filter((w) => ctx.allows(w)), value, runtime.judging().thresholds.services), freshness };
    }),

  get: permissionProcedure("service.read")
    .input(z.object({ environment: z.string().optional(), namespace: z.string().min(1), name: z.string().min(1), window: windowInput.optional() }))
    .query(async ({ ctx, input }) => {
      const runtime = await ctx.runtime();
      const environment = input.environment ?? defaultEnvironmentName(runtime.config);
      ctx.authorize({ environment, namespace: input.namespace });
      const [workloads, stats, autoscalers, dependencies] = await Promise.all([
        runtime.workloads.listWorkloads(environment),
        runtime.metrics.currentServiceStats(environment),
        runtime.metrics.autoscalers(environment),
        runtime.metrics.dependencies(environment),
      ]);
      const { thresholds } = runtime.judging();
      const allRows = joinRows(workloads.filter((w) => ctx.allows(w)), stats.value, thresholds.services);
      const regions = allRows.filter((row) => row.namespace === input.namespace && row.name === input.name);
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
        autoscalers: autoscalers.value
          .filter((hpa) => hpa.namespace === input.namespace && hpa.name === input.name)
          .map((hpa) => ({ ...hpa, health: autoscalerHealth(hpa, thresholds.autoscalers) })),
        calls: callGraphAround(input.name, dependencies.value, allRows),
        freshness: combineFreshness([stats, autoscalers, dependencies, ...answers]),
      };
    }),
});
