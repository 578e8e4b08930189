"use client";
// /queues: every Kafka cluster of the environment at a glance, then its consumer groups,
// topics and dead-letter topics, worst first.
import { useQuery } from "@tanstack/react-query";
import { FreshnessLine, Notice, PageHeader, StaleDataBanner } from "@/components/ui";
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
          <span className="flex items-center gap-3">
            {data && <span>environment {data.environment}</span>}
            <FreshnessLine updatedAt={query.dataUpdatedAt} fetching={query.isFetching} error={error?.message ?? null} />
          </span>
        }
      />
      <StaleDataBanner freshness={data?.freshness} />
      {error && !data && (
        <div className="mb-2">
          <Notice tone="error">Could not load the Kafka clusters: {error.message}</Notice>
        </div>
      )}
      <ClusterStrip clusters={clusters} groups={data?.groups ?? NONE} loading={query.isPending} />
      <QueueTables groups={data?.groups ?? NONE} topics={data?.topics ?? NONE} loading={query.isPending} scope="fleet" />
    </div>
  );
}
