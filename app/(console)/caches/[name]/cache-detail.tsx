"use client";
import { useQueries, useQuery } from "@tanstack/react-query";
import clsx from "clsx";
import Link from "next/link";
import { useMemo } from "react";
import { AlertPanel } from "@/components/alert-panel";
import { VerdictBadge } from "@/components/badges";
import { CacheLiveDetail } from "@/components/cache-detail-live";
import { canFailOver, neverRead, type ObservedCacheDetail } from "@/components/cache-detail-model";
import { FigureCardSkeleton, FigureGrid, FigureTile } from "@/components/caches-figures";
import { InstanceList } from "@/components/caches-instances";
import { byVerdictThenRegion, RegionSwitch, worstOf } from "@/components/caches-list-controls";
import { toneOf, UsageBar } from "@/components/caches-usage-bar";
import { Breadcrumb, FreshnessMeta, LoadFailureNotice, ReasonList, RegionNotRunNotice, VerdictTitle } from "@/components/page-scaffold";
import { ActionButton, useActionLauncher } from "@/components/request-action-dialog";
import { cacheFailoverForm, cacheInvalidateForm, cacheWarmForm, type CacheTarget } from "@/components/request-action-kinds-data";
import { PageHeader, Skeleton, StaleDataBanner } from "@/components/ui";
import type { RouterOutputs } from "@/lib/api-types";
import { formatPercent, formatRate } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import { readError } from "@/lib/trpc-errors";
import { useMe } from "@/lib/use-me";
import { useUrlState } from "@/lib/use-url-state";
import { cacheHref, reasonAbout } from "../cache-model";
import { RecentActions } from "@/app/(console)/services/[namespace]/[name]/recent-actions";

const REFRESH_MS = 5_000;

type CacheInRegion = RouterOutputs["caches"]["get"]["caches"][number];

/**
 * What is known of a region beyond its metrics: "live" when Scaleplane reads its instances
 * (the detail then has a section of its own below the cards), "metrics" when it does not,
 * "loading" until the first answer (or the first successful read of the instances).
 */
type LiveState = "live" | "metrics" | "loading";

function RegionCard({ cache, showRegionLink, live }: { cache: CacheInRegion; showRegionLink: boolean; live: LiveState }) {
  const up = cache.instances.filter((instance) => instance.up).length;
  const idle = cache.opsPerSecond < 1;
  return (
    <section aria-labelledby={`region-${cache.region}`} className="min-w-0 rounded border border-zinc-200 p-3 dark:border-zinc-800" data-testid="cache-region" data-region={cache.region} data-verdict={cache.health.verdict}>
      <header className="mb-2 flex flex-wrap items-center gap-2">
        <VerdictBadge verdict={cache.health.verdict} reasons={cache.health.reasons} />
        <h2 id={`region-${cache.region}`} className="font-mono text-sm font-semibold">
          {cache.region}
        </h2>
        {showRegionLink && (
          <Link href={cacheHref(cache.cluster, cache.region)} className="ml-auto text-xs text-sky-700 hover:underline dark:text-sky-400">
            only this region
          </Link>
        )}
      </header>
      <ReasonList reasons={cache.health.reasons} label={`Why ${cache.health.verdict} in ${cache.region}`} className="mb-2" testId="region-reasons" />

      <FigureGrid>
        <FigureTile
          label="hit ratio"
          value={formatPercent(cache.hitRatio, 1)}
          tone={toneOf(cache.health, reasonAbout.hitRatio)}
          hint={idle ? "too few commands to judge the hit ratio" : "hits / (hits + misses)"}
          testId="figure-hit-ratio"
        />
        <FigureTile label="commands" value={formatRate(cache.opsPerSecond)} unit="ops/s" hint="commands per second on the primary" testId="figure-ops" />
        <FigureTile label="evictions" value={formatRate(cache.evictionsPerSecond)} unit="keys/s" tone={toneOf(cache.health, reasonAbout.evictions)} testId="figure-evictions" />
        <FigureTile label="keys" value={cache.keys.toLocaleString("en-US")} testId="figure-keys" />
        <FigureTile label="clients" value={cache.connectedClients.toLocaleString("en-US")} hint="clients connected to the primary" testId="figure-clients" />
      </FigureGrid>

      <div className="mt-3">
        <h3 className="mb-1 text-[11px] font-semibold uppercase tracking-wide text-zinc-500">Memory used of maxmemory</h3>
        <UsageBar used={cache.memoryUsedBytes} max={cache.memoryMaxBytes} tone={toneOf(cache.health, reasonAbout.memory)} label={`memory in ${cache.region}`} size="lg" testId="memory-bar" />
        {cache.memoryMaxBytes > 0 && (
          <p className="mt-0.5 text-[11px] text-zinc-500 tabular-nums">{formatPercent(cache.memoryUsedBytes / cache.memoryMaxBytes, 1)} used</p>
        )}
      </div>

      <div className="mt-3">
        <h3 className={clsx("mb-1 text-[11px] font-semibold uppercase tracking-wide", up < cache.instances.length ? "text-red-700 dark:text-red-400" : "text-zinc-500")}>
          Instances · {up} of {cache.instances.length} up
        </h3>
        {live === "live" ? (
          // The section below lists them with their figures and replication: not twice.
          <p className="text-xs text-zinc-500">
            Read directly:{" "}
            <a href={`#live-${cache.region}`} className="text-sky-700 hover:underline dark:text-sky-400" data-testid="live-link">
              instances, replication, Sentinels and key namespaces below
            </a>
          </p>
        ) : (
          <InstanceList instances={cache.instances} caption={`Instances of the cache in ${cache.region}`} />
        )}
        {live === "metrics" && (
          <p className="mt-1 text-[11px] text-zinc-500" data-testid="metrics-only">
            Instances not read directly: figures from metrics only, no replication, Sentinel or key-namespace detail.
          </p>
        )}
      </div>
    </section>
  );
}

function CardSkeleton() {
  return (
    <FigureCardSkeleton tiles={5}>
      <Skeleton className="mt-3 h-3 w-full" />
      <Skeleton className="mt-3 h-16 w-full" />
    </FigureCardSkeleton>
  );
}

export function CacheDetailView({ name }: { name: string }) {
  const trpc = useTRPC();
  const url = useUrlState();
  const region = url.get("region");
  // Every region is read, and the one in the URL picked here: switching regions is instant, and
  // the switch can offer the regions the cache runs in.
  const query = useQuery(trpc.caches.get.queryOptions({ name }, { refetchInterval: REFRESH_MS }));
  const data = query.data;
  const error = readError(query.error);

  const everyRegion = useMemo(() => [...(data?.caches ?? [])].sort(byVerdictThenRegion), [data]);
  const shown = region ? everyRegion.filter((cache) => cache.region === region) : everyRegion;
  const regionNames = everyRegion.map((cache) => cache.region).sort();

  // The instances' own detail, per region shown; null for a cache known only from metrics. A
  // region in the URL is asked at once, without waiting for the list of regions.
  const detailRegions = region ? [region] : regionNames;
  const detailQueries = useQueries({
    queries: detailRegions.map((regionName) => trpc.caches.detail.queryOptions({ name, region: regionName }, { refetchInterval: REFRESH_MS })),
  });
  const detailOf = (regionName: string) => detailQueries[detailRegions.indexOf(regionName)];
  const liveStateOf = (regionName: string): LiveState => {
    const answer = detailOf(regionName)?.data;
    if (answer === undefined) return "loading";
    if (answer === null) return "metrics";
    // Never read yet: the section below says why; the card keeps the instances the metrics name.
    return neverRead(answer) ? "loading" : "live";
  };
  const liveSections = shown.flatMap((cache) => {
    const detail = detailOf(cache.region);
    const observed: ObservedCacheDetail | null | undefined = detail?.data;
    return observed && detail ? [{ cache, observed, detail }] : [];
  });
  const reasons = shown.flatMap((cache) => cache.health.reasons.map((reason) => (shown.length > 1 ? `${cache.region}: ${reason}` : reason)));

  // Requests on this cache start in the region shown (or the worst one) and use what the
  // instances' own detail says: the key prefixes for a pattern, the Sentinels for a failover.
  const { can } = useMe();
  const mayRequest = can("action.request");
  const observedIn = (regionName: string): ObservedCacheDetail | null => detailOf(regionName)?.data ?? null;
  const patterns = [
    ...new Set(
      regionNames.flatMap((regionName) => {
        const keyspace = observedIn(regionName)?.value.keyspace;
        return keyspace ? keyspace.prefixes.flatMap((row) => (row.kind === "prefix" && row.prefix ? [`${row.prefix}${keyspace.separator}*`] : [])) : [];
      }),
    ),
  ];
  const sentinelLine = (regionName: string): string | null => {
    const sentinel = observedIn(regionName)?.value.sentinel;
    if (!sentinel) return observedIn(regionName) ? "This cache is not read through Sentinels here: the preview says whether a failover is possible." : null;
    return `${sentinel.reachable} of ${sentinel.configured} Sentinels reachable, quorum ${sentinel.quorum ?? "?"}; primary ${sentinel.master ?? "unknown"}. ${canFailOver(sentinel) ? "They can fail over now." : "They cannot authorise a failover now."}`;
  };
  // The warm form offers the sources configured for the region chosen in it.
  const warmSourceQueries = useQueries({
    queries: regionNames.map((regionName) => trpc.caches.warmSources.queryOptions({ name, region: regionName }, { enabled: mayRequest, staleTime: 60_000 })),
  });
  const warmSourcesIn = (regionName: string) => warmSourceQueries[regionNames.indexOf(regionName)]?.data ?? null;
  const cacheTarget: CacheTarget | null = data && regionNames.length > 0 ? { environment: data.environment, cache: name, regions: regionNames, preferredRegion: region ?? everyRegion[0]?.region } : null;
  const launcher = useActionLauncher(
    cacheTarget ? [cacheInvalidateForm(cacheTarget, patterns), cacheWarmForm(cacheTarget, warmSourcesIn), cacheFailoverForm(cacheTarget, sentinelLine)] : [],
    { allowed: mayRequest },
  );

  return (
    <div>
      <Breadcrumb trail={[{ label: "Caches", href: "/caches" }]} current={name} region={region} />
      <PageHeader
        title={
          <VerdictTitle verdict={data ? worstOf(shown) : null} reasons={reasons} placeholder={error ? "none" : "pulse"}>
            <span data-testid="cache-name">{name}</span>
          </VerdictTitle>
        }
        meta={<FreshnessMeta query={query} error={error}>{data && <span>Redis · environment {data.environment}</span>}</FreshnessMeta>}
      >
        {mayRequest && cacheTarget && (
          <span className="flex items-center gap-1" role="group" aria-label="Actions on this cache">
            <ActionButton kind="cache.invalidate" onOpen={() => launcher.open("cache.invalidate")}>
              Invalidate…
            </ActionButton>
            <ActionButton kind="cache.warm" onOpen={() => launcher.open("cache.warm")}>
              Warm…
            </ActionButton>
            <ActionButton kind="cache.failover" variant="danger" onOpen={() => launcher.open("cache.failover")}>
              Fail over…
            </ActionButton>
          </span>
        )}
        <RegionSwitch regions={regionNames} value={region} onChange={(next) => url.set({ region: next })} />
      </PageHeader>
      {launcher.status && <div className="mb-2">{launcher.status}</div>}
      <StaleDataBanner freshness={data?.freshness} />

      <LoadFailureNotice error={error} data={data} what="the cache" notFound={() => `No cache named ${name} in this environment.`} className="mb-3" />
      {data && region && shown.length === 0 && <RegionNotRunNotice name={name} region={region} regions={regionNames} />}

      {shown.length > 1 && reasons.length > 0 && <ReasonList reasons={reasons} label="Why this verdict" className="mb-3" testId="verdict-reasons" />}

      <div className="mb-3">
        <AlertPanel
          resource={{ kinds: ["cache"], name, region }}
          what="cache"
          recent={data ? <RecentActions target={{ environment: data.environment, namespace: `redis.${name}`, name }} noun="cache" /> : undefined}
        />
      </div>

      <div className={clsx("grid items-start gap-3", (data ? shown.length : 2) > 1 && "xl:grid-cols-2")}>
        {data
          ? shown.map((cache) => <RegionCard key={cache.region} cache={cache} showRegionLink={shown.length > 1} live={liveStateOf(cache.region)} />)
          : !error && [0, 1].map((index) => <CardSkeleton key={index} />)}
      </div>

      {liveSections.length > 0 && (
        <div className="mt-3 grid gap-3">
          {liveSections.map(({ cache, observed, detail }) => (
            <CacheLiveDetail
              key={cache.region}
              region={cache.region}
              observed={observed}
              memoryTone={toneOf(cache.health, reasonAbout.memory)}
              updatedAt={detail.dataUpdatedAt}
              fetching={detail.isFetching}
              error={readError(detail.error)?.message ?? null}
            />
          ))}
        </div>
      )}
      {launcher.dialog}
    </div>
  );
}
