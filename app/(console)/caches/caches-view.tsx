"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useRef, useState } from "react";
import { VerdictBadge } from "@/components/badges";
import { countVerdicts, ListFilters, parseVerdicts, VERDICT_RANK } from "@/components/caches-list-controls";
import { InstanceStrip } from "@/components/caches-instances";
import { toneOf, toneText, UsageBar } from "@/components/caches-usage-bar";
import { SortableTable, type Column, type SortDir } from "@/components/sortable-table";
import { FreshnessLine, Kbd, Notice, PageHeader, StaleDataBanner } from "@/components/ui";
import type { RouterOutputs } from "@/lib/api-types";
import { formatPercent, formatRate } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import { readError } from "@/lib/trpc-errors";
import { useListKeys } from "@/lib/use-list-keys";
import { useUrlState } from "@/lib/use-url-state";
import { cacheHref, compareNumbers, memoryRatio, reasonAbout } from "./cache-model";

const REFRESH_MS = 5_000;

type CacheRow = RouterOutputs["caches"]["list"]["caches"][number];

const rowKey = (row: CacheRow) => `${row.cluster}@${row.region}`;

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
  const router = useRouter();
  const url = useUrlState();
  const filterRef = useRef<HTMLInputElement>(null);
  const query = useQuery(trpc.caches.list.queryOptions(undefined, { refetchInterval: REFRESH_MS }));

  const sortKey = SORT_KEYS.find((key) => key === url.get("sort")) ?? "verdict";
  const dirParam = url.get("dir");
  const sortDir: SortDir = dirParam === "asc" || dirParam === "desc" ? dirParam : (columns.find((c) => c.key === sortKey)?.firstDir ?? "asc");
  const region = url.get("region") ?? "";
  const verdictParam = url.get("verdict");
  const verdicts = useMemo(() => parseVerdicts(verdictParam), [verdictParam]);
  // The input keeps its own text so typing never waits for the router.
  const [text, setText] = useState(url.get("q") ?? "");

  const all = useMemo(() => query.data?.caches ?? [], [query.data]);
  const regions = useMemo(() => [...new Set(all.map((row) => row.region))].sort(), [all]);
  const counts = useMemo(() => countVerdicts(all), [all]);

  const rows = useMemo(() => {
    const needle = text.trim().toLowerCase();
    return all
      .filter((row) => !region || row.region === region)
      .filter((row) => verdicts.length === 0 || verdicts.includes(row.health.verdict))
      .filter((row) => !needle || `${row.cluster} ${row.region}`.toLowerCase().includes(needle))
      .sort(compareRows(sortKey, sortDir));
  }, [all, region, verdicts, text, sortKey, sortDir]);

  const [selected, setSelected] = useState<string | null>(null);
  const keys = useMemo(() => rows.map(rowKey), [rows]);
  useListKeys({
    keys,
    selected,
    onSelect: setSelected,
    onOpen: (key) => {
      const row = rows.find((r) => rowKey(r) === key);
      if (row) router.push(cacheHref(row.cluster, row.region));
    },
    filterRef,
  });

  const error = readError(query.error);

  return (
    <div>
      <PageHeader title="Caches" meta={<FreshnessLine updatedAt={query.dataUpdatedAt} fetching={query.isFetching} error={error?.message ?? null} />}>
        <span className="hidden text-[11px] text-zinc-500 lg:inline">
          <Kbd>/</Kbd> filter · <Kbd>j</Kbd>/<Kbd>k</Kbd> move · <Kbd>Enter</Kbd> open
        </span>
      </PageHeader>
      <StaleDataBanner freshness={query.data?.freshness} />

      <ListFilters
        idPrefix="cache"
        noun="caches"
        text={text}
        onText={(value) => {
          setText(value);
          url.set({ q: value.trim() });
        }}
        filterRef={filterRef}
        placeholder="Filter: cache, region  ( / )"
        regions={regions}
        region={region}
        onRegion={(value) => url.set({ region: value })}
        verdicts={verdicts}
        counts={counts}
        onVerdicts={(next) => url.set({ verdict: next.join(",") })}
        onClear={() => {
          setText("");
          url.set({ q: null, region: null, verdict: null });
        }}
        shown={rows.length}
        total={all.length}
      />

      {error && !query.data && (
        <div className="mb-2">
          <Notice tone="error">Could not load the caches: {error.message}</Notice>
        </div>
      )}

      <SortableTable
        caption="Redis caches per region, worst first, with hit ratio, load, memory, evictions and instances"
        columns={columns}
        rows={rows}
        rowKey={rowKey}
        sort={{ key: sortKey, dir: sortDir }}
        onSortChange={(sort) => url.set({ sort: sort.key, dir: sort.dir })}
        selectedKey={selected}
        onRowClick={(row) => setSelected(rowKey(row))}
        rowTestId="cache-row"
        testId="caches-table"
        fixed
        virtualize
        empty={query.isPending ? "Loading caches…" : all.length === 0 ? "No caches in this environment." : "No cache matches the filters."}
      />
    </div>
  );
}
