// Small shared building blocks: page header, buttons, notices, field errors.
import clsx from "clsx";
import type { ButtonHTMLAttributes, ReactNode } from "react";
import { formatClock, formatDuration } from "@/lib/format";

export function PageHeader({ title, children, meta }: { title: ReactNode; children?: ReactNode; meta?: ReactNode }) {
  return (
    <div className="mb-3 flex flex-wrap items-center gap-x-3 gap-y-2">
      <h1 className="text-base font-semibold tracking-tight">{title}</h1>
      {meta && <div className="text-xs text-zinc-500">{meta}</div>}
      {children && <div className="ml-auto flex flex-wrap items-center gap-2">{children}</div>}
    </div>
  );
}

type Variant = "primary" | "secondary" | "danger" | "approve";
const VARIANT: Record<Variant, string> = {
  primary: "bg-sky-600 text-white hover:bg-sky-700 border-sky-700",
  approve: "bg-emerald-600 text-white hover:bg-emerald-700 border-emerald-700",
  danger: "bg-white text-red-700 hover:bg-red-50 border-red-300 dark:bg-zinc-900 dark:text-red-400 dark:border-red-800 dark:hover:bg-red-950",
  secondary: "bg-white text-zinc-800 hover:bg-zinc-100 border-zinc-300 dark:bg-zinc-900 dark:text-zinc-200 dark:border-zinc-700 dark:hover:bg-zinc-800",
};

export function Button({ variant = "secondary", size = "sm", className, ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; size?: "xs" | "sm" }) {
  return (
    <button
      type="button"
      {...props}
      className={clsx(
        "inline-flex items-center justify-center gap-1 whitespace-nowrap rounded border font-medium disabled:cursor-not-allowed disabled:opacity-50",
        size === "xs" ? "px-1.5 py-px text-[11px]" : "px-2.5 py-1 text-xs",
        VARIANT[variant],
        className,
      )}
    />
  );
}

export function Notice({ tone = "info", children, testId }: { tone?: "info" | "error" | "warn" | "ok"; children: ReactNode; testId?: string }) {
  const style = {
    info: "border-sky-300 bg-sky-50 text-sky-900 dark:border-sky-800 dark:bg-sky-950 dark:text-sky-200",
    error: "border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200",
    warn: "border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200",
    ok: "border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200",
  }[tone];
  return (
    <div role={tone === "error" ? "alert" : "status"} data-testid={testId} className={clsx("rounded border px-2.5 py-1.5 text-xs", style)}>
      {children}
    </div>
  );
}

export function FieldError({ id, messages }: { id: string; messages: string[] | undefined | null }) {
  if (!messages?.length) return null;
  return (
    <p id={id} role="alert" className="mt-0.5 text-[11px] text-red-700 dark:text-red-400" data-testid={id}>
      {messages.join("; ")}
    </p>
  );
}

/** Shared look of text inputs, selects and textareas. */
export const inputClass =
  "rounded border border-zinc-300 bg-white px-1.5 py-1 text-xs text-zinc-900 placeholder:text-zinc-400 dark:border-zinc-700 dark:placeholder:text-zinc-600 dark:bg-zinc-950 dark:text-zinc-100 aria-[invalid=true]:border-red-500";

/** A quiet "refreshing / last updated" line that never changes height. */
export function FreshnessLine({ updatedAt, fetching, error }: { updatedAt: number; fetching: boolean; error: string | null }) {
  return (
    <span className="inline-flex h-4 items-center gap-1.5 text-xs text-zinc-500" aria-live="polite">
      <span className={clsx("inline-block h-1.5 w-1.5 rounded-full", error ? "bg-red-500" : fetching ? "animate-pulse bg-sky-500" : "bg-emerald-500")} aria-hidden />
      {error ? (
        <span className="text-red-700 dark:text-red-400" title={error}>
          refresh failed, showing data from {updatedAt ? formatClock(updatedAt) : "never"}
        </span>
      ) : updatedAt ? (
        <span>updated {formatClock(updatedAt)}</span>
      ) : (
        <span>loading…</span>
      )}
    </span>
  );
}

/** What the server says of its metrics source's answer (server/domain/ports.ts Freshness). */
export interface SourceFreshness {
  stale: boolean;
  ageSeconds: number;
  error?: { kind: string; message: string };
}

/**
 * Shown when the metrics source failed and the page holds its last good figures: how old they
 * are and why, so nobody acts on a picture from ten minutes ago without knowing it.
 */
export function StaleDataBanner({ freshness }: { freshness: SourceFreshness | undefined }) {
  if (!freshness?.stale) return null;
  return (
    <div className="mb-2">
      <Notice tone="warn" testId="stale-data">
        <strong>Stale data:</strong> the metrics source is not answering ({freshness.error?.message ?? "unknown error"}). Showing the last good
        figures, {formatDuration(freshness.ageSeconds * 1000)} old.
      </Notice>
    </div>
  );
}

export function Kbd({ children }: { children: ReactNode }) {
  return <kbd className="rounded border border-zinc-300 bg-zinc-50 px-1 font-mono text-[10px] text-zinc-700 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-300">{children}</kbd>;
}

/** The placeholder of a figure still loading: keeps the layout from jumping when it arrives. */
export function Skeleton({ className }: { className?: string }) {
  return <span aria-hidden className={clsx("inline-block animate-pulse rounded bg-zinc-100 dark:bg-zinc-800", className)} />;
}
