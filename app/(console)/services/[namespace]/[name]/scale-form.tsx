"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import clsx from "clsx";
import Link from "next/link";
import { useId, useRef, useState, type FormEvent } from "react";
import { ActionPreview } from "@/components/action-preview";
import { StateBadge } from "@/components/badges";
import { Button, FieldError, inputClass, Kbd, Notice } from "@/components/ui";
import { readPreview } from "@/lib/action-view";
import { shortId } from "@/lib/format";
import { newIdempotencyKey } from "@/lib/ids";
import { useTRPC } from "@/lib/trpc";
import { readError, type ErrorView } from "@/lib/trpc-errors";
import { useDebounced } from "@/lib/use-now";
import { useUrlState } from "@/lib/use-url-state";

export interface ScaleRegion {
  region: string;
  desired: number;
  available: number;
  min: number;
  max: number;
}

const FINAL = new Set(["succeeded", "failed", "rejected", "expired", "cancelled"]);
const PREVIEW_DEBOUNCE_MS = 300;

/** "6" → 6; "" → null; "2.5" and "-1" are sent as typed so the server's message explains them. */
function parseReplicas(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

export function ScaleForm({ environment, namespace, name, regions }: { environment: string; namespace: string; name: string; regions: ScaleRegion[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const url = useUrlState();
  const ids = useId();

  const [region, setRegion] = useState(() => regions.find((r) => r.region === url.get("region"))?.region ?? regions[0]?.region ?? "");
  // null: follow the region's current desired count until the user types.
  const [replicasText, setReplicasText] = useState<string | null>(() => url.get("replicas"));
  const [reason, setReason] = useState(() => url.get("reason") ?? "");
  const [createdId, setCreatedId] = useState<string | null>(null);
  // One key per attempt to create a request; a retry of the same attempt reuses it, so a
  // lost response never creates a second request. New parameters make a new attempt.
  const attemptKey = useRef<string | null>(null);

  const current = regions.find((r) => r.region === region);
  const shown = replicasText ?? String(current?.desired ?? "");
  const replicas = parseReplicas(shown);
  const changed = replicas !== null && current !== undefined && replicas !== current.desired;

  const live = JSON.stringify({ region, replicas: changed ? replicas : null });
  const debounced = useDebounced(live, PREVIEW_DEBOUNCE_MS);
  const previewParams = JSON.parse(debounced) as { region: string; replicas: number | null };
  const preview = useQuery(
    trpc.actions.preview.queryOptions(
      { kind: "service.scale", environment, params: { service: name, namespace, region: previewParams.region, replicas: previewParams.replicas ?? 0 } },
      { enabled: previewParams.replicas !== null && previewParams.region !== "", retry: false, staleTime: 0, refetchOnWindowFocus: false },
    ),
  );
  const previewError = changed && debounced === live ? readError(preview.error) : null;
  const previewData = changed && preview.data ? readPreview(preview.data) : null;

  const request = useMutation(trpc.actions.request.mutationOptions());
  const submitError = readError(request.error);

  const created = useQuery(
    trpc.actions.get.queryOptions({ id: createdId ?? "00000000-0000-0000-0000-000000000000" }, {
      enabled: createdId !== null,
      // Live events refresh it at once; polling covers a dropped event stream.
      refetchInterval: (q) => (q.state.data && FINAL.has(q.state.data.state) ? false : 5_000),
      placeholderData: undefined,
    }),
  );

  const onParamsChange = () => {
    attemptKey.current = null;
    if (request.isError) request.reset();
  };

  function submit(event?: FormEvent) {
    event?.preventDefault();
    if (request.isPending || !changed || replicas === null) return;
    attemptKey.current ??= newIdempotencyKey();
    request.mutate(
      { kind: "service.scale", environment, params: { service: name, namespace, region, replicas }, reason, idempotencyKey: attemptKey.current },
      {
        onSuccess: (created) => {
          attemptKey.current = null;
          setCreatedId(created.id);
          setReplicasText(null);
          setReason("");
          void queryClient.invalidateQueries({ queryKey: trpc.actions.pathKey() });
        },
      },
    );
  }

  // The kind refuses with a message (out of bounds, nothing to change, no such region): it is
  // about the replicas asked for, so it goes next to them. Other failures go under the button.
  const refusal = (e: ErrorView | null) => (e && e.code === "BAD_REQUEST" && Object.keys(e.fieldErrors).length === 0 ? [e.message] : undefined);
  const replicasErrors = submitError?.fieldErrors.replicas ?? refusal(submitError) ?? previewError?.fieldErrors.replicas ?? refusal(previewError);
  const reasonErrors = submitError?.fieldErrors.reason;
  const otherSubmitError = submitError && !replicasErrors && !reasonErrors ? submitError.message : null;

  return (
    <div className="space-y-3">
      {createdId && (
        <div className="rounded border border-sky-300 bg-sky-50 p-2 text-xs dark:border-sky-800 dark:bg-sky-950/50" data-testid="created-request" data-state={created.data?.state}>
          <div className="flex items-center gap-2">
            <span className="font-medium">Request created</span>
            {created.data && <StateBadge state={created.data.state} />}
            <Link href={`/actions/${createdId}`} className="ml-auto text-sky-700 hover:underline dark:text-sky-400" data-testid="created-request-link">
              open {shortId(createdId)} →
            </Link>
          </div>
          {created.data && (
            <p className="mt-1 text-zinc-600 dark:text-zinc-400">
              {readPreview(created.data.preview).summary}
              {created.data.state === "pending" && " — waiting for an approver (not you)."}
              {created.data.state === "succeeded" && " — done."}
              {created.data.state === "failed" && ` — failed: ${created.data.error ?? "see the request"}`}
            </p>
          )}
        </div>
      )}

      <form onSubmit={submit} noValidate className="space-y-2" data-testid="scale-form" aria-label={`Scale ${namespace}/${name}`}>
        <div className="grid grid-cols-[1fr_6rem] gap-2">
          <label className="block">
            <span className="mb-0.5 block text-[11px] font-medium text-zinc-600 dark:text-zinc-400">Region</span>
            <select
              value={region}
              onChange={(event) => {
                setRegion(event.target.value);
                onParamsChange();
              }}
              className={clsx(inputClass, "w-full")}
              data-testid="scale-region"
            >
              {regions.map((r) => (
                <option key={r.region} value={r.region}>
                  {r.region} ({r.desired} now)
                </option>
              ))}
            </select>
          </label>
          <label className="block">
            <span className="mb-0.5 block text-[11px] font-medium text-zinc-600 dark:text-zinc-400">Replicas</span>
            <input
              type="number"
              inputMode="numeric"
              step={1}
              value={shown}
              onChange={(event) => {
                setReplicasText(event.target.value);
                onParamsChange();
              }}
              autoFocus={url.get("scale") === "1"}
              aria-invalid={replicasErrors ? true : undefined}
              aria-describedby={`${ids}-replicas-hint ${ids}-replicas-error`}
              className={clsx(inputClass, "w-full tabular-nums")}
              data-testid="scale-replicas"
            />
          </label>
        </div>
        <p id={`${ids}-replicas-hint`} className="text-[11px] text-zinc-500">
          {current ? (
            <>
              now {current.desired} desired, {current.available} available · bounds {current.min}–{current.max}
            </>
          ) : (
            "choose a region"
          )}
        </p>
        <div id={`${ids}-replicas-error`}>
          <FieldError id="replicas-error" messages={replicasErrors} />
        </div>

        <div className="min-h-[4.5rem] rounded border border-dashed border-zinc-300 p-2 dark:border-zinc-700" aria-live="polite" data-testid="scale-preview-box">
          {previewData ? (
            <ActionPreview preview={previewData} stale={preview.isFetching || debounced !== live} testId="scale-preview" />
          ) : changed && !previewError ? (
            <p className="text-xs text-zinc-500">computing preview…</p>
          ) : previewError ? (
            <p className="text-xs text-zinc-500">{replicasErrors ? "no preview: the server refuses these parameters" : `no preview: ${previewError.message}`}</p>
          ) : (
            <p className="text-xs text-zinc-500">Change the replica count to see what would change, the risk and the cost.</p>
          )}
        </div>

        <label className="block">
          <span className="mb-0.5 block text-[11px] font-medium text-zinc-600 dark:text-zinc-400">Reason</span>
          <textarea
            value={reason}
            onChange={(event) => {
              setReason(event.target.value);
              // The reason is not part of the attempt's identity: the key stays, the stale error goes.
              if (request.isError) request.reset();
            }}
            onKeyDown={(event) => {
              if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) submit();
            }}
            rows={2}
            placeholder="why, for the approver and the audit log (e.g. p95 over SLO since 02:40)"
            aria-invalid={reasonErrors ? true : undefined}
            aria-describedby="reason-error"
            className={clsx(inputClass, "w-full resize-y")}
            data-testid="scale-reason"
          />
          <FieldError id="reason-error" messages={reasonErrors} />
        </label>

        {otherSubmitError && <Notice tone="error" testId="scale-error">{otherSubmitError}</Notice>}

        <div className="flex items-center gap-2">
          <Button type="submit" variant="primary" disabled={request.isPending || !changed} data-testid="scale-submit">
            {request.isPending ? "Requesting…" : "Request scale"}
          </Button>
          <span className="text-[11px] text-zinc-500">
            <Kbd>Ctrl</Kbd>+<Kbd>Enter</Kbd> · needs another person&apos;s approval unless low risk
          </span>
        </div>
      </form>
    </div>
  );
}
