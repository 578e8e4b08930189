"use client";
import { useQuery } from "@tanstack/react-query";
import clsx from "clsx";
import Link from "next/link";
import { useMemo } from "react";
import { AlertPanel } from "@/components/alert-panel";
import { VerdictBadge } from "@/components/badges";
import { FigureCardSkeleton, FigureGrid, FigureTile } from "@/components/caches-figures";
import { byVerdictThenRegion, RegionSwitch, worstOf } from "@/components/caches-list-controls";
import { toneOf, toneText, UsageBar } from "@/components/caches-usage-bar";
import { Breadcrumb, FreshnessMeta, LoadFailureNotice, ReasonList, RegionNotRunNotice, VerdictTitle } from "@/components/page-scaffold";
import { DrainingMark, EsStatusBadge, MemberStateBadge } from "@/components/shards-badges";
import { ChunkDistributionChart } from "@/components/shards-chunk-chart";
import { PageHeader, Skeleton, StaleDataBanner } from "@/components/ui";
import type { RouterOutputs, Verdict } from "@/lib/api-types";
import { formatPercent } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import { readError } from "@/lib/trpc-errors";
import { useUrlState } from "@/lib/use-url-state";
import { chunkBalance, maxReplicationLag, reasonAbout, shardHref } from "../shard-model";

const REFRESH_MS = 5_000;

type Detail = RouterOutputs["shards"]["get"];
type MongoCluster = Detail["mongoClusters"][number];
type ElasticsearchCluster = Detail["elasticsearchClusters"][number];
type Judged = { region: string; health: { verdict: Verdict; reasons: string[] } };


function CardHeader({ kind, item, regionLink }: { kind: string; item: Judged & { cluster: string }; regionLink: boolean }) {
  return (
    <>
      <header className="mb-2 flex flex-wrap items-center gap-2">
        <VerdictBadge verdict={item.health.verdict} reasons={item.health.reasons} />
        <h2 id={`${kind}-${item.region}`} className="text-sm font-semibold">
          <span className="font-mono">{item.region}</span> <span className="font-normal text-zinc-500">· {kind}</span>
        </h2>
        {regionLink && (
          <Link href={shardHref(item.cluster, item.region)} className="ml-auto text-xs text-sky-700 hover:underline dark:text-sky-400">
            only this region
          </Link>
        )}
      </header>
      <ReasonList reasons={item.health.reasons} label={`Why ${item.health.verdict} in ${item.region}`} className="mb-2" testId="region-reasons" />
    </>
  );
}

function ReplicaSet({ shard, cluster }: { shard: MongoCluster["shards"][number]; cluster: MongoCluster }) {
  const noPrimary = shard.members.length > 0 && cluster.health.reasons.some(reasonAbout.noPrimary(shard.shard));
  const members = [...shard.members].sort((a, b) => (a.state === b.state ? a.name.localeCompare(b.name) : a.state === "PRIMARY" ? -1 : 1));
  return (
    <div className={clsx("min-w-0 rounded border p-2", noPrimary ? "border-red-400 dark:border-red-800" : "border-zinc-200 dark:border-zinc-800")} data-testid="replica-set" data-shard={shard.shard}>
      <h4 className="mb-1 flex flex-wrap items-center gap-1.5 text-xs">
        <span className="font-mono font-semibold">{shard.shard}</span>
        {shard.draining && <DrainingMark />}
        {noPrimary && <span className="rounded bg-red-600 px-1.5 text-[11px] font-semibold text-white">no primary</span>}
        <span className="ml-auto text-zinc-500 tabular-nums">{shard.chunks.toLocaleString("en-US")} chunks</span>
      </h4>
      {members.length === 0 ? (
        <p className="text-xs text-zinc-500">No members reported.</p>
      ) : (
        <table className="w-full table-fixed border-collapse text-xs">
          <caption className="sr-only">Members of replica set {shard.shard} with their state and replication lag</caption>
          <thead className="text-zinc-500">
            <tr>
              <th scope="col" className="px-1 py-0.5 text-left font-medium">
                Member
              </th>
              <th scope="col" className="w-24 px-1 py-0.5 text-left font-medium">
                State
              </th>
              <th scope="col" className="w-16 px-1 py-0.5 text-right font-medium" title="replication lag behind the primary, in seconds">
                lag s
              </th>
            </tr>
          </thead>
          <tbody>
            {members.map((member) => {
              const tone = member.state === "PRIMARY" ? "normal" : toneOf(cluster.health, reasonAbout.lagOf(member.name));
              return (
                <tr
                  key={member.name}
                  className={clsx("border-t border-zinc-100 dark:border-zinc-800/70", tone === "crit" && "bg-red-50 dark:bg-red-950/40", tone === "warn" && "bg-amber-50 dark:bg-amber-950/40")}
                  data-testid="member-row"
                  data-tone={tone}
                >
                  <td className="truncate px-1 py-0.5 font-mono text-[11px]" title={member.name}>
                    {member.name}
                  </td>
                  <td className="px-1 py-0.5">
                    <MemberStateBadge state={member.state} />
                  </td>
                  <td className={clsx("px-1 py-0.5 text-right tabular-nums", toneText(tone))}>{member.state === "PRIMARY" ? "–" : member.replicationLagSeconds.toFixed(1)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}

function MongoCard({ cluster, regionLink }: { cluster: MongoCluster; regionLink: boolean }) {
  const balance = chunkBalance(cluster);
  const lag = maxReplicationLag(cluster);
  const chunksTone = toneOf(cluster.health, reasonAbout.chunks);
  return (
    <section aria-labelledby={`MongoDB-${cluster.region}`} className="min-w-0 rounded border border-zinc-200 p-3 dark:border-zinc-800" data-testid="mongo-cluster" data-region={cluster.region} data-verdict={cluster.health.verdict}>
      <CardHeader kind="MongoDB" item={cluster} regionLink={regionLink} />
      <FigureGrid className="lg:grid-cols-6">
        <FigureTile label="mongos router" value={cluster.up ? "up" : "down"} tone={cluster.up ? "normal" : "crit"} testId="figure-mongos" />
        <FigureTile label="balancer" value={cluster.balancerEnabled ? "on" : "off"} tone={toneOf(cluster.health, reasonAbout.balancer)} testId="figure-balancer" />
        <FigureTile label="shards" value={cluster.shards.length} unit={balance.draining > 0 ? `${balance.draining} draining` : undefined} />
        <FigureTile label="chunks" value={cluster.distribution.totalChunks.toLocaleString("en-US")} />
        <FigureTile
          label="spread / threshold"
          value={balance.spread.toLocaleString("en-US")}
          unit={`/ ${balance.threshold}`}
          tone={chunksTone}
          hint="most minus fewest chunks over the shards not draining, against the spread the balancer tolerates"
          testId="figure-spread"
        />
        <FigureTile label="max replication lag" value={lag ? lag.seconds.toFixed(1) : "–"} unit={lag ? "s" : undefined} tone={toneOf(cluster.health, reasonAbout.replicationLag)} hint={lag ? `on ${lag.member}` : "no secondaries"} />
      </FigureGrid>

      <div className="mt-3">
        <h3 className="mb-1.5 flex flex-wrap items-center gap-2 text-[11px] font-semibold uppercase tracking-wide text-zinc-500">
          Chunk distribution
          <span className={clsx("font-normal normal-case tracking-normal", toneText(chunksTone))}>
            {balance.spread > balance.threshold
              ? `spread ${balance.spread} is past the threshold of ${balance.threshold}: ${cluster.balancerEnabled ? "the balancer should be moving chunks" : "nothing moves them while the balancer is off"}`
              : `spread ${balance.spread} within the threshold of ${balance.threshold}`}
          </span>
        </h3>
        <ChunkDistributionChart
          shards={cluster.shards}
          baseline={balance.least}
          threshold={balance.threshold}
          overTone={chunksTone}
          caption={`Chunks per shard of ${cluster.cluster} in ${cluster.region}; the balancer migrates above ${balance.least + balance.threshold}`}
        />
      </div>

      <div className="mt-3">
        <h3 className="mb-1.5 text-[11px] font-semibold uppercase tracking-wide text-zinc-500">Replica sets</h3>
        <div className="grid gap-2 md:grid-cols-2 2xl:grid-cols-3">
          {[...cluster.shards]
            .sort((a, b) => a.shard.localeCompare(b.shard, undefined, { numeric: true }))
            .map((shard) => (
              <ReplicaSet key={shard.shard} shard={shard} cluster={cluster} />
            ))}
        </div>
      </div>
    </section>
  );
}

function ElasticsearchCard({ cluster, regionLink }: { cluster: ElasticsearchCluster; regionLink: boolean }) {
  const unassignedTone = cluster.unassignedShards > 0 ? toneOf(cluster.health, reasonAbout.unassigned) : "normal";
  return (
    <section aria-labelledby={`Elasticsearch-${cluster.region}`} className="min-w-0 rounded border border-zinc-200 p-3 dark:border-zinc-800" data-testid="es-cluster" data-region={cluster.region} data-verdict={cluster.health.verdict}>
      <CardHeader kind="Elasticsearch" item={cluster} regionLink={regionLink} />
      <FigureGrid>
        <FigureTile label="status" value={<EsStatusBadge status={cluster.status} size="lg" />} testId="figure-status" />
        <FigureTile label="nodes" value={cluster.nodes} />
        <FigureTile label="active shards" value={cluster.activeShards.toLocaleString("en-US")} />
        <FigureTile label="relocating" value={cluster.relocatingShards.toLocaleString("en-US")} hint="shards moving between nodes" />
        <FigureTile label="unassigned" value={cluster.unassignedShards.toLocaleString("en-US")} tone={unassignedTone} hint="shards not assigned to any node" testId="figure-unassigned" />
      </FigureGrid>
      <div className="mt-3">
        <h3 className="mb-1 text-[11px] font-semibold uppercase tracking-wide text-zinc-500">JVM heap used of max, over the nodes up</h3>
        <UsageBar used={cluster.heapUsedBytes} max={cluster.heapMaxBytes} tone={toneOf(cluster.health, reasonAbout.heap)} label={`heap in ${cluster.region}`} size="lg" testId="heap-bar" />
        {cluster.heapMaxBytes > 0 && <p className="mt-0.5 text-[11px] text-zinc-500 tabular-nums">{formatPercent(cluster.heapUsedBytes / cluster.heapMaxBytes, 1)} used</p>}
      </div>
    </section>
  );
}

function CardSkeleton() {
  return (
    <FigureCardSkeleton tiles={6}>
      <Skeleton className="mt-3 h-24 w-full" />
    </FigureCardSkeleton>
  );
}

export function ShardClusterDetailView({ cluster }: { cluster: string }) {
  const trpc = useTRPC();
  const url = useUrlState();
  const region = url.get("region");
  // Every region is read and the one in the URL picked here: switching is instant, and the
  // switch can offer the regions the cluster runs in.
  const query = useQuery(trpc.shards.get.queryOptions({ cluster }, { refetchInterval: REFRESH_MS }));
  const data = query.data;
  const error = readError(query.error);

  const mongo = useMemo(() => [...(data?.mongoClusters ?? [])].sort(byVerdictThenRegion), [data]);
  const elastic = useMemo(() => [...(data?.elasticsearchClusters ?? [])].sort(byVerdictThenRegion), [data]);
  const mongoShown = region ? mongo.filter((item) => item.region === region) : mongo;
  const elasticShown = region ? elastic.filter((item) => item.region === region) : elastic;
  const shown = [...mongoShown, ...elasticShown];
  const regionNames = [...new Set([...mongo, ...elastic].map((item) => item.region))].sort();
  const kinds = [mongo.length > 0 && "MongoDB", elastic.length > 0 && "Elasticsearch"].filter(Boolean).join(" + ");
  const reasons = shown.flatMap((item) => item.health.reasons.map((reason) => (shown.length > 1 ? `${item.region}: ${reason}` : reason)));
  const regionLinks = shown.length > 1;

  return (
    <div>
      <Breadcrumb trail={[{ label: "Shards", href: "/shards" }]} current={cluster} region={region} />
      <PageHeader
        title={
          <VerdictTitle verdict={data ? worstOf(shown) : null} reasons={reasons} placeholder={error ? "none" : "pulse"}>
            <span data-testid="cluster-name">{cluster}</span>
          </VerdictTitle>
        }
        meta={
          <FreshnessMeta query={query} error={error}>
            {data && (
              <span>
                {kinds} · environment {data.environment}
              </span>
            )}
          </FreshnessMeta>
        }
      >
        <RegionSwitch regions={regionNames} value={region} onChange={(next) => url.set({ region: next })} />
      </PageHeader>
      <StaleDataBanner freshness={data?.freshness} />

      <LoadFailureNotice error={error} data={data} what="the cluster" notFound={() => `No MongoDB or Elasticsearch cluster named ${cluster} in this environment.`} className="mb-3" />
      {data && region && shown.length === 0 && <RegionNotRunNotice name={cluster} region={region} regions={regionNames} />}
      {shown.length > 1 && reasons.length > 0 && <ReasonList reasons={reasons} label="Why this verdict" className="mb-3" testId="verdict-reasons" />}

      <div className="mb-3">
        <AlertPanel resource={{ kinds: ["mongodb", "elasticsearch"], cluster, name: cluster, region }} what="cluster" />
      </div>

      <div className="space-y-3">
        {data ? (
          <>
            {mongoShown.map((item) => (
              <MongoCard key={`mongo-${item.region}`} cluster={item} regionLink={regionLinks} />
            ))}
            {elasticShown.length > 0 && (
              <div className={clsx("grid items-start gap-3", elasticShown.length > 1 && "xl:grid-cols-2")}>
                {elasticShown.map((item) => (
                  <ElasticsearchCard key={`es-${item.region}`} cluster={item} regionLink={regionLinks} />
                ))}
              </div>
            )}
          </>
        ) : (
          !error && <CardSkeleton />
        )}
      </div>
    </div>
  );
}
