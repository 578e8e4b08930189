import { z } from "zod";
import type { WarmProgress, WarmSource } from "../action-ports";
import { formatCount } from "../health/format";
import { cacheFields, cacheLabel, cacheRef, cacheTarget, requireCache } from "./cache-ref";
import { ActionRefused, type ActionKind } from "./kind";
import { listOf } from "./names";

export const cacheWarmParams = z.object({
  ...cacheFields,
  source: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'source must be the name of a warm source: up to 128 letters, digits, ".", "_", ":" or "-"'),
});
export type CacheWarmParams = z.infer<typeof cacheWarmParams>;

const warmProgressSchema = z.object({ loaded: z.number(), failed: z.number(), total: z.number(), done: z.boolean() });
const warmProgressOf = (recorded: Record<string, unknown> | null): WarmProgress | null => warmProgressSchema.safeParse(recorded).data ?? null;

export const cacheWarm: ActionKind<CacheWarmParams, WarmSource> = {
  kind: "cache.warm",
  title: "Warm a cache",
  permission: "action.request",
  params: cacheWarmParams,
  riskRule: "always low: it only adds keys",
  target: cacheTarget,

  async load(ports, params, environment) {
    const ref = cacheRef(params, environment);
    await requireCache(ports, ref);
    const sources = await ports.caches.warmSources(ref);
    const source = sources.find((candidate) => candidate.name === params.source);
    if (!source) {
      throw new ActionRefused(
        sources.length
          ? `${cacheLabel(params)} has no warm source "${params.source}"; its sources are ${listOf(sources.map((candidate) => candidate.name))}`
          : `${cacheLabel(params)} has no warm sources configured`,
      );
    }
    // A key list that is empty or cannot be read: its description says why.
    if (source.keys === 0) throw new ActionRefused(`${cacheLabel(params)} has nothing to load from warm source "${source.name}" (${source.description})`);
    return source;
  },

  plan(params, source) {
    return {
      risk: "low",
      riskReasons: [`only adds keys to ${params.cache}; ${source.description} takes the reads while it runs`],
      summary: `Warm ${cacheLabel(params)} from ${source.name} (${source.description})`,
      changes: [{ label: "keys loaded", before: "0", after: source.keys === null ? "the hottest keys (counted as it runs)" : formatCount(source.keys) }],
      monthlyCostDelta: null,
    };
  },

  async execute(ports, params, { environment, reportProgress, remember, signal }) {
    const result = await ports.caches.warm(cacheRef(params, environment), params.source, (progress) => reportProgress({ ...progress }), signal);
    await remember({ ...result });
  },

  async verify(_ports, params, { recorded }) {
    // The cache keeps no record of a warm-up to read back: the execution's own count is the evidence.
    const result = warmProgressOf(recorded());
    if (!result) {
      return { ok: false, observed: {}, message: `the warm-up of ${cacheLabel(params)} was interrupted by a restart of the app; request it again` };
    }
    const ok = result.done && result.failed === 0;
    const counts = `loaded ${formatCount(result.loaded)} of ${formatCount(result.total)} keys${result.failed ? `, ${formatCount(result.failed)} failed` : ""}`;
    return { ok, observed: { ...result }, message: result.done ? counts : `stopped before the end: ${counts}` };
  },

  rollback: () => null,
};
