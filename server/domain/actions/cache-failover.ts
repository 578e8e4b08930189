import { z } from "zod";
import type { CachePrimary } from "../action-ports";
import { cacheFields, cacheLabel, cacheRef, cacheTarget, requireCache } from "./cache-ref";
import { ActionRefused, type ActionKind } from "./kind";
import { listOf, plural } from "./names";
import { readUntil } from "./read-until";

export const cacheFailoverParams = z.object(cacheFields);
export type CacheFailoverParams = z.infer<typeof cacheFailoverParams>;

/** Sentinels elect a leader and promote a replica within seconds; allow for a slow election. */
const PROMOTION_TIMEOUT_MS = 60_000;

export const cacheFailover: ActionKind<CacheFailoverParams, CachePrimary> = {
  kind: "cache.failover",
  title: "Fail over a cache (Sentinel)",
  permission: "action.request",
  params: cacheFailoverParams,
  // A second failover started before the first settles promotes the old primary back, or fails half-way.
  exclusiveKey: (params, environment) => JSON.stringify([environment, params.region, params.cache]),
  riskRule: "always high: clients reconnect, and writes the replicas had not received yet are lost",
  target: cacheTarget,

  async load(ports, params, environment) {
    const primary = await requireCache(ports, cacheRef(params, environment));
    if (primary.sentinels === 0) {
      throw new ActionRefused(`${cacheLabel(params)} is not managed by Redis Sentinel: a failover needs Sentinels watching its primary and a replica`);
    }
    if (primary.replicas.length === 0) throw new ActionRefused(`${cacheLabel(params)} has no replica to promote`);
    if (primary.sentinels < primary.quorum) {
      throw new ActionRefused(
        `only ${plural(primary.sentinels, "Sentinel")} of ${cacheLabel(params)} ${primary.sentinels === 1 ? "agrees" : "agree"} on its primary; a failover needs ${primary.quorum}. Bring the Sentinels back first`,
      );
    }
    if (!primary.failoverPossible) {
      throw new ActionRefused(
        `no replica of ${cacheLabel(params)} is fit to be promoted: the Sentinels see ${listOf(primary.replicas)} down or disconnected, or cannot authorise a failover; bring a replica back, wait until its link to the primary is up, then request the failover again`,
      );
    }
    return primary;
  },

  plan(params, current) {
    return {
      risk: "high",
      riskReasons: [
        `promotes a replica of ${params.cache} to primary: every client reconnects, and writes ${current.primary} acknowledged but had not replicated yet are lost`,
      ],
      summary: `Fail over ${cacheLabel(params)}: ${current.primary} steps down and the Sentinels promote a replica`,
      changes: [{ label: "primary", before: current.primary, after: `one of ${listOf(current.replicas)} (the Sentinels choose)` }],
      monthlyCostDelta: null,
    };
  },

  async execute(ports, params, { environment, remember }) {
    const ref = cacheRef(params, environment);
    const primary = await requireCache(ports, ref);
    await remember({ primaryBefore: primary.primary });
    await ports.caches.failover(ref);
  },

  async verify(ports, params, { environment, recorded, signal }) {
    const ref = cacheRef(params, environment);
    const noted = recorded()?.primaryBefore;
    const replaced = typeof noted === "string" ? noted : undefined;
    const primary = await readUntil(
      () => ports.caches.describePrimary(ref),
      (read) => read !== null && read.primary !== replaced,
      { signal, timeoutMs: replaced === undefined ? 0 : PROMOTION_TIMEOUT_MS },
    );
    if (!primary) return { ok: false, observed: {}, message: `${cacheLabel(params)} no longer answers` };
    const observed = { primary: primary.primary, primaryBefore: replaced ?? null, replicas: primary.replicas, sentinels: primary.sentinels };
    if (replaced === undefined) {
      // The app restarted between execution and verification: which primary stepped down is not known.
      return { ok: false, observed, message: `the Sentinels name ${primary.primary} as primary; whether it is new is not known (the app restarted during the failover), compare with the preview` };
    }
    const ok = primary.primary !== replaced;
    return {
      ok,
      observed,
      message: ok
        ? `the Sentinels name ${primary.primary} as the new primary (was ${replaced})`
        : `the Sentinels still name ${replaced} as primary ${PROMOTION_TIMEOUT_MS / 1000} s after the failover was accepted`,
    };
  },

  rollback: () => null,
};
