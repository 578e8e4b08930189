"use client";
// /queues/<cluster>/groups/<group>: where an operator lands from a lag alert. For each region
// (and topic) the group reads: is the lag getting better or worse, since when, why (Burrow),
// and what to do, with the consumer deployment one click away; then every partition.
import { useQueries, useQuery } from "@tanstack/react-query";
import clsx from "clsx";
import Link from "next/link";
import { useMemo, useState } from "react";
import { AlertPanel, spannedChart } from "@/components/alert-panel";
import { VerdictBadge } from "@/components/badges";
import { Breadcrumb, FreshnessMeta, LoadFailureNotice, reasonsByRegion, VerdictTitle } from "@/components/page-scaffold";
import { BurrowBadge, BURROW_MEANING, DlqMark } from "@/components/queues-badges";
import { LagSparkline } from "@/components/queues-sparkline";
import { VirtualTable } from "@/components/queues-virtual-table";
import { ActionButton, useActionLauncher } from "@/components/request-action-dialog";
import { consumerScaleForm, resetOffsetsForm, type GroupEntryState } from "@/components/request-action-kinds-data";
import type { Column, SortDir } from "@/components/sortable-table";
import { Kbd, PageHeader, StaleDataBanner } from "@/components/ui";
import { formatAxisNumber, formatRate } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import { readError } from "@/lib/trpc-errors";
import { useListKeys } from "@/lib/use-list-keys";
import { useMe } from "@/lib/use-me";
import { useUrlState } from "@/lib/use-url-state";
import {
  adviceFor, drainLabel, formatCount, formatSpan, href, lagTrend, REFRESH_MS, STATUS_RANK, totalLagSeries, trendSentence, VERDICT_RANK, worstVerdict,
  type Advice, type GroupDetail, type PartitionRow, type TopicRow,
} from "../../../queue-model";
import { RegionSwitch } from "../../../region-switch";
import { RecentActions } from "@/app/(console)/services/[namespace]/[name]/recent-actions";

const entryKey = (entry: GroupDetail) => `${entry.region}/${entry.topic}`;
const partitionKey = (entry: GroupDetail, partition: PartitionRow) => `${entry.region}/${entry.topic}/${partition.partition}`;

/** The lag's change over the poller's window, for a partition. */
const lagChange = (partition: PartitionRow) => {
  const first = partition.recent[0];
  const last = partition.recent.at(-1);
  return first && last && partition.recent.length > 1 ? last.lag - first.lag : null;
};
const statusOf = (partition: PartitionRow) => partition.evaluation?.status ?? "UNKNOWN";

type PartitionSortKey = "status" | "partition" | "lag" | "change" | "logEnd" | "committed";
const PARTITION_SORT_KEYS: PartitionSortKey[] = ["status", "partition", "lag", "change", "logEnd", "committed"];
const partitionSortValue: Record<PartitionSortKey, (row: PartitionRow) => number> = {
  status: (row) => STATUS_RANK[statusOf(row)],
  partition: (row) => row.partition,
  lag: (row) => row.lag,
  change: (row) => lagChange(row) ?? Number.NEGATIVE_INFINITY,
  logEnd: (row) => row.logEndOffset,
  committed: (row) => row.committedOffset,
};

function partitionColumns(entry: GroupDetail): Column<PartitionRow>[] {
  return [
    { key: "partition", header: "partition", headerClassName: "w-20", align: "right", sortable: true, cell: (row) => <span className="font-mono">{row.partition}</span> },
    { key: "status", header: "Burrow", title: "Burrow status of the partition", headerClassName: "w-20", sortable: true, firstDir: "desc", cell: (row) => <BurrowBadge status={statusOf(row)} reason={row.evaluation?.reason} /> },
    {
      key: "lag",
      header: "lag",
      title: "log-end offset minus committed offset",
      headerClassName: "w-20",
      align: "right",
      sortable: true,
      firstDir: "desc",
      cell: (row) => <span className={clsx(statusOf(row) !== "OK" && statusOf(row) !== "UNKNOWN" && row.lag > 0 && "font-semibold text-amber-700 dark:text-amber-400")}>{formatCount(row.lag)}</span>,
    },
    {
      key: "trend",
      header: "recent lag",
      title: "lag over the lag poller's window",
      headerClassName: "w-24",
      clip: false,
      cell: (row) => <LagSparkline points={row.recent} label={`${entry.region} partition ${row.partition}`} testId="partition-sparkline" />,
    },
    {
      key: "change",
      header: "change",
      title: "change of the lag over the window",
      headerClassName: "w-20",
      align: "right",
      sortable: true,
      firstDir: "desc",
      cell: (row) => {
        const change = lagChange(row);
        if (change === null) return <span className="text-zinc-400">–</span>;
        return <span className={clsx(change > 0 ? "text-amber-700 dark:text-amber-400" : change < 0 ? "text-emerald-700 dark:text-emerald-400" : "text-zinc-500")}>{change > 0 ? "+" : change < 0 ? "−" : "±"}{formatCount(Math.abs(change))}</span>;
      },
    },
    { key: "logEnd", header: "log-end offset", title: "next offset to be written", headerClassName: "w-32", align: "right", sortable: true, firstDir: "desc", cell: (row) => <span className="font-mono text-[11px]">{formatCount(row.logEndOffset)}</span> },
    { key: "committed", header: "committed", title: "the group's committed offset", headerClassName: "w-32", align: "right", sortable: true, firstDir: "desc", cell: (row) => <span className="font-mono text-[11px]">{formatCount(row.committedOffset)}</span> },
    { key: "reason", header: "why", title: "Burrow's reason for the status", cell: (row) => <span className="text-zinc-600 dark:text-zinc-400" title={row.evaluation?.reason}>{row.evaluation?.reason ?? "not observed yet"}</span> },
  ];
}

function readPartitionSort(sort: string | null, dir: string | null): { key: PartitionSortKey; dir: SortDir } {
  const key = PARTITION_SORT_KEYS.find((candidate) => candidate === sort) ?? "status";
  return { key, dir: dir === "asc" || dir === "desc" ? dir : key === "partition" ? "asc" : "desc" };
}

function sortPartitions(partitions: readonly PartitionRow[], sort: { key: PartitionSortKey; dir: SortDir }): PartitionRow[] {
  const value = partitionSortValue[sort.key];
  const factor = sort.dir === "asc" ? 1 : -1;
  // Ties: the bigger lag first, then partition order.
  return [...partitions].sort((a, b) => (value(a) - value(b)) * factor || b.lag - a.lag || a.partition - b.partition);
}

const ADVICE_STYLE: Record<Advice["tone"], string> = {
  ok: "border-emerald-300 bg-emerald-50 text-emerald-950 dark:border-emerald-800 dark:bg-emerald-950/60 dark:text-emerald-100",
  info: "border-sky-300 bg-sky-50 text-sky-950 dark:border-sky-800 dark:bg-sky-950/60 dark:text-sky-100",
  warn: "border-amber-300 bg-amber-50 text-amber-950 dark:border-amber-700 dark:bg-amber-950/60 dark:text-amber-100",
  crit: "border-red-300 bg-red-50 text-red-950 dark:border-red-800 dark:bg-red-950/60 dark:text-red-100",
};

function Stat({ label, value, tone, title, testId }: { label: string; value: string; tone?: "bad" | "good" | "quiet"; title?: string; testId?: string }) {
  return (
    <div className="min-w-0" title={title}>
      <dt className="text-[10px] uppercase tracking-wide text-zinc-500">{label}</dt>
      <dd
        className={clsx(
          "truncate text-sm tabular-nums",
          tone === "bad" ? "font-semibold text-amber-700 dark:text-amber-400" : tone === "good" ? "text-emerald-700 dark:text-emerald-400" : tone === "quiet" ? "text-zinc-500" : "text-zinc-900 dark:text-zinc-100",
        )}
        data-testid={testId}
      >
        {value}
      </dd>
    </div>
  );
}

/** One region/topic of the group: the verdict in words, the figures, the way out, the partitions. */
function GroupEntry({
  entry,
  topic,
  deadLetter,
  cluster,
  selectedKey,
  onSelect,
  sort,
  onSortChange,
  onScale,
  onResetOffsets,
}: {
  entry: GroupDetail;
  topic: TopicRow | undefined;
  deadLetter: TopicRow | undefined;
  cluster: string;
  selectedKey: string | null;
  onSelect: (key: string) => void;
  sort: { key: PartitionSortKey; dir: SortDir };
  onSortChange: (sort: { key: string; dir: SortDir }) => void;
  /** Given to those who may request: open the consumer scale form (to the advised count) or the offset reset form. */
  onScale?: (replicas: number | null, reason: string) => void;
  onResetOffsets?: () => void;
}) {
  const { health } = entry;
  const series = useMemo(() => totalLagSeries(entry.partitions), [entry.partitions]);
  const trend = lagTrend(series);
  const produced = topic?.producedPerSecond ?? null;
  const advice = adviceFor(entry, produced);
  const drain = drainLabel(health.totalLag, health.timeToDrainSeconds, health.status);
  const deployment = entry.deployment.name ? entry.deployment : null;
  const columns = useMemo(() => partitionColumns(entry), [entry]);
  const rows = useMemo(() => sortPartitions(entry.partitions, sort), [entry.partitions, sort]);
  const maxLag = Math.max(0, ...entry.partitions.map((partition) => partition.lag));
  const lagging = entry.partitions.filter((partition) => partition.lag > 0).length;
  const scaleTo = advice.scale ? (advice.scaleTo ?? null) : null;
  const scaleReason = `consumer group ${entry.group} lag ${formatCount(health.totalLag)} on ${entry.topic}`;

  return (
    <section
      aria-labelledby={`entry-${entryKey(entry)}`}
      className={clsx(
        "rounded border p-3",
        health.verdict === "CRIT" ? "border-red-300 dark:border-red-900" : health.verdict === "WARN" ? "border-amber-300 dark:border-amber-800" : "border-zinc-200 dark:border-zinc-800",
      )}
      data-testid="group-entry"
      data-key={entryKey(entry)}
      data-verdict={health.verdict}
    >
      <h2 id={`entry-${entryKey(entry)}`} className="mb-2 flex flex-wrap items-center gap-2 text-sm">
        <VerdictBadge verdict={health.verdict} reasons={health.reasons} />
        <BurrowBadge status={health.status} />
        <span className="font-mono text-xs">{entry.region}</span>
        <span className="text-zinc-400">·</span>
        <span className="text-xs text-zinc-600 dark:text-zinc-400">
          topic{" "}
          <Link href={href.topic(cluster, entry.topic, entry.region)} className="font-medium text-sky-700 hover:underline dark:text-sky-400">
            {entry.topic}
          </Link>
        </span>
        {(onScale || onResetOffsets) && (
          <span className="ml-auto flex items-center gap-1 font-normal" role="group" aria-label={`Actions on ${entry.group} in ${entry.region}`}>
            {onScale && (
              <ActionButton kind="consumerGroup.scale" onOpen={() => onScale(null, scaleReason)} testId="scale-consumers">
                Scale consumers…
              </ActionButton>
            )}
            {onResetOffsets && (
              <ActionButton kind="consumerGroup.resetOffsets" onOpen={onResetOffsets} testId="reset-offsets">
                Reset offsets…
              </ActionButton>
            )}
          </span>
        )}
      </h2>

      <div className="grid gap-3 lg:grid-cols-[minmax(0,1fr)_auto]">
        <div className="min-w-0 space-y-1.5">
          <p className="text-base font-semibold leading-snug" data-testid="lag-headline">
            {trendSentence(health.totalLag, trend)}
          </p>
          <p className="text-sm text-zinc-700 dark:text-zinc-300" data-testid="consumers-line">
            Consumers: <span className={clsx("font-semibold tabular-nums", entry.members === 0 && "text-red-700 dark:text-red-400")}>{entry.members}</span>
            {deployment ? (
              <>
                {" "}
                (deployment{" "}
                <Link href={href.service(deployment.namespace, deployment.name, entry.region)} className="font-medium text-sky-700 hover:underline dark:text-sky-400" data-testid="deployment-link">
                  {deployment.namespace}/{deployment.name}
                </Link>
                )
              </>
            ) : (
              <span className="text-zinc-500"> (no deployment known for this group)</span>
            )}
            , reading {formatRate(entry.consumedPerSecond)} msg/s{produced !== null && <> of {formatRate(produced)} msg/s produced</>}.
          </p>
          <div className={clsx("flex flex-wrap items-center gap-x-3 gap-y-1 rounded border px-2.5 py-1.5 text-sm", ADVICE_STYLE[advice.tone])} role={advice.tone === "crit" ? "alert" : "status"} data-testid="group-advice">
            <span>{advice.text}</span>
            {advice.scale && onScale && deployment && (
              <span className="ml-auto">
                <ActionButton kind="consumerGroup.scale" variant="primary" onOpen={() => onScale(scaleTo, scaleReason)} testId="scale-link">
                  Scale {deployment.name}
                  {scaleTo ? ` to ${scaleTo}` : ""} in {entry.region}…
                </ActionButton>
              </span>
            )}
          </div>
        </div>
        <figure className="flex flex-col items-end gap-0.5 text-[10px] text-zinc-500" aria-label="Total lag over the lag poller's window">
          <span>total lag, last {series.length > 1 ? formatSpan((series.at(-1)?.t ?? 0) - (series[0]?.t ?? 0)) : "–"}</span>
          <LagSparkline points={series} width={220} height={44} label={`${entry.region} total`} testId="group-sparkline" />
          {series.length > 1 && (
            <span className="tabular-nums">
              {formatCount(Math.min(...series.map((point) => point.lag)))} – {formatCount(Math.max(...series.map((point) => point.lag)))}
            </span>
          )}
        </figure>
      </div>

      <dl className="my-3 grid grid-cols-3 gap-3 sm:grid-cols-4 lg:grid-cols-8">
        <Stat label="total lag" value={formatCount(health.totalLag)} tone={health.verdict === "OK" || health.totalLag === 0 ? undefined : "bad"} testId="total-lag" />
        <Stat label="max partition" value={formatCount(maxLag)} />
        <Stat label="lagging" value={`${lagging}/${entry.partitions.length}`} title="partitions with lag" tone={lagging === 0 ? "quiet" : undefined} />
        <Stat label="drains in" value={drain.text} tone={drain.tone === "bad" ? "bad" : drain.tone === "ok" ? "good" : "quiet"} testId="drain" title="time to drain at the rate the lag fell over the window" />
        <Stat label="members" value={String(entry.members)} tone={entry.members === 0 ? "bad" : undefined} />
        <Stat label="consumed/s" value={formatRate(entry.consumedPerSecond)} />
        <Stat label="produced/s" value={produced === null ? "–" : formatRate(produced)} />
        <Stat
          label="dead letters"
          value={deadLetter ? `${formatCount(deadLetter.retainedMessages)} · ${formatRate(deadLetter.producedPerSecond)}/s` : "–"}
          title={deadLetter ? `${deadLetter.topic}: depth and inflow` : "no dead-letter topic"}
        />
      </dl>

      {health.reasons.length > 0 && (
        <div className="mb-2 text-xs">
          <h3 className="sr-only">Why this verdict</h3>
          <ul className="flex flex-wrap gap-x-4 gap-y-0.5 text-zinc-700 dark:text-zinc-300" data-testid="verdict-reasons">
            {health.reasons.map((reason) => (
              <li key={reason} className="before:mr-1 before:text-zinc-400 before:content-['•']">
                {reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      <p className="mb-1 text-[11px] text-zinc-500">
        Burrow {health.status}: {BURROW_MEANING[health.status]}.
        {deadLetter && (
          <>
            {" "}
            Failed messages go to{" "}
            <Link href={href.topic(cluster, deadLetter.topic, entry.region)} className="inline-flex items-center gap-1 text-sky-700 hover:underline dark:text-sky-400">
              {deadLetter.topic} <DlqMark />
            </Link>
            .
          </>
        )}
      </p>

      <VirtualTable
        caption={`Partitions of ${entry.topic} read by ${entry.group} in ${entry.region}`}
        columns={columns}
        rows={rows}
        rowKey={(row) => partitionKey(entry, row)}
        sort={sort}
        onSortChange={onSortChange}
        selectedKey={selectedKey}
        onRowClick={(row) => onSelect(partitionKey(entry, row))}
        rowTestId="partition-row"
        testId="partitions-table"
        maxHeightClass="max-h-[60vh]"
        empty="No partitions reported."
      />
    </section>
  );
}

const worstFirst = (a: GroupDetail, b: GroupDetail) =>
  VERDICT_RANK[b.health.verdict] - VERDICT_RANK[a.health.verdict] || STATUS_RANK[b.health.status] - STATUS_RANK[a.health.status] || b.health.totalLag - a.health.totalLag || entryKey(a).localeCompare(entryKey(b));

export function GroupView({ cluster, group }: { cluster: string; group: string }) {
  const trpc = useTRPC();
  const url = useUrlState();
  const region = url.get("region") ?? "";
  const query = useQuery(trpc.queues.group.queryOptions({ cluster, group, ...(region ? { region } : {}) }, { refetchInterval: REFRESH_MS }));
  const data = query.data;
  const error = readError(query.error);

  // While another region's answer is on its way, the previous answer stands in: show only what matches.
  const entries = useMemo(() => (data?.groups ?? []).filter((entry) => !region || entry.region === region).sort(worstFirst), [data, region]);
  const topicNames = useMemo(() => [...new Set(entries.map((entry) => entry.topic))].sort(), [entries]);
  // The topics' rates and dead-letter topics, for "consumed of produced" and the advice.
  const topicQueries = useQueries({
    queries: topicNames.map((topic) => trpc.queues.topic.queryOptions({ cluster, topic, ...(region ? { region } : {}) }, { refetchInterval: REFRESH_MS })),
  });
  const topicOf = (entry: GroupDetail) => topicQueries[topicNames.indexOf(entry.topic)]?.data?.topics.find((row) => row.region === entry.region);
  const deadLetterOf = (entry: GroupDetail) => topicQueries[topicNames.indexOf(entry.topic)]?.data?.deadLetterTopics.find((row) => row.region === entry.region);

  const sort = readPartitionSort(url.get("psort"), url.get("pdir"));
  const [selected, setSelected] = useState<string | null>(null);
  const keys = useMemo(() => entries.flatMap((entry) => sortPartitions(entry.partitions, sort).map((partition) => partitionKey(entry, partition))), [entries, sort]);
  // Partitions have no page of their own: Enter does nothing more than j/k already show.
  useListKeys({ keys, selected, onSelect: setSelected, onOpen: () => {} });

  const verdict = worstVerdict(entries);
  const reasons = reasonsByRegion(entries);
  const waiting = query.isPending || (query.isPlaceholderData && entries.length === 0);

  // Requests on the group, in every region and topic it reads, starting where the page points.
  const { can } = useMe();
  const mayRequest = can("action.request");
  const entryStates: GroupEntryState[] = (data?.groups ?? []).map((entry) => {
    const advice = adviceFor(entry, topicOf(entry)?.producedPerSecond ?? null);
    return { region: entry.region, topic: entry.topic, members: entry.members, suggestedReplicas: advice.scale ? (advice.scaleTo ?? null) : null };
  });
  const launcher = useActionLauncher(
    data && entryStates.length > 0
      ? [consumerScaleForm(data.environment, cluster, group, entryStates, region || null), resetOffsetsForm(data.environment, cluster, group, entryStates, region || null)]
      : [],
    { allowed: mayRequest },
  );

  return (
    <div>
      <Breadcrumb
        trail={[
          { label: "Queues", href: "/queues" },
          { label: cluster, href: href.cluster(cluster, region || undefined) },
          { label: "groups" },
        ]}
        current={group}
      />
      <PageHeader
        title={
          <VerdictTitle verdict={verdict} reasons={reasons} placeholder={error ? "none" : "still"}>
            <span>
              <span className="font-normal text-zinc-500">consumer group </span>
              <span data-testid="group-name">{group}</span>
            </span>
          </VerdictTitle>
        }
        meta={<FreshnessMeta query={query} error={error}>{data && <span>environment {data.environment}</span>}</FreshnessMeta>}
      >
        <span className="hidden text-[11px] text-zinc-500 lg:inline">
          <Kbd>j</Kbd>/<Kbd>k</Kbd> partitions
        </span>
        <RegionSwitch seen={(data?.groups ?? []).map((entry) => entry.region)} />
      </PageHeader>
      {launcher.status && <div className="mb-2">{launcher.status}</div>}
      <StaleDataBanner freshness={data?.freshness} />

      <LoadFailureNotice error={error} data={data} what="the consumer group" notFound={(message) => `${message}.`} className="mb-3" />
      {waiting && !error && (
        <div className="space-y-2" aria-busy aria-label="Loading the consumer group">
          <div className="h-6 w-2/3 animate-pulse rounded bg-zinc-100 dark:bg-zinc-800" />
          <div className="h-4 w-1/2 animate-pulse rounded bg-zinc-100 dark:bg-zinc-800" />
          <div className="h-64 animate-pulse rounded border border-zinc-200 bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-900" />
        </div>
      )}

      <div className="mb-4">
        <AlertPanel
          resource={{ kinds: ["consumerGroup"], cluster, name: group, region: region || null }}
          what="consumer group"
          chartFor={(figure) =>
            figure === "consumerLag"
              ? spannedChart("Total lag over the lag poller's window", entries.map((entry) => ({ name: `${entry.region} · ${entry.topic}`, points: totalLagSeries(entry.partitions).map((point) => ({ t: point.t, value: point.lag })) })), formatCount, formatAxisNumber)
              : null
          }
          recent={data ? <RecentActions target={{ environment: data.environment, namespace: `kafka.${cluster}`, name: group }} noun="consumer group" /> : undefined}
        />
      </div>

      <div className="space-y-4">
        {entries.map((entry) => (
          <GroupEntry
            key={entryKey(entry)}
            entry={entry}
            topic={topicOf(entry)}
            deadLetter={deadLetterOf(entry)}
            cluster={cluster}
            selectedKey={selected}
            onSelect={setSelected}
            sort={sort}
            onSortChange={(next) => url.set({ psort: next.key, pdir: next.dir })}
            onScale={
              mayRequest
                ? (replicas, reason) => launcher.open("consumerGroup.scale", { region: entry.region, ...(replicas !== null ? { replicas: String(replicas) } : {}) }, reason)
                : undefined
            }
            onResetOffsets={mayRequest ? () => launcher.open("consumerGroup.resetOffsets", { region: entry.region, topic: entry.topic }) : undefined}
          />
        ))}
      </div>
      {launcher.dialog}
    </div>
  );
}
