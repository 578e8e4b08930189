"use client";
import { useQuery } from "@tanstack/react-query";
import clsx from "clsx";
import Link from "next/link";
import { useEffect, useMemo, useReducer, useRef, useSyncExternalStore } from "react";
import { VerdictBadge } from "@/components/badges";
import { VerdictCounts, WeightBar } from "@/components/overview-figures";
import { FreshnessMeta, ListKeysHint, LoadFailureNotice } from "@/components/page-scaffold";
import { ActionButton, useActionLauncher } from "@/components/request-action-dialog";
import { drainedRegion, drainWeights, regionFailoverForm, type RegionWeight } from "@/components/request-action-kinds";
import { SortableTable, type Column } from "@/components/sortable-table";
import { PageHeader, StaleDataBanner } from "@/components/ui";
import type { RouterOutputs, Verdict } from "@/lib/api-types";
import { formatPercent, formatRate } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import { readError } from "@/lib/trpc-errors";
import { useListKeys } from "@/lib/use-list-keys";
import { useMe } from "@/lib/use-me";
import { FailoverDetails, FailoverSentence } from "./failover-plan";

const REFRESH_MS = 5_000;
const SEVERITY: Record<Verdict, number> = { CRIT: 0, WARN: 1, UNKNOWN: 2, OK: 3 };

type RegionRow = RouterOutputs["regions"]["list"]["regions"][number];

/** Worst first: the region's own health, then how many of its entities are in trouble. */
const byConcern = (a: RegionRow, b: RegionRow) =>
  SEVERITY[a.health.verdict] - SEVERITY[b.health.verdict] || b.counts.CRIT - a.counts.CRIT || b.counts.WARN - a.counts.WARN || a.region.localeCompare(b.region);

// The selected region lives in the URL's fragment (/regions#eu-west-1), which deep links use.
function subscribeToHash(onChange: () => void) {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}
const readHash = () => {
  try {
    return decodeURIComponent(window.location.hash.slice(1));
  } catch {
    return window.location.hash.slice(1);
  }
};

function FailoverShort({ plan }: { plan: RegionRow["failover"] }) {
  if (plan.blockedBecause) return <span className="text-red-700 dark:text-red-400">blocked: {plan.blockedBecause}</span>;
  const risk = plan.servicesAtRisk.length;
  return (
    <span>
      moves {formatPercent(plan.movedShare, 0)} ({formatRate(plan.requestsPerSecondMoved)} req/s)
      {" · "}
      {risk > 0 ? <span className="font-semibold text-red-700 dark:text-red-400">{risk} over max replicas</span> : <span className="text-emerald-700 dark:text-emerald-400">fits</span>}
    </span>
  );
}

const columns: Column<RegionRow>[] = [
  {
    key: "region",
    header: "Region",
    headerClassName: "w-28",
    cell: (row) => (
      <a href={`#${encodeURIComponent(row.region)}`} className="font-mono text-[11px] font-semibold text-sky-700 hover:underline dark:text-sky-400">
        {row.region}
      </a>
    ),
  },
  { key: "health", header: "Health", headerClassName: "w-24", cell: (row) => <VerdictBadge verdict={row.health.verdict} reasons={row.health.reasons} /> },
  { key: "weight", header: "weight", title: "share of the environment's traffic", headerClassName: "w-40", cell: (row) => <WeightBar weight={row.traffic?.trafficWeight} className="w-full" label={`${row.region} traffic weight`} /> },
  { key: "rps", header: "req/s", title: "requests per second", align: "right", headerClassName: "w-20", cell: (row) => formatRate(row.traffic?.requestsPerSecond) },
  {
    key: "errors",
    header: "err %",
    title: "error ratio, weighted by traffic",
    align: "right",
    headerClassName: "w-16",
    cell: (row) => <span className={clsx(row.health.verdict !== "OK" && "font-semibold text-amber-700 dark:text-amber-400")}>{formatPercent(row.traffic?.errorRatio)}</span>,
  },
  { key: "entities", header: "entities", title: "verdicts of the region's services, queues, caches and shards", headerClassName: "w-48", cell: (row) => <VerdictCounts counts={row.counts} /> },
  { key: "failover", header: "if failed over", title: "what failing this region over would move", cell: (row) => <FailoverShort plan={row.failover} /> },
];

export function RegionsView() {
  const trpc = useTRPC();
  const query = useQuery(trpc.regions.list.queryOptions(undefined, { refetchInterval: REFRESH_MS }));
  const data = query.data;
  const error = readError(query.error);
  const rows = useMemo(() => [...(data?.regions ?? [])].sort(byConcern), [data]);

  const { can } = useMe();
  const mayRequest = can("action.request");
  const weights: RegionWeight[] = [...rows].sort((a, b) => a.region.localeCompare(b.region)).map((row) => ({ region: row.region, share: row.traffic?.trafficWeight ?? null }));
  // Draining one region: the page's own plan of that failover says what it moves and what breaks.
  const drainNotes = (params: Record<string, unknown>) => {
    const drained = drainedRegion(params.weights);
    const plan = rows.find((row) => row.region === drained)?.failover;
    return plan ? (
      <p className="leading-5" data-testid="failover-form-plan">
        <FailoverSentence plan={plan} />
      </p>
    ) : null;
  };
  const launcher = useActionLauncher([data && rows.length > 1 ? regionFailoverForm(data.environment, weights, drainNotes) : null], { allowed: mayRequest });
  const openDrain = (region: string) => launcher.open("region.failover", drainWeights(weights, region));

  const hash = useSyncExternalStore(subscribeToHash, readHash, () => "");
  const selected = hash || null;
  // A deep link or a followed anchor (/regions#us-east-1) scrolls to its region once the figures
  // are there to show; moving with j/k only marks the region, without pulling the page along.
  const revealedFor = useRef<string | null>(null);
  const [, rerender] = useReducer((n: number) => n + 1, 0);

  const select = (region: string) => {
    revealedFor.current = region;
    // The fragment follows the selection (so the URL can be shared) without the jump a hash change causes.
    window.history.replaceState(window.history.state, "", `#${encodeURIComponent(region)}`);
    rerender();
  };
  // Scrolls only: moving the focus into the section would take the keyboard away from the list's j/k/Enter.
  const reveal = (region: string) => document.getElementById(region)?.scrollIntoView({ block: "start" });

  const hashKnown = rows.some((row) => row.region === hash);
  useEffect(() => {
    if (!hash || !hashKnown || revealedFor.current === hash) return;
    // After the frame: the summary table brings its selected row into view first, and this wins.
    const frame = requestAnimationFrame(() => {
      revealedFor.current = hash;
      reveal(hash);
    });
    return () => cancelAnimationFrame(frame);
  }, [hash, hashKnown]);

  const keys = useMemo(() => rows.map((row) => row.region), [rows]);
  useListKeys({ keys, selected: selected && keys.includes(selected) ? selected : null, onSelect: select, onOpen: reveal });

  return (
    <div>
      <PageHeader
        title="Regions"
        meta={
          <FreshnessMeta query={query} error={error}>
            {data && <span>environment {data.environment}</span>}
          </FreshnessMeta>
        }
      >
        <ListKeysHint enter="show its failover plan" />
        {mayRequest && rows.length > 1 && (
          <ActionButton kind="region.failover" size="sm" onOpen={() => launcher.open("region.failover")}>
            Shift traffic…
          </ActionButton>
        )}
      </PageHeader>
      {launcher.status && <div className="mb-2">{launcher.status}</div>}
      <StaleDataBanner freshness={data?.freshness} />
      <LoadFailureNotice error={error} data={data} what="the regions" />

      <SortableTable
        caption="Regions, worst first: traffic, health, their entities' verdicts and what a failover would move"
        columns={columns}
        rows={rows}
        rowKey={(row) => row.region}
        selectedKey={selected}
        onRowClick={(row) => select(row.region)}
        rowTestId="region-summary-row"
        testId="regions-summary"
        fixed
        empty={query.isPending ? "Loading regions…" : "No regions in this environment."}
      />

      <div className="mt-4 space-y-4">
        {rows.map((row) => (
          <RegionSection key={row.region} row={row} targeted={row.region === selected} onDrain={mayRequest && rows.length > 1 ? () => openDrain(row.region) : undefined} />
        ))}
      </div>
      {launcher.dialog}
    </div>
  );
}

function RegionSection({ row, targeted, onDrain }: { row: RegionRow; targeted: boolean; onDrain?: () => void }) {
  const headingId = `region-heading-${row.region}`;
  return (
    <section
      id={row.region}
      aria-labelledby={headingId}
      data-testid="region-section"
      data-region={row.region}
      data-targeted={targeted}
      className={clsx(
        "scroll-mt-3 rounded border p-3",
        targeted ? "border-sky-500 ring-1 ring-sky-500 dark:border-sky-500" : "border-zinc-200 dark:border-zinc-800",
      )}
    >
      <div className="mb-2 flex flex-wrap items-center gap-x-4 gap-y-1">
        <h2 id={headingId} className="flex items-center gap-2 text-sm font-semibold">
          <span className="font-mono">{row.region}</span>
          <VerdictBadge verdict={row.health.verdict} reasons={row.health.reasons} />
        </h2>
        {row.health.reasons.length > 0 && <span className="text-xs text-amber-800 dark:text-amber-300">{row.health.reasons.join("; ")}</span>}
        <dl className="flex flex-wrap items-center gap-x-4 gap-y-1 text-xs">
          <div className="flex items-center gap-1.5">
            <dt className="text-zinc-500">weight</dt>
            <dd className="w-36">
              <WeightBar weight={row.traffic?.trafficWeight} className="w-full" label={`${row.region} traffic weight`} />
            </dd>
          </div>
          <div className="flex gap-1.5">
            <dt className="text-zinc-500">req/s</dt>
            <dd className="tabular-nums">{formatRate(row.traffic?.requestsPerSecond)}</dd>
          </div>
          <div className="flex gap-1.5">
            <dt className="text-zinc-500">errors</dt>
            <dd className="tabular-nums">{formatPercent(row.traffic?.errorRatio)}</dd>
          </div>
          <div className="flex gap-1.5">
            <dt className="text-zinc-500">entities</dt>
            <dd>
              <VerdictCounts counts={row.counts} />
            </dd>
          </div>
        </dl>
        <Link href={`/services?q=${encodeURIComponent(row.region)}`} className="ml-auto text-xs text-sky-700 hover:underline dark:text-sky-400">
          services in {row.region} →
        </Link>
      </div>
      <div className="mb-1 flex items-center gap-2">
        <h3 className="text-xs font-semibold uppercase tracking-wide text-zinc-500">
          If <span className="font-mono normal-case tracking-normal">{row.region}</span> fails over
        </h3>
        {onDrain && (row.traffic?.trafficWeight ?? 1) > 0 && !row.failover.blockedBecause && (
          <ActionButton kind="region.failover" onOpen={onDrain} variant="danger" testId="drain-region">
            Drain {row.region}…
          </ActionButton>
        )}
      </div>
      <p
        data-testid="failover-summary"
        className={clsx(
          "mb-2 rounded border px-2.5 py-1.5 text-xs leading-5",
          row.failover.blockedBecause || row.failover.servicesAtRisk.length > 0
            ? "border-red-200 bg-red-50 dark:border-red-900 dark:bg-red-950/40"
            : "border-zinc-200 bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-900",
        )}
      >
        <FailoverSentence plan={row.failover} />
      </p>
      <FailoverDetails plan={row.failover} />
    </section>
  );
}
