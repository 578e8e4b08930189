"use client";
import { useQuery } from "@tanstack/react-query";
import clsx from "clsx";
import { useMemo } from "react";
import { AlertPanel } from "@/components/alert-panel";
import { VerdictBadge } from "@/components/badges";
import { MetricChart, SeriesLegend, type ChartSeries } from "@/components/metric-chart";
import { Breadcrumb, FreshnessMeta, LoadFailureNotice, ReasonList, reasonsByRegion, VerdictTitle } from "@/components/page-scaffold";
import { ActionButton, useActionLauncher } from "@/components/request-action-dialog";
import { breakerForceForm, serviceAutoscaleForm, serviceRestartForm, serviceScaleForm, type ServiceRegionState } from "@/components/request-action-kinds";
import { AutoscalerPanel, CallGraphPanel } from "@/components/service-neighbourhood";
import { SortableTable, type Column } from "@/components/sortable-table";
import { isWindowKey, TimeWindowPicker, windowMs, type WindowKey } from "@/components/time-window-picker";
import { PageHeader, StaleDataBanner } from "@/components/ui";
import type { ServiceDetail } from "@/lib/api-types";
import { formatAxisNumber, formatAxisPercent, formatDateTime, formatMs, formatPercent, formatRate } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import { readError } from "@/lib/trpc-errors";
import { useMe } from "@/lib/use-me";
import { useNow } from "@/lib/use-now";
import { useUrlState } from "@/lib/use-url-state";
import { RecentActions } from "./recent-actions";

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

  const reasons = data ? reasonsByRegion(data.regions) : [];

  // The requests this page offers, from what it shows: every form starts at the current state.
  const mayRequest = can("action.request");
  const preferredRegion = url.get("region");
  const target = data ? { environment: data.environment, namespace, service: name } : null;
  const regionStates: ServiceRegionState[] = (data?.regions ?? []).map((r) => ({ region: r.region, desired: r.desiredReplicas, available: r.availableReplicas, min: r.minReplicas, max: r.maxReplicas }));
  const autoscalers = (data?.autoscalers ?? []).map((hpa) => ({
    region: hpa.region,
    minReplicas: hpa.minReplicas,
    maxReplicas: hpa.maxReplicas,
    targetCpuPercent: Math.round(hpa.targetCpuUtilisation * 100),
    currentReplicas: hpa.currentReplicas,
  }));
  const edges = (data?.calls.downstream ?? []).map((edge) => ({ dependency: edge.dependency, region: edge.region, state: edge.breakerState }));
  const launcher = useActionLauncher(
    target
      ? [
          serviceScaleForm(target, regionStates, preferredRegion),
          autoscalers.length > 0 && serviceAutoscaleForm(target, autoscalers, preferredRegion),
          serviceRestartForm(target, regionStates, preferredRegion),
          edges.length > 0 && breakerForceForm(target, edges),
        ]
      : [],
    { allowed: mayRequest },
  );

  return (
    <div>
      <Breadcrumb trail={[{ label: "Services", href: "/services" }, { label: namespace }]} current={name} />
      <PageHeader
        title={
          // Unlike the other detail pages, the box stays after a failure: the notice below says why.
          <VerdictTitle verdict={data?.verdict ?? null} reasons={reasons} placeholder="still">
            <span>
              <span className="font-normal text-zinc-500">{namespace}/</span>
              {name}
            </span>
          </VerdictTitle>
        }
        meta={<FreshnessMeta query={query} error={error}>{data && <span>environment {data.environment}</span>}</FreshnessMeta>}
      />

      <StaleDataBanner freshness={data?.freshness} />
      <ReasonList reasons={reasons} label="Why this verdict" className="mb-3" testId="verdict-reasons" />

      <LoadFailureNotice error={error} data={data} what="the service" notFound={(message) => message} className="mb-3" />

      <div className="mb-4">
        <AlertPanel
          resource={{ kinds: ["service"], namespace, name, region: preferredRegion }}
          what="service"
          chartFor={(figure) => {
            const chart = series?.find((candidate) => candidate.key === figure);
            return chart ? { title: chart.title, series: chart.series, domain: [range.from, range.to], format: chart.format, axisFormat: chart.axis } : null;
          }}
        />
      </div>

      {/* On wide screens the actions sit beside everything; on narrow ones right after the regions. */}
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
          <section id="actions" aria-labelledby="actions-heading" className="rounded border border-zinc-200 p-3 dark:border-zinc-800">
            <h2 id="actions-heading" className="mb-2 text-xs font-semibold uppercase tracking-wide text-zinc-500">
              Actions
            </h2>
            {meLoading || !data ? (
              <div className="h-7" aria-busy />
            ) : mayRequest ? (
              <div className="space-y-2">
                <div className="flex flex-wrap items-center gap-1.5">
                  <ActionButton kind="service.scale" size="sm" variant="primary" onOpen={() => launcher.open("service.scale")}>
                    Scale…
                  </ActionButton>
                  <ActionButton kind="service.autoscale" size="sm" onOpen={() => launcher.open("service.autoscale")} disabled={autoscalers.length === 0} title={autoscalers.length === 0 ? "this service has no autoscaler" : undefined}>
                    Autoscaler…
                  </ActionButton>
                  <ActionButton kind="service.restart" size="sm" onOpen={() => launcher.open("service.restart")}>
                    Restart…
                  </ActionButton>
                </div>
                <p className="text-[11px] text-zinc-500">
                  Each opens a request with a live preview; it runs once approved.
                  {edges.length > 0 && " To force a circuit breaker, click its state in the calls below."}
                </p>
                {launcher.status}
              </div>
            ) : (
              <p className="text-xs text-zinc-500" data-testid="scale-not-allowed">
                Your role can look but not request changes. An operator can scale, restart or change the autoscaler of this service.
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
          {data ? <AutoscalerPanel autoscalers={data.autoscalers} onChange={mayRequest ? (region) => launcher.open("service.autoscale", { region }) : undefined} /> : <div className="h-16" aria-busy />}
        </section>
        <section aria-labelledby="calls-heading" className="min-w-0 xl:col-start-1">
          <h2 id="calls-heading" className="mb-1 text-xs font-semibold uppercase tracking-wide text-zinc-500">
            Calls and circuit breakers
          </h2>
          {data ? (
            <CallGraphPanel calls={data.calls} onForceBreaker={mayRequest ? (edge) => launcher.open("breaker.force", { dependency: edge.dependency, region: edge.region }) : undefined} />
          ) : (
            <div className="h-24" aria-busy />
          )}
        </section>
      </div>
      {launcher.dialog}
    </div>
  );
}
