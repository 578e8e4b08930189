// Where a Redis cache's keys and memory go, by key prefix, from the bounded SCAN sample the
// server takes about once a minute. Every figure is labelled an estimate unless the scan went
// through every key, with the sample's size, age, and why it stopped.
import clsx from "clsx";
import { formatClock, formatPercent } from "@/lib/format";
import { formatBytes, formatDuration } from "@/server/domain/health/format";
import { byMemory, prefixLabel, sampleAgeSeconds, sampleStopReason, type LiveKeyPrefix, type ObservedCacheDetail } from "./cache-detail-model";

const th = "px-1.5 py-0.5 font-medium whitespace-nowrap";
const td = "px-1.5 py-0.5 whitespace-nowrap tabular-nums";

/** A 0..1 share as a bar, with the 95% interval drawn around its end when there is one. */
function ShareBar({ share, margin = 0, kind, label }: { share: number; margin?: number; kind: "keys" | "memory"; label: string }) {
  const clamp = (value: number) => Math.max(0, Math.min(1, value)) * 100;
  const valueText = `${formatPercent(share, 1)}${margin > 0 ? ` ± ${formatPercent(margin, 1)}` : ""}`;
  return (
    <span className="inline-flex items-center gap-1.5">
      <span
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={1}
        aria-valuenow={share}
        aria-valuetext={valueText}
        className="relative inline-block h-2 w-24 shrink-0 overflow-hidden rounded-sm bg-zinc-200 dark:bg-zinc-800"
      >
        <span className={clsx("absolute inset-y-0 left-0", kind === "keys" ? "bg-sky-500" : "bg-violet-500 dark:bg-violet-400")} style={{ width: `${clamp(share)}%` }} />
        {margin > 0 && (
          <span
            aria-hidden
            className="absolute inset-y-0 border-x border-zinc-900/50 bg-zinc-900/15 dark:border-white/60 dark:bg-white/20"
            style={{ left: `${clamp(share - margin)}%`, width: `${clamp(share + margin) - clamp(share - margin)}%` }}
          />
        )}
      </span>
      <span className="w-11 text-right">{formatPercent(share, 1)}</span>
    </span>
  );
}

function PrefixRow({ row, separator, estimate, totalKeys }: { row: LiveKeyPrefix; separator: string; estimate: boolean; totalKeys: number }) {
  const name = prefixLabel(row, separator);
  const averageBytes = row.sampledKeys > 0 ? row.sampledBytes / row.sampledKeys : Number.NaN;
  // The margin is on the share of keys; times the keyspace it is a margin on the count.
  const keysMargin = Math.round(row.keyShareMargin * totalKeys);
  return (
    <tr className="border-t border-zinc-100 dark:border-zinc-800/70" data-testid="prefix-row" data-prefix={row.prefix ?? row.kind}>
      <th scope="row" className={clsx("max-w-56 truncate px-1.5 py-0.5 text-left font-normal", row.kind === "prefix" ? "font-mono text-[11px]" : "text-zinc-500 italic")} title={name}>
        {name}
      </th>
      <td className={clsx(td, "text-right")} title={`${row.sampledKeys.toLocaleString("en-US")} keys in the sample`}>
        {estimate && "≈"}
        {row.estimatedKeys.toLocaleString("en-US")}
      </td>
      {estimate && (
        <td className={clsx(td, "text-right text-zinc-500")} title={`95% interval: share of keys ${formatPercent(row.keyShare, 1)} ± ${formatPercent(row.keyShareMargin, 1)}`}>
          {row.keyShareMargin > 0 ? `± ${keysMargin.toLocaleString("en-US")}` : ""}
        </td>
      )}
      <td className={td}>
        <ShareBar share={row.keyShare} margin={row.keyShareMargin} kind="keys" label={`share of keys under ${name}`} />
      </td>
      <td className={clsx(td, "text-right font-medium")} title={`${formatBytes(row.sampledBytes)} measured in the sample`}>
        {estimate && "≈"}
        {formatBytes(row.estimatedBytes)}
      </td>
      <td className={td}>
        <ShareBar share={row.memoryShare} kind="memory" label={`share of memory under ${name}`} />
      </td>
      <td className={clsx(td, "text-right text-zinc-500")}>{Number.isFinite(averageBytes) ? formatBytes(averageBytes) : "–"}</td>
    </tr>
  );
}

export function CacheKeyspacePanel({ observed }: { observed: ObservedCacheDetail }) {
  const { keyspace, keyspaceError } = observed.value;
  const error = keyspaceError && (
    <p className="mb-1 text-xs font-medium text-red-700 dark:text-red-400" role="status" data-testid="keyspace-error">
      The last sample failed: {keyspaceError}
      {keyspace && <span className="font-normal text-zinc-500"> · showing the previous one</span>}
    </p>
  );
  if (!keyspace) {
    return (
      <div data-testid="keyspace-panel" data-state="not-sampled">
        {error}
        {!keyspaceError && <p className="text-xs text-zinc-500">Not sampled yet: the first sample runs once the instances have been read, then about once a minute.</p>}
      </div>
    );
  }
  const stop = sampleStopReason(keyspace);
  const age = sampleAgeSeconds(observed, keyspace);
  const rows = byMemory(keyspace.prefixes);
  return (
    <div className="min-w-0" data-testid="keyspace-panel" data-state={keyspace.estimate ? "estimate" : "complete"}>
      {error}
      <p className="mb-1 text-[11px] text-zinc-500" data-testid="keyspace-sample">
        {keyspace.estimate ? (
          <>
            <span className="font-semibold text-amber-700 dark:text-amber-400">Estimate</span> from a sample of {keyspace.sampledKeys.toLocaleString("en-US")} of{" "}
            {keyspace.totalKeys.toLocaleString("en-US")} keys (each stands for {keyspace.scaleFactor.toFixed(1)})
          </>
        ) : (
          <>Counted over all {keyspace.totalKeys.toLocaleString("en-US")} keys (a complete scan, not an estimate)</>
        )}{" "}
        on <span className="font-mono">{keyspace.sampledOn.address}</span> ({keyspace.sampledOn.role}), taken {formatClock(keyspace.takenAt)}, {formatDuration(age * 1000)} ago
        {stop && <> · {stop}</>}
      </p>
      {rows.length === 0 ? (
        <p className="text-xs text-zinc-500">The sample found no keys.</p>
      ) : (
        <div className="max-h-96 overflow-auto">
          <table className="w-full border-collapse text-xs" data-testid="keyspace-table">
            <caption className="sr-only">
              Keys and memory per key prefix{keyspace.estimate ? `, estimated from a sample of ${keyspace.sampledKeys} keys` : ""}, largest memory first
            </caption>
            <thead className="sticky top-0 bg-white text-zinc-500 dark:bg-zinc-950">
              <tr className="text-left">
                <th scope="col" className={th}>
                  Prefix
                </th>
                <th scope="col" className={clsx(th, "text-right")}>
                  Keys
                </th>
                {/* A complete scan counts: there is no interval to show. */}
                {keyspace.estimate && (
                  <th scope="col" className={clsx(th, "text-right")} title="half-width of the 95% interval of the key count">
                    ±95%
                  </th>
                )}
                <th scope="col" className={th}>
                  Share of keys
                </th>
                <th scope="col" className={clsx(th, "text-right")} aria-sort="descending">
                  Memory ↓
                </th>
                <th scope="col" className={th}>
                  Share of memory
                </th>
                <th scope="col" className={clsx(th, "text-right")} title="MEMORY USAGE per key in the sample">
                  Per key
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <PrefixRow key={`${row.kind}:${row.prefix ?? ""}`} row={row} separator={keyspace.separator} estimate={keyspace.estimate} totalKeys={keyspace.totalKeys} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
