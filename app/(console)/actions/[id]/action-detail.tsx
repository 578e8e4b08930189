"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import clsx from "clsx";
import Link from "next/link";
import { useState, type ReactNode } from "react";
import { ActionPreview } from "@/components/action-preview";
import { StateBadge } from "@/components/badges";
import { ActionButton, useActionLauncher } from "@/components/request-action-dialog";
import { entityHref } from "@/components/request-action-kinds";
import { formForParams } from "@/components/request-action-rollback";
import { ProgressBar, readProgress } from "@/components/request-action-progress";
import { Button, FieldError, inputClass, Notice, PageHeader } from "@/components/ui";
import type { ActionDetail } from "@/lib/api-types";
import { readOutcome, readParams, readPreview } from "@/lib/action-view";
import { formatDateTime, formatDuration, formatRelative, shortId } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import { readError } from "@/lib/trpc-errors";
import { useMe } from "@/lib/use-me";
import { useNow } from "@/lib/use-now";
import { DecisionControls } from "../decision-controls";

const FINAL = new Set(["succeeded", "failed", "rejected", "expired", "cancelled"]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <section className="rounded border border-zinc-200 p-3 dark:border-zinc-800" data-testid={testId}>
      <h2 className="mb-2 text-xs font-semibold uppercase tracking-wide text-zinc-500">{title}</h2>
      {children}
    </section>
  );
}

interface TimelineEntry {
  at: Date;
  label: ReactNode;
  detail?: ReactNode;
  tone: "neutral" | "ok" | "bad" | "info";
}

function timelineOf(request: ActionDetail): TimelineEntry[] {
  const entries: TimelineEntry[] = [{ at: new Date(request.createdAt), label: <>requested by {request.requestedBy.email}</>, tone: "info" }];
  for (const d of request.decisions) {
    entries.push({
      at: new Date(d.createdAt),
      label: (
        <>
          {d.breakGlass ? "BREAK GLASS by" : d.decision === "approve" ? "approved by" : "rejected by"} {d.decider.email}
        </>
      ),
      detail: d.comment ? <q>{d.comment}</q> : undefined,
      tone: d.breakGlass ? "bad" : d.decision === "approve" ? "ok" : "bad",
    });
  }
  if (request.startedAt) entries.push({ at: new Date(request.startedAt), label: "execution started", tone: "info" });
  if (request.finishedAt) {
    const took = request.startedAt ? ` after ${formatDuration(new Date(request.finishedAt).getTime() - new Date(request.startedAt).getTime())}` : "";
    entries.push({ at: new Date(request.finishedAt), label: `${request.state}${took}`, tone: request.state === "succeeded" ? "ok" : request.state === "failed" ? "bad" : "neutral" });
  }
  return entries.sort((a, b) => a.at.getTime() - b.at.getTime());
}

const DOT = { neutral: "bg-zinc-400", ok: "bg-emerald-500", bad: "bg-red-500", info: "bg-sky-500" } as const;

function BreakGlass({ id }: { id: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const mutation = useMutation(trpc.actions.breakGlass.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.actions.pathKey() }) }));
  const error = readError(mutation.error);
  if (!open) {
    return (
      <Button variant="danger" onClick={() => setOpen(true)} data-testid="break-glass-open">
        Break glass…
      </Button>
    );
  }
  return (
    <form
      className="space-y-1.5 rounded border border-red-300 bg-red-50 p-2 dark:border-red-800 dark:bg-red-950/40"
      onSubmit={(event) => {
        event.preventDefault();
        mutation.mutate({ id, reason });
      }}
    >
      <p className="text-xs text-red-900 dark:text-red-200">Runs the request now without the approval it needs. Audited as break-glass, with your reason.</p>
      <textarea
        autoFocus
        value={reason}
        onChange={(event) => setReason(event.target.value)}
        rows={2}
        placeholder="why it cannot wait for an approver (at least 10 characters)"
        aria-label="Break-glass reason"
        aria-invalid={error?.fieldErrors.reason ? true : undefined}
        className={clsx(inputClass, "w-full")}
        data-testid="break-glass-reason"
      />
      <FieldError id="break-glass-error" messages={error ? (error.fieldErrors.reason ?? [error.message]) : null} />
      <div className="flex gap-1">
        <Button type="submit" variant="danger" disabled={mutation.isPending || reason.trim().length < 10} data-testid="break-glass-confirm">
          Break glass and run now
        </Button>
        <Button onClick={() => setOpen(false)}>Back</Button>
      </div>
    </form>
  );
}

export function ActionDetailView({ id }: { id: string }) {
  const trpc = useTRPC();
  const { me, can } = useMe();
  const now = useNow(10_000);
  const valid = UUID.test(id);
  const query = useQuery(
    trpc.actions.get.queryOptions(
      { id },
      {
        enabled: valid,
        placeholderData: undefined,
        // Live events refresh it at once; polling covers a dropped event stream.
        refetchInterval: (q) => (q.state.data && FINAL.has(q.state.data.state) ? false : 5_000),
      },
    ),
  );
  const request = query.data;
  const error = readError(query.error);

  // The inverse request, prefilled in the same form as any other: it is requested and approved
  // like one, never run from here.
  const rollbackParams = request ? readPreview(request.preview).rollback : null;
  const rollback =
    // A failed execution may have changed part of what it set out to: its rollback is offered too.
    request && rollbackParams && (request.state === "succeeded" || request.state === "failed")
      ? formForParams(request.kind, request.environment, rollbackParams, `Roll back ${shortId(request.id)}: ${request.kind}`)
      : null;
  const launcher = useActionLauncher([rollback?.spec ?? null], { allowed: can("action.request") });

  if (!valid) return <Notice tone="error">“{id}” is not a request id.</Notice>;
  if (!request) {
    return error ? <Notice tone="error">{error.code === "NOT_FOUND" ? "No such request." : `Could not load the request: ${error.message}`}</Notice> : <div className="h-40" aria-busy />;
  }

  const preview = readPreview(request.preview);
  const outcome = readOutcome(request.outcome);
  const params = readParams(request.params);
  const progress = readProgress(request.progress);
  const targetHref = entityHref(request.kind, params);

  return (
    <div data-testid="action-detail" data-state={request.state}>
      <nav aria-label="Breadcrumb" className="mb-1 text-xs text-zinc-500">
        <Link href="/actions" className="hover:underline">
          Actions
        </Link>{" "}
        / <span className="font-mono">{shortId(request.id)}</span>
      </nav>
      <PageHeader
        title={
          <span className="flex items-center gap-2">
            <StateBadge state={request.state} />
            <span>{preview.summary ?? request.kind}</span>
          </span>
        }
        meta={
          <span title={formatDateTime(request.createdAt)}>
            {request.kind} · requested {formatRelative(request.createdAt, now)} by {request.requestedBy.email}
          </span>
        }
      >
        <DecisionControls request={request} me={me} size="sm" />
      </PageHeader>

      {request.state === "pending" && (
        <p className="mb-3 text-xs text-zinc-600 dark:text-zinc-400">
          Waiting for {request.requiredApprovals - request.decisions.filter((d) => d.decision === "approve").length} approval(s) by someone other than the requester · expires{" "}
          {formatRelative(request.expiresAt, now, { future: true })} ({formatDateTime(request.expiresAt)})
        </p>
      )}

      <div className="grid gap-3 lg:grid-cols-2">
        <div className="space-y-3">
          <Section title="Change" testId="action-preview">
            <ActionPreview preview={preview} />
            <dl className="mt-2 grid grid-cols-[6rem_1fr] gap-x-2 gap-y-0.5 text-xs">
              <dt className="text-zinc-500">target</dt>
              <dd>
                {targetHref ? (
                  <Link href={targetHref} className="text-sky-700 hover:underline dark:text-sky-400" data-testid="action-target-link">
                    {request.environment}/{request.namespace}/{request.target}
                  </Link>
                ) : (
                  <>
                    {request.environment}/{request.namespace}/{request.target}
                  </>
                )}
              </dd>
              {Object.entries(params).map(([key, value]) => (
                <div key={key} className="contents">
                  <dt className="text-zinc-500">{key}</dt>
                  <dd className="break-all font-mono text-[11px]">{typeof value === "object" && value !== null ? JSON.stringify(value) : String(value)}</dd>
                </div>
              ))}
            </dl>
          </Section>

          <Section title="Reason">
            <p className="whitespace-pre-wrap text-xs" data-testid="action-reason">
              {request.reason}
            </p>
            {request.breakGlassReason && (
              <p className="mt-2 text-xs text-red-800 dark:text-red-300">
                <strong>Break glass:</strong> {request.breakGlassReason}
              </p>
            )}
          </Section>

          {progress && (
            <Section title="Progress" testId="action-progress-section">
              <ProgressBar progress={progress} running={request.state === "executing"} />
            </Section>
          )}

          {(outcome || request.error) && (
            <Section title="Outcome" testId="action-outcome">
              <Notice tone={outcome?.ok ? "ok" : "error"}>
                {outcome?.message ?? request.error}
                {outcome?.resumed && " (settled after an interruption)"}
              </Notice>
            </Section>
          )}

          {rollback && can("action.request") && (
            <div className="flex items-center gap-2 text-xs">
              <ActionButton kind={request.kind} size="sm" onOpen={() => launcher.open(request.kind, rollback.prefill, `Roll back request ${shortId(request.id)}`)} testId="request-rollback">
                Request rollback…
              </ActionButton>
              <span className="text-zinc-500">opens a new request, prefilled with the state before this one, approved like any other</span>
            </div>
          )}
          {launcher.status}
        </div>

        <div className="space-y-3">
          <Section title="Timeline" testId="action-timeline">
            <ol className="space-y-1.5 text-xs">
              {timelineOf(request).map((entry, index) => (
                <li key={index} className="grid grid-cols-[0.5rem_9.5rem_1fr] items-baseline gap-2">
                  <span className={clsx("inline-block h-2 w-2 rounded-full", DOT[entry.tone])} aria-hidden />
                  <time className="tabular-nums text-zinc-500" dateTime={entry.at.toISOString()}>
                    {formatDateTime(entry.at)}
                  </time>
                  <span>
                    {entry.label}
                    {entry.detail && <span className="ml-1 text-zinc-600 dark:text-zinc-400">{entry.detail}</span>}
                  </span>
                </li>
              ))}
              {!FINAL.has(request.state) && (
                <li className="grid grid-cols-[0.5rem_9.5rem_1fr] items-baseline gap-2 text-zinc-500">
                  <span className="inline-block h-2 w-2 animate-pulse rounded-full bg-zinc-300 dark:bg-zinc-600" aria-hidden />
                  <span>…</span>
                  <span>{request.state === "pending" ? "awaiting approval" : request.state === "approved" ? "queued for execution" : "executing, then verifying"}</span>
                </li>
              )}
            </ol>
          </Section>

          <Section title={`Decisions (${request.decisions.length}/${request.requiredApprovals} required)`} testId="action-decisions">
            {request.decisions.length === 0 ? (
              <p className="text-xs text-zinc-500">{request.requiredApprovals === 0 ? "Low risk: ran on the requester's authority." : "No decision yet."}</p>
            ) : (
              <ul className="space-y-1 text-xs">
                {request.decisions.map((d) => (
                  <li key={d.id}>
                    <span className={clsx("font-medium", d.decision === "approve" ? "text-emerald-700 dark:text-emerald-400" : "text-red-700 dark:text-red-400")}>
                      {d.breakGlass ? "break glass" : d.decision}
                    </span>{" "}
                    by {d.decider.email} · <span title={formatDateTime(d.createdAt)}>{formatRelative(d.createdAt, now)}</span>
                    {d.comment && <p className="text-zinc-600 dark:text-zinc-400">“{d.comment}”</p>}
                  </li>
                ))}
              </ul>
            )}
          </Section>

          {request.canBreakGlass && request.state === "pending" && <BreakGlass id={request.id} />}
        </div>
      </div>
      {launcher.dialog}
    </div>
  );
}
