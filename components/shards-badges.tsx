// Small state marks of the shard pages: Elasticsearch's status colour, MongoDB's balancer, a
// replica set member's state, a draining shard, a process up or down. Colour always with text.
import clsx from "clsx";

const pill = "inline-flex shrink-0 items-center justify-center gap-1 rounded px-1.5 py-px text-[11px] font-semibold leading-4 ring-1 ring-inset";

const ES_STATUS: Record<"green" | "yellow" | "red", string> = {
  green: "bg-emerald-50 text-emerald-800 ring-emerald-300 dark:bg-emerald-950 dark:text-emerald-300 dark:ring-emerald-800",
  yellow: "bg-yellow-200 text-yellow-950 ring-yellow-500 dark:bg-yellow-400 dark:text-yellow-950 dark:ring-yellow-300",
  red: "bg-red-600 text-white ring-red-700 dark:ring-red-500",
};

const ES_MEANING = {
  green: "every shard and replica assigned",
  yellow: "every primary assigned, some replicas not",
  red: "some primary shards unassigned: their data cannot be searched",
} as const;

export function EsStatusBadge({ status, size = "sm" }: { status: "green" | "yellow" | "red"; size?: "sm" | "lg" }) {
  return (
    <span className={clsx(pill, "w-16 uppercase", size === "lg" && "w-20 py-0.5 text-xs", ES_STATUS[status])} title={`${status}: ${ES_MEANING[status]}`} data-status={status}>
      {status}
    </span>
  );
}

export function BalancerBadge({ enabled }: { enabled: boolean }) {
  return (
    <span
      className={clsx(
        pill,
        "w-20",
        enabled ? "text-emerald-800 ring-emerald-300 dark:text-emerald-300 dark:ring-emerald-800" : "bg-amber-100 text-amber-900 ring-amber-400 dark:bg-amber-950 dark:text-amber-300 dark:ring-amber-700",
      )}
      title={enabled ? "the balancer is enabled: it migrates chunks when the spread passes its threshold" : "the balancer is disabled: nothing evens out the chunks"}
      data-testid="balancer"
      data-enabled={enabled}
    >
      balancer {enabled ? "on" : "off"}
    </span>
  );
}

export function MemberStateBadge({ state }: { state: string }) {
  const primary = state === "PRIMARY";
  const known = primary || state === "SECONDARY";
  return (
    <span
      className={clsx(
        pill,
        "w-20 font-mono text-[10px]",
        primary
          ? "bg-sky-600 text-white ring-sky-700"
          : known
            ? "text-zinc-700 ring-zinc-300 dark:text-zinc-300 dark:ring-zinc-700"
            : "bg-red-50 text-red-800 ring-red-300 dark:bg-red-950 dark:text-red-300 dark:ring-red-800",
      )}
      data-state={state}
    >
      {state}
    </span>
  );
}

export function DrainingMark() {
  return (
    <span
      className={clsx(pill, "bg-violet-100 text-violet-800 ring-violet-300 dark:bg-violet-950 dark:text-violet-300 dark:ring-violet-800")}
      title="being removed: the balancer moves its chunks to the other shards"
      data-testid="draining"
    >
      draining
    </span>
  );
}

export function UpDown({ up, what }: { up: boolean; what: string }) {
  return (
    <span className={clsx("inline-flex items-center gap-1", up ? "text-emerald-700 dark:text-emerald-400" : "font-semibold text-red-700 dark:text-red-400")} title={`${what} ${up ? "up" : "down"}`}>
      <span aria-hidden className={clsx("inline-block h-1.5 w-1.5 rounded-full", up ? "bg-emerald-500" : "bg-red-600")} />
      {up ? "up" : "down"}
    </span>
  );
}
