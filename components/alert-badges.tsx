// An alert's severity and status: colour AND text, fixed width, like the other badges.
import clsx from "clsx";

const base = "inline-flex shrink-0 items-center justify-center rounded px-1.5 py-px text-[11px] font-semibold uppercase leading-4 tracking-wide ring-1 ring-inset";

const SEVERITY_STYLE: Record<string, string> = {
  critical: "bg-red-600 text-white ring-red-700 dark:ring-red-500",
  error: "bg-red-50 text-red-800 ring-red-300 dark:bg-red-950 dark:text-red-300 dark:ring-red-800",
  warning: "bg-amber-300 text-amber-950 ring-amber-500 dark:bg-amber-400 dark:ring-amber-300",
  info: "bg-sky-50 text-sky-800 ring-sky-300 dark:bg-sky-950 dark:text-sky-300 dark:ring-sky-800",
};
const OTHER_SEVERITY = "bg-zinc-100 text-zinc-600 ring-zinc-300 dark:bg-zinc-800 dark:text-zinc-300 dark:ring-zinc-600";

/** Severities in the order the filters offer them (server/domain/alerts/resource.ts ranks them the same way). */
export const SEVERITIES = ["critical", "error", "warning", "info", "none"] as const;

export function SeverityBadge({ severity }: { severity: string }) {
  return (
    <span className={clsx(base, "w-[4.5rem]", SEVERITY_STYLE[severity] ?? OTHER_SEVERITY)} data-severity={severity} title={`severity: ${severity}`}>
      {severity === "none" ? "–" : severity.slice(0, 8)}
    </span>
  );
}

export function AlertStatusBadge({ status, silenced = false }: { status: "firing" | "resolved"; silenced?: boolean }) {
  const style =
    status === "resolved"
      ? "bg-emerald-50 text-emerald-800 ring-emerald-300 dark:bg-emerald-950 dark:text-emerald-300 dark:ring-emerald-800"
      : silenced
        ? "bg-zinc-100 text-zinc-700 ring-zinc-300 dark:bg-zinc-800 dark:text-zinc-300 dark:ring-zinc-600"
        : "bg-red-50 text-red-800 ring-red-300 dark:bg-red-950 dark:text-red-300 dark:ring-red-800";
  const text = status === "firing" && silenced ? "silenced" : status;
  return (
    <span className={clsx(base, "w-[4.5rem]", style)} data-testid="alert-status" data-status={status}>
      {text}
    </span>
  );
}
