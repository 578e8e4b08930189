"use client";
// /queues/<cluster>/topics/<topic>: one topic in each region: throughput, replication, its
// dead-letter topic (or, for a dead-letter topic, the topic it collects failures of), and
// the consumer groups reading it, worst first.
import { useQuery } from "@tanstack/react-query";
import clsx from "clsx";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { VerdictBadge } from "@/components/badges";
import { DlqMark } from "@/components/queues-badges";
import { ActionButton, useActionLauncher } from "@/components/request-action-dialog";
import { dlqReplayForm, topicAddPartitionsForm, type DeadLetterState } from "@/components/request-action-kinds-data";
import { SortableTable, type Column } from "@/components/sortable-table";
import { FreshnessLine, Kbd, Notice, PageHeader, StaleDataBanner } from "@/components/ui";
import type { Verdict } from "@/lib/api-types";
import { formatPercent, formatRate } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import { readError } from "@/lib/trpc-errors";
import { useListKeys } from "@/lib/use-list-keys";
import { useMe } from "@/lib/use-me";
import { useUrlState } from "@/lib/use-url-state";
import { formatCount, groupKey, href, REFRESH_MS, VERDICT_RANK, type GroupRow, type TopicRow } from "../../../queue-model";
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

export function TopicView({ cluster, topic }: { cluster: string; topic: string }) {
  const trpc = useTRPC();
  const router = useRouter();
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

  const verdict = topics.reduce<Verdict | null>((worst, row) => (worst === null || VERDICT_RANK[row.health.verdict] > VERDICT_RANK[worst] ? row.health.verdict : worst), null);
  const reasons = topics.flatMap((row) => row.health.reasons.map((reason) => `${row.region}: ${reason}`));

  const [selected, setSelected] = useState<string | null>(null);
  const keys = useMemo(() => groups.map(groupKey), [groups]);
  useListKeys({
    keys,
    selected,
    onSelect: setSelected,
    onOpen: (key) => {
      const row = groups.find((candidate) => groupKey(candidate) === key);
      if (row) router.push(href.group(row.cluster, row.group, row.region));
    },
  });
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
      <nav aria-label="Breadcrumb" className="mb-1 text-xs text-zinc-500">
        <Link href="/queues" className="hover:underline">
          Queues
        </Link>{" "}
        /{" "}
        <Link href={href.cluster(cluster, region || undefined)} className="hover:underline">
          {cluster}
        </Link>{" "}
        /{" "}
        <Link href={`/queues?tab=${isDeadLetter ? "dlq" : "topics"}`} className="hover:underline">
          topics
        </Link>{" "}
        / <span className="text-zinc-700 dark:text-zinc-300">{topic}</span>
      </nav>
      <PageHeader
        title={
          <span className="flex items-center gap-2">
            {verdict ? <VerdictBadge verdict={verdict} reasons={reasons} /> : error ? null : <span className="inline-block h-[18px] w-[4.5rem] rounded bg-zinc-100 dark:bg-zinc-800" />}
            <span>
              <span className="font-normal text-zinc-500">topic </span>
              <span data-testid="topic-name">{topic}</span>
            </span>
            {isDeadLetter && <DlqMark />}
          </span>
        }
        meta={
          <span className="flex items-center gap-3">
            {data && <span>environment {data.environment}</span>}
            <FreshnessLine updatedAt={query.dataUpdatedAt} fetching={query.isFetching} error={error?.message ?? null} />
          </span>
        }
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

      {error && !data && (
        <div className="mb-3">
          <Notice tone="error">{error.code === "NOT_FOUND" ? `${error.message}.` : `Could not load the topic: ${error.message}`}</Notice>
        </div>
      )}
      {reasons.length > 0 && (
        <ul className="mb-3 flex flex-wrap gap-x-4 gap-y-0.5 text-xs text-zinc-700 dark:text-zinc-300" aria-label="Why this verdict" data-testid="verdict-reasons">
          {reasons.map((reason) => (
            <li key={reason} className="before:mr-1 before:text-zinc-400 before:content-['•']">
              {reason}
            </li>
          ))}
        </ul>
      )}
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
            <span className="hidden text-[11px] text-zinc-500 lg:inline">
              <Kbd>j</Kbd>/<Kbd>k</Kbd> move · <Kbd>Enter</Kbd> open
            </span>
          </div>
          <SortableTable
            caption={`Consumer groups reading ${topic}, worst first`}
            columns={columns}
            rows={groups}
            rowKey={groupKey}
            selectedKey={selected}
            onRowClick={(row) => setSelected(groupKey(row))}
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
