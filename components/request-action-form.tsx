"use client";
// The one form every action is requested with: the target fixed by the page, a few editable
// fields, a reason, and the server's own preview of what would change (risk, cost, or why it
// refuses), live as the user types. Submitting creates a request for approval, never more.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import clsx from "clsx";
import { useId, useRef, useState, type FormEvent, type ReactNode } from "react";
import { ActionPreview } from "@/components/action-preview";
import { Button, FieldError, inputClass, Kbd, Notice } from "@/components/ui";
import { readPreview } from "@/lib/action-view";
import { newIdempotencyKey } from "@/lib/ids";
import { useTRPC } from "@/lib/trpc";
import { readError, type ErrorView } from "@/lib/trpc-errors";
import { useDebounced } from "@/lib/use-now";
import { buildParams, FieldInput, isShown, resolveValues, type FieldSpec, type FieldValues } from "./request-action-fields";
import { CreatedRequest } from "./request-action-status";

const PREVIEW_DEBOUNCE_MS = 300;

export interface ActionPreset {
  label: string;
  /** Field values it sets; the others keep theirs. */
  values: FieldValues;
  title?: string;
}

export interface ActionFormSpec {
  kind: string;
  environment: string;
  /** "Scale checkout/payments": the dialog's title. */
  title: string;
  submitLabel: string;
  /** The parameters the page fixes: the target. */
  fixed: Record<string, unknown>;
  fields: FieldSpec[];
  /** Grid columns of the fields. */
  columns?: 1 | 2 | 3;
  /**
   * The fields start at the current state: nothing to preview or request until one differs.
   * The text says what to change.
   */
  requiresChange?: string;
  /** The field that gets the focus when the form opens (default: the first). */
  focusField?: string;
  /** The field a refusal of the server is about (e.g. replicas out of bounds): shown under it. */
  refusalField?: string;
  presets?: ActionPreset[];
  /** Shown under the preview, from the parameters being previewed (e.g. the failover plan). */
  notes?: (params: Record<string, unknown>) => ReactNode;
  /** Prefix of the data-testid attributes (default "request"). */
  testIdPrefix?: string;
}

/** A refusal: the kind's own message about these parameters, with no field named. */
const refusalOf = (error: ErrorView | null) => (error && error.code === "BAD_REQUEST" && Object.keys(error.fieldErrors).length === 0 ? error.message : null);

/** The field an error key names; "weights" names the set of "weights.<region>", whose errors go into the preview box. */
const fieldFor = (fields: readonly FieldSpec[], key: string) => fields.find((field) => field.name === key);

export function RequestActionForm({
  spec,
  prefill = {},
  initialReason = "",
  onCreated,
  onDone,
}: {
  spec: ActionFormSpec;
  /** Values a link or a button set (`?p.replicas=8`); they count as typed. */
  prefill?: FieldValues;
  initialReason?: string;
  onCreated?: (id: string) => void;
  /** Closes the form's container (shown once the request exists). */
  onDone?: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const ids = useId();
  const prefix = spec.testIdPrefix ?? "request";
  const { fields } = spec;

  const [edited, setEdited] = useState<FieldValues>(() => ({ ...prefill }));
  const [reason, setReason] = useState(initialReason);
  const [createdId, setCreatedId] = useState<string | null>(null);
  // One key per set of parameters: a retry of the same request reuses it, so a lost response
  // never creates a second request; other parameters are another request with its own key.
  const attempt = useRef<{ params: string; key: string } | null>(null);

  const values = resolveValues(fields, edited);
  const built = buildParams(spec.fixed, fields, values);
  const ready = built.missing.length === 0 && (!spec.requiresChange || built.changed || !built.knowsCurrent);

  const live = JSON.stringify(ready ? built.params : null);
  const debounced = useDebounced(live, PREVIEW_DEBOUNCE_MS);
  const previewParams = JSON.parse(debounced) as Record<string, unknown> | null;
  const settled = debounced === live;
  const preview = useQuery(
    trpc.actions.preview.queryOptions(
      { kind: spec.kind, environment: spec.environment, params: previewParams ?? {} },
      { enabled: previewParams !== null, retry: false, staleTime: 0, refetchOnWindowFocus: false },
    ),
  );
  const previewError = ready && settled ? readError(preview.error) : null;
  const previewData = ready && preview.data ? readPreview(preview.data) : null;

  const request = useMutation(trpc.actions.request.mutationOptions());
  const submitError = readError(request.error);

  const setValue = (name: string, value: string) => {
    setEdited((previous) => ({ ...previous, [name]: value }));
    if (request.isError) request.reset();
  };
  const applyPreset = (preset: ActionPreset) => {
    setEdited((previous) => ({ ...previous, ...preset.values }));
    if (request.isError) request.reset();
  };

  function submit(event?: FormEvent) {
    event?.preventDefault();
    if (request.isPending || !ready) return;
    const params = JSON.stringify(built.params);
    if (attempt.current?.params !== params) attempt.current = { params, key: newIdempotencyKey() };
    request.mutate(
      { kind: spec.kind, environment: spec.environment, params: built.params, reason, idempotencyKey: attempt.current.key },
      {
        onSuccess: (created) => {
          setCreatedId(created.id);
          onCreated?.(created.id);
          void queryClient.invalidateQueries({ queryKey: trpc.actions.pathKey() });
        },
      },
    );
  }

  // Messages about a field go under it; a refusal goes under the field it is about, else into
  // the preview box, where the eye already is.
  const fieldErrors: Record<string, string[]> = {};
  const unplaced: string[] = [];
  for (const error of [submitError, previewError]) {
    for (const [key, messages] of Object.entries(error?.fieldErrors ?? {})) {
      if (key === "reason") continue;
      const field = fieldFor(fields, key);
      if (field && isShown(field, values)) fieldErrors[field.name] ??= messages;
      else unplaced.push(...messages.map((message) => (key ? `${key}: ${message}` : message)));
    }
  }
  const refusal = refusalOf(submitError) ?? refusalOf(previewError);
  const refusalTarget = spec.refusalField ? fieldFor(fields, spec.refusalField) : undefined;
  const refusalUnderField = refusal !== null && refusalTarget !== undefined && isShown(refusalTarget, values);
  if (refusalUnderField) fieldErrors[refusalTarget.name] = [...(fieldErrors[refusalTarget.name] ?? []), refusal];
  const refusalInBox = refusal !== null && !refusalUnderField ? refusal : null;
  const reasonErrors = submitError?.fieldErrors.reason;
  const otherSubmitError = submitError && !refusalOf(submitError) && Object.keys(submitError.fieldErrors).length === 0 ? submitError.message : null;

  if (createdId) {
    return (
      <div className="space-y-2">
        <CreatedRequest id={createdId} />
        <div className="flex items-center gap-2">
          <Button onClick={onDone} data-testid={`${prefix}-close`}>
            Close
          </Button>
          <span className="text-[11px] text-zinc-500">
            <Kbd>Esc</Kbd> · the page shows the request&apos;s state until it settles
          </span>
        </div>
      </div>
    );
  }

  const shown = fields.filter((field) => isShown(field, values));
  const focused = shown.find((field) => field.name === spec.focusField) ?? shown[0];
  const columns = { 1: "grid-cols-1", 2: "grid-cols-2", 3: "grid-cols-3" }[spec.columns ?? 2];
  const idle = !ready
    ? built.missing.length > 0
      ? `Fill in ${built.missing.join(", ")} to see what would change.`
      : (spec.requiresChange ?? "")
    : null;

  return (
    <form onSubmit={submit} noValidate className="space-y-2.5" data-testid={`${prefix}-form`} data-kind={spec.kind} aria-label={spec.title}>
      {spec.presets && spec.presets.length > 0 && (
        <div className="flex flex-wrap items-center gap-1" role="group" aria-label="Presets">
          <span className="mr-1 text-[11px] text-zinc-500">presets</span>
          {spec.presets.map((preset) => (
            <Button key={preset.label} size="xs" title={preset.title} onClick={() => applyPreset(preset)} data-testid={`${prefix}-preset`}>
              {preset.label}
            </Button>
          ))}
        </div>
      )}

      {shown.length > 0 && (
        <div className={clsx("grid gap-x-2 gap-y-1.5", columns)}>
          {shown.map((field) => (
            <FieldInput
              key={field.name}
              field={field}
              values={values}
              onChange={(value) => setValue(field.name, value)}
              errors={fieldErrors[field.name]}
              autoFocus={field === focused}
              inputId={`${ids}-${field.name}`}
              testId={`${prefix}-${field.name}`}
              onSubmitShortcut={submit}
            />
          ))}
        </div>
      )}

      <div className="min-h-[4.5rem] rounded border border-dashed border-zinc-300 p-2 dark:border-zinc-700" aria-live="polite" data-testid={`${prefix}-preview-box`}>
        {refusalInBox ? (
          <p className="text-xs font-medium text-red-700 dark:text-red-400" role="alert" data-testid={`${prefix}-refusal`}>
            {refusalInBox}
          </p>
        ) : previewData ? (
          <ActionPreview preview={previewData} stale={preview.isFetching || !settled} testId={`${prefix}-preview`} />
        ) : idle !== null ? (
          <p className="text-xs text-zinc-500">{idle}</p>
        ) : previewError ? (
          <p className="text-xs text-zinc-500">{refusal || Object.keys(fieldErrors).length > 0 ? "No preview: the server refuses these parameters." : `No preview: ${previewError.message}`}</p>
        ) : (
          <p className="text-xs text-zinc-500">Computing the preview…</p>
        )}
        {unplaced.length > 0 && <FieldError id={`${prefix}-param-errors`} messages={unplaced} />}
        {previewData && previewParams && spec.notes && <div className="mt-2 border-t border-zinc-200 pt-2 text-xs dark:border-zinc-800">{spec.notes(previewParams)}</div>}
      </div>

      <div>
        <label htmlFor={`${ids}-reason`} className="mb-0.5 block text-[11px] font-medium text-zinc-600 dark:text-zinc-400">
          Reason
        </label>
        <textarea
          id={`${ids}-reason`}
          value={reason}
          onChange={(event) => {
            setReason(event.target.value);
            // The reason is not part of the parameters: the key stays, the stale error goes.
            if (request.isError) request.reset();
          }}
          onKeyDown={(event) => {
            if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) submit();
          }}
          data-autofocus={shown.length === 0 ? "" : undefined}
          rows={2}
          placeholder="why, for the approver and the audit log (e.g. p95 over SLO since 02:40)"
          aria-invalid={reasonErrors ? true : undefined}
          aria-describedby="reason-error"
          className={clsx(inputClass, "w-full resize-y")}
          data-testid={`${prefix}-reason`}
        />
        <FieldError id="reason-error" messages={reasonErrors} />
      </div>

      {otherSubmitError && (
        <Notice tone="error" testId={`${prefix}-error`}>
          {otherSubmitError}
        </Notice>
      )}

      <div className="flex items-center gap-2">
        <Button type="submit" variant="primary" disabled={request.isPending || !ready} data-testid={`${prefix}-submit`}>
          {request.isPending ? "Requesting…" : spec.submitLabel}
        </Button>
        <span className="text-[11px] text-zinc-500">
          <Kbd>Ctrl</Kbd>+<Kbd>Enter</Kbd> · creates a request; it runs once approved (low risk: at once)
        </span>
      </div>
    </form>
  );
}
