"use client";
import { useQuery } from "@tanstack/react-query";
import clsx from "clsx";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useRef, useState } from "react";
import { VerdictBadge } from "@/components/badges";
import { SortableTable, type Column, type SortDir, type SortState } from "@/components/sortable-table";
import { FreshnessLine, inputClass, Kbd, Notice, PageHeader, StaleDataBanner } from "@/components/ui";
import type { ServiceRow, Verdict } from "@/lib/api-types";
import { formatMs, formatPercent, formatRate } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import { readError } from "@/lib/trpc-errors";
import { useListKeys } from "@/lib/use-list-keys";
import { useUrlState } from "@/lib/use-url-state";

const REFRESH_MS = 10_000;
const VERDICTS: Verdict[] = ["CRIT", "WARN", "UNKNOWN", "OK"];
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
  const router = useRouter();
  const url = useUrlState();
  const filterRef = useRef<HTMLInputElement>(null);
  const query = useQuery(trpc.services.list.queryOptions(undefined, { refetchInterval: REFRESH_MS }));

  const sortKey = SORT_KEYS.find((key) => key === url.get("sort")) ?? "verdict";
  const sortDir: SortDir = url.get("dir") === "asc" ? "asc" : url.get("dir") === "desc" ? "desc" : sortKey === "verdict" ? "desc" : "asc";
  const namespace = url.get("ns") ?? "";
  const region = url.get("region") ?? "";
  const verdictParam = url.get("verdict") ?? "";
  const verdictFilter = useMemo(() => verdictParam.split(",").filter((v): v is Verdict => VERDICTS.includes(v as Verdict)), [verdictParam]);
  // The input keeps its own text so typing never waits for the router.
  const [text, setText] = useState(url.get("q") ?? "");

  const all = useMemo(() => query.data?.rows ?? [], [query.data]);
  const namespaces = useMemo(() => [...new Set(all.map((row) => row.namespace))].sort(), [all]);
  const regions = useMemo(() => [...new Set(all.map((row) => row.region))].sort(), [all]);
  const counts = useMemo(() => {
    const byVerdict: Record<Verdict, number> = { CRIT: 0, WARN: 0, UNKNOWN: 0, OK: 0 };
    for (const row of all) byVerdict[row.health.verdict]++;
    return byVerdict;
  }, [all]);

  const rows = useMemo(() => {
    const needle = text.trim().toLowerCase();
    return all
      .filter((row) => !namespace || row.namespace === namespace)
      .filter((row) => !region || row.region === region)
      .filter((row) => verdictFilter.length === 0 || verdictFilter.includes(row.health.verdict))
      .filter((row) => !needle || `${row.namespace}/${row.name} ${row.region}`.toLowerCase().includes(needle))
      .sort(compareRows({ key: sortKey, dir: sortDir }));
  }, [all, namespace, region, verdictFilter, text, sortKey, sortDir]);

  const [selected, setSelected] = useState<string | null>(null);
  const keys = useMemo(() => rows.map(rowKey), [rows]);
  const open = (key: string) => {
    const row = rows.find((r) => rowKey(r) === key);
    if (row) router.push(hrefOf(row));
  };
  useListKeys({ keys, selected, onSelect: setSelected, onOpen: open, filterRef });

  const toggleVerdict = (verdict: Verdict) => {
    const next = verdictFilter.includes(verdict) ? verdictFilter.filter((v) => v !== verdict) : [...verdictFilter, verdict];
    url.set({ verdict: next.join(",") });
  };
  const error = readError(query.error);

  return (
    <div>
      <PageHeader title="Services" meta={<FreshnessLine updatedAt={query.dataUpdatedAt} fetching={query.isFetching} error={error?.message ?? null} />}>
        <span className="hidden text-[11px] text-zinc-500 lg:inline">
          <Kbd>/</Kbd> filter · <Kbd>j</Kbd>/<Kbd>k</Kbd> move · <Kbd>Enter</Kbd> open
        </span>
      </PageHeader>
      <StaleDataBanner freshness={query.data?.freshness} />

      <div className="mb-2 flex flex-wrap items-center gap-2" role="search">
        <label className="sr-only" htmlFor="service-filter">
          Filter services
        </label>
        <input
          id="service-filter"
          ref={filterRef}
          type="search"
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            url.set({ q: event.target.value.trim() });
          }}
          placeholder="Filter: name, namespace, region  ( / )"
          className={clsx(inputClass, "w-64")}
          data-testid="service-filter"
          autoComplete="off"
        />
        <label className="sr-only" htmlFor="namespace-filter">
          Namespace
        </label>
        <select id="namespace-filter" value={namespace} onChange={(event) => url.set({ ns: event.target.value })} className={inputClass}>
          <option value="">all namespaces</option>
          {/* Keep a namespace from the URL selectable even before the data arrives. */}
          {(namespaces.includes(namespace) || !namespace ? namespaces : [namespace, ...namespaces]).map((ns) => (
            <option key={ns} value={ns}>
              {ns}
            </option>
          ))}
        </select>
        <label className="sr-only" htmlFor="region-filter">
          Region
        </label>
        <select id="region-filter" value={region} onChange={(event) => url.set({ region: event.target.value })} className={inputClass} data-testid="region-filter">
          <option value="">all regions</option>
          {(regions.includes(region) || !region ? regions : [region, ...regions]).map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <div role="group" aria-label="Filter by health verdict" className="flex items-center gap-1">
          {VERDICTS.map((verdict) => {
            const active = verdictFilter.includes(verdict);
            return (
              <button
                key={verdict}
                type="button"
                aria-pressed={active}
                onClick={() => toggleVerdict(verdict)}
                className={clsx(
                  "rounded border px-1.5 py-0.5 text-[11px] tabular-nums",
                  active ? "border-zinc-800 bg-zinc-800 text-white dark:border-zinc-200 dark:bg-zinc-200 dark:text-zinc-900" : "border-zinc-300 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800",
                )}
              >
                {verdict} <span className={clsx(!active && "text-zinc-500")}>{counts[verdict]}</span>
              </button>
            );
          })}
        </div>
        {(text || namespace || region || verdictFilter.length > 0) && (
          <button
            type="button"
            className="text-xs text-sky-700 hover:underline dark:text-sky-400"
            onClick={() => {
              setText("");
              url.set({ q: null, ns: null, region: null, verdict: null });
            }}
          >
            clear filters
          </button>
        )}
        <span className="ml-auto text-xs text-zinc-500 tabular-nums">
          {rows.length} of {all.length} workloads
        </span>
      </div>

      {error && !query.data && (
        <div className="mb-2">
          <Notice tone="error">Could not load services: {error.message}</Notice>
        </div>
      )}

      <SortableTable
        caption="Services by region with their health and figures"
        columns={columns}
        rows={rows}
        rowKey={rowKey}
        sort={{ key: sortKey, dir: sortDir }}
        onSortChange={(sort) => url.set({ sort: sort.key, dir: sort.dir })}
        selectedKey={selected}
        onRowClick={(row) => setSelected(rowKey(row))}
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
