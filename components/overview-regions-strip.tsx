// The regions on the overview: one tile each with its traffic weight, load, error ratio and
// health, linking to its section of the regions page.
import Link from "next/link";
import type { RouterOutputs } from "@/lib/api-types";
import { formatPercent, formatRate } from "@/lib/format";
import { VerdictBadge } from "./badges";
import { WeightBar } from "./overview-figures";
import type { OverviewSample } from "./overview-history";
import { Sparkline } from "./overview-sparkline";

type RegionOverview = RouterOutputs["overview"]["get"]["regions"][number];

export function RegionsStrip({
  regions,
  history,
  range,
  gapMs,
}: {
  regions: RegionOverview[];
  history: OverviewSample[];
  range: { from: number; to: number; label: string };
  gapMs: number;
}) {
  if (regions.length === 0) return <p className="text-xs text-zinc-500">No region reports traffic figures.</p>;
  return (
    <ul className="grid grid-cols-[repeat(auto-fit,minmax(16rem,1fr))] gap-2" aria-label="Regions">
      {regions.map((region) => {
        const points = (pick: (figures: OverviewSample["regions"][string]) => number) =>
          history.flatMap((sample) => {
            const figures = sample.regions[region.region];
            return figures ? [{ t: sample.t, v: pick(figures) }] : [];
          });
        const rps = points((figures) => figures.requestsPerSecond);
        const errors = points((figures) => figures.errorRatio);
        return (
          <li key={region.region} data-testid="overview-region" data-region={region.region} data-verdict={region.health.verdict} className="min-w-0 rounded border border-zinc-200 p-2 dark:border-zinc-800">
            <div className="flex items-center justify-between gap-2">
              <Link href={`/regions#${encodeURIComponent(region.region)}`} className="font-mono text-xs font-semibold hover:underline">
                {region.region}
              </Link>
              <VerdictBadge verdict={region.health.verdict} reasons={region.health.reasons} />
            </div>
            <WeightBar weight={region.trafficWeight} className="mt-1.5 w-full text-[11px]" label={`${region.region} traffic weight`} />
            <dl className="mt-1 grid grid-cols-2 gap-x-2 text-[11px]">
              <div>
                <dt className="text-zinc-500">req/s</dt>
                <dd className="tabular-nums">{formatRate(region.requestsPerSecond)}</dd>
              </div>
              <div>
                <dt className="text-zinc-500">errors</dt>
                <dd className={region.health.verdict === "OK" ? "tabular-nums" : "font-semibold tabular-nums text-amber-700 dark:text-amber-400"}>{formatPercent(region.errorRatio)}</dd>
              </div>
            </dl>
            {history.length >= 2 && (
              <div className="mt-0.5 grid grid-cols-2 gap-x-2">
                <Sparkline series={[{ className: "stroke-sky-600 dark:stroke-sky-400", points: rps }]} from={range.from} to={range.to} gapMs={gapMs} zeroBased={false} height={16} label={`${region.region} requests per second, ${range.label}`} />
                <Sparkline series={[{ className: "stroke-red-600 dark:stroke-red-400", points: errors }]} from={range.from} to={range.to} gapMs={gapMs} height={16} label={`${region.region} error ratio, ${range.label}`} />
              </div>
            )}
            {region.health.reasons.length > 0 && <p className="mt-1 text-[11px] text-amber-800 dark:text-amber-300">{region.health.reasons.join("; ")}</p>}
          </li>
        );
      })}
    </ul>
  );
}
