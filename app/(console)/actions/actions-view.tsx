"use client";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import clsx from "clsx";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { RiskBadge, StateBadge } from "@/components/badges";
import { SortableTable, type Column } from "@/components/sortable-table";
import { Button, FreshnessLine, Notice, PageHeader } from "@/components/ui";
import type { ActionListItem, Me } from "@/lib/api-types";
import { readPreview, summarizeChanges, targetLabel } from "@/lib/action-view";
import { formatDateTime, formatRelative } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import { readError } from "@/lib/trpc-errors";
import { useListKeys } from "@/lib/use-list-keys";
import { useMe } from "@/lib/use-me";
import { useNow } from "@/lib/use-now";
import { useHydrated } from "@/lib/use-hydrated";
import { useUrlState } from "@/lib/use-url-state";
import { DecisionControls } from "./decision-controls";

const VIEWS = [
  { key: "awaitingMe", label: "Awaiting my approval" },
  { key: "mine", label: "My requests" },
  { key: "active", label: "Active" },
  { key: "history", label: "History" },
] as const;
type View = (typeof VIEWS)[number]["key"];
const isView = (value: string | null): value is View => VIEWS.some((v) => v.key === value);

const PAGE_SIZE = 50;
// Live events refresh the lists at once; this only covers a dropped event stream.
const FALLBACK_POLL_MS = 15_000;

function approvalsText(item: ActionListItem) {
  const approvals = item.decisions.filter((d) => d.decision === "approve").length;
  return `${approvals}/${item.requiredApprovals}`;
}

function decisionsTitle(item: ActionListItem) {
  if (!item.decisions.length) return "no decision yet";
  return item.decisions.map((d) => `${d.decider.email}: ${d.breakGlass ? "break glass" : d.decision}${d.comment ? ` — ${d.comment}` : ""}`).join("\n");
}

function columnsFor(me: Me | null, now: number): Column<ActionListItem>[] {
  return [
    {
      key: "when",
      header: "When",
      headerClassName: "w-20",
      cell: (item) => (
        <time dateTime={new Date(item.createdAt).toISOString()} title={formatDateTime(item.createdAt)} className="tabular-nums text-zinc-600 dark:text-zinc-400">
          {formatRelative(item.createdAt, now)}
        </time>
      ),
    },
    { key: "kind", header: "Kind", headerClassName: "hidden w-28 xl:table-cell", cellClassName: "hidden xl:table-cell", cell: (item) => <span className="font-mono text-[11px]">{item.kind}</span> },
    {
      key: "target",
      header: "Target",
      headerClassName: "w-56",
      cell: (item) => (
        <Link href={`/actions/${item.id}`} className="font-medium text-sky-700 hover:underline dark:text-sky-400" data-testid="action-link">
          {targetLabel(item)}
        </Link>
      ),
    },
    { key: "change", header: "Change", headerClassName: "w-32", cell: (item) => <span className="tabular-nums" data-testid="action-change">{summarizeChanges(item.preview, item.params)}</span> },
    { key: "risk", header: "Risk", headerClassName: "w-20", cell: (item) => <RiskBadge risk={item.risk} reasons={readPreview(item.preview).riskReasons} /> },
    { key: "state", header: "State", headerClassName: "w-28", cell: (item) => <StateBadge state={item.state} /> },
    {
      key: "requester",
      header: "Requester",
      cell: (item) => (
        <span className="text-zinc-600 dark:text-zinc-400" title={item.requestedBy.email}>
          {item.requestedBy.email}
        </span>
      ),
    },
    {
      key: "approvals",
      header: "Approvals",
      title: "approvals given / required",
      headerClassName: "w-20",
      align: "right",
      cell: (item) => <span title={decisionsTitle(item)}>{approvalsText(item)}</span>,
    },
    { key: "decide", header: <span className="sr-only">Decide</span>, headerClassName: "w-36", clip: false, cell: (item) => <DecisionControls request={item} me={me} layout="stack" /> },
  ];
}

export function ActionsView() {
  const trpc = useTRPC();
  const router = useRouter();
  const url = useUrlState();
  const { me, can, loading: meLoading } = useMe();
  const now = useNow(15_000);

  const hydrated = useHydrated();
  const requested = url.get("view");
  // Without ?view=, approvers start on what waits for them; until we know who this is, no tab is chosen.
  const view: View | null = isView(requested) ? requested : meLoading ? null : can("action.approve") ? "awaitingMe" : "mine";

  const list = useInfiniteQuery(
    trpc.actions.list.infiniteQueryOptions(
      { view: view ?? "history", limit: PAGE_SIZE },
      {
        getNextPageParam: (page) => page.nextCursor ?? undefined,
        refetchInterval: FALLBACK_POLL_MS,
        // Another tab's rows must never stand in for this tab's while it loads.
        placeholderData: undefined,
        enabled: view !== null,
      },
    ),
  );
  // Same key as the count in the navigation bar: one request serves both.
  const awaiting = useQuery(trpc.actions.list.queryOptions({ view: "awaitingMe", limit: 50 }, { refetchInterval: 30_000 }));

  const items = useMemo(() => list.data?.pages.flatMap((page) => page.items) ?? [], [list.data]);
  const columns = useMemo(() => columnsFor(me, now), [me, now]);
  const [selected, setSelected] = useState<string | null>(null);
  const keys = useMemo(() => items.map((item) => item.id), [items]);
  useListKeys({ keys, selected, onSelect: setSelected, onOpen: (id) => router.push(`/actions/${id}`) });
  const error = readError(list.error);

  return (
    <div>
      <PageHeader title="Actions" meta={<FreshnessLine updatedAt={list.dataUpdatedAt} fetching={list.isFetching} error={error?.message ?? null} />} />

      <div role="tablist" aria-label="Which requests" className="mb-2 flex gap-1 border-b border-zinc-200 dark:border-zinc-800">
        {VIEWS.map((tab) => {
          const active = tab.key === view;
          // The navigation bar may have fetched this count before this part of the page hydrated.
          const count = tab.key === "awaitingMe" && hydrated ? (awaiting.data?.items.length ?? 0) : 0;
          return (
            <Link
              key={tab.key}
              href={`/actions?view=${tab.key}`}
              role="tab"
              aria-selected={active}
              replace
              scroll={false}
              data-testid={`tab-${tab.key}`}
              className={clsx(
                "-mb-px border-b-2 px-2.5 py-1 text-xs",
                active ? "border-sky-600 font-medium text-zinc-950 dark:text-white" : "border-transparent text-zinc-600 hover:text-zinc-950 dark:text-zinc-400 dark:hover:text-white",
              )}
            >
              {tab.label}
              {count > 0 && <span className="ml-1 rounded-full bg-sky-600 px-1.5 text-[10px] font-semibold text-white">{count}</span>}
            </Link>
          );
        })}
      </div>

      {error && !list.data && (
        <div className="mb-2">
          <Notice tone="error">Could not load requests: {error.message}</Notice>
        </div>
      )}

      <div role="tabpanel" aria-label={VIEWS.find((v) => v.key === view)?.label ?? "Requests"}>
        <SortableTable
          caption={VIEWS.find((v) => v.key === view)?.label ?? "Requests"}
          columns={columns}
          rows={items}
          rowKey={(item) => item.id}
          selectedKey={selected}
          onRowClick={(item) => setSelected(item.id)}
          rowTestId="action-row"
          fixed
          testId={`actions-table-${view ?? "loading"}`}
          empty={
            list.isPending || view === null
              ? "Loading…"
              : view === "awaitingMe"
                ? "Nothing waits for your approval. New requests appear here by themselves."
                : view === "mine"
                  ? "You have not requested anything yet."
                  : view === "active"
                    ? "No request is pending or running."
                    : "No requests yet."
          }
        />
        {list.hasNextPage && (
          <div className="mt-2">
            <Button onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
              {list.isFetchingNextPage ? "Loading…" : "Older requests"}
            </Button>
          </div>
        )}
      </div>
    </div>
  );
}
