"use client";
// /queues/<cluster>: one Kafka cluster in each region it runs in (brokers, partitions,
// under-replication), then its consumer groups, topics and dead-letter topics.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Breadcrumb, FreshnessMeta, LoadFailureNotice, reasonsByRegion, VerdictTitle } from "@/components/page-scaffold";
import { Notice, PageHeader, StaleDataBanner } from "@/components/ui";
import { useTRPC } from "@/lib/trpc";
import { readError } from "@/lib/trpc-errors";
import { useUrlState } from "@/lib/use-url-state";
import { ClusterCard, clusterOrder } from "../cluster-strip";
import { REFRESH_MS, worstVerdict } from "../queue-model";
import { QueueTables } from "../queue-tables";

const NONE = [] as const;

export function ClusterView({ cluster }: { cluster: string }) {
  const trpc = useTRPC();
  const url = useUrlState();
  const region = url.get("region") ?? "";
  // Every region is read, and the region filter applies here: switching regions is instant and
  // the region list is always complete.
  const query = useQuery(trpc.queues.cluster.queryOptions({ cluster }, { refetchInterval: REFRESH_MS }));
  const data = query.data;
  const error = readError(query.error);

  const clusters = (data?.clusters ?? NONE).filter((row) => !region || row.region === region).sort(clusterOrder);
  const verdict = worstVerdict(clusters);
  const reasons = reasonsByRegion(clusters);
  const missingRegion = Boolean(data && region && clusters.length === 0);

  return (
    <div>
      <Breadcrumb trail={[{ label: "Queues", href: "/queues" }]} current={cluster} region={region} />
      <PageHeader
        title={
          <VerdictTitle verdict={verdict} reasons={reasons} placeholder={error ? "none" : "still"}>
            <span>
              <span className="font-normal text-zinc-500">Kafka </span>
              {cluster}
            </span>
          </VerdictTitle>
        }
        meta={<FreshnessMeta query={query} error={error}>{data && <span>environment {data.environment}</span>}</FreshnessMeta>}
      >
        {region && (
          <Link href={`/queues/${encodeURIComponent(cluster)}`} className="text-xs text-sky-700 hover:underline dark:text-sky-400">
            all regions
          </Link>
        )}
      </PageHeader>
      <StaleDataBanner freshness={data?.freshness} />
      <LoadFailureNotice error={error} data={data} what="the cluster" notFound={(message) => message} />
      {missingRegion && (
        <div className="mb-2">
          <Notice tone="warn">
            Kafka cluster {cluster} does not run in {region}. It runs in {(data?.clusters ?? []).map((row) => row.region).join(", ")}.
          </Notice>
        </div>
      )}

      <section aria-labelledby="brokers-heading" className="mb-3">
        <h2 id="brokers-heading" className="mb-1 text-xs font-semibold uppercase tracking-wide text-zinc-500">
          Brokers and replication by region
        </h2>
        {query.isPending ? (
          <div className="h-[72px] w-80 animate-pulse rounded border border-zinc-200 bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-900" aria-busy />
        ) : (
          <div className="grid gap-2 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4">
            {clusters.map((row) => (
              <ClusterCard key={row.region} cluster={row} groups={data?.groups ?? NONE} />
            ))}
          </div>
        )}
      </section>

      <QueueTables groups={data?.groups ?? NONE} topics={data?.topics ?? NONE} loading={query.isPending} scope="cluster" />
    </div>
  );
}
