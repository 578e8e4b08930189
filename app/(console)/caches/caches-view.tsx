"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo, useRef } from "react";
import { VerdictBadge } from "@/components/badges";
import { InstanceStrip } from "@/components/caches-instances";
import { ListFilters, useListFilters, VERDICT_RANK } from "@/components/caches-list-controls";
import { toneOf, toneText, UsageBar } from "@/components/caches-usage-bar";
import { countVerdicts } from "@/components/list-filter-bar";
import { ListKeysHint, LoadFailureNotice, QueryFreshness } from "@/components/page-scaffold";
import { SortableTable, type Column, type SortDir } from "@/components/sortable-table";
import { PageHeader, StaleDataBanner } from "@/components/ui";
import { firstDirOf, readUrlSort, writeUrlSort } from "@/components/url-sort";
import { useRowSelection } from "@/components/use-row-selection";
import type { RouterOutputs } from "@/lib/api-types";
import { formatPercent, formatRate } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import { readError } from "@/lib/trpc-errors";
import { useUrlState } from "@/lib/use-url-state";
import { cacheHref, compareNumbers, memoryRatio, reasonAbout } from "./cache-model";

const REFRESH_MS = 5_000;

type CacheRow = RouterOutputs["caches"]["list"]["caches"][number];

const rowKey = (row: CacheRow) => `${row.cluster}@${row.region}`;
const hrefOf = (row: CacheRow) => cacheHref(row.cluster, row.region);

type SortKey = "verdict" | "name" | "region" | "hit" | "ops" | "memory" | "evictions" | "keys" | "clients" | "instances";
const SORT_KEYS: SortKey[] = ["verdict", "name", "region", "hit", "ops", "memory", "evictions", "keys", "clients", "instances"];

const sortValue: Record<SortKey, (row: CacheRow) => number | string> = {
  verdict: (row) => VERDICT_RANK[row.health.verdict],
  name: (row) => row.cluster,
  region: (row) => row.region,
  hit: (row) => row.hitRatio,
  ops: (row) => row.opsPerSecond,
  memory: (row) => memoryRatio(row),
  evictions: (row) => row.evictionsPerSecond,
  keys: (row) => row.keys,
  clients: (row) => row.connectedClients,
  // Most instances down first.
  instances: (row) => row.instances.filter((instance) => !instance.up).length,
};

function compareRows(key: SortKey, dir: SortDir) {
  const value = sortValue[key];
  const factor = dir === "asc" ? 1 : -1;
  return (a: CacheRow, b: CacheRow) => {
    const x = value(a);
    const y = value(b);
    const primary = typeof x === "number" && typeof y === "number" ? compareNumbers(x, y) : String(x).localeCompare(String(y));
    return primary * factor || rowKey(a).localeCompare(rowKey(b));
  };
}

const columns: Column<CacheRow>[] = [
  {
    key: "verdict",
    headerClassName: "w-24",
    header: "Health",
    title: "health verdict",
    sortable: true,
    firstDir: "desc",
    cell: (row) => <VerdictBadge verdict={row.health.verdict} reasons={row.health.reasons} />,
  },
  {
    key: "name",
    headerClassName: "w-40",
    header: "Cache",
    sortable: true,
    cell: (row) => (
      <Link href={cacheHref(row.cluster, row.region)} className="font-medium text-sky-700 hover:underline dark:text-sky-400" data-testid="cache-link">
        {row.cluster}
      </Link>
    ),
  },
  { key: "region", headerClassName: "w-24", header: "Region", sortable: true, cell: (row) => <span className="font-mono text-[11px]">{row.region}</span> },
  {
    key: "hit",
    headerClassName: "w-16",
    header: "hit %",
    title: "hit ratio: hits / (hits + misses)",
    align: "right",
    sortable: true,
    cell: (row) => <span className={toneText(toneOf(row.health, reasonAbout.hitRatio))}>{formatPercent(row.hitRatio, 1)}</span>,
  },
  { key: "ops", headerClassName: "w-16", header: "ops/s", title: "commands per second on the primary", align: "right", sortable: true, firstDir: "desc", cell: (row) => formatRate(row.opsPerSecond) },
  {
    key: "memory",
    headerClassName: "w-32",
    header: "memory",
    title: "memory used of maxmemory",
    sortable: true,
    firstDir: "desc",
    cell: (row) => <UsageBar used={row.memoryUsedBytes} max={row.memoryMaxBytes} tone={toneOf(row.health, reasonAbout.memory)} label={`${row.cluster} memory in ${row.region}`} />,
  },
  {
    key: "evictions",
    headerClassName: "w-16",
    header: "evict/s",
    title: "keys evicted per second",
    align: "right",
    sortable: true,
    firstDir: "desc",
    cell: (row) => <span className={toneText(toneOf(row.health, reasonAbout.evictions)) ?? (row.evictionsPerSecond > 0 ? undefined : "text-zinc-400 dark:text-zinc-600")}>{formatRate(row.evictionsPerSecond)}</span>,
  },
  { key: "keys", headerClassName: "w-20", header: "keys", align: "right", sortable: true, firstDir: "desc", cell: (row) => row.keys.toLocaleString("en-US") },
  { key: "clients", headerClassName: "w-16", header: "clients", title: "clients connected to the primary", align: "right", sortable: true, firstDir: "desc", cell: (row) => row.connectedClients.toLocaleString("en-US") },
  {
    key: "instances",
    headerClassName: "w-24",
    header: "instances",
    title: "primary (P) and replicas (R), red when down",
    sortable: true,
    firstDir: "desc",
    cell: (row) => <InstanceStrip instances={row.instances} />,
  },
  {
    key: "why",
    header: "why",
    title: "reasons for the verdict",
    // Reasons wrap rather than hide behind an ellipsis on a narrow screen.
    clip: false,
    cellClassName: "whitespace-normal!",
    cell: (row) => (
      <span className="block text-zinc-600 dark:text-zinc-400" data-testid="cache-reasons">
        {row.health.reasons.join("; ")}
      </span>
    ),
  },
];

export function CachesView() {
  const trpc = useTRPC();
  const url = useUrlState();
  const filterRef = useRef<HTMLInputElement>(null);
  const query = useQuery(trpc.caches.list.queryOptions(undefined, { refetchInterval: REFRESH_MS }));

  const sort = readUrlSort(url, SORT_KEYS, firstDirOf(columns));
  const filters = useListFilters(url);
  const { text, region, verdicts } = filters;

  const all = useMemo(() => query.data?.caches ?? [], [query.data]);
  const regions = useMemo(() => [...new Set(all.map((row) => row.region))].sort(), [all]);
  const counts = useMemo(() => countVerdicts(all), [all]);

  const rows = useMemo(() => {
    const needle = text.trim().toLowerCase();
    return all
      .filter((row) => !region || row.region === region)
      .filter((row) => verdicts.length === 0 || verdicts.includes(row.health.verdict))
      .filter((row) => !needle || `${row.cluster} ${row.region}`.toLowerCase().includes(needle))
      .sort(compareRows(sort.key, sort.dir));
  }, [all, region, verdicts, text, sort.key, sort.dir]);

  const selection = useRowSelection({ rows, rowKey, hrefOf, filterRef });

  const error = readError(query.error);

  return (
    <div>
      <PageHeader title="Caches" meta={<QueryFreshness query={query} error={error} />}>
        <ListKeysHint filter enter="open" />
      </PageHeader>
      <StaleDataBanner freshness={query.data?.freshness} />

      <ListFilters
        idPrefix="cache"
        noun="caches"
        filterRef={filterRef}
        placeholder="Filter: cache, region  ( / )"
        regions={regions}
        counts={counts}
        {...filters.controls}
        shown={rows.length}
        total={all.length}
      />

      <LoadFailureNotice error={error} data={query.data} what="the caches" />

      <SortableTable
        caption="Redis caches per region, worst first, with hit ratio, load, memory, evictions and instances"
        columns={columns}
        rows={rows}
        rowKey={rowKey}
        sort={sort}
        onSortChange={writeUrlSort(url)}
        {...selection}
        rowTestId="cache-row"
        testId="caches-table"
        fixed
        virtualize
        empty={query.isPending ? "Loading caches…" : all.length === 0 ? "No caches in this environment." : "No cache matches the filters."}
      />
    </div>
  );
}
