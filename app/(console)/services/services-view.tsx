"use client";
import { useQuery } from "@tanstack/react-query";
import clsx from "clsx";
import Link from "next/link";
import { useMemo, useRef } from "react";
import { VerdictBadge } from "@/components/badges";
import { ClearFiltersLink, countVerdicts, FilterSelect, FilterTextBox, parseVerdicts, useFilterText, VerdictToggles } from "@/components/list-filter-bar";
import { ListKeysHint, LoadFailureNotice, QueryFreshness } from "@/components/page-scaffold";
import { SortableTable, type Column, type SortState } from "@/components/sortable-table";
import { PageHeader, StaleDataBanner } from "@/components/ui";
import { readUrlSort, writeUrlSort } from "@/components/url-sort";
import { useRowSelection } from "@/components/use-row-selection";
import type { ServiceRow, Verdict } from "@/lib/api-types";
import { formatMs, formatPercent, formatRate } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import { readError } from "@/lib/trpc-errors";
import { useUrlState } from "@/lib/use-url-state";

const REFRESH_MS = 10_000;
/** Worst first: an unknown service is more worrying than a healthy one. */
const VERDICT_RANK: Record<Verdict, number> = { CRIT: 3, WARN: 2, UNKNOWN: 1, OK: 0 };

const rowKey = (row: ServiceRow) => `${row.namespace}/${row.name}@${row.region}`;
const hrefOf = (row: ServiceRow) => `/services/${encodeURIComponent(row.namespace)}/${encodeURIComponent(row.name)}?region=${encodeURIComponent(row.region)}`;

type SortKey = "verdict" | "namespace" | "name" | "region" | "rps" | "errors" | "p95" | "cpu" | "replicas";
const SORT_KEYS: SortKey[] = ["verdict", "namespace", "name", "region", "rps", "errors", "p95", "cpu", "replicas"];

const sortValue: Record<SortKey, (row: ServiceRow) => number | string> = {
  verdict: (row) => VERDICT_RANK[row.health.verdict],
  namespace: (row) => row.namespace,
  name: (row) => row.name,
  region: (row) => row.region,
  rps: (row) => row.stats?.requestsPerSecond ?? -1,
  errors: (row) => row.stats?.errorRatio ?? -1,
  p95: (row) => row.stats?.p95LatencyMs ?? -1,
  cpu: (row) => row.stats?.cpuUtilisation ?? -1,
  replicas: (row) => row.desiredReplicas,
};

function compareRows(sort: SortState & { key: SortKey }) {
  const value = sortValue[sort.key];
  const factor = sort.dir === "asc" ? 1 : -1;
  return (a: ServiceRow, b: ServiceRow) => {
    const x = value(a);
    const y = value(b);
    const primary = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
    return primary * factor || rowKey(a).localeCompare(rowKey(b));
  };
}

/** Marks the figure a verdict reason is about, so the eye lands on it. */
function flagged(row: ServiceRow, prefix: string) {
  if (!row.health.reasons.some((reason) => reason.startsWith(prefix))) return undefined;
  return row.health.verdict === "CRIT" ? "font-semibold text-red-700 dark:text-red-400" : "font-semibold text-amber-700 dark:text-amber-400";
}

const columns: Column<ServiceRow>[] = [
  {
    key: "verdict",
    headerClassName: "w-24",
    header: "Health",
    title: "health verdict",
    sortable: true,
    firstDir: "desc",
    cell: (row) => <VerdictBadge verdict={row.health.verdict} reasons={row.health.reasons} />,
  },
  { key: "namespace", headerClassName: "w-28", header: "Namespace", sortable: true, cell: (row) => <span className="text-zinc-600 dark:text-zinc-400">{row.namespace}</span> },
  {
    key: "name",
    headerClassName: "w-36",
    header: "Service",
    sortable: true,
    cell: (row) => (
      <Link href={hrefOf(row)} className="font-medium text-sky-700 hover:underline dark:text-sky-400" data-testid="service-link">
        {row.name}
      </Link>
    ),
  },
  { key: "region", headerClassName: "w-28", header: "Region", sortable: true, cell: (row) => <span className="font-mono text-[11px]">{row.region}</span> },
  { key: "rps", headerClassName: "w-20", header: "req/s", title: "requests per second", align: "right", sortable: true, firstDir: "desc", cell: (row) => formatRate(row.stats?.requestsPerSecond) },
  {
    key: "errors",
    headerClassName: "w-20",
    header: "err %",
    title: "error ratio",
    align: "right",
    sortable: true,
    firstDir: "desc",
    cell: (row) => <span className={flagged(row, "errors")}>{formatPercent(row.stats?.errorRatio)}</span>,
  },
  {
    key: "p95",
    headerClassName: "w-20",
    header: "p95 ms",
    title: "p95 latency in milliseconds",
    align: "right",
    sortable: true,
    firstDir: "desc",
    cell: (row) => <span className={flagged(row, "p95")}>{formatMs(row.stats?.p95LatencyMs)}</span>,
  },
  {
    key: "cpu",
    headerClassName: "w-16",
    header: "CPU %",
    title: "CPU utilisation of the requested CPU",
    align: "right",
    sortable: true,
    firstDir: "desc",
    cell: (row) => <span className={flagged(row, "CPU")}>{formatPercent(row.stats?.cpuUtilisation, 0)}</span>,
  },
  {
    key: "replicas",
    headerClassName: "w-20",
    header: "replicas",
    title: "available / desired replicas",
    align: "right",
    sortable: true,
    firstDir: "desc",
    cell: (row) => (
      <span className={clsx(row.availableReplicas < row.desiredReplicas && "font-semibold text-amber-700 dark:text-amber-400")} title={`${row.availableReplicas} available of ${row.desiredReplicas} desired`}>
        {row.availableReplicas}/{row.desiredReplicas}
      </span>
    ),
  },
  {
    key: "bounds",
    headerClassName: "w-20",
    header: "min–max",
    title: "replica bounds (HPA min–max)",
    align: "right",
    cell: (row) => (
      <span className="text-zinc-500">
        {row.minReplicas}–{row.maxReplicas}
      </span>
    ),
  },
  {
    key: "why",
    header: "why",
    title: "reasons for the verdict",
    cell: (row) => (
      <span className="block truncate text-zinc-500" title={row.health.reasons.join("\n")}>
        {row.health.reasons.join("; ")}
      </span>
    ),
  },
];

export function ServicesView() {
  const trpc = useTRPC();
  const url = useUrlState();
  const filterRef = useRef<HTMLInputElement>(null);
  const query = useQuery(trpc.services.list.queryOptions(undefined, { refetchInterval: REFRESH_MS }));

  const sort = readUrlSort(url, SORT_KEYS, (key) => (key === "verdict" ? "desc" : "asc"));
  const namespace = url.get("ns") ?? "";
  const region = url.get("region") ?? "";
  const verdictParam = url.get("verdict");
  const verdictFilter = useMemo(() => parseVerdicts(verdictParam), [verdictParam]);
  const filterText = useFilterText(url);
  const { text } = filterText;

  const all = useMemo(() => query.data?.rows ?? [], [query.data]);
  const namespaces = useMemo(() => [...new Set(all.map((row) => row.namespace))].sort(), [all]);
  const regions = useMemo(() => [...new Set(all.map((row) => row.region))].sort(), [all]);
  const counts = useMemo(() => countVerdicts(all), [all]);

  const rows = useMemo(() => {
    const needle = text.trim().toLowerCase();
    return all
      .filter((row) => !namespace || row.namespace === namespace)
      .filter((row) => !region || row.region === region)
      .filter((row) => verdictFilter.length === 0 || verdictFilter.includes(row.health.verdict))
      .filter((row) => !needle || `${row.namespace}/${row.name} ${row.region}`.toLowerCase().includes(needle))
      .sort(compareRows({ key: sort.key, dir: sort.dir }));
  }, [all, namespace, region, verdictFilter, text, sort.key, sort.dir]);

  const selection = useRowSelection({ rows, rowKey, hrefOf, filterRef });

  const error = readError(query.error);

  return (
    <div>
      <PageHeader title="Services" meta={<QueryFreshness query={query} error={error} />}>
        <ListKeysHint filter enter="open" />
      </PageHeader>
      <StaleDataBanner freshness={query.data?.freshness} />

      <div className="mb-2 flex flex-wrap items-center gap-2" role="search">
        <FilterTextBox id="service-filter" label="Filter services" inputRef={filterRef} value={text} onChange={filterText.change} placeholder="Filter: name, namespace, region  ( / )" widthClass="w-64" />
        <FilterSelect id="namespace-filter" label="Namespace" allLabel="all namespaces" value={namespace} options={namespaces} onChange={(value) => url.set({ ns: value })} />
        <FilterSelect id="region-filter" label="Region" allLabel="all regions" value={region} options={regions} onChange={(value) => url.set({ region: value })} testId="region-filter" />
        <VerdictToggles selected={verdictFilter} counts={counts} onChange={(next) => url.set({ verdict: next.join(",") })} />
        {(text || namespace || region || verdictFilter.length > 0) && <ClearFiltersLink onClick={() => filterText.clear({ ns: null, region: null, verdict: null })} />}
        <span className="ml-auto text-xs text-zinc-500 tabular-nums">
          {rows.length} of {all.length} workloads
        </span>
      </div>

      <LoadFailureNotice error={error} data={query.data} what="services" />

      <SortableTable
        caption="Services by region with their health and figures"
        columns={columns}
        rows={rows}
        rowKey={rowKey}
        sort={sort}
        onSortChange={writeUrlSort(url)}
        {...selection}
        rowTestId="service-row"
        testId="services-table"
        fixed
        // 5,000 services in two regions are 10,000 rows: only those in view are rendered.
        virtualize
        empty={query.isPending ? "Loading services…" : all.length === 0 ? "No services visible to you." : "No service matches the filters."}
      />
    </div>
  );
}
