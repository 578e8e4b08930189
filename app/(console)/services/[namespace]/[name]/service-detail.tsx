"use client";
import { useQuery } from "@tanstack/react-query";
import clsx from "clsx";
import Link from "next/link";
import { useMemo } from "react";
import { VerdictBadge } from "@/components/badges";
import { MetricChart, SeriesLegend, type ChartSeries } from "@/components/metric-chart";
import { SortableTable, type Column } from "@/components/sortable-table";
import { isWindowKey, TimeWindowPicker, windowMs, type WindowKey } from "@/components/time-window-picker";
import { AutoscalerPanel, CallGraphPanel } from "@/components/service-neighbourhood";
import { FreshnessLine, Notice, PageHeader, StaleDataBanner } from "@/components/ui";
import type { ServiceDetail } from "@/lib/api-types";
import { formatAxisNumber, formatAxisPercent, formatDateTime, formatMs, formatPercent, formatRate } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import { readError } from "@/lib/trpc-errors";
import { useMe } from "@/lib/use-me";
import { useNow } from "@/lib/use-now";
import { useUrlState } from "@/lib/use-url-state";
import { RecentActions } from "./recent-actions";
import { ScaleForm } from "./scale-form";

const REFRESH_MS = 10_000;

type RegionRow = ServiceDetail["regions"][number];

/** `from`/`to` in the URL: epoch milliseconds or anything Date parses (ISO). */
function parseInstant(value: string | null): number | null {
  if (!value) return null;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

const regionColumns: Column<RegionRow>[] = [
  { key: "region", header: "Region", cell: (row) => <span className="font-mono text-[11px]">{row.region}</span> },
  { key: "verdict", header: "Health", cell: (row) => <VerdictBadge verdict={row.health.verdict} reasons={row.health.reasons} /> },
  {
    key: "desired",
    header: "desired",
    title: "desired replicas (spec.replicas)",
    align: "right",
    cell: (row) => (
      <span data-testid="desired-replicas" className="font-semibold">
        {row.desiredReplicas}
      </span>
    ),
  },
  {
    key: "available",
    header: "available",
    title: "available replicas",
    align: "right",
    cell: (row) => (
      <span data-testid="available-replicas" className={clsx(row.availableReplicas < row.desiredReplicas && "font-semibold text-amber-700 dark:text-amber-400")}>
        {row.availableReplicas}
      </span>
    ),
  },
  { key: "bounds", header: "min–max", title: "replica bounds", align: "right", cell: (row) => <span className="text-zinc-500">{row.minReplicas}–{row.maxReplicas}</span> },
  { key: "rps", header: "req/s", align: "right", cell: (row) => formatRate(row.stats?.requestsPerSecond) },
  { key: "errors", header: "err %", align: "right", cell: (row) => formatPercent(row.stats?.errorRatio) },
  { key: "p95", header: "p95 ms", align: "right", cell: (row) => formatMs(row.stats?.p95LatencyMs) },
  { key: "cpu", header: "CPU %", align: "right", cell: (row) => formatPercent(row.stats?.cpuUtilisation, 0) },
];

const CHARTS = [
  { key: "requestsPerSecond", title: "Requests/s", format: formatRate, axis: formatAxisNumber },
  { key: "p95LatencyMs", title: "p95 latency (ms)", format: formatMs, axis: formatAxisNumber },
  { key: "errorRatio", title: "Errors", format: (v: number) => formatPercent(v), axis: formatAxisPercent },
  { key: "cpuUtilisation", title: "CPU (of requested)", format: (v: number) => formatPercent(v, 0), axis: formatAxisPercent },
  { key: "replicas", title: "Available replicas", format: (v: number) => String(Math.round(v)), axis: formatAxisNumber },
] as const;

export function ServiceDetailView({ namespace, name }: { namespace: string; name: string }) {
  const trpc = useTRPC();
  const url = useUrlState();
  const { can, loading: meLoading } = useMe();

  const absoluteFrom = parseInstant(url.get("from"));
  const absoluteTo = parseInstant(url.get("to"));
  const absolute = absoluteFrom !== null && absoluteTo !== null && absoluteTo > absoluteFrom ? { from: absoluteFrom, to: absoluteTo } : null;
  const windowKey: WindowKey | null = absolute ? null : isWindowKey(url.get("window")) ? (url.get("window") as WindowKey) : "1h";
  // Relative windows slide with a clock that stops while the tab is hidden.
  const now = useNow(REFRESH_MS, absolute === null);
  const range = absolute ?? { from: now - windowMs(windowKey ?? "1h"), to: now };

  const query = useQuery(
    trpc.services.get.queryOptions(
      { namespace, name, window: range },
      // An absolute window keeps its key, so it refreshes by interval; a relative one by its clock.
      { refetchInterval: absolute ? REFRESH_MS : false },
    ),
  );
  const data = query.data;
  const error = readError(query.error);

  const series = useMemo(() => {
    if (!data) return null;
    return CHARTS.map((chart) => ({
      ...chart,
      series: data.series.map(
        (s): ChartSeries => ({ name: s.region, points: s.points.map((p) => ({ t: p.t, value: p[chart.key] })) }),
      ),
    }));
  }, [data]);

  const reasons = data ? data.regions.flatMap((r) => r.health.reasons.map((reason) => `${r.region}: ${reason}`)) : [];

  return (
    <div>
      <nav aria-label="Breadcrumb" className="mb-1 text-xs text-zinc-500">
        <Link href="/services" className="hover:underline">
          Services
        </Link>{" "}
        / {namespace} / <span className="text-zinc-700 dark:text-zinc-300">{name}</span>
      </nav>
      <PageHeader
        title={
          <span className="flex items-center gap-2">
            {data ? <VerdictBadge verdict={data.verdict} reasons={reasons} /> : <span className="inline-block h-[18px] w-[4.5rem] rounded bg-zinc-100 dark:bg-zinc-800" />}
            <span>
              <span className="font-normal text-zinc-500">{namespace}/</span>
              {name}
            </span>
          </span>
        }
        meta={
          <span className="flex items-center gap-3">
            {data && <span>environment {data.environment}</span>}
            <FreshnessLine updatedAt={query.dataUpdatedAt} fetching={query.isFetching} error={error?.message ?? null} />
          </span>
        }
      />

      <StaleDataBanner freshness={data?.freshness} />
      {reasons.length > 0 && (
        <ul className="mb-3 flex flex-wrap gap-x-4 gap-y-0.5 text-xs text-zinc-700 dark:text-zinc-300" aria-label="Why this verdict" data-testid="verdict-reasons">
          {reasons.map((reason) => (
            <li key={reason} className="before:mr-1 before:text-zinc-400 before:content-['•']">
              {reason}
            </li>
          ))}
        </ul>
      )}

      {error && !data && (
        <div className="mb-3">
          <Notice tone="error">{error.code === "NOT_FOUND" ? error.message : `Could not load the service: ${error.message}`}</Notice>
        </div>
      )}

      {/* On wide screens the scale form sits beside everything; on narrow ones right after the regions. */}
      <div className="grid items-start gap-4 xl:grid-cols-[minmax(0,1fr)_24rem] xl:grid-rows-[auto_1fr]">
        <section aria-labelledby="regions-heading" className="min-w-0 xl:col-start-1">
          <h2 id="regions-heading" className="mb-1 text-xs font-semibold uppercase tracking-wide text-zinc-500">
            Regions
          </h2>
          <SortableTable
            caption="Replicas and figures per region"
            columns={regionColumns}
            rows={data?.regions ?? []}
            rowKey={(row) => row.region}
            rowTestId="region-row"
            empty={query.isPending ? "Loading…" : "No regions."}
            testId="regions-table"
          />
        </section>
        <aside className="min-w-0 space-y-4 xl:col-start-2 xl:row-span-2 xl:row-start-1">
          <section id="scale" aria-labelledby="scale-heading" className="rounded border border-zinc-200 p-3 dark:border-zinc-800">
            <h2 id="scale-heading" className="mb-2 text-xs font-semibold uppercase tracking-wide text-zinc-500">
              Scale
            </h2>
            {meLoading || !data ? (
              <div className="h-40" aria-busy />
            ) : can("action.request") ? (
              <ScaleForm
                environment={data.environment}
                namespace={namespace}
                name={name}
                regions={data.regions.map((r) => ({ region: r.region, desired: r.desiredReplicas, available: r.availableReplicas, min: r.minReplicas, max: r.maxReplicas }))}
              />
            ) : (
              <p className="text-xs text-zinc-500" data-testid="scale-not-allowed">
                Your role can look but not request changes. An operator can scale this service.
              </p>
            )}
          </section>

          <section aria-labelledby="recent-heading">
            <h2 id="recent-heading" className="mb-1 text-xs font-semibold uppercase tracking-wide text-zinc-500">
              Recent actions
            </h2>
            {data ? <RecentActions target={{ environment: data.environment, namespace, name }} /> : <div className="h-20" />}
          </section>
        </aside>
        <section aria-labelledby="charts-heading" className="min-w-0 xl:col-start-1">
          <div className="mb-1 flex flex-wrap items-center gap-3">
            <h2 id="charts-heading" className="text-xs font-semibold uppercase tracking-wide text-zinc-500">
              Metrics
            </h2>
            <TimeWindowPicker
              value={windowKey}
              onChange={(key) => url.set({ window: key, from: null, to: null })}
              custom={absolute ? `${formatDateTime(absolute.from)} → ${formatDateTime(absolute.to)}` : undefined}
            />
            {data && <SeriesLegend names={data.series.map((s) => s.region)} />}
          </div>
          <div className="grid gap-2 md:grid-cols-2 xl:grid-cols-3">
            {series
              ? series.map((chart) => (
                  <MetricChart key={chart.key} title={chart.title} series={chart.series} format={chart.format} axisFormat={chart.axis} domain={[range.from, range.to]} testId={`chart-${chart.key}`} />
                ))
              : CHARTS.map((chart) => <div key={chart.key} className="h-[150px] rounded border border-zinc-200 dark:border-zinc-800" aria-hidden />)}
          </div>
        </section>
        <section aria-labelledby="autoscaler-heading" className="min-w-0 xl:col-start-1">
          <h2 id="autoscaler-heading" className="mb-1 text-xs font-semibold uppercase tracking-wide text-zinc-500">
            Autoscaler
          </h2>
          {data ? <AutoscalerPanel autoscalers={data.autoscalers} /> : <div className="h-16" aria-busy />}
        </section>
        <section aria-labelledby="calls-heading" className="min-w-0 xl:col-start-1">
          <h2 id="calls-heading" className="mb-1 text-xs font-semibold uppercase tracking-wide text-zinc-500">
            Calls and circuit breakers
          </h2>
          {data ? <CallGraphPanel calls={data.calls} /> : <div className="h-24" aria-busy />}
        </section>
      </div>
    </div>
  );
}
