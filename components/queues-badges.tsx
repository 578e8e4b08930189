// Kafka-specific badges: the Burrow status of a consumer group or partition, and the DLQ mark.
// Colour AND text, fixed width, like the verdict badge, so a status change never shifts a table.
import clsx from "clsx";

export type BurrowStatus = "OK" | "WARN" | "STALL" | "STOP" | "REWIND" | "UNKNOWN";

/** What each status means, for the tooltip and screen readers (Burrow's own definitions). */
export const BURROW_MEANING: Record<BurrowStatus, string> = {
  OK: "lag is zero or fell within the window",
  WARN: "consumers commit, but the lag never fell over the window",
  STALL: "consumers are there but the committed offset did not move",
  STOP: "no commits (or no consumers) for longer than the window's commits span",
  REWIND: "the committed offset went backwards",
  UNKNOWN: "too few observations to judge yet",
};

const STYLE: Record<BurrowStatus, string> = {
  // Quiet when healthy: the verdict badge beside it already says OK.
  OK: "text-emerald-700 ring-transparent dark:text-emerald-400",
  WARN: "bg-amber-50 text-amber-900 ring-amber-400 dark:bg-amber-950 dark:text-amber-300 dark:ring-amber-700",
  STALL: "bg-red-50 text-red-800 ring-red-400 dark:bg-red-950 dark:text-red-300 dark:ring-red-700",
  STOP: "bg-red-50 text-red-800 ring-red-400 dark:bg-red-950 dark:text-red-300 dark:ring-red-700",
  REWIND: "bg-red-50 text-red-800 ring-red-400 dark:bg-red-950 dark:text-red-300 dark:ring-red-700",
  UNKNOWN: "text-zinc-500 ring-zinc-300 dark:text-zinc-400 dark:ring-zinc-700",
};

export function BurrowBadge({ status, reason, className }: { status: BurrowStatus; reason?: string; className?: string }) {
  const title = `Burrow ${status}: ${reason ?? BURROW_MEANING[status]}`;
  return (
    <span
      className={clsx("inline-flex w-16 shrink-0 items-center justify-center rounded px-1 py-px font-mono text-[10px] font-semibold leading-4 ring-1 ring-inset", STYLE[status], className)}
      title={title}
      aria-label={title}
      data-status={status}
    >
      {status}
    </span>
  );
}

/** Marks a dead-letter topic wherever topics are listed. */
export function DlqMark({ className }: { className?: string }) {
  return (
    <span
      className={clsx("inline-flex shrink-0 items-center rounded bg-violet-100 px-1 text-[10px] font-semibold leading-4 text-violet-800 ring-1 ring-inset ring-violet-300 dark:bg-violet-950 dark:text-violet-300 dark:ring-violet-800", className)}
      title="dead-letter topic: messages its consumers could not process"
    >
      DLQ
    </span>
  );
}
