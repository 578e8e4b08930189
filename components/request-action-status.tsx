"use client";
// A request just created, followed live: its state, what it changes, the way to its page, and
// how far a long execution got. Live events refresh it; polling covers a dropped event stream.
import { useQuery } from "@tanstack/react-query";
import clsx from "clsx";
import Link from "next/link";
import { StateBadge } from "@/components/badges";
import { readPreview } from "@/lib/action-view";
import { shortId } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import { ProgressBar, readProgress } from "./request-action-progress";

export const FINAL_STATES = new Set(["succeeded", "failed", "rejected", "expired", "cancelled"]);
const NO_ID = "00000000-0000-0000-0000-000000000000";

/** The sentence after the summary: what the request waits for, or how it ended. */
function stateSentence(state: string, error: string | null): string {
  switch (state) {
    case "pending":
      return "waiting for an approver (not you).";
    case "approved":
      return "approved, queued for execution.";
    case "executing":
      return "executing, then verifying.";
    case "succeeded":
      return "done and verified.";
    case "failed":
      return `failed: ${error ?? "see the request"}.`;
    default:
      return `${state}.`;
  }
}

export function useActionRequest(id: string | null) {
  const trpc = useTRPC();
  return useQuery(
    trpc.actions.get.queryOptions(
      { id: id ?? NO_ID },
      {
        enabled: id !== null,
        refetchInterval: (q) => (q.state.data && FINAL_STATES.has(q.state.data.state) ? false : 5_000),
        placeholderData: undefined,
      },
    ),
  );
}

export function CreatedRequest({ id, compact = false, testId = "created-request" }: { id: string; compact?: boolean; testId?: string }) {
  const request = useActionRequest(id).data;
  const progress = request ? readProgress(request.progress) : null;
  return (
    <div
      className={clsx("rounded border border-sky-300 bg-sky-50 text-xs dark:border-sky-800 dark:bg-sky-950/50", compact ? "px-2 py-1" : "p-2")}
      data-testid={testId}
      data-state={request?.state}
      role="status"
    >
      <div className="flex items-center gap-2">
        <span className="whitespace-nowrap font-medium">{compact ? "Your request" : "Request created"}</span>
        {request && <StateBadge state={request.state} />}
        {compact && request && <span className="min-w-0 truncate text-zinc-600 dark:text-zinc-400">{readPreview(request.preview).summary ?? request.kind}</span>}
        <Link href={`/actions/${id}`} className="ml-auto shrink-0 text-sky-700 hover:underline dark:text-sky-400" data-testid={`${testId}-link`}>
          open {shortId(id)} →
        </Link>
      </div>
      {request && !compact && (
        <p className="mt-1 text-zinc-700 dark:text-zinc-300">
          {readPreview(request.preview).summary ?? request.kind} — {stateSentence(request.state, request.error)}
        </p>
      )}
      {request && progress && (
        <div className="mt-1.5">
          <ProgressBar progress={progress} running={request.state === "executing"} testId={`${testId}-progress`} />
        </div>
      )}
    </div>
  );
}
