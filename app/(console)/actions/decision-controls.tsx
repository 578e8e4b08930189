"use client";
// Approve / reject (with a reason) / cancel, inline. The server decides who may do what;
// these controls only appear where it would say yes.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import clsx from "clsx";
import { useState } from "react";
import { Button, inputClass } from "@/components/ui";
import type { Me } from "@/lib/api-types";
import { useTRPC } from "@/lib/trpc";
import { readError } from "@/lib/trpc-errors";

export interface DecidableRequest {
  id: string;
  state: string;
  requestedById: string;
  decisions: { deciderId: string }[];
}

export function decisionRights(request: DecidableRequest, me: Me | null) {
  const pending = request.state === "pending";
  const mine = me !== null && request.requestedById === me.id;
  const decided = me !== null && request.decisions.some((d) => d.deciderId === me.id);
  const canApprove = me?.permissions.includes("action.approve") ?? false;
  const canRequest = me?.permissions.includes("action.request") ?? false;
  return { decide: pending && !mine && !decided && canApprove, cancel: pending && mine && canRequest };
}

export function DecisionControls({ request, me, size = "xs", layout = "row" }: { request: DecidableRequest; me: Me | null; size?: "xs" | "sm"; layout?: "row" | "stack" }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [rejecting, setRejecting] = useState(false);
  const [comment, setComment] = useState("");
  const settle = { onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.actions.pathKey() }) };
  const approve = useMutation(trpc.actions.approve.mutationOptions(settle));
  const reject = useMutation(
    trpc.actions.reject.mutationOptions({
      onSuccess: () => {
        setRejecting(false);
        return settle.onSuccess();
      },
    }),
  );
  const cancel = useMutation(trpc.actions.cancel.mutationOptions(settle));
  const rights = decisionRights(request, me);
  const busy = approve.isPending || reject.isPending || cancel.isPending;
  const error = readError(approve.error ?? reject.error ?? cancel.error);
  if (!rights.decide && !rights.cancel) return null;

  if (rejecting) {
    const rejectError = reject.error ? (readError(reject.error)?.fieldErrors.comment?.join("; ") ?? readError(reject.error)?.message) : null;
    return (
      <form
        className={clsx("flex gap-1", layout === "stack" ? "flex-col items-stretch" : "items-center")}
        onSubmit={(event) => {
          event.preventDefault();
          reject.mutate({ id: request.id, comment });
        }}
        onClick={(event) => event.stopPropagation()}
      >
        <input
          autoFocus
          value={comment}
          onChange={(event) => setComment(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Escape") setRejecting(false);
          }}
          placeholder="why reject? (required)"
          aria-label="Reason for rejecting"
          aria-invalid={rejectError ? true : undefined}
          className={clsx(inputClass, "py-0.5", layout === "stack" ? "w-full" : "min-w-48")}
          data-testid="reject-reason"
        />
        <div className="flex items-center gap-1">
          <Button type="submit" variant="danger" size={size} disabled={busy} data-testid="reject-confirm">
            Reject
          </Button>
          <Button size={size} onClick={() => setRejecting(false)}>
            Back
          </Button>
        </div>
        {rejectError && <span role="alert" className="text-[11px] text-red-700 dark:text-red-400">{rejectError}</span>}
      </form>
    );
  }

  return (
    <div className="flex flex-wrap items-center gap-1" onClick={(event) => event.stopPropagation()}>
      {rights.decide && (
        <>
          <Button variant="approve" size={size} disabled={busy} onClick={() => approve.mutate({ id: request.id })} data-testid="approve-button">
            {approve.isPending ? "Approving…" : "Approve"}
          </Button>
          <Button variant="danger" size={size} disabled={busy} onClick={() => setRejecting(true)} data-testid="reject-button">
            Reject…
          </Button>
        </>
      )}
      {rights.cancel && (
        <Button size={size} disabled={busy} onClick={() => cancel.mutate({ id: request.id })} data-testid="cancel-button">
          {cancel.isPending ? "Cancelling…" : "Cancel request"}
        </Button>
      )}
      {error && (
        <span role="alert" className="max-w-64 truncate text-[11px] text-red-700 dark:text-red-400" title={error.message}>
          {error.message}
        </span>
      )}
    </div>
  );
}
