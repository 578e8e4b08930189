"use client";
import { useQuery } from "@tanstack/react-query";
import clsx from "clsx";
import Link from "next/link";
import { useMemo, useRef } from "react";
import { VerdictBadge } from "@/components/badges";
import { ListFilters, useListFilters, VERDICT_RANK } from "@/components/caches-list-controls";
import { toneOf, toneText, UsageBar } from "@/components/caches-usage-bar";
import { countVerdicts } from "@/components/list-filter-bar";
import { ListKeysHint, LoadFailureNotice, QueryFreshness } from "@/components/page-scaffold";
import { BalancerBadge, EsStatusBadge, UpDown } from "@/components/shards-badges";
import { SortableTable, type Column, type SortDir } from "@/components/sortable-table";
import { PageHeader, StaleDataBanner } from "@/components/ui";
import { firstDirOf, readUrlSort, writeUrlSort } from "@/components/url-sort";
import { useRowSelection } from "@/components/use-row-selection";
import type { Verdict } from "@/lib/api-types";
import { useTRPC } from "@/lib/trpc";
import { readError } from "@/lib/trpc-errors";
import { useUrlState } from "@/lib/use-url-state";
import { compareNumbers } from "../caches/cache-model";
import { chunkBalance, maxReplicationLag, reasonAbout, shardHref, type ElasticsearchCluster, type MongoCluster } from "./shard-model";

const REFRESH_MS = 5_000;

// One keyboard list over both tables: the kind is part of the key, since a MongoDB and an
// Elasticsearch cluster may share a name.
const mongoKey = (row: MongoCluster) => `mongo:${row.cluster}@${row.region}`;
const esKey = (row: ElasticsearchCluster) => `es:${row.cluster}@${row.region}`;
const clusterKey = (row: MongoCluster | ElasticsearchCluster) => ("shards" in row ? mongoKey(row) : esKey(row));
const hrefOf = (row: MongoCluster | ElasticsearchCluster) => shardHref(row.cluster, row.region);

const ES_STATUS_RANK = { red: 2, yellow: 1, green: 0 } as const;

type Sorter<Row> = Record<string, (row: Row) => number | string>;

const mongoSort: Sorter<MongoCluster> = {
  verdict: (row) => VERDICT_RANK[row.health.verdict],
  name: (row) => row.cluster,
  region: (row) => row.region,
  mongos: (row) => (row.up ? 0 : 1),
  balancer: (row) => (row.balancerEnabled ? 0 : 1),
  shards: (row) => row.shards.length,
  chunks: (row) => row.distribution.totalChunks,
  spread: (row) => {
    const balance = chunkBalance(row);
    return balance.threshold > 0 ? balance.spread / balance.threshold : balance.spread;
  },
  lag: (row) => maxReplicationLag(row)?.seconds ?? -1,
};

const esSort: Sorter<ElasticsearchCluster> = {
  verdict: (row) => VERDICT_RANK[row.health.verdict],
  name: (row) => row.cluster,
  region: (row) => row.region,
  status: (row) => ES_STATUS_RANK[row.status],
  nodes: (row) => row.nodes,
  active: (row) => row.activeShards,
  relocating: (row) => row.relocatingShards,
  unassigned: (row) => row.unassignedShards,
  heap: (row) => (row.heapMaxBytes > 0 ? row.heapUsedBytes / row.heapMaxBytes : Number.NaN),
};

function sortRows<Row>(rows: Row[], sorter: Sorter<Row>, key: string, dir: SortDir, rowKey: (row: Row) => string): Row[] {
  const value = sorter[key] ?? sorter.verdict;
  if (!value) return rows;
  const factor = dir === "asc" ? 1 : -1;
  return rows.sort((a, b) => {
    const x = value(a);
    const y = value(b);
    const primary = typeof x === "number" && typeof y === "number" ? compareNumbers(x, y) : String(x).localeCompare(String(y));
    return primary * factor || rowKey(a).localeCompare(rowKey(b));
  });
}

const whyColumn = <Row extends { health: { reasons: string[] } }>(testId: string): Column<Row> => ({
  key: "why",
  header: "why",
  title: "reasons for the verdict",
  // Reasons wrap rather than hide behind an ellipsis on a narrow screen.
  clip: false,
  cellClassName: "whitespace-normal!",
  cell: (row) => (
    <span className="block text-zinc-600 dark:text-zinc-400" data-testid={testId}>
      {row.health.reasons.join("; ")}
    </span>
  ),
});

const verdictColumn = <Row extends { health: { verdict: Verdict; reasons: string[] } }>(): Column<Row> => ({
  key: "verdict",
  headerClassName: "w-24",
  header: "Health",
  title: "health verdict",
  sortable: true,
  firstDir: "desc",
  cell: (row) => <VerdictBadge verdict={row.health.verdict} reasons={row.health.reasons} />,
});

const nameColumn = <Row extends { cluster: string; region: string }>(testId: string): Column<Row> => ({
  key: "name",
  headerClassName: "w-32",
  header: "Cluster",
  sortable: true,
  cell: (row) => (
    <Link href={shardHref(row.cluster, row.region)} className="font-medium text-sky-700 hover:underline dark:text-sky-400" data-testid={testId}>
      {row.cluster}
    </Link>
  ),
});

const regionColumn = <Row extends { region: string }>(): Column<Row> => ({
  key: "region",
  headerClassName: "w-24",
  header: "Region",
  sortable: true,
  cell: (row) => <span className="font-mono text-[11px]">{row.region}</span>,
});

const mongoColumns: Column<MongoCluster>[] = [
  verdictColumn(),
  nameColumn("mongo-link"),
  regionColumn(),
  { key: "mongos", headerClassName: "w-16", header: "mongos", title: "the mongos router up or down", sortable: true, firstDir: "desc", cell: (row) => <UpDown up={row.up} what="mongos" /> },
  { key: "balancer", headerClassName: "w-24", header: "balancer", sortable: true, firstDir: "desc", cell: (row) => <BalancerBadge enabled={row.balancerEnabled} /> },
  {
    key: "shards",
    headerClassName: "w-24",
    header: "shards",
    title: "shards (of which draining)",
    align: "right",
    sortable: true,
    firstDir: "desc",
    cell: (row) => {
      const draining = row.shards.filter((shard) => shard.draining).length;
      return (
        <span>
          {row.shards.length}
          {draining > 0 && <span className="ml-1 text-violet-700 dark:text-violet-400">({draining} draining)</span>}
        </span>
      );
    },
  },
  { key: "chunks", headerClassName: "w-16", header: "chunks", title: "chunks over every shard", align: "right", sortable: true, firstDir: "desc", cell: (row) => row.distribution.totalChunks.toLocaleString("en-US") },
  {
    key: "spread",
    headerClassName: "w-28",
    header: "spread / thr.",
    title: "most − fewest chunks (shards not draining) against the balancer's migration threshold",
    align: "right",
    sortable: true,
    firstDir: "desc",
    cell: (row) => {
      const balance = chunkBalance(row);
      const tone = toneOf(row.health, reasonAbout.chunks);
      return (
        <span className={toneText(tone) ?? (balance.spread > balance.threshold ? "font-semibold" : undefined)} title={`most ${balance.most}, fewest ${balance.least}: spread ${balance.spread}; the balancer migrates above ${balance.threshold}`}>
          {balance.spread.toLocaleString("en-US")} <span className="font-normal text-zinc-500">/ {balance.threshold}</span>
        </span>
      );
    },
  },
  {
    key: "lag",
    headerClassName: "w-20",
    header: "max lag s",
    title: "the largest replication lag of a secondary, in seconds",
    align: "right",
    sortable: true,
    firstDir: "desc",
    cell: (row) => {
      const lag = maxReplicationLag(row);
      return (
        <span className={toneText(toneOf(row.health, reasonAbout.replicationLag))} title={lag ? `${lag.member}: ${lag.seconds.toFixed(1)} s behind its primary` : "no secondaries"}>
          {lag ? lag.seconds.toFixed(1) : "–"}
        </span>
      );
    },
  },
  whyColumn("mongo-reasons"),
];

const esColumns: Column<ElasticsearchCluster>[] = [
  verdictColumn(),
  nameColumn("es-link"),
  regionColumn(),
  { key: "status", headerClassName: "w-20", header: "status", sortable: true, firstDir: "desc", cell: (row) => <EsStatusBadge status={row.status} /> },
  { key: "nodes", headerClassName: "w-14", header: "nodes", align: "right", sortable: true, cell: (row) => row.nodes },
  { key: "active", headerClassName: "w-16", header: "active", title: "active shards", align: "right", sortable: true, firstDir: "desc", cell: (row) => row.activeShards.toLocaleString("en-US") },
  {
    key: "relocating",
    headerClassName: "w-20",
    header: "relocating",
    title: "shards moving between nodes",
    align: "right",
    sortable: true,
    firstDir: "desc",
    cell: (row) => <span className={row.relocatingShards > 0 ? "font-semibold text-sky-700 dark:text-sky-400" : "text-zinc-400 dark:text-zinc-600"}>{row.relocatingShards.toLocaleString("en-US")}</span>,
  },
  {
    key: "unassigned",
    headerClassName: "w-24",
    header: "unassigned",
    title: "shards not assigned to a node",
    align: "right",
    sortable: true,
    firstDir: "desc",
    cell: (row) => (
      <span className={row.unassignedShards > 0 ? (toneText(toneOf(row.health, reasonAbout.unassigned)) ?? "font-semibold") : "text-zinc-400 dark:text-zinc-600"}>{row.unassignedShards.toLocaleString("en-US")}</span>
    ),
  },
  {
    key: "heap",
    headerClassName: "w-32",
    header: "heap",
    title: "JVM heap used of max, over the nodes up",
    sortable: true,
    firstDir: "desc",
    cell: (row) => <UsageBar used={row.heapUsedBytes} max={row.heapMaxBytes} tone={toneOf(row.health, reasonAbout.heap)} label={`${row.cluster} heap in ${row.region}`} />,
  },
  whyColumn("es-reasons"),
];

function SectionHeading({ id, title, shown, total }: { id: string; title: string; shown: number; total: number }) {
  return (
    <div className="mb-1 flex items-baseline gap-2">
      <h2 id={id} className="text-xs font-semibold uppercase tracking-wide text-zinc-500">
        {title}
      </h2>
      <span className="text-[11px] text-zinc-500 tabular-nums">
        {shown === total ? total : `${shown} of ${total}`}
      </span>
    </div>
  );
}

export function ShardsView() {
  const trpc = useTRPC();
  const url = useUrlState();
  const filterRef = useRef<HTMLInputElement>(null);
  const query = useQuery(trpc.shards.list.queryOptions(undefined, { refetchInterval: REFRESH_MS }));

  const filters = useListFilters(url);
  const { text, region, verdicts } = filters;
  // Each table has its own pair of URL parameters; worst first by default (verdict is each sorter's first key).
  const mongoSortState = readUrlSort(url, Object.keys(mongoSort), firstDirOf(mongoColumns), "m");
  const esSortState = readUrlSort(url, Object.keys(esSort), firstDirOf(esColumns), "e");

  const allMongo = useMemo(() => query.data?.mongoClusters ?? [], [query.data]);
  const allEs = useMemo(() => query.data?.elasticsearchClusters ?? [], [query.data]);
  const regions = useMemo(() => [...new Set([...allMongo, ...allEs].map((row) => row.region))].sort(), [allMongo, allEs]);
  const counts = useMemo(() => countVerdicts([...allMongo, ...allEs]), [allMongo, allEs]);

  const keep = useMemo(() => {
    const needle = text.trim().toLowerCase();
    return (row: { cluster: string; region: string; health: { verdict: Verdict } }, kind: string) =>
      (!region || row.region === region) && (verdicts.length === 0 || verdicts.includes(row.health.verdict)) && (!needle || `${row.cluster} ${row.region} ${kind}`.toLowerCase().includes(needle));
  }, [text, region, verdicts]);

  const mongoRows = useMemo(
    () => sortRows(allMongo.filter((row) => keep(row, "mongodb")), mongoSort, mongoSortState.key, mongoSortState.dir, mongoKey),
    [allMongo, keep, mongoSortState.key, mongoSortState.dir],
  );
  const esRows = useMemo(
    () => sortRows(allEs.filter((row) => keep(row, "elasticsearch")), esSort, esSortState.key, esSortState.dir, esKey),
    [allEs, keep, esSortState.key, esSortState.dir],
  );

  // One selection over both tables: j/k run from the last MongoDB cluster on to the first Elasticsearch one.
  const bothTables = useMemo(() => [...mongoRows, ...esRows], [mongoRows, esRows]);
  const selection = useRowSelection({ rows: bothTables, rowKey: clusterKey, hrefOf, filterRef });

  const error = readError(query.error);
  const total = allMongo.length + allEs.length;
  const emptyText = (kind: string, all: number) => (query.isPending ? `Loading ${kind} clusters…` : all === 0 ? `No ${kind} clusters in this environment.` : `No ${kind} cluster matches the filters.`);

  return (
    <div>
      <PageHeader title="Shards" meta={<QueryFreshness query={query} error={error} />}>
        <ListKeysHint filter enter="open" />
      </PageHeader>
      <StaleDataBanner freshness={query.data?.freshness} />

      <ListFilters
        idPrefix="shard"
        noun="clusters"
        filterRef={filterRef}
        placeholder="Filter: cluster, region, kind  ( / )"
        regions={regions}
        counts={counts}
        {...filters.controls}
        shown={mongoRows.length + esRows.length}
        total={total}
      />

      <LoadFailureNotice error={error} data={query.data} what="the clusters" />

      <section aria-labelledby="mongo-heading" className="mb-4">
        <SectionHeading id="mongo-heading" title="MongoDB sharded clusters" shown={mongoRows.length} total={allMongo.length} />
        <SortableTable
          caption="Sharded MongoDB clusters per region, worst first: router, balancer, shards, chunk spread and replication lag"
          columns={mongoColumns}
          rows={mongoRows}
          rowKey={mongoKey}
          sort={mongoSortState}
          onSortChange={writeUrlSort(url, "m")}
          {...selection}
          rowTestId="mongo-row"
          testId="mongo-table"
          fixed
          empty={emptyText("MongoDB", allMongo.length)}
        />
      </section>

      <section aria-labelledby="es-heading">
        <SectionHeading id="es-heading" title="Elasticsearch clusters" shown={esRows.length} total={allEs.length} />
        <SortableTable
          caption="Elasticsearch clusters per region, worst first: status, nodes, shards and heap"
          columns={esColumns}
          rows={esRows}
          rowKey={esKey}
          sort={esSortState}
          onSortChange={writeUrlSort(url, "e")}
          {...selection}
          rowTestId="es-row"
          testId="es-table"
          fixed
          empty={emptyText("Elasticsearch", allEs.length)}
        />
      </section>
      <p className={clsx("mt-2 text-[11px] text-zinc-500", total === 0 && "hidden")}>
        Spread: most minus fewest chunks over the shards not draining; the balancer migrates chunks once it passes its threshold, which grows with the cluster&apos;s chunk count.
      </p>
    </div>
  );
}
