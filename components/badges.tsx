// Status badges: colour AND text, fixed width so a changing status never shifts a table.
import clsx from "clsx";
import type { ActionState, RiskLevel, Verdict } from "@/lib/api-types";

const base = "inline-flex shrink-0 items-center justify-center rounded px-1.5 py-px text-[11px] font-semibold uppercase leading-4 tracking-wide ring-1 ring-inset";

const VERDICT_STYLE: Record<Verdict, string> = {
  CRIT: "bg-red-600 text-white ring-red-700 dark:bg-red-600 dark:ring-red-500",
  WARN: "bg-amber-300 text-amber-950 ring-amber-500 dark:bg-amber-400 dark:text-amber-950 dark:ring-amber-300",
  OK: "bg-emerald-50 text-emerald-800 ring-emerald-300 dark:bg-emerald-950 dark:text-emerald-300 dark:ring-emerald-800",
  UNKNOWN: "bg-zinc-100 text-zinc-600 ring-zinc-300 dark:bg-zinc-800 dark:text-zinc-300 dark:ring-zinc-600",
};

export function VerdictBadge({ verdict, reasons = [], className }: { verdict: Verdict; reasons?: string[]; className?: string }) {
  const title = reasons.length ? `${verdict}: ${reasons.join("; ")}` : verdict;
  return (
    <span className={clsx(base, "w-[4.5rem]", VERDICT_STYLE[verdict], className)} title={title} aria-label={title} data-verdict={verdict}>
      {verdict}
    </span>
  );
}

const RISK_STYLE: Record<RiskLevel, string> = {
  high: "bg-red-50 text-red-800 ring-red-300 dark:bg-red-950 dark:text-red-300 dark:ring-red-800",
  medium: "bg-amber-50 text-amber-900 ring-amber-300 dark:bg-amber-950 dark:text-amber-300 dark:ring-amber-800",
  low: "bg-zinc-50 text-zinc-700 ring-zinc-300 dark:bg-zinc-900 dark:text-zinc-300 dark:ring-zinc-700",
};

export function RiskBadge({ risk, reasons = [] }: { risk: RiskLevel | string; reasons?: string[] }) {
  const style = RISK_STYLE[risk as RiskLevel] ?? RISK_STYLE.low;
  const title = `${risk} risk${reasons.length ? `: ${reasons.join("; ")}` : ""}`;
  return (
    <span className={clsx(base, "w-16", style)} title={title} data-risk={risk}>
      {risk}
    </span>
  );
}

const STATE_STYLE: Record<ActionState, string> = {
  pending: "bg-sky-50 text-sky-800 ring-sky-300 dark:bg-sky-950 dark:text-sky-300 dark:ring-sky-800",
  approved: "bg-indigo-50 text-indigo-800 ring-indigo-300 dark:bg-indigo-950 dark:text-indigo-300 dark:ring-indigo-800",
  executing: "bg-violet-100 text-violet-900 ring-violet-400 dark:bg-violet-950 dark:text-violet-200 dark:ring-violet-700",
  succeeded: "bg-emerald-50 text-emerald-800 ring-emerald-300 dark:bg-emerald-950 dark:text-emerald-300 dark:ring-emerald-800",
  failed: "bg-red-600 text-white ring-red-700",
  rejected: "bg-red-50 text-red-800 ring-red-300 dark:bg-red-950 dark:text-red-300 dark:ring-red-800",
  expired: "bg-zinc-100 text-zinc-600 ring-zinc-300 dark:bg-zinc-800 dark:text-zinc-400 dark:ring-zinc-700",
  cancelled: "bg-zinc-100 text-zinc-600 ring-zinc-300 dark:bg-zinc-800 dark:text-zinc-400 dark:ring-zinc-700",
};

export function StateBadge({ state }: { state: ActionState | string }) {
  const style = STATE_STYLE[state as ActionState] ?? STATE_STYLE.expired;
  return (
    <span className={clsx(base, "w-[5.5rem]", style)} data-testid="state-badge" data-state={state}>
      {state}
    </span>
  );
}

const OUTCOME_STYLE: Record<string, string> = {
  success: "text-emerald-700 dark:text-emerald-400",
  failure: "text-red-700 dark:text-red-400",
  denied: "text-amber-700 dark:text-amber-400",
};

export function OutcomeText({ outcome }: { outcome: string }) {
  return <span className={clsx("font-medium", OUTCOME_STYLE[outcome] ?? "text-zinc-500")}>{outcome}</span>;
}
