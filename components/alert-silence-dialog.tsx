"use client";
// Silencing from Scaleplane: Alertmanager holds the silence, Scaleplane records who made it
// and audits it (server/alerts/silences.ts). One alert is silenced by its own labels; a group
// by the labels its alerts share, so the silence covers the group's alerts and no other.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { describeMatcher, type SilenceMatcher } from "@/server/domain/alerts/matchers";
import { formatDateTime } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import { readError } from "@/lib/trpc-errors";
import { useNow } from "@/lib/use-now";
import { Button, FieldError, inputClass, Notice } from "./ui";

const DURATIONS = [
  { minutes: 30, label: "30 minutes" },
  { minutes: 60, label: "1 hour" },
  { minutes: 120, label: "2 hours" },
  { minutes: 240, label: "4 hours" },
  { minutes: 480, label: "8 hours" },
  { minutes: 1440, label: "1 day" },
  { minutes: 3 * 1440, label: "3 days" },
  { minutes: 7 * 1440, label: "7 days" },
] as const;

export interface SilenceTarget {
  /** What is silenced, in words: "KafkaConsumerLagGrowing on events / order-fulfilment". */
  title: string;
  /** One alert: silenced by its labels. */
  fingerprint?: string;
  /** Several alerts: silenced by these matchers. */
  matchers?: SilenceMatcher[];
  /** The matchers shown before submitting (for one alert: its labels). */
  preview: SilenceMatcher[];
}

/** The equality matchers on the labels every one of these alerts carries with the same value. */
export function sharedLabelMatchers(labelSets: readonly Readonly<Record<string, string>>[]): SilenceMatcher[] {
  const [first, ...rest] = labelSets;
  if (!first) return [];
  return Object.keys(first)
    .filter((name) => rest.every((labels) => labels[name] === first[name]))
    .sort()
    .map((name) => ({ name, value: first[name]!, isRegex: false, isEqual: true }));
}

export function SilenceDialog({ target, onClose }: { target: SilenceTarget; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const ref = useRef<HTMLDialogElement>(null);
  const headingId = useId();
  const [minutes, setMinutes] = useState(120);
  const [comment, setComment] = useState("");
  const now = useNow(15_000);
  const silence = useMutation(
    trpc.alerts.silence.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() }),
    }),
  );
  const error = readError(silence.error);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    dialog?.querySelector<HTMLElement>("[data-autofocus]")?.focus();
  }, []);

  const submit = () => {
    silence.mutate({
      ...(target.fingerprint ? { fingerprint: target.fingerprint } : {}),
      ...(target.matchers ? { matchers: target.matchers } : {}),
      durationMinutes: minutes,
      comment: comment.trim(),
    });
  };

  return (
    <dialog
      ref={ref}
      onClose={onClose}
      // Keys typed here are the form's, not the list's j/k or the g shortcuts.
      onKeyDown={(event) => event.stopPropagation()}
      aria-labelledby={headingId}
      className="m-auto w-[34rem] max-w-[calc(100vw-2rem)] rounded border border-zinc-300 bg-white p-0 text-zinc-900 shadow-2xl backdrop:bg-zinc-950/40 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100"
      data-testid="silence-dialog"
    >
      <form
        method="dialog"
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
        className="space-y-3 p-3 text-xs"
      >
        <header className="flex items-start gap-2">
          <div className="min-w-0">
            <h2 id={headingId} className="text-sm font-semibold">
              Silence
            </h2>
            <p className="truncate text-zinc-500" title={target.title}>
              {target.title}
            </p>
          </div>
          <Button size="xs" className="ml-auto" onClick={() => ref.current?.close()} aria-label="Close (Esc)">
            Esc ✕
          </Button>
        </header>

        {silence.data ? (
          <>
            <Notice tone="ok" testId="silence-created">
              Silenced until {formatDateTime(silence.data.endsAt)} (silence {silence.data.id}). Alertmanager sends no notification for these alerts until then; the alerts stay listed here as silenced.
            </Notice>
            <div className="flex justify-end">
              <Button variant="primary" onClick={() => ref.current?.close()} data-autofocus>
                Done
              </Button>
            </div>
          </>
        ) : (
          <>
            <div>
              <p className="mb-1 font-medium text-zinc-700 dark:text-zinc-300">Alerts with all of these labels</p>
              <ul className="flex max-h-32 flex-wrap gap-1 overflow-y-auto" data-testid="silence-matchers">
                {target.preview.map((matcher) => (
                  <li key={matcher.name} className="rounded bg-zinc-100 px-1.5 py-px font-mono text-[11px] dark:bg-zinc-800">
                    {describeMatcher(matcher)}
                  </li>
                ))}
              </ul>
            </div>
            <label className="flex items-center gap-2">
              <span className="w-20 font-medium">For</span>
              <select value={minutes} onChange={(event) => setMinutes(Number(event.target.value))} className={inputClass} data-testid="silence-duration">
                {DURATIONS.map((duration) => (
                  <option key={duration.minutes} value={duration.minutes}>
                    {duration.label}
                  </option>
                ))}
              </select>
              <span className="text-zinc-500">until {formatDateTime(now + minutes * 60_000)}</span>
            </label>
            <label className="block">
              <span className="mb-1 block font-medium">Why</span>
              <textarea
                value={comment}
                onChange={(event) => setComment(event.target.value)}
                rows={3}
                required
                minLength={3}
                maxLength={2000}
                placeholder="e.g. known: the consumer is being redeployed, ticket OPS-1234"
                className={`${inputClass} w-full`}
                aria-invalid={Boolean(error?.fieldErrors.comment)}
                aria-describedby="silence-comment-error"
                data-autofocus
                data-testid="silence-comment"
              />
              <FieldError id="silence-comment-error" messages={error?.fieldErrors.comment} />
            </label>
            {error && !error.fieldErrors.comment && (
              <Notice tone="error" testId="silence-error">
                {error.message}
              </Notice>
            )}
            <div className="flex items-center justify-end gap-2">
              <span className="mr-auto text-[11px] text-zinc-500">Recorded in the audit log with your name.</span>
              <Button onClick={() => ref.current?.close()}>Cancel</Button>
              <Button type="submit" variant="primary" disabled={silence.isPending || comment.trim().length < 3} data-testid="silence-submit">
                {silence.isPending ? "Silencing…" : "Silence"}
              </Button>
            </div>
          </>
        )}
      </form>
    </dialog>
  );
}

/** Ends a silence made through Scaleplane, after a confirmation. */
export function ExpireSilenceButton({ silence }: { silence: { id: string; endsAt: Date | string; createdByEmail: string; comment: string } }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const expire = useMutation(trpc.alerts.expireSilence.mutationOptions({ onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() }) }));
  const error = readError(expire.error);
  return (
    <span className="inline-flex items-center gap-1">
      <Button
        size="xs"
        disabled={expire.isPending}
        title={`Silenced by ${silence.createdByEmail} until ${formatDateTime(silence.endsAt)}: ${silence.comment}`}
        onClick={() => {
          if (window.confirm(`End the silence by ${silence.createdByEmail} (until ${formatDateTime(silence.endsAt)}) now? Alertmanager notifies again.`)) expire.mutate({ silenceId: silence.id });
        }}
        data-testid="expire-silence"
      >
        {expire.isPending ? "Expiring…" : "Expire silence"}
      </Button>
      {error && (
        <span role="alert" className="text-[11px] text-red-700 dark:text-red-400">
          {error.message}
        </span>
      )}
    </span>
  );
}
