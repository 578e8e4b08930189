// One compact card per Kafka cluster and region: its verdict and why, brokers, partitions,
// under-replication, and how many of its consumer groups are in trouble. Each card opens the
// cluster's page for that region.
import clsx from "clsx";
import Link from "next/link";
import { VerdictBadge } from "@/components/badges";
import { formatCount, href, VERDICT_RANK, type ClusterRow, type GroupRow } from "./queue-model";

function Figure({ label, value, alert, title }: { label: string; value: string | number; alert?: boolean; title?: string }) {
  return (
    <div title={title}>
      <dt className="text-[10px] uppercase tracking-wide text-zinc-500">{label}</dt>
      <dd className={clsx("tabular-nums", alert ? "font-semibold text-amber-700 dark:text-amber-400" : "text-zinc-800 dark:text-zinc-200")}>{value}</dd>
    </div>
  );
}

export function ClusterCard({ cluster, groups, linked = true }: { cluster: ClusterRow; groups: readonly GroupRow[]; linked?: boolean }) {
  const mine = groups.filter((group) => group.cluster === cluster.cluster && group.region === cluster.region);
  const troubled = mine.filter((group) => group.health.verdict === "CRIT" || group.health.verdict === "WARN").length;
  const title = (
    <span className="flex min-w-0 items-center gap-2">
      <VerdictBadge verdict={cluster.health.verdict} reasons={cluster.health.reasons} />
      <span className="truncate font-semibold">{cluster.cluster}</span>
      <span className="font-mono text-[11px] text-zinc-500">{cluster.region}</span>
    </span>
  );
  return (
    <article
      className={clsx(
        "min-w-0 rounded border p-2 text-xs",
        cluster.health.verdict === "CRIT" ? "border-red-400 dark:border-red-800" : cluster.health.verdict === "WARN" ? "border-amber-400 dark:border-amber-700" : "border-zinc-200 dark:border-zinc-800",
      )}
      data-testid="cluster-card"
      data-key={`${cluster.cluster}@${cluster.region}`}
      aria-label={`Kafka cluster ${cluster.cluster} in ${cluster.region}: ${cluster.health.verdict}`}
    >
      <h3 className="mb-1.5">
        {linked ? (
          <Link href={href.cluster(cluster.cluster, cluster.region)} className="block rounded hover:underline">
            {title}
          </Link>
        ) : (
          title
        )}
      </h3>
      <dl className="grid grid-cols-5 gap-x-2">
        <Figure label="brokers" value={cluster.brokers} alert={cluster.brokers === 0} />
        <Figure label="topics" value={formatCount(cluster.topics)} />
        <Figure label="parts" value={formatCount(cluster.partitions)} title="partitions" />
        <Figure label="URP" value={formatCount(cluster.underReplicatedPartitions)} alert={cluster.underReplicatedPartitions > 0} title="under-replicated partitions" />
        <Figure label="groups" value={troubled > 0 ? `${troubled}/${mine.length}` : mine.length} alert={troubled > 0} title={troubled > 0 ? `${troubled} of ${mine.length} consumer groups WARN or CRIT` : "consumer groups"} />
      </dl>
      {cluster.health.reasons.length > 0 && (
        <ul className="mt-1.5 space-y-0.5 text-zinc-700 dark:text-zinc-300" aria-label="Why this verdict">
          {cluster.health.reasons.map((reason) => (
            <li key={reason} className="before:mr-1 before:text-zinc-400 before:content-['•']">
              {reason}
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}

/** Worst first, then by name, so a cluster in trouble is the first card the eye meets. */
export const clusterOrder = (a: ClusterRow, b: ClusterRow) =>
  VERDICT_RANK[b.health.verdict] - VERDICT_RANK[a.health.verdict] || a.cluster.localeCompare(b.cluster) || a.region.localeCompare(b.region);

export function ClusterStrip({ clusters, groups, loading }: { clusters: readonly ClusterRow[]; groups: readonly GroupRow[]; loading: boolean }) {
  if (loading && clusters.length === 0) {
    return (
      <div className="mb-3 grid gap-2 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4" aria-busy aria-label="Loading Kafka clusters">
        {[0, 1, 2].map((i) => (
          <div key={i} className="h-[72px] animate-pulse rounded border border-zinc-200 bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-900" />
        ))}
      </div>
    );
  }
  return (
    <section aria-label="Kafka clusters" className="mb-3 grid gap-2 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4" data-testid="cluster-strip">
      {[...clusters].sort(clusterOrder).map((cluster) => (
        <ClusterCard key={`${cluster.cluster}@${cluster.region}`} cluster={cluster} groups={groups} />
      ))}
      {clusters.length === 0 && <p className="text-xs text-zinc-500">No Kafka clusters visible to you.</p>}
    </section>
  );
}
