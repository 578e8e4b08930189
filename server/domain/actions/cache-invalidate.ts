import { z } from "zod";
import type { KeyPatternEstimate } from "../action-ports";
import { formatCount } from "../health/format";
import { cacheFields, cacheLabel, cacheRef, cacheTarget, requireCache } from "./cache-ref";
import { ActionRefused, type ActionKind } from "./kind";

export const cacheInvalidateParams = z.object({
  ...cacheFields,
  pattern: z
    .string()
    .max(1024, "pattern must be at most 1,024 characters")
    .refine((pattern) => pattern.trim().length > 0, 'pattern cannot be empty or blank; to delete every key the pattern is "*"'),
});
export type CacheInvalidateParams = z.infer<typeof cacheInvalidateParams>;

/** Deleting more keys than this at once sends too many reads to the backing store: high risk. */
export const MANY_KEYS = 10_000;

/** `*`, `**`, …: every key. */
const matchesEverything = (pattern: string) => /^\*+$/.test(pattern);

const describeEstimate = (estimate: KeyPatternEstimate) =>
  estimate.exact
    ? `${formatCount(estimate.matching)} of ${formatCount(estimate.totalKeys)} keys`
    : `about ${formatCount(estimate.matching)} of ${formatCount(estimate.totalKeys)} keys (estimated from a sample)`;

export const cacheInvalidate: ActionKind<CacheInvalidateParams, KeyPatternEstimate> = {
  kind: "cache.invalidate",
  title: "Invalidate cache keys by pattern",
  permission: "action.request",
  params: cacheInvalidateParams,
  riskRule: `high for a bare "*" or more than ${formatCount(MANY_KEYS)} matching keys; otherwise medium`,
  target: cacheTarget,

  async load(ports, params, environment) {
    const ref = cacheRef(params, environment);
    await requireCache(ports, ref);
    const estimate = await ports.caches.estimateKeys(ref, params.pattern);
    if (estimate.exact && estimate.matching === 0) {
      throw new ActionRefused(`no key of ${cacheLabel(params)} matches "${params.pattern}" (${formatCount(estimate.totalKeys)} keys); nothing to invalidate`);
    }
    return estimate;
  },

  plan(params, estimate) {
    const riskReasons: string[] = [];
    if (matchesEverything(params.pattern)) riskReasons.push(`"${params.pattern}" matches every key: the whole cache is emptied`);
    else if (estimate.matching > MANY_KEYS) riskReasons.push(`${describeEstimate(estimate)} match, more than ${formatCount(MANY_KEYS)}`);
    const consequence = "their next reads miss and go to the backing store until the cache refills";
    return {
      risk: riskReasons.length ? "high" : "medium",
      riskReasons: riskReasons.length ? [...riskReasons, consequence] : [`deletes ${describeEstimate(estimate)}: ${consequence}`],
      summary: `Delete the keys of ${cacheLabel(params)} matching "${params.pattern}" (SCAN and UNLINK in batches)`,
      changes: [{ label: "matching keys", before: describeEstimate(estimate), after: "0" }],
      monthlyCostDelta: null,
    };
  },

  async execute(ports, params, { environment, reportProgress, signal }) {
    await ports.caches.invalidate(cacheRef(params, environment), params.pattern, (progress) => reportProgress({ ...progress }), signal);
  },

  async verify(ports, params, { environment }) {
    const estimate = await ports.caches.estimateKeys(cacheRef(params, environment), params.pattern);
    const ok = estimate.matching === 0;
    return {
      ok,
      observed: { matching: estimate.matching, exact: estimate.exact, totalKeys: estimate.totalKeys },
      message: ok
        ? `no key of ${cacheLabel(params)} matches "${params.pattern}" any more`
        : `${describeEstimate(estimate)} still match "${params.pattern}"`,
    };
  },

  rollback: () => null,
};
