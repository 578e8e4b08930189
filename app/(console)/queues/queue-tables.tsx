"use client";
// The consumer groups, topics and dead-letter topics tables, with their filters, tabs and
// keyboard driving: the body of /queues and of /queues/<cluster>. Everything the reader sets
// (tab, filters, sort) lives in the URL, so a view can be pasted into an incident channel.
import clsx from "clsx";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useRef, useState } from "react";
import { VerdictBadge } from "@/components/badges";
import { ClearFiltersLink, FilterSelect, FilterTextBox, parseVerdicts, useFilterText, VerdictToggles } from "@/components/list-filter-bar";
import { ListKeysHint } from "@/components/page-scaffold";
import { BurrowBadge, DlqMark } from "@/components/queues-badges";
import { VirtualTable } from "@/components/queues-virtual-table";
import type { Column, SortDir } from "@/components/sortable-table";
import { readUrlSort, writeUrlSort } from "@/components/url-sort";
import type { Verdict } from "@/lib/api-types";
import { formatPercent, formatRate } from "@/lib/format";
import { useListKeys } from "@/lib/use-list-keys";
import { useUrlState } from "@/lib/use-url-state";
import {
  deadLettersBySource, drainLabel, formatCount, groupKey, href, matches, STATUS_RANK, topicKey, VERDICT_RANK,
  type GroupRow, type TopicRow,
} from "./queue-model";

export type QueueTab = "groups" | "topics" | "dlq";
const TABS: { key: QueueTab; label: string }[] = [
  { key: "groups", label: "Consumer groups" },
  { key: "topics", label: "Topics" },
  { key: "dlq", label: "Dead letters" },
];

const tone = (verdict: Verdict) =>
  verdict === "CRIT" ? "font-semibold text-red-700 dark:text-red-400" : verdict === "WARN" ? "font-semibold text-amber-700 dark:text-amber-400" : undefined;
const linkClass = "font-medium text-sky-700 hover:underline dark:text-sky-400";
const quiet = "text-zinc-500";

function Why({ reasons }: { reasons: string[] }) {
  return (
    <span className="block truncate text-zinc-500" title={reasons.join("\n")}>
      {reasons.join("; ")}
    </span>
  );
}

// ---------------------------------------------------------------- consumer groups

type GroupSortKey = "verdict" | "status" | "group" | "topic" | "cluster" | "region" | "members" | "lag" | "maxLag" | "consumed" | "drain";
const GROUP_SORT_KEYS: GroupSortKey[] = ["verdict", "status", "group", "topic", "cluster", "region", "members", "lag", "maxLag", "consumed", "drain"];

/** Seconds to drain as a sortable number: not draining sorts as the longest wait. */
const drainRank = (row: GroupRow) => (row.totalLag <= 0 ? 0 : (row.health.timeToDrainSeconds ?? Number.MAX_SAFE_INTEGER));

const groupSortValue: Record<GroupSortKey, (row: GroupRow) => number | string> = {
  verdict: (row) => VERDICT_RANK[row.health.verdict],
  status: (row) => STATUS_RANK[row.health.status],
  group: (row) => row.group,
  topic: (row) => row.topic,
  cluster: (row) => row.cluster,
  region: (row) => row.region,
  members: (row) => row.members,
  lag: (row) => row.totalLag,
  maxLag: (row) => row.maxPartitionLag,
  consumed: (row) => row.consumedPerSecond,
  drain: drainRank,
};

/** Ties go worst first (verdict, Burrow status, lag), then by name, so the order never flickers. */
export const groupSeverity = (a: GroupRow, b: GroupRow) =>
  VERDICT_RANK[b.health.verdict] - VERDICT_RANK[a.health.verdict] || STATUS_RANK[b.health.status] - STATUS_RANK[a.health.status] || b.totalLag - a.totalLag;

export function groupColumns({ showCluster, showTopic = true }: { showCluster: boolean; showTopic?: boolean }): Column<GroupRow>[] {
  const columns: (Column<GroupRow> | null)[] = [
    { key: "verdict", header: "Health", title: "health verdict", headerClassName: "w-24", sortable: true, firstDir: "desc", cell: (row) => <VerdictBadge verdict={row.health.verdict} reasons={row.health.reasons} /> },
    { key: "status", header: "Burrow", title: "Burrow status of the worst partition", headerClassName: "w-20", sortable: true, firstDir: "desc", cell: (row) => <BurrowBadge status={row.health.status} /> },
    {
      key: "group",
      header: "Group",
      headerClassName: "w-44",
      sortable: true,
      cell: (row) => (
        <Link href={href.group(row.cluster, row.group, row.region)} className={linkClass} data-testid="group-link" title={row.group}>
          {row.group}
        </Link>
      ),
    },
    showTopic
      ? {
          key: "topic",
          header: "Topic",
          headerClassName: "w-36",
          sortable: true,
          cell: (row) => (
            <Link href={href.topic(row.cluster, row.topic, row.region)} className="text-zinc-700 hover:underline dark:text-zinc-300" title={row.topic}>
              {row.topic}
            </Link>
          ),
        }
      : null,
    showCluster
      ? { key: "cluster", header: "Cluster", headerClassName: "w-24", sortable: true, cell: (row) => <Link href={href.cluster(row.cluster, row.region)} className="text-zinc-600 hover:underline dark:text-zinc-400">{row.cluster}</Link> }
      : null,
    { key: "region", header: "Region", headerClassName: "w-24", sortable: true, cell: (row) => <span className="font-mono text-[11px]">{row.region}</span> },
    {
      key: "members",
      header: "members",
      title: "consumers in the group",
      headerClassName: "w-20",
      align: "right",
      sortable: true,
      firstDir: "desc",
      cell: (row) => <span className={clsx(row.members === 0 && "font-semibold text-red-700 dark:text-red-400")} title={row.deployment.name ? `deployment ${row.deployment.namespace}/${row.deployment.name}` : undefined}>{row.members}</span>,
    },
    { key: "lag", header: "lag", title: "total lag in messages", headerClassName: "w-20", align: "right", sortable: true, firstDir: "desc", cell: (row) => <span className={tone(row.health.verdict)}>{formatCount(row.totalLag)}</span> },
    { key: "maxLag", header: "max part.", title: "largest lag of one partition", headerClassName: "w-20", align: "right", sortable: true, firstDir: "desc", cell: (row) => formatCount(row.maxPartitionLag) },
    { key: "consumed", header: "msg/s", title: "messages consumed per second", headerClassName: "w-16", align: "right", sortable: true, firstDir: "desc", cell: (row) => formatRate(row.consumedPerSecond) },
    {
      key: "drain",
      header: "drains in",
      title: "time to drain the lag at the current rate",
      headerClassName: "w-28",
      align: "right",
      sortable: true,
      firstDir: "desc",
      cell: (row) => {
        const drain = drainLabel(row.totalLag, row.health.timeToDrainSeconds, row.health.status);
        return <span className={clsx(drain.tone === "bad" && "font-semibold text-amber-700 dark:text-amber-400", drain.tone === "quiet" && quiet)}>{drain.text}</span>;
      },
    },
    { key: "why", header: "why", title: "reasons for the verdict", cell: (row) => <Why reasons={row.health.reasons} /> },
  ];
  return columns.filter((column): column is Column<GroupRow> => column !== null);
}

// ---------------------------------------------------------------- topics

type TopicSortKey = "verdict" | "topic" | "cluster" | "region" | "partitions" | "produced" | "urp" | "retained" | "dlqDepth" | "dlqInflow";
const TOPIC_SORT_KEYS: TopicSortKey[] = ["verdict", "topic", "cluster", "region", "partitions", "produced", "urp", "retained", "dlqDepth", "dlqInflow"];

/** A topic with the dead-letter topic whose figures it shows (its own when it is one). */
interface TopicView {
  topic: TopicRow;
  dlq: TopicRow | undefined;
  /** For a dead-letter topic: the topic it collects failures of. */
  source: TopicRow | undefined;
}

const topicSortValue: Record<TopicSortKey, (row: TopicView) => number | string> = {
  verdict: (row) => VERDICT_RANK[row.topic.health.verdict],
  topic: (row) => row.topic.topic,
  cluster: (row) => row.topic.cluster,
  region: (row) => row.topic.region,
  partitions: (row) => row.topic.partitions,
  produced: (row) => row.topic.producedPerSecond,
  urp: (row) => row.topic.underReplicatedPartitions,
  retained: (row) => row.topic.retainedMessages,
  dlqDepth: (row) => row.dlq?.retainedMessages ?? -1,
  dlqInflow: (row) => row.dlq?.producedPerSecond ?? -1,
};

const topicSeverity = (a: TopicView, b: TopicView) =>
  VERDICT_RANK[b.topic.health.verdict] - VERDICT_RANK[a.topic.health.verdict] ||
  b.topic.underReplicatedPartitions - a.topic.underReplicatedPartitions ||
  (b.dlq?.producedPerSecond ?? 0) - (a.dlq?.producedPerSecond ?? 0);

const topicViewKey = (row: TopicView) => topicKey(row.topic);

function TopicName({ row }: { row: TopicView }) {
  const { topic } = row;
  return (
    <span className="flex min-w-0 items-center gap-1">
      <Link href={href.topic(topic.cluster, topic.topic, topic.region)} className={clsx(linkClass, "truncate")} data-testid="topic-link" title={topic.topic}>
        {topic.topic}
      </Link>
      {topic.deadLetterOf !== null && <DlqMark />}
    </span>
  );
}

function topicColumns(showCluster: boolean): Column<TopicView>[] {
  const columns: (Column<TopicView> | null)[] = [
    { key: "verdict", header: "Health", title: "health verdict", headerClassName: "w-24", sortable: true, firstDir: "desc", cell: (row) => <VerdictBadge verdict={row.topic.health.verdict} reasons={row.topic.health.reasons} /> },
    { key: "topic", header: "Topic", headerClassName: "w-52", sortable: true, cell: (row) => <TopicName row={row} /> },
    showCluster
      ? { key: "cluster", header: "Cluster", headerClassName: "w-24", sortable: true, cell: (row) => <Link href={href.cluster(row.topic.cluster, row.topic.region)} className="text-zinc-600 hover:underline dark:text-zinc-400">{row.topic.cluster}</Link> }
      : null,
    { key: "region", header: "Region", headerClassName: "w-24", sortable: true, cell: (row) => <span className="font-mono text-[11px]">{row.topic.region}</span> },
    { key: "partitions", header: "parts", title: "partitions", headerClassName: "w-14", align: "right", sortable: true, firstDir: "desc", cell: (row) => row.topic.partitions },
    { key: "produced", header: "in msg/s", title: "messages produced per second", headerClassName: "w-20", align: "right", sortable: true, firstDir: "desc", cell: (row) => formatRate(row.topic.producedPerSecond) },
    {
      key: "urp",
      header: "URP",
      title: "under-replicated partitions",
      headerClassName: "w-14",
      align: "right",
      sortable: true,
      firstDir: "desc",
      cell: (row) => <span className={clsx(row.topic.underReplicatedPartitions > 0 ? "font-semibold text-amber-700 dark:text-amber-400" : quiet)}>{row.topic.underReplicatedPartitions}</span>,
    },
    { key: "retained", header: "retained", title: "messages retained (for a dead-letter topic, its depth)", headerClassName: "w-24", align: "right", sortable: true, firstDir: "desc", cell: (row) => formatCount(row.topic.retainedMessages) },
    {
      key: "dlqDepth",
      header: "DLQ depth",
      title: "messages in the dead-letter topic",
      headerClassName: "w-20",
      align: "right",
      sortable: true,
      firstDir: "desc",
      cell: (row) => (row.dlq ? <span className="text-violet-800 dark:text-violet-300">{formatCount(row.dlq.retainedMessages)}</span> : <span className={quiet}>–</span>),
    },
    {
      key: "dlqInflow",
      header: "DLQ in/s",
      title: "messages per second into the dead-letter topic",
      headerClassName: "w-20",
      align: "right",
      sortable: true,
      firstDir: "desc",
      cell: (row) => (row.dlq ? <span className={clsx(tone(row.dlq.health.verdict) ?? "text-violet-800 dark:text-violet-300")}>{formatRate(row.dlq.producedPerSecond)}</span> : <span className={quiet}>–</span>),
    },
    { key: "why", header: "why", title: "reasons for the verdict", cell: (row) => <Why reasons={row.topic.health.reasons} /> },
  ];
  return columns.filter((column): column is Column<TopicView> => column !== null);
}

// ---------------------------------------------------------------- dead-letter topics

type DlqSortKey = "verdict" | "topic" | "source" | "cluster" | "region" | "depth" | "inflow" | "share";
const DLQ_SORT_KEYS: DlqSortKey[] = ["verdict", "topic", "source", "cluster", "region", "depth", "inflow", "share"];

/** Share of the source topic's messages that end up dead-lettered. */
const failureShare = (row: TopicView) => (row.source && row.source.producedPerSecond > 0 ? row.topic.producedPerSecond / row.source.producedPerSecond : null);

const dlqSortValue: Record<DlqSortKey, (row: TopicView) => number | string> = {
  verdict: (row) => VERDICT_RANK[row.topic.health.verdict],
  topic: (row) => row.topic.topic,
  source: (row) => row.topic.deadLetterOf ?? "",
  cluster: (row) => row.topic.cluster,
  region: (row) => row.topic.region,
  depth: (row) => row.topic.retainedMessages,
  inflow: (row) => row.topic.producedPerSecond,
  share: (row) => failureShare(row) ?? -1,
};

const dlqSeverity = (a: TopicView, b: TopicView) =>
  VERDICT_RANK[b.topic.health.verdict] - VERDICT_RANK[a.topic.health.verdict] || b.topic.producedPerSecond - a.topic.producedPerSecond;

function dlqColumns(showCluster: boolean): Column<TopicView>[] {
  const columns: (Column<TopicView> | null)[] = [
    { key: "verdict", header: "Health", title: "health verdict", headerClassName: "w-24", sortable: true, firstDir: "desc", cell: (row) => <VerdictBadge verdict={row.topic.health.verdict} reasons={row.topic.health.reasons} /> },
    { key: "topic", header: "Dead-letter topic", headerClassName: "w-52", sortable: true, cell: (row) => <TopicName row={row} /> },
    {
      key: "source",
      header: "Source topic",
      headerClassName: "w-40",
      sortable: true,
      cell: (row) =>
        row.topic.deadLetterOf ? (
          <Link href={href.topic(row.topic.cluster, row.topic.deadLetterOf, row.topic.region)} className="text-zinc-700 hover:underline dark:text-zinc-300">
            {row.topic.deadLetterOf}
          </Link>
        ) : null,
    },
    showCluster
      ? { key: "cluster", header: "Cluster", headerClassName: "w-24", sortable: true, cell: (row) => <Link href={href.cluster(row.topic.cluster, row.topic.region)} className="text-zinc-600 hover:underline dark:text-zinc-400">{row.topic.cluster}</Link> }
      : null,
    { key: "region", header: "Region", headerClassName: "w-24", sortable: true, cell: (row) => <span className="font-mono text-[11px]">{row.topic.region}</span> },
    { key: "depth", header: "depth", title: "messages in the dead-letter topic", headerClassName: "w-20", align: "right", sortable: true, firstDir: "desc", cell: (row) => formatCount(row.topic.retainedMessages) },
    { key: "inflow", header: "in msg/s", title: "dead letters per second", headerClassName: "w-20", align: "right", sortable: true, firstDir: "desc", cell: (row) => <span className={tone(row.topic.health.verdict)}>{formatRate(row.topic.producedPerSecond)}</span> },
    { key: "share", header: "failing", title: "share of the source topic's messages dead-lettered", headerClassName: "w-20", align: "right", sortable: true, firstDir: "desc", cell: (row) => formatPercent(failureShare(row)) },
    { key: "why", header: "why", title: "reasons for the verdict", cell: (row) => <Why reasons={row.topic.health.reasons} /> },
  ];
  return columns.filter((column): column is Column<TopicView> => column !== null);
}

// ---------------------------------------------------------------- the tables with their filters

function sorter<Row, Key extends string>(values: Record<Key, (row: Row) => number | string>, key: Key, dir: SortDir, severity: (a: Row, b: Row) => number, rowKey: (row: Row) => string) {
  const value = values[key];
  const factor = dir === "asc" ? 1 : -1;
  return (a: Row, b: Row) => {
    const x = value(a);
    const y = value(b);
    const primary = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
    return primary * factor || severity(a, b) || rowKey(a).localeCompare(rowKey(b));
  };
}

/** Worst first: the verdict and Burrow status columns start with the worst; the others, A to Z and smallest first. */
const defaultDir = (key: string): SortDir => (key === "verdict" || key === "status" ? "desc" : "asc");

const inScope = (row: { region: string; cluster: string }, region: string, cluster: string) => (!region || row.region === region) && (!cluster || row.cluster === cluster);
const verdictOk = (filter: readonly Verdict[], verdict: Verdict) => filter.length === 0 || filter.includes(verdict);

const verdictCounts = (verdicts: Verdict[]) => {
  const counts: Record<Verdict, number> = { CRIT: 0, WARN: 0, UNKNOWN: 0, OK: 0 };
  for (const verdict of verdicts) counts[verdict]++;
  return counts;
};

export function QueueTables({
  groups,
  topics,
  loading,
  scope,
}: {
  groups: readonly GroupRow[];
  topics: readonly TopicRow[];
  loading: boolean;
  /** "cluster": the page is about one cluster, so no cluster column or filter. */
  scope: "fleet" | "cluster";
}) {
  const router = useRouter();
  const url = useUrlState();
  const filterRef = useRef<HTMLInputElement>(null);
  const showCluster = scope === "fleet";

  const tab: QueueTab = TABS.find((candidate) => candidate.key === url.get("tab"))?.key ?? "groups";
  const region = url.get("region") ?? "";
  const cluster = showCluster ? (url.get("cluster") ?? "") : "";
  const verdictParam = url.get("verdict");
  const verdictFilter = useMemo(() => parseVerdicts(verdictParam), [verdictParam]);
  const filterText = useFilterText(url);
  const { text } = filterText;
  const needle = text.trim().toLowerCase();

  const regions = useMemo(() => [...new Set([...groups, ...topics].map((row) => row.region))].sort(), [groups, topics]);
  const clusters = useMemo(() => [...new Set([...groups, ...topics].map((row) => row.cluster))].sort(), [groups, topics]);

  const topicViews = useMemo(() => {
    const dlqs = deadLettersBySource(topics);
    const byKey = new Map(topics.map((topic) => [topicKey(topic), topic]));
    return topics.map((topic): TopicView => {
      const source = topic.deadLetterOf === null ? undefined : byKey.get(topicKey({ ...topic, topic: topic.deadLetterOf }));
      return { topic, dlq: topic.deadLetterOf === null ? dlqs.get(topicKey(topic)) : topic, source };
    });
  }, [topics]);

  const scopedGroups = useMemo(() => groups.filter((row) => inScope(row, region, cluster)), [groups, region, cluster]);
  const scopedTopics = useMemo(() => topicViews.filter((row) => inScope(row.topic, region, cluster)), [topicViews, region, cluster]);
  const scopedDlqs = useMemo(() => scopedTopics.filter((row) => row.topic.deadLetterOf !== null), [scopedTopics]);

  const counts = useMemo(
    () => ({
      groups: verdictCounts(scopedGroups.map((row) => row.health.verdict)),
      topics: verdictCounts(scopedTopics.map((row) => row.topic.health.verdict)),
      dlq: verdictCounts(scopedDlqs.map((row) => row.topic.health.verdict)),
    }),
    [scopedGroups, scopedTopics, scopedDlqs],
  );
  const totals = { groups: scopedGroups.length, topics: scopedTopics.length, dlq: scopedDlqs.length };

  const groupSort = readUrlSort(url, GROUP_SORT_KEYS, defaultDir);
  const topicSort = readUrlSort(url, TOPIC_SORT_KEYS, defaultDir);
  const dlqSort = readUrlSort(url, DLQ_SORT_KEYS, defaultDir);

  const groupRows = useMemo(
    () =>
      tab !== "groups"
        ? []
        : scopedGroups
            .filter((row) => verdictOk(verdictFilter, row.health.verdict) && matches(needle, row.group, row.topic, row.cluster, row.region, `${row.deployment.namespace}/${row.deployment.name}`))
            .sort(sorter(groupSortValue, groupSort.key, groupSort.dir, groupSeverity, groupKey)),
    [tab, scopedGroups, verdictFilter, needle, groupSort.key, groupSort.dir],
  );
  const topicRows = useMemo(
    () =>
      tab === "groups"
        ? []
        : (tab === "dlq" ? scopedDlqs : scopedTopics)
            .filter((row) => verdictOk(verdictFilter, row.topic.health.verdict) && matches(needle, row.topic.topic, row.topic.cluster, row.topic.region, row.topic.deadLetterOf ?? ""))
            .sort(tab === "dlq" ? sorter(dlqSortValue, dlqSort.key, dlqSort.dir, dlqSeverity, topicViewKey) : sorter(topicSortValue, topicSort.key, topicSort.dir, topicSeverity, topicViewKey)),
    [tab, scopedTopics, scopedDlqs, verdictFilter, needle, topicSort.key, topicSort.dir, dlqSort.key, dlqSort.dir],
  );

  const [selected, setSelected] = useState<string | null>(null);
  const keys = useMemo(() => (tab === "groups" ? groupRows.map(groupKey) : topicRows.map(topicViewKey)), [tab, groupRows, topicRows]);
  const open = (key: string) => {
    if (tab === "groups") {
      const row = groupRows.find((candidate) => groupKey(candidate) === key);
      if (row) router.push(href.group(row.cluster, row.group, row.region));
    } else {
      const row = topicRows.find((candidate) => topicViewKey(candidate) === key);
      if (row) router.push(href.topic(row.topic.cluster, row.topic.topic, row.topic.region));
    }
  };
  useListKeys({ keys, selected, onSelect: setSelected, onOpen: open, filterRef });

  const columns = useMemo(() => ({ groups: groupColumns({ showCluster }), topics: topicColumns(showCluster), dlq: dlqColumns(showCluster) }), [showCluster]);
  const filtered = Boolean(text || region || cluster || verdictFilter.length > 0);
  const shown = tab === "groups" ? groupRows.length : topicRows.length;
  const emptyText = loading ? "Loading…" : totals[tab] === 0 ? (tab === "dlq" ? "No dead-letter topics." : tab === "topics" ? "No topics." : "No consumer groups.") : "Nothing matches the filters.";
  const sortChange = writeUrlSort(url);

  return (
    <section aria-label="Consumer groups and topics">
      <div role="tablist" aria-label="What to list" className="mb-2 flex items-end gap-1 border-b border-zinc-200 dark:border-zinc-800">
        {TABS.map((option) => {
          const active = option.key === tab;
          const bad = counts[option.key].CRIT + counts[option.key].WARN;
          return (
            <button
              key={option.key}
              type="button"
              role="tab"
              id={`queues-tab-${option.key}`}
              aria-selected={active}
              aria-controls="queues-tabpanel"
              onClick={() => {
                setSelected(null);
                url.set({ tab: option.key === "groups" ? null : option.key, sort: null, dir: null });
              }}
              className={clsx(
                "-mb-px flex items-center gap-1.5 border-b-2 px-2.5 py-1 text-xs",
                active ? "border-sky-600 font-semibold text-zinc-950 dark:border-sky-400 dark:text-white" : "border-transparent text-zinc-600 hover:text-zinc-950 dark:text-zinc-400 dark:hover:text-white",
              )}
              data-testid={`queues-tab-${option.key}`}
            >
              {option.label}
              <span className="tabular-nums text-zinc-500">{totals[option.key]}</span>
              {bad > 0 && (
                <span className={clsx("rounded px-1 text-[10px] font-semibold tabular-nums", counts[option.key].CRIT > 0 ? "bg-red-600 text-white" : "bg-amber-300 text-amber-950")} title={`${counts[option.key].CRIT} CRIT, ${counts[option.key].WARN} WARN`}>
                  {bad}
                </span>
              )}
            </button>
          );
        })}
        <ListKeysHint filter enter="open" className="ml-auto pb-1" />
      </div>

      <div className="mb-2 flex flex-wrap items-center gap-2" role="search">
        <FilterTextBox
          id="queues-filter"
          label={`Filter ${TABS.find((option) => option.key === tab)?.label.toLowerCase()}`}
          inputRef={filterRef}
          value={text}
          onChange={filterText.change}
          placeholder={tab === "groups" ? "Filter: group, topic, deployment  ( / )" : "Filter: topic, cluster, region  ( / )"}
          widthClass="w-64"
        />
        <FilterSelect id="queues-region" label="Region" allLabel="all regions" value={region} options={regions} onChange={(value) => url.set({ region: value })} testId="queues-region" />
        {showCluster && <FilterSelect id="queues-cluster" label="Cluster" allLabel="all clusters" value={cluster} options={clusters} onChange={(value) => url.set({ cluster: value })} />}
        <VerdictToggles selected={verdictFilter} counts={counts[tab]} onChange={(next) => url.set({ verdict: next.join(",") })} />
        {filtered && <ClearFiltersLink onClick={() => filterText.clear({ region: null, cluster: null, verdict: null })} />}
        <span className="ml-auto text-xs tabular-nums text-zinc-500">
          {shown} of {totals[tab]}
        </span>
      </div>

      <div id="queues-tabpanel" role="tabpanel" aria-labelledby={`queues-tab-${tab}`}>
        {tab === "groups" ? (
          <VirtualTable
            caption="Consumer groups, worst first, with their lag and Burrow status"
            columns={columns.groups}
            rows={groupRows}
            rowKey={groupKey}
            sort={groupSort}
            onSortChange={sortChange}
            selectedKey={selected}
            onRowClick={(row) => setSelected(groupKey(row))}
            rowTestId="group-row"
            testId="groups-table"
            empty={emptyText}
          />
        ) : (
          <VirtualTable
            caption={tab === "dlq" ? "Dead-letter topics with their depth and inflow" : "Topics with throughput, replication and their dead-letter topic"}
            columns={tab === "dlq" ? columns.dlq : columns.topics}
            rows={topicRows}
            rowKey={topicViewKey}
            sort={tab === "dlq" ? dlqSort : topicSort}
            onSortChange={sortChange}
            selectedKey={selected}
            onRowClick={(row) => setSelected(topicViewKey(row))}
            rowClassName={(row) => (tab === "topics" && row.topic.deadLetterOf !== null ? "bg-violet-50/50 dark:bg-violet-950/20" : undefined)}
            rowTestId={tab === "dlq" ? "dlq-row" : "topic-row"}
            testId={tab === "dlq" ? "dlq-table" : "topics-table"}
            empty={emptyText}
          />
        )}
      </div>
    </section>
  );
}
