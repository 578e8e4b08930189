// A Redis cache's instances: its primary and replicas, up or down. Compact for a table cell,
// a full list for the cache's page. Colour always comes with text (P/R, "up"/"down").
import clsx from "clsx";

export interface CacheInstance {
  pod: string;
  role: "primary" | "replica";
  up: boolean;
}

/** Primary first, then replicas by name: the same order wherever instances are shown. */
export function orderInstances<T extends CacheInstance>(instances: readonly T[]): T[] {
  return [...instances].sort((a, b) => (a.role === b.role ? a.pod.localeCompare(b.pod) : a.role === "primary" ? -1 : 1));
}

const describe = (instance: CacheInstance) => `${instance.pod} ${instance.role} ${instance.up ? "up" : "down"}`;

/** One letter per instance (P primary, R replica), red when down, and how many are up. */
export function InstanceStrip({ instances }: { instances: readonly CacheInstance[] }) {
  const ordered = orderInstances(instances);
  const up = ordered.filter((instance) => instance.up).length;
  const label = ordered.length === 0 ? "no instances reported" : ordered.map(describe).join(", ");
  return (
    <span className="inline-flex items-center gap-1" title={label} aria-label={label} data-testid="instance-strip" data-up={up} data-total={ordered.length}>
      <span className="inline-flex gap-px" aria-hidden>
        {ordered.map((instance) => (
          <span
            key={instance.pod}
            className={clsx(
              "inline-flex h-4 w-3.5 items-center justify-center rounded-sm font-mono text-[9px] font-bold leading-none",
              instance.up
                ? instance.role === "primary"
                  ? "bg-emerald-600 text-white dark:bg-emerald-600"
                  : "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300"
                : "bg-red-600 text-white ring-1 ring-red-800",
            )}
          >
            {instance.role === "primary" ? "P" : "R"}
          </span>
        ))}
      </span>
      <span aria-hidden className={clsx("tabular-nums", up < ordered.length ? "font-semibold text-red-700 dark:text-red-400" : "text-zinc-500")}>
        {up}/{ordered.length}
      </span>
    </span>
  );
}

export function InstanceList({ instances, caption }: { instances: readonly CacheInstance[]; caption: string }) {
  const ordered = orderInstances(instances);
  if (ordered.length === 0) return <p className="text-xs text-zinc-500">No instances reported.</p>;
  return (
    <table className="w-full max-w-xl border-collapse text-xs" data-testid="instance-list">
      <caption className="sr-only">{caption}</caption>
      <thead className="text-zinc-500">
        <tr>
          <th scope="col" className="px-1 py-0.5 text-left font-medium">
            Pod
          </th>
          <th scope="col" className="px-1 py-0.5 text-left font-medium">
            Role
          </th>
          <th scope="col" className="px-1 py-0.5 text-left font-medium">
            State
          </th>
        </tr>
      </thead>
      <tbody>
        {ordered.map((instance) => (
          <tr key={instance.pod} className={clsx("border-t border-zinc-100 dark:border-zinc-800/70", !instance.up && "bg-red-50 dark:bg-red-950/40")} data-testid="instance-row" data-up={instance.up}>
            <td className="px-1 py-0.5 font-mono text-[11px]">{instance.pod}</td>
            <td className={clsx("px-1 py-0.5", instance.role === "primary" && "font-semibold")}>{instance.role}</td>
            <td className="px-1 py-0.5">
              <span className={clsx("inline-flex items-center gap-1", instance.up ? "text-emerald-700 dark:text-emerald-400" : "font-semibold text-red-700 dark:text-red-400")}>
                <span aria-hidden className={clsx("inline-block h-1.5 w-1.5 rounded-full", instance.up ? "bg-emerald-500" : "bg-red-600")} />
                {instance.up ? "up" : "down"}
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
