"use client";
import { useQuery } from "@tanstack/react-query";
import clsx from "clsx";
import { useState, type FormEvent } from "react";
import { OutcomeText } from "@/components/badges";
import { ChainStatusBanner } from "@/components/chain-status";
import { SortableTable, type Column } from "@/components/sortable-table";
import { Button, FreshnessLine, inputClass, Notice, PageHeader } from "@/components/ui";
import type { AuditItem } from "@/lib/api-types";
import { formatDateTime } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import { readError } from "@/lib/trpc-errors";
import { useUrlState } from "@/lib/use-url-state";

const PAGE_SIZE = 50;
const FILTERS = ["actor", "action", "target", "from", "to"] as const;
type Filter = (typeof FILTERS)[number];

/** A `from`/`to` value from the URL: what a datetime-local input gives, or ISO, or epoch ms. */
function parseInstant(value: string | null): Date | undefined {
  if (!value) return undefined;
  const date = /^\d+$/.test(value) ? new Date(Number(value)) : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** One line of the details: short values as key=value; nested ones by their key only. */
function detailsLine(details: unknown): string {
  if (typeof details !== "object" || details === null) return "";
  return Object.entries(details as Record<string, unknown>)
    .map(([key, value]) => {
      if (value === null || value === undefined) return null;
      if (typeof value === "object") return `${key}=…`;
      const text = String(value);
      return `${key}=${key === "requestId" ? text.slice(0, 8) : text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
    })
    .filter(Boolean)
    .join("  ");
}

function Details({ item }: { item: AuditItem }) {
  const line = detailsLine(item.details);
  if (!line) return <span className="text-zinc-400">–</span>;
  return (
    <details className="group">
      <summary className="cursor-pointer list-none truncate text-zinc-600 marker:hidden dark:text-zinc-400" title="show all details">
        <span className="mr-1 inline-block w-2 text-zinc-400 group-open:rotate-90" aria-hidden>
          ▸
        </span>
        <span className="font-mono text-[11px]">{line}</span>
      </summary>
      <pre className="mt-1 max-h-80 overflow-auto whitespace-pre-wrap break-all rounded bg-zinc-50 p-2 font-mono text-[11px] text-zinc-800 dark:bg-zinc-900 dark:text-zinc-200">
        {JSON.stringify(item.details, null, 2)}
        {"\n"}
        <span className="text-zinc-500">hash {item.hash}</span>
        {"\n"}
        <span className="text-zinc-500">prev {item.prevHash}</span>
      </pre>
    </details>
  );
}

const columns: Column<AuditItem>[] = [
  { key: "seq", header: "seq", align: "right", headerClassName: "w-14", cell: (item) => <span className="text-zinc-500">{item.seq}</span> },
  { key: "time", header: "Time", headerClassName: "w-36", cell: (item) => <time className="tabular-nums" dateTime={new Date(item.occurredAt).toISOString()}>{formatDateTime(item.occurredAt)}</time> },
  {
    key: "actor",
    header: "Actor",
    headerClassName: "w-52",
    cell: (item) => (
      <span className={clsx(item.actorEmail === "system" && "text-zinc-500")} title={item.actorEmail ?? undefined}>
        {item.actorEmail ?? "–"}
      </span>
    ),
  },
  {
    key: "action",
    header: "Action",
    headerClassName: "w-44",
    cell: (item) => (
      // What an auditor looks for first: bypassed approvals and refused or failed changes.
      <span className={clsx("font-mono text-[11px]", /breakGlass|\.failed$/.test(item.action) && "font-bold text-red-700 dark:text-red-400", /reject|cancel|expire/.test(item.action) && "text-amber-700 dark:text-amber-400")} data-testid="audit-action">
        {item.action}
      </span>
    ),
  },
  {
    key: "target",
    header: "Target",
    headerClassName: "w-64",
    cell: (item) =>
      item.targetId ? (
        <span title={`${item.targetType ?? ""}: ${item.targetId}`}>
          <span className="text-zinc-500">{item.targetType}:</span> {item.targetId}
        </span>
      ) : (
        "–"
      ),
  },
  { key: "outcome", header: "Outcome", headerClassName: "w-20", cell: (item) => <OutcomeText outcome={item.outcome} /> },
  { key: "details", header: "Details", cell: (item) => <Details item={item} />, cellClassName: "whitespace-normal" },
];

export function AuditView() {
  const trpc = useTRPC();
  const url = useUrlState();
  const applied = Object.fromEntries(FILTERS.map((key) => [key, url.get(key) ?? ""])) as Record<Filter, string>;
  const before = url.get("before");
  // The form edits a draft of the applied filters; back/forward (a new URL) resets it.
  const appliedKey = FILTERS.map((key) => applied[key]).join("\u0000");
  const [draftState, setDraftState] = useState({ source: appliedKey, values: applied });
  const draft = draftState.source === appliedKey ? draftState.values : applied;
  const setDraft = (values: Record<Filter, string>) => setDraftState({ source: appliedKey, values });

  const input = {
    ...(applied.actor ? { actor: applied.actor } : {}),
    ...(applied.action ? { action: applied.action } : {}),
    ...(applied.target ? { target: applied.target } : {}),
    ...(parseInstant(applied.from) ? { from: parseInstant(applied.from) } : {}),
    ...(parseInstant(applied.to) ? { to: parseInstant(applied.to) } : {}),
    ...(before && /^\d+$/.test(before) ? { before } : {}),
    limit: PAGE_SIZE,
  };
  const list = useQuery(trpc.audit.list.queryOptions(input, { refetchInterval: before ? false : 15_000 }));
  // Verifying recomputes every hash of the log: once a minute is plenty.
  const verify = useQuery(trpc.audit.verify.queryOptions(undefined, { refetchInterval: 60_000, staleTime: 30_000 }));
  const error = readError(list.error);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    url.set({ ...draft, before: null }, { push: true });
  };
  const filtered = FILTERS.some((key) => applied[key]);

  return (
    <div>
      <PageHeader title="Audit log" meta={<FreshnessLine updatedAt={list.dataUpdatedAt} fetching={list.isFetching} error={error?.message ?? null} />} />
      <div className="mb-2">
        <ChainStatusBanner status={verify.data} error={readError(verify.error)?.message ?? null} />
      </div>

      <form onSubmit={apply} className="mb-2 flex flex-wrap items-end gap-2" role="search" aria-label="Filter the audit log">
        {(["actor", "action", "target"] as const).map((key) => (
          <label key={key} className="block">
            <span className="mb-0.5 block text-[11px] text-zinc-500">{key}</span>
            <input
              value={draft[key]}
              onChange={(event) => setDraft({ ...draft, [key]: event.target.value })}
              placeholder={key === "actor" ? "e-mail contains" : key === "action" ? "starts with, e.g. action." : "contains, e.g. payments"}
              className={clsx(inputClass, "w-44")}
              data-testid={`audit-filter-${key}`}
            />
          </label>
        ))}
        {(["from", "to"] as const).map((key) => (
          <label key={key} className="block">
            <span className="mb-0.5 block text-[11px] text-zinc-500">{key}</span>
            <input type="datetime-local" step={1} value={draft[key]} onChange={(event) => setDraft({ ...draft, [key]: event.target.value })} className={inputClass} />
          </label>
        ))}
        <Button type="submit" variant="primary">
          Apply
        </Button>
        {filtered && (
          <Button
            onClick={() => {
              const empty = { actor: "", action: "", target: "", from: "", to: "" };
              setDraft(empty);
              url.set({ ...empty, before: null }, { push: true });
            }}
          >
            Clear
          </Button>
        )}
      </form>

      {error && !list.data && (
        <div className="mb-2">
          <Notice tone="error">{error.fieldErrors ? Object.entries(error.fieldErrors).map(([k, v]) => `${k}: ${v.join("; ")}`).join(" · ") || error.message : error.message}</Notice>
        </div>
      )}

      <SortableTable
        caption="Audit events, newest first"
        columns={columns}
        rows={list.data?.items ?? []}
        rowKey={(item) => item.seq}
        rowTestId="audit-row"
        fixed
        testId="audit-table"
        empty={list.isPending ? "Loading…" : filtered ? "No event matches the filters." : "The log is empty."}
      />

      <div className="mt-2 flex items-center gap-2 text-xs">
        {before && (
          <Button onClick={() => url.set({ before: null }, { push: true })} data-testid="audit-newest">
            ← Newest
          </Button>
        )}
        {list.data?.nextBefore && (
          <Button onClick={() => url.set({ before: list.data?.nextBefore ?? null }, { push: true })} data-testid="audit-older">
            Older →
          </Button>
        )}
        {before && <span className="text-zinc-500">events before seq {before}</span>}
      </div>
    </div>
  );
}
