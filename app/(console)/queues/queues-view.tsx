"use client";
// /queues: every Kafka cluster of the environment at a glance, then its consumer groups,
// topics and dead-letter topics, worst first.
import { useQuery } from "@tanstack/react-query";
import { FreshnessMeta, LoadFailureNotice } from "@/components/page-scaffold";
import { PageHeader, StaleDataBanner } from "@/components/ui";
import { useTRPC } from "@/lib/trpc";
import { readError } from "@/lib/trpc-errors";
import { useUrlState } from "@/lib/use-url-state";
import { ClusterStrip } from "./cluster-strip";
import { REFRESH_MS } from "./queue-model";
import { QueueTables } from "./queue-tables";

const NONE = [] as const;

export function QueuesView() {
  const trpc = useTRPC();
  const url = useUrlState();
  const query = useQuery(trpc.queues.list.queryOptions(undefined, { refetchInterval: REFRESH_MS }));
  const data = query.data;
  const error = readError(query.error);

  // The strip follows the region and cluster filters, not the verdict or text ones: it is the context.
  const region = url.get("region");
  const cluster = url.get("cluster");
  const clusters = (data?.clusters ?? NONE).filter((row) => (!region || row.region === region) && (!cluster || row.cluster === cluster));

  return (
    <div>
      <PageHeader
        title="Queues"
        meta={
          <FreshnessMeta query={query} error={error}>
            {data && <span>environment {data.environment}</span>}
          </FreshnessMeta>
        }
      />
      <StaleDataBanner freshness={data?.freshness} />
      <LoadFailureNotice error={error} data={data} what="the Kafka clusters" />
      <ClusterStrip clusters={clusters} groups={data?.groups ?? NONE} loading={query.isPending} />
      <QueueTables groups={data?.groups ?? NONE} topics={data?.topics ?? NONE} loading={query.isPending} scope="fleet" />
    </div>
  );
}
