"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useMemo } from "react";
import { VerdictBadge } from "@/components/badges";
import { AREA_META, AreaCard, type AreaSummary } from "@/components/overview-area-card";
import { HISTORY_WINDOW_MS, recordOverviewSample, useOverviewHistory, type OverviewSample } from "@/components/overview-history";
import { RegionsStrip } from "@/components/overview-regions-strip";
import { FreshnessMeta, ListKeysHint } from "@/components/page-scaffold";
import { SortableTable, type Column } from "@/components/sortable-table";
import { Kbd, Notice, PageHeader, StaleDataBanner } from "@/components/ui";
import { useRowSelection } from "@/components/use-row-selection";
import type { RouterOutputs, Verdict } from "@/lib/api-types";
import { useTRPC } from "@/lib/trpc";
import { readError } from "@/lib/trpc-errors";

const REFRESH_MS = 5_000;
/** Samples further apart than this were not seen (hidden tab, failed refreshes): the sparklines break there. */
const GAP_MS = REFRESH_MS * 3;

type Overview = RouterOutputs["overview"]["get"];
type Attention = AreaSummary["worst"][number] & { area: AreaSummary["area"] };
const attentionKey = (row: Attention) => row.id;
const attentionHref = (row: Attention) => row.href;

const SEVERITY: Record<Verdict, number> = { CRIT: 0, WARN: 1, UNKNOWN: 2, OK: 3 };

const KIND_LABEL: Record<Attention["kind"], string> = {
  service: "service",
  kafkaCluster: "Kafka cluster",
  topic: "topic",
  consumerGroup: "consumer group",
  cache: "cache",
  mongoCluster: "MongoDB",
  elasticsearchCluster: "Elasticsearch",
};

/** What the sparklines need from an answer, small enough to keep ten minutes of them. */
function toSample(data: Overview, t: number): OverviewSample {
  return {
    t,
    areas: Object.fromEntries(data.areas.map((area) => [area.area, { ...area.counts }])),
    regions: Object.fromEntries(data.regions.map((region) => [region.region, { requestsPerSecond: region.requestsPerSecond, errorRatio: region.errorRatio }])),
  };
}

/** "last 40 s", "last 4 min": the span the history really covers, never more than it has. */
function spanLabel(ms: number) {
  return ms < 60_000 ? `last ${Math.max(1, Math.round(ms / 1000))} s, this tab` : `last ${Math.round(ms / 60_000)} min, this tab`;
}

const columns: Column<Attention>[] = [
  {
    key: "verdict",
    header: "Health",
    headerClassName: "w-24",
    cell: (row) => <VerdictBadge verdict={row.verdict} reasons={row.reasons} />,
  },
  { key: "kind", header: "Kind", headerClassName: "w-32", cell: (row) => <span className="text-zinc-600 dark:text-zinc-400">{KIND_LABEL[row.kind]}</span> },
  {
    key: "label",
    header: "Entity",
    headerClassName: "w-56 xl:w-72",
    cell: (row) => (
      <Link href={row.href} className="font-medium text-sky-700 hover:underline dark:text-sky-400" data-testid="attention-link">
        {row.label}
      </Link>
    ),
  },
  { key: "region", header: "Region", headerClassName: "w-28", cell: (row) => <span className="font-mono text-[11px]">{row.region}</span> },
  {
    key: "why",
    header: "Why",
    title: "reasons for the verdict",
    // Reasons wrap rather than hide: this list is read, not scanned.
    cell: (row) => <span className="whitespace-normal text-zinc-700 dark:text-zinc-300">{row.reasons.length ? row.reasons.join("; ") : "no figures"}</span>,
  },
];

export function OverviewView() {
  const trpc = useTRPC();
  const query = useQuery(trpc.overview.get.queryOptions(undefined, { refetchInterval: REFRESH_MS }));
  const data = query.data;
  const error = readError(query.error);

  // Each fresh answer joins this tab's short history (the server keeps none).
  useEffect(() => {
    if (data && query.dataUpdatedAt) recordOverviewSample(data.environment, toSample(data, query.dataUpdatedAt));
  }, [data, query.dataUpdatedAt]);
  const allHistory = useOverviewHistory(data?.environment);
  const range = useMemo(() => {
    const to = allHistory.at(-1)?.t ?? 0;
    const from = Math.max(allHistory[0]?.t ?? to, to - HISTORY_WINDOW_MS);
    return { from, to, label: spanLabel(to - from) };
  }, [allHistory]);
  const history = useMemo(() => allHistory.filter((sample) => sample.t >= range.from), [allHistory, range.from]);

  // The worst entities of every area in one list: CRIT first, then the one with more reasons.
  const attention = useMemo(
    () =>
      (data?.areas ?? [])
        .flatMap((area) => area.worst.map((entity): Attention => ({ ...entity, area: area.area })))
        .sort((a, b) => SEVERITY[a.verdict] - SEVERITY[b.verdict] || b.reasons.length - a.reasons.length || a.label.localeCompare(b.label) || a.region.localeCompare(b.region)),
    [data],
  );
  const hidden = (data?.areas ?? [])
    .map((area) => ({ area, more: area.counts.CRIT + area.counts.WARN + area.counts.UNKNOWN - area.worst.length }))
    .filter(({ more }) => more > 0);

  const selection = useRowSelection({ rows: attention, rowKey: attentionKey, hrefOf: attentionHref });

  const regionNames = useMemo(() => data?.regions.map((region) => region.region) ?? [], [data]);

  return (
    <div className="space-y-4">
      <div>
        <PageHeader
          title="Fleet overview"
          meta={
            <FreshnessMeta query={query} error={error}>
              {data && <span>environment {data.environment}</span>}
            </FreshnessMeta>
          }
        >
          <ListKeysHint
            enter={
              <>
                open · <Kbd>Ctrl K</Kbd> go to anything
              </>
            }
          />
        </PageHeader>
        <StaleDataBanner freshness={data?.freshness} />
        {error && !data && <Notice tone="error">Could not load the overview: {error.message}</Notice>}
      </div>

      <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-4" data-testid="area-cards">
        {data
          ? data.areas.map((area) => <AreaCard key={area.area} summary={area} regions={regionNames} history={history} range={range} gapMs={GAP_MS} />)
          : (["services", "queues", "caches", "shards"] as const).map((area) => (
              <div key={area} className="h-40 animate-pulse rounded border border-zinc-200 bg-zinc-50 p-2.5 text-sm font-semibold text-zinc-400 dark:border-zinc-800 dark:bg-zinc-900" aria-hidden>
                {AREA_META[area].title}
              </div>
            ))}
      </div>

      <section aria-labelledby="overview-regions-heading">
        <h2 id="overview-regions-heading" className="mb-1 flex items-baseline gap-2 text-xs font-semibold uppercase tracking-wide text-zinc-500">
          <Link href="/regions" className="hover:underline">
            Regions
          </Link>
          {history.length >= 2 && <span className="font-normal normal-case tracking-normal">sparklines: req/s and error ratio, {range.label}</span>}
        </h2>
        {data ? <RegionsStrip regions={data.regions} history={history} range={range} gapMs={GAP_MS} /> : <div className="h-24 animate-pulse rounded border border-zinc-200 bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-900" aria-hidden />}
      </section>

      <section aria-labelledby="attention-heading">
        <h2 id="attention-heading" className="mb-1 flex items-baseline gap-2 text-xs font-semibold uppercase tracking-wide text-zinc-500">
          Needs attention
          {data && (
            <span className="font-normal normal-case tracking-normal">
              {attention.length > 0 && `${attention.length} shown, worst first`}
            </span>
          )}
        </h2>
        {data && attention.length === 0 ? (
          <Notice tone="ok" testId="all-ok">
            Every entity visible to you is OK.
          </Notice>
        ) : (
          <SortableTable
            caption="Entities that are not OK, worst first, with the reasons"
            columns={columns}
            rows={attention}
            rowKey={attentionKey}
            {...selection}
            rowTestId="attention-row"
            testId="attention-table"
            fixed
            empty={query.isPending ? "Loading…" : "Nothing to show."}
          />
        )}
        {hidden.length > 0 && (
          <p className="mt-1 flex flex-wrap gap-x-4 text-xs text-zinc-500" data-testid="attention-more">
            {hidden.map(({ area, more }) => (
              <Link key={area.area} href={area.area === "services" ? "/services?verdict=CRIT,WARN,UNKNOWN" : AREA_META[area.area].href} className="text-sky-700 hover:underline dark:text-sky-400">
                {more.toLocaleString("en-US")} more {AREA_META[area.area].title.toLowerCase()} not OK →
              </Link>
            ))}
          </p>
        )}
      </section>
    </div>
  );
}
