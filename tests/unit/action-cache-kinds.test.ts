import { describe, expect, it, vi } from "vitest";
import type { CachePrimary, InvalidationProgress, KeyPatternEstimate, WarmProgress, WarmSource } from "@/server/domain/action-ports";
import { cacheFailover } from "@/server/domain/actions/cache-failover";
import { cacheInvalidate, MANY_KEYS } from "@/server/domain/actions/cache-invalidate";
import { cacheWarm } from "@/server/domain/actions/cache-warm";
import { executionContext, fakePorts, impatient, paramErrors, planContext, refusalOf } from "./action-fake-ports";

const cache = { region: "eu-west-1", cache: "sessions" };
const sentinelled: CachePrimary = { primary: "10.0.0.1:6379", replicas: ["10.0.0.2:6379"], sentinels: 3, quorum: 2, failoverPossible: true };
const withPrimary = (primary: CachePrimary | null) => fakePorts({ caches: { describePrimary: async () => primary } });

describe("cache.failover", () => {
  it("is always high and names the primary that steps down", () => {
    const plan = cacheFailover.plan(cache, sentinelled, planContext);
    expect(plan.risk).toBe("high");
    expect(plan.changes).toEqual([{ label: "primary", before: "10.0.0.1:6379", after: "one of 10.0.0.2:6379 (the Sentinels choose)" }]);
    expect(cacheFailover.target(cache, "prod")).toEqual({ environment: "prod", namespace: "redis.sessions", name: "sessions" });
  });

  it("refuses an unknown cache, one without Sentinels or replicas, Sentinels short of their quorum, and no replica fit to promote", async () => {
    expect(await refusalOf(cacheFailover.load(withPrimary(null), cache, "prod"))).toBe("cache sessions in eu-west-1 not found in prod");
    expect(await refusalOf(cacheFailover.load(withPrimary({ ...sentinelled, sentinels: 0, quorum: 0, failoverPossible: false }), cache, "prod"))).toBe(
      "cache sessions in eu-west-1 is not managed by Redis Sentinel: a failover needs Sentinels watching its primary and a replica",
    );
    expect(await refusalOf(cacheFailover.load(withPrimary({ ...sentinelled, failoverPossible: false }), cache, "prod"))).toBe(
      "no replica of cache sessions in eu-west-1 is fit to be promoted: the Sentinels see 10.0.0.2:6379 down or disconnected, or cannot authorise a failover; bring a replica back, wait until its link to the primary is up, then request the failover again",
    );
    expect(await refusalOf(cacheFailover.load(withPrimary({ ...sentinelled, replicas: [] }), cache, "prod"))).toBe("cache sessions in eu-west-1 has no replica to promote");
    expect(await refusalOf(cacheFailover.load(withPrimary({ ...sentinelled, sentinels: 1 }), cache, "prod"))).toMatch(/^only 1 Sentinel of cache sessions in eu-west-1 agrees on its primary; a failover needs 2/);
    expect(await cacheFailover.load(withPrimary(sentinelled), cache, "prod")).toEqual(sentinelled);
    expect(paramErrors(cacheFailover.params, { ...cache, cache: "Sessions" })).toEqual(["must be a lowercase DNS label (a-z, 0-9, -)"]);
  });

  it("verifies that the Sentinels name a new primary, waiting for the promotion", async () => {
    let primary = sentinelled;
    let readsSinceFailover = 0;
    const ports = fakePorts({
      caches: {
        failover: async () => {
          readsSinceFailover = 0;
        },
        describePrimary: async () => {
          // The promotion shows on the second read after the failover was accepted.
          if (readsSinceFailover++ === 1) primary = { ...sentinelled, primary: "10.0.0.2:6379", replicas: ["10.0.0.1:6379"] };
          return primary;
        },
      },
    });
    const context = executionContext();
    await cacheFailover.execute(ports, cache, context);
    const verification = await cacheFailover.verify(ports, cache, context);
    expect(verification).toMatchObject({ ok: true, message: "the Sentinels name 10.0.0.2:6379 as the new primary (was 10.0.0.1:6379)" });
    expect(cacheFailover.rollback(cache, sentinelled)).toBeNull();
  });

  it("fails verification while the old primary stays", async () => {
    const ports = fakePorts({ caches: { failover: async () => {}, describePrimary: async () => sentinelled } });
    const context = executionContext(impatient());
    await cacheFailover.execute(ports, cache, context);
    expect((await cacheFailover.verify(ports, cache, context)).ok).toBe(false);
  });
});

describe("cache.invalidate", () => {
  const estimate = (matching: number, exact = false): KeyPatternEstimate => ({ matching, exact, totalKeys: 1_000_000 });
  const params = (pattern: string) => ({ ...cache, pattern });

  it("refuses an empty or blank pattern", () => {
    const message = 'pattern cannot be empty or blank; to delete every key the pattern is "*"';
    expect(paramErrors(cacheInvalidate.params, params(""))).toEqual([message]);
    expect(paramErrors(cacheInvalidate.params, params("   "))).toEqual([message]);
    expect(paramErrors(cacheInvalidate.params, params("session:*"))).toEqual([]);
  });

  it("is high for a bare * whatever the count, and above the key threshold", () => {
    expect(cacheInvalidate.plan(params("*"), estimate(10), planContext).risk).toBe("high");
    expect(cacheInvalidate.plan(params("user:*"), estimate(MANY_KEYS), planContext).risk).toBe("medium");
    const many = cacheInvalidate.plan(params("user:*"), estimate(MANY_KEYS + 1), planContext);
    expect(many.risk).toBe("high");
    expect(many.riskReasons[0]).toBe("about 10,001 of 1,000,000 keys (estimated from a sample) match, more than 10,000");
  });

  it("shows the estimated matching keys going to 0", () => {
    expect(cacheInvalidate.plan(params("user:42:*"), estimate(12, true), planContext).changes).toEqual([
      { label: "matching keys", before: "12 of 1,000,000 keys", after: "0" },
    ]);
  });

  it("refuses an unknown cache and a pattern that matches nothing", async () => {
    expect(await refusalOf(cacheInvalidate.load(withPrimary(null), params("user:*"), "prod"))).toBe("cache sessions in eu-west-1 not found in prod");
    const none = fakePorts({ caches: { describePrimary: async () => sentinelled, estimateKeys: async () => estimate(0, true) } });
    expect(await refusalOf(cacheInvalidate.load(none, params("nobody:*"), "prod"))).toBe(
      'no key of cache sessions in eu-west-1 matches "nobody:*" (1,000,000 keys); nothing to invalidate',
    );
    // A sample that found none does not prove there are none.
    const sampled = fakePorts({ caches: { describePrimary: async () => sentinelled, estimateKeys: async () => estimate(0, false) } });
    expect(await cacheInvalidate.load(sampled, params("rare:*"), "prod")).toEqual(estimate(0, false));
  });

  it("reports progress while deleting and verifies that no key matches any more", async () => {
    let remaining = 3000;
    const ports = fakePorts({
      caches: {
        estimateKeys: async () => estimate(remaining, true),
        invalidate: async (_ref, _pattern, onProgress) => {
          const progress: InvalidationProgress = { scanned: 5000, deleted: 3000, done: true };
          onProgress({ scanned: 2500, deleted: 1500, done: false });
          remaining = 0;
          onProgress(progress);
          return progress;
        },
      },
    });
    const context = executionContext();
    expect((await cacheInvalidate.verify(ports, params("user:*"), context)).ok).toBe(false);
    await cacheInvalidate.execute(ports, params("user:*"), context);
    expect(context.reportProgress).toHaveBeenCalledTimes(2);
    expect(context.reportProgress).toHaveBeenLastCalledWith({ scanned: 5000, deleted: 3000, done: true });
    expect(await cacheInvalidate.verify(ports, params("user:*"), context)).toMatchObject({ ok: true, observed: { matching: 0 } });
    expect(cacheInvalidate.rollback(params("user:*"), estimate(1))).toBeNull();
  });
});

describe("cache.warm", () => {
  const sources: WarmSource[] = [{ name: "top-sessions", description: "the sessions database", keys: 20_000 }];
  const params = (source: string) => ({ ...cache, source });

  it("is low risk and previews the keys it loads", () => {
    const plan = cacheWarm.plan(params("top-sessions"), sources[0]!, planContext);
    expect(plan.risk).toBe("low");
    expect(plan.changes).toEqual([{ label: "keys loaded", before: "0", after: "20,000" }]);
    expect(paramErrors(cacheWarm.params, params("has space"))).toEqual(['source must be the name of a warm source: up to 128 letters, digits, ".", "_", ":" or "-"']);
  });

  it("refuses an unknown source, listing the known ones", async () => {
    const ports = fakePorts({ caches: { describePrimary: async () => sentinelled, warmSources: async () => sources } });
    expect(await refusalOf(cacheWarm.load(ports, params("everything"), "prod"))).toBe('cache sessions in eu-west-1 has no warm source "everything"; its sources are top-sessions');
    const none = fakePorts({ caches: { describePrimary: async () => sentinelled, warmSources: async () => [] } });
    expect(await refusalOf(cacheWarm.load(none, params("top-sessions"), "prod"))).toBe("cache sessions in eu-west-1 has no warm sources configured");
  });

  it("refuses a source with no keys to load, saying why", async () => {
    const unreadable: WarmSource = { name: "from-file", description: "the keys listed in /srv/keys.txt: the key list /srv/keys.txt cannot be read (EACCES)", keys: 0 };
    const ports = fakePorts({ caches: { describePrimary: async () => sentinelled, warmSources: async () => [unreadable] } });
    expect(await refusalOf(cacheWarm.load(ports, params("from-file"), "prod"))).toBe(
      'cache sessions in eu-west-1 has nothing to load from warm source "from-file" (the keys listed in /srv/keys.txt: the key list /srv/keys.txt cannot be read (EACCES))',
    );
  });

  it("reports progress and verifies what the warm-up loaded", async () => {
    const run = (result: WarmProgress) =>
      fakePorts({
        caches: {
          warm: vi.fn(async (_ref, _source, onProgress: (progress: WarmProgress) => void) => {
            onProgress({ ...result, done: false });
            return result;
          }),
        },
      });
    const full = executionContext();
    await cacheWarm.execute(run({ loaded: 20_000, failed: 0, total: 20_000, done: true }), params("top-sessions"), full);
    expect(full.reportProgress).toHaveBeenCalledWith({ loaded: 20_000, failed: 0, total: 20_000, done: false });
    expect(await cacheWarm.verify(fakePorts({}), params("top-sessions"), full)).toMatchObject({ ok: true, message: "loaded 20,000 of 20,000 keys" });

    const partial = executionContext();
    await cacheWarm.execute(run({ loaded: 19_000, failed: 1000, total: 20_000, done: true }), params("top-sessions"), partial);
    expect(await cacheWarm.verify(fakePorts({}), params("top-sessions"), partial)).toMatchObject({ ok: false, message: "loaded 19,000 of 20,000 keys, 1,000 failed" });

    // After a restart of the app nothing says how far the warm-up got.
    expect((await cacheWarm.verify(fakePorts({}), params("top-sessions"), executionContext())).ok).toBe(false);
  });
});
