"use client";
// /queues/<cluster>/topics/<topic>: one topic in each region: throughput, replication, its
// dead-letter topic (or, for a dead-letter topic, the topic it collects failures of), and
// the consumer groups reading it, worst first.
import { useQuery } from "@tanstack/react-query";
import clsx from "clsx";
import Link from "next/link";
import { useMemo } from "react";
import { VerdictBadge } from "@/components/badges";
import { Breadcrumb, FreshnessMeta, ListKeysHint, LoadFailureNotice, ReasonList, reasonsByRegion, VerdictTitle } from "@/components/page-scaffold";
import { DlqMark } from "@/components/queues-badges";
import { ActionButton, useActionLauncher } from "@/components/request-action-dialog";
import { dlqReplayForm, topicAddPartitionsForm, type DeadLetterState } from "@/components/request-action-kinds-data";
import { SortableTable, type Column } from "@/components/sortable-table";
import { Notice, PageHeader, StaleDataBanner } from "@/components/ui";
import { useRowSelection } from "@/components/use-row-selection";
import { formatPercent, formatRate } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import { readError } from "@/lib/trpc-errors";
import { useMe } from "@/lib/use-me";
import { useUrlState } from "@/lib/use-url-state";
import { formatCount, groupKey, href, REFRESH_MS, worstVerdict, type GroupRow, type TopicRow } from "../../../queue-model";
import { groupColumns, groupSeverity } from "../../../queue-tables";
import { RegionSwitch } from "../../../region-switch";

const why = (reasons: string[]) => (
  <span className="block truncate text-zinc-500" title={reasons.join("\n")}>
    {reasons.join("; ")}
  </span>
);

const regionColumns: Column<TopicRow>[] = [
  { key: "region", header: "Region", headerClassName: "w-28", cell: (row) => <span className="font-mono text-[11px]">{row.region}</span> },
  { key: "verdict", header: "Health", headerClassName: "w-24", cell: (row) => <VerdictBadge verdict={row.health.verdict} reasons={row.health.reasons} /> },
  { key: "partitions", header: "partitions", headerClassName: "w-20", align: "right", cell: (row) => row.partitions },
  { key: "produced", header: "in msg/s", title: "messages produced per second", headerClassName: "w-20", align: "right", cell: (row) => formatRate(row.producedPerSecond) },
  {
    key: "urp",
    header: "under-repl.",
    title: "under-replicated partitions",
    headerClassName: "w-24",
    align: "right",
    cell: (row) => <span className={clsx(row.underReplicatedPartitions > 0 ? "font-semibold text-amber-700 dark:text-amber-400" : "text-zinc-500")}>{row.underReplicatedPartitions}</span>,
  },
  { key: "retained", header: "retained", title: "messages retained", headerClassName: "w-28", align: "right", cell: (row) => formatCount(row.retainedMessages) },
  { key: "why", header: "why", cell: (row) => why(row.health.reasons) },
];

/** A dead-letter topic beside the topic it collects failures of, in one region. */
interface DeadLetterPair {
  region: string;
  dlq: TopicRow;
  source: TopicRow | undefined;
}

const pairColumns = (cluster: string, showing: "dlq" | "source", onReplay?: (row: DeadLetterPair) => void): Column<DeadLetterPair>[] => [
  { key: "region", header: "Region", headerClassName: "w-28", cell: (row) => <span className="font-mono text-[11px]">{row.region}</span> },
  { key: "verdict", header: "Health", headerClassName: "w-24", cell: (row) => <VerdictBadge verdict={row.dlq.health.verdict} reasons={row.dlq.health.reasons} /> },
  {
    key: "topic",
    header: showing === "dlq" ? "Dead-letter topic" : "Source topic",
    headerClassName: "w-48",
    cell: (row) => {
      const target = showing === "dlq" ? row.dlq.topic : row.dlq.deadLetterOf;
      if (!target) return null;
      return (
        <span className="flex items-center gap-1">
          <Link href={href.topic(cluster, target, row.region)} className="font-medium text-sky-700 hover:underline dark:text-sky-400" data-testid="related-topic-link">
            {target}
          </Link>
          {showing === "dlq" && <DlqMark />}
        </span>
      );
    },
  },
  { key: "depth", header: "DLQ depth", title: "messages in the dead-letter topic", headerClassName: "w-24", align: "right", cell: (row) => formatCount(row.dlq.retainedMessages) },
  { key: "inflow", header: "DLQ in/s", title: "dead letters per second", headerClassName: "w-20", align: "right", cell: (row) => formatRate(row.dlq.producedPerSecond) },
  {
    key: "share",
    header: "failing",
    title: "share of the source topic's messages that are dead-lettered",
    headerClassName: "w-20",
    align: "right",
    cell: (row) => formatPercent(row.source && row.source.producedPerSecond > 0 ? row.dlq.producedPerSecond / row.source.producedPerSecond : null),
  },
  { key: "why", header: "why", cell: (row) => why(row.dlq.health.reasons) },
  ...(onReplay
    ? [
        {
          key: "replay",
          header: <span className="sr-only">Replay</span>,
          headerClassName: "w-20",
          align: "right",
          cell: (row) => (
            <ActionButton kind="dlq.replay" onOpen={() => onReplay(row)} testId="replay-dlq">
              replay…
            </ActionButton>
          ),
        } satisfies Column<DeadLetterPair>,
      ]
    : []),
];

const groupOrder = (a: GroupRow, b: GroupRow) => groupSeverity(a, b) || groupKey(a).localeCompare(groupKey(b));
const groupHref = (row: GroupRow) => href.group(row.cluster, row.group, row.region);

export function TopicView({ cluster, topic }: { cluster: string; topic: string }) {
  const trpc = useTRPC();
  const url = useUrlState();
  const region = url.get("region") ?? "";
  const query = useQuery(trpc.queues.topic.queryOptions({ cluster, topic, ...(region ? { region } : {}) }, { refetchInterval: REFRESH_MS }));
  const data = query.data;
  const error = readError(query.error);

  // While another region's answer is on its way, the previous answer stands in: show only what matches.
  const inRegion = <Row extends { region: string }>(rows: readonly Row[] | undefined) => (rows ?? []).filter((row) => !region || row.region === region);
  const topics = inRegion(data?.topics);
  const isDeadLetter = topics.some((row) => row.deadLetterOf !== null);
  const sourceName = topics.find((row) => row.deadLetterOf !== null)?.deadLetterOf ?? null;
  const pairs: DeadLetterPair[] = isDeadLetter
    ? topics.map((dlq) => ({ region: dlq.region, dlq, source: data?.sourceTopics.find((row) => row.region === dlq.region) }))
    : inRegion(data?.deadLetterTopics).map((dlq) => ({ region: dlq.region, dlq, source: topics.find((row) => row.region === dlq.region) }));
  const groups = useMemo(() => (data?.groups ?? []).filter((row) => !region || row.region === region).sort(groupOrder), [data, region]);

  const verdict = worstVerdict(topics);
  const reasons = reasonsByRegion(topics);

  const selection = useRowSelection({ rows: groups, rowKey: groupKey, hrefOf: groupHref });
  const columns = useMemo(() => groupColumns({ showCluster: false, showTopic: false }), []);
  const waiting = query.isPending || (query.isPlaceholderData && topics.length === 0);

  // Requests on this topic, in every region it runs in, starting in the region shown.
  const { can } = useMe();
  const mayRequest = can("action.request");
  const everyTopicRow = (data?.topics ?? []).filter((row) => row.topic === topic);
  const deadLetters: DeadLetterState[] = isDeadLetter
    ? everyTopicRow.map((row) => ({ region: row.region, topic: row.topic, source: row.deadLetterOf, depth: row.retainedMessages }))
    : (data?.deadLetterTopics ?? []).map((row) => ({ region: row.region, topic: row.topic, source: topic, depth: row.retainedMessages }));
  const launcher = useActionLauncher(
    data && everyTopicRow.length > 0
      ? [
          topicAddPartitionsForm(data.environment, cluster, topic, everyTopicRow.map((row) => ({ region: row.region, partitions: row.partitions })), region || null),
          deadLetters.length > 0 && dlqReplayForm(data.environment, cluster, deadLetters, region || null),
        ]
      : [],
    { allowed: mayRequest },
  );
  const replay = (row: DeadLetterPair) => launcher.open("dlq.replay", { topic: row.dlq.topic, region: row.region });

  return (
    <div>
      <Breadcrumb
        trail={[
          { label: "Queues", href: "/queues" },
          { label: cluster, href: href.cluster(cluster, region || undefined) },
          { label: "topics", href: `/queues?tab=${isDeadLetter ? "dlq" : "topics"}` },
        ]}
        current={topic}
      />
      <PageHeader
        title={
          <VerdictTitle verdict={verdict} reasons={reasons} placeholder={error ? "none" : "still"}>
            <span>
              <span className="font-normal text-zinc-500">topic </span>
              <span data-testid="topic-name">{topic}</span>
            </span>
            {isDeadLetter && <DlqMark />}
          </VerdictTitle>
        }
        meta={<FreshnessMeta query={query} error={error}>{data && <span>environment {data.environment}</span>}</FreshnessMeta>}
      >
        {mayRequest && everyTopicRow.length > 0 && (
          <span className="flex items-center gap-1" role="group" aria-label="Actions on this topic">
            <ActionButton kind="topic.addPartitions" onOpen={() => launcher.open("topic.addPartitions")}>
              Add partitions…
            </ActionButton>
            {isDeadLetter && (
              <ActionButton kind="dlq.replay" onOpen={() => launcher.open("dlq.replay", region ? { region } : {})}>
                Replay…
              </ActionButton>
            )}
          </span>
        )}
        <RegionSwitch seen={(data?.topics ?? []).map((row) => row.region)} />
      </PageHeader>
      {launcher.status && <div className="mb-2">{launcher.status}</div>}
      <StaleDataBanner freshness={data?.freshness} />

      <LoadFailureNotice error={error} data={data} what="the topic" notFound={(message) => `${message}.`} className="mb-3" />
      <ReasonList reasons={reasons} label="Why this verdict" className="mb-3" testId="verdict-reasons" />
      {isDeadLetter && sourceName && (
        <div className="mb-3">
          <Notice tone="info">
            A dead-letter topic: messages that consumers of{" "}
            <Link href={href.topic(cluster, sourceName, region || undefined)} className="font-medium underline">
              {sourceName}
            </Link>{" "}
            could not process. Its depth is what waits to be looked at or replayed; its inflow is how fast they fail now.
          </Notice>
        </div>
      )}

      <div className="space-y-4">
        <section aria-labelledby="regions-heading">
          <h2 id="regions-heading" className="mb-1 text-xs font-semibold uppercase tracking-wide text-zinc-500">
            By region
          </h2>
          <SortableTable caption={`Topic ${topic} in each region`} columns={regionColumns} rows={topics} rowKey={(row) => row.region} rowTestId="topic-region-row" testId="topic-regions-table" fixed empty={waiting ? "Loading…" : "Not in this region."} />
        </section>

        <section aria-labelledby="dlq-heading">
          <h2 id="dlq-heading" className="mb-1 text-xs font-semibold uppercase tracking-wide text-zinc-500">
            {isDeadLetter ? "Source topic" : "Dead-letter topic"}
          </h2>
          <SortableTable
            caption={isDeadLetter ? "The topic this dead-letter topic collects failures of" : "This topic's dead-letter topic, with its depth and inflow"}
            columns={pairColumns(cluster, isDeadLetter ? "source" : "dlq", mayRequest && !isDeadLetter ? replay : undefined)}
            rows={pairs}
            rowKey={(row) => row.region}
            rowTestId="dead-letter-row"
            testId="dead-letter-table"
            fixed
            empty={waiting ? "Loading…" : "This topic has no dead-letter topic."}
          />
        </section>

        <section aria-labelledby="groups-heading">
          <div className="mb-1 flex items-center gap-3">
            <h2 id="groups-heading" className="text-xs font-semibold uppercase tracking-wide text-zinc-500">
              Consumer groups reading it
            </h2>
            <ListKeysHint enter="open" />
          </div>
          <SortableTable
            caption={`Consumer groups reading ${topic}, worst first`}
            columns={columns}
            rows={groups}
            rowKey={groupKey}
            {...selection}
            rowTestId="group-row"
            testId="topic-groups-table"
            fixed
            empty={waiting ? "Loading…" : "No consumer group reads this topic."}
          />
        </section>
      </div>
      {launcher.dialog}
    </div>
  );
}
