// One area of the fleet (services, queues, caches or shards) on the overview: its verdict,
// counts by verdict overall and per region, and how the CRIT and WARN counts moved lately.
import clsx from "clsx";
import Link from "next/link";
import type { RouterOutputs } from "@/lib/api-types";
import { VerdictBadge } from "./badges";
import { VERDICT_EDGE, VerdictBar, VerdictCounts } from "./overview-figures";
import type { OverviewSample } from "./overview-history";
import { Sparkline } from "./overview-sparkline";

export type AreaSummary = RouterOutputs["overview"]["get"]["areas"][number];

export const AREA_META: Record<AreaSummary["area"], { title: string; href: string; what: string }> = {
  services: { title: "Services", href: "/services", what: "workloads (service × region)" },
  queues: { title: "Queues", href: "/queues", what: "Kafka clusters, topics and consumer groups" },
  caches: { title: "Caches", href: "/caches", what: "Redis instances" },
  shards: { title: "Shards", href: "/shards", what: "MongoDB and Elasticsearch clusters" },
};

export function AreaCard({
  summary,
  regions,
  history,
  range,
  gapMs,
}: {
  summary: AreaSummary;
  regions: string[];
  history: OverviewSample[];
  /** The span the sparkline covers and how to say it ("last 4 min, this tab"). */
  range: { from: number; to: number; label: string };
  gapMs: number;
}) {
  const meta = AREA_META[summary.area];
  const headingId = `area-${summary.area}`;
  const points = (verdict: "CRIT" | "WARN") => history.flatMap((sample) => (sample.areas[summary.area] ? [{ t: sample.t, v: sample.areas[summary.area]![verdict] }] : []));
  const crit = points("CRIT");
  const warn = points("WARN");
  const notOk = summary.counts.CRIT + summary.counts.WARN + summary.counts.UNKNOWN;
  const regionNames = [...new Set([...regions, ...Object.keys(summary.byRegion)])];

  return (
    <section
      aria-labelledby={headingId}
      data-testid="area-card"
      data-area={summary.area}
      data-verdict={summary.verdict}
      className={clsx("flex min-w-0 flex-col gap-1.5 rounded border border-l-4 border-zinc-200 p-2.5 dark:border-zinc-800", summary.total > 0 ? VERDICT_EDGE[summary.verdict] : "border-l-zinc-300 dark:border-l-zinc-700")}
    >
      <div className="flex items-center justify-between gap-2">
        <h2 id={headingId} className="text-sm font-semibold">
          <Link href={meta.href} className="hover:underline">
            {meta.title}
          </Link>
        </h2>
        {summary.total > 0 && <VerdictBadge verdict={summary.verdict} reasons={notOk > 0 ? [`${notOk} of ${summary.total} not OK`] : []} />}
      </div>
      {summary.total === 0 ? (
        <p className="text-xs text-zinc-500">None visible to you in this environment.</p>
      ) : (
        <>
          <div>
            <VerdictCounts counts={summary.counts} className="text-sm" testId="area-counts" />
            <p className="text-[11px] text-zinc-500">
              {summary.total.toLocaleString("en-US")} {meta.what}
            </p>
          </div>
          <ul aria-label={`${meta.title} by region`} className="space-y-0.5 text-[11px]">
            {regionNames.map((region) => {
              const counts = summary.byRegion[region];
              if (!counts) return null;
              return (
                <li key={region} className="grid grid-cols-[5.5rem_minmax(2rem,1fr)_auto] items-center gap-2" data-testid="area-region" data-region={region}>
                  <span className="truncate font-mono text-zinc-600 dark:text-zinc-400">{region}</span>
                  <VerdictBar counts={counts} />
                  <VerdictCounts counts={counts} />
                </li>
              );
            })}
          </ul>
        </>
      )}
      <div className="mt-auto pt-1">
        {history.length >= 2 ? (
          <Sparkline
            series={[
              { className: "stroke-amber-500", points: warn },
              { className: "stroke-red-600 dark:stroke-red-500", points: crit },
            ]}
            from={range.from}
            to={range.to}
            gapMs={gapMs}
            height={22}
            label={`${meta.title}: CRIT ${crit[0]?.v ?? 0} → ${crit.at(-1)?.v ?? 0}, WARN ${warn[0]?.v ?? 0} → ${warn.at(-1)?.v ?? 0}, ${range.label}`}
          />
        ) : (
          <div className="h-[22px]" aria-hidden />
        )}
        <p className="flex justify-between text-[10px] text-zinc-500">
          <span>
            <span className="text-red-700 dark:text-red-400">CRIT</span> / <span className="text-amber-700 dark:text-amber-400">WARN</span> count
          </span>
          <span>{history.length >= 2 ? range.label : "collecting, this tab…"}</span>
        </p>
      </div>
    </section>
  );
}
