// What Scaleplane read from a Redis cache's instances themselves, for one region: a row of
// glanceable figures (replication in sync, Sentinels agreeing, failover possible, slowlog,
// memory policy), then the instances with replication, the Sentinels, and the key namespaces.
// It has its own freshness: the instances can stop answering while the metrics stay fresh.
import clsx from "clsx";
import type { ReactNode } from "react";
import { formatClock } from "@/lib/format";
import { formatDuration } from "@/server/domain/health/format";
import { CacheInstancesTable } from "./cache-detail-instances";
import { CacheKeyspacePanel } from "./cache-detail-keyspace";
import { canFailOver, instanceRows, neverRead, replicationSummary, sentinelFindings, worstTone, type LiveCacheDetail, type ObservedCacheDetail } from "./cache-detail-model";
import { CacheSentinelPanel } from "./cache-detail-sentinel";
import { FigureGrid, FigureTile } from "./caches-figures";
import type { UsageTone } from "./caches-usage-bar";
import { Notice } from "./ui";

/** What each maxmemory-policy does when memory is full, for the tile's tooltip. */
const POLICY_HINTS: Record<string, string> = {
  noeviction: "when memory is full, writes fail with OOM errors",
  "allkeys-lru": "when memory is full, the least recently used keys are evicted",
  "allkeys-lfu": "when memory is full, the least frequently used keys are evicted",
  "allkeys-random": "when memory is full, random keys are evicted",
  "volatile-lru": "when memory is full, the least recently used keys with a TTL are evicted; without such keys writes fail",
  "volatile-lfu": "when memory is full, the least frequently used keys with a TTL are evicted; without such keys writes fail",
  "volatile-random": "when memory is full, random keys with a TTL are evicted; without such keys writes fail",
  "volatile-ttl": "when memory is full, the keys closest to expiring are evicted; without keys with a TTL writes fail",
};

function Subsection({ id, title, children, className }: { id: string; title: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section aria-labelledby={id} className={clsx("min-w-0", className)}>
      <h3 id={id} className="mb-1 text-[11px] font-semibold uppercase tracking-wide text-zinc-500">
        {title}
      </h3>
      {children}
    </section>
  );
}

/** How the rates and the hit ratio shown for this region were computed. */
function basisText(detail: LiveCacheDetail): string {
  const rates = detail.ratesBasis === "interval" && detail.intervalSeconds !== null ? `rates over the last ${detail.intervalSeconds.toFixed(0)} s` : "rates since the instances started (first read)";
  const hitRatio =
    detail.hitRatioBasis === "interval"
      ? "hit ratio over the same interval"
      : detail.hitRatioBasis === "cumulative"
        ? "hit ratio since the instances started (too few lookups in the interval)"
        : "no lookups at all, hit ratio not meaningful";
  return `${rates}; ${hitRatio}`;
}

export function CacheLiveDetail({
  region,
  observed,
  memoryTone,
  updatedAt,
  fetching,
  error,
}: {
  region: string;
  observed: ObservedCacheDetail;
  /** The region's memory tone from its verdict, so the instances' memory agrees with the card above. */
  memoryTone: UsageTone;
  updatedAt: number;
  fetching: boolean;
  /** The last refresh of this detail failed (the answer shown is the one before). */
  error: string | null;
}) {
  const detail = observed.value;
  const headingId = `live-${region}-heading`;
  const unread = neverRead(observed);
  const rows = instanceRows(detail);
  const replication = replicationSummary(rows);
  const sentinel = detail.sentinel;
  const sentinelTone = sentinel ? worstTone(sentinelFindings(sentinel, detail.replication.primary)) : "normal";
  const failover = sentinel ? canFailOver(sentinel) : null;

  return (
    <section
      id={`live-${region}`}
      aria-labelledby={headingId}
      className={clsx("min-w-0 scroll-mt-3 rounded border p-3", observed.stale ? "border-amber-300 dark:border-amber-800" : "border-zinc-200 dark:border-zinc-800")}
      data-testid="cache-live"
      data-region={region}
      data-stale={observed.stale}
    >
      <header className="mb-2 flex flex-wrap items-baseline gap-x-3 gap-y-1">
        <h2 id={headingId} className="text-sm font-semibold">
          <span className="font-mono">{region}</span> <span className="font-normal text-zinc-500">· read from the instances</span>
        </h2>
        <span className="inline-flex items-center gap-1.5 text-xs text-zinc-500 tabular-nums" aria-live="polite" data-testid="live-freshness">
          <span aria-hidden className={clsx("inline-block h-1.5 w-1.5 rounded-full", observed.stale || error ? "bg-amber-500" : fetching ? "animate-pulse bg-sky-500" : "bg-emerald-500")} />
          {unread ? (
            <span>not read yet</span>
          ) : (
            <span>
              read {formatClock(detail.takenAt)}, {formatDuration(observed.ageSeconds * 1000)} ago
              {observed.stale && <span className="ml-1 font-semibold text-amber-700 dark:text-amber-400">stale</span>}
            </span>
          )}
          {error && (
            <span className="text-red-700 dark:text-red-400" title={error}>
              · refresh failed, showing the answer from {updatedAt ? formatClock(updatedAt) : "never"}
            </span>
          )}
        </span>
        {!unread && <span className="text-[11px] text-zinc-500">{basisText(detail)}</span>}
      </header>

      {observed.stale && !unread && (
        <div className="mb-2">
          <Notice tone="warn" testId="live-stale">
            <strong>Stale:</strong> the last read of the instances failed ({observed.error?.message ?? "unknown error"}). Below is what they said{" "}
            {formatDuration(observed.ageSeconds * 1000)} ago; the figures above may come from fresher metrics.
          </Notice>
        </div>
      )}

      {unread ? (
        <Notice tone="error" testId="live-unread">
          Scaleplane has not managed to read these instances yet: {observed.error?.message ?? "no answer"}.
          {detail.instances.length > 0 && <> Configured: {detail.instances.map((instance) => instance.address).join(", ")}.</>}
        </Notice>
      ) : (
        <>
          <FigureGrid className="mb-3">
            <FigureTile
              label="replicas in sync"
              value={replication.replicas === 0 ? "none" : `${replication.inSync} of ${replication.replicas}`}
              tone={replication.replicas === 0 ? "warn" : replication.tone}
              hint="replicas with their link up, online, acknowledging and close to the primary's offset"
              testId="live-replication"
            />
            <FigureTile
              label="Sentinels agree"
              value={sentinel ? `${sentinel.agreeing} of ${sentinel.configured}` : "no Sentinels"}
              tone={sentinelTone}
              hint={sentinel ? `Sentinels naming ${sentinel.master ?? "no primary"} as the primary of ${sentinel.masterName}` : "configured by endpoints: no Sentinel watches this cache"}
              testId="live-sentinels"
            />
            <FigureTile
              label="failover"
              value={failover === null ? "not watched" : failover ? "possible" : "impossible"}
              tone={failover === false ? "crit" : "normal"}
              hint={sentinel?.ckquorum?.message ?? "no Sentinels"}
              testId="live-failover"
            />
            <FigureTile label="slowlog (primary)" value={detail.slowlogLength.toLocaleString("en-US")} unit={detail.slowlogLength === 1 ? "entry" : "entries"} hint="SLOWLOG LEN on the primary" testId="live-slowlog" />
            <FigureTile label="memory policy" value={<span className="font-mono text-base">{detail.memoryPolicy || "–"}</span>} hint={POLICY_HINTS[detail.memoryPolicy] ?? "maxmemory-policy of the primary"} testId="live-memory-policy" />
          </FigureGrid>

          <Subsection id={`live-${region}-instances`} title={`Instances and replication · ${rows.filter((row) => row.instance?.up).length} of ${rows.length} up`} className="mb-3">
            <CacheInstancesTable rows={rows} detail={detail} memoryTone={memoryTone} region={region} />
          </Subsection>

          <div className="grid items-start gap-x-6 gap-y-3 xl:grid-cols-2">
            <Subsection id={`live-${region}-sentinel`} title="Sentinel">
              {sentinel ? (
                <CacheSentinelPanel sentinel={sentinel} primaryRead={detail.replication.primary} />
              ) : (
                <p className="text-xs text-zinc-500">Configured by endpoints, not Sentinels: nothing here fails over on its own.</p>
              )}
            </Subsection>
            <Subsection id={`live-${region}-keyspace`} title="Key namespaces">
              <CacheKeyspacePanel observed={observed} />
            </Subsection>
          </div>
        </>
      )}
    </section>
  );
}
