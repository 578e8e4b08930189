"use client";
// The alerts on the resource a page shows: each with the figure it fired on and its threshold
// drawn on the chart (where the rule compares with a fixed number), and what the runbook
// suggests, one click from a prefilled request form. A suggestion never runs by itself: the
// link opens the form, the operator submits it, someone else approves.
import { useQuery } from "@tanstack/react-query";
import clsx from "clsx";
import Link from "next/link";
import { useEffect, type ReactNode } from "react";
import type { RouterOutputs } from "@/lib/api-types";
import { formatDateTime, formatRelative } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import { readError } from "@/lib/trpc-errors";
import { useMe } from "@/lib/use-me";
import { useNow } from "@/lib/use-now";
import { useUrlState } from "@/lib/use-url-state";
import type { AlertResourceKind } from "@/server/domain/alerts/resource";
import type { AlertFigure } from "@/server/domain/alerts/threshold";
import { AlertStatusBadge, SeverityBadge } from "./alert-badges";
import { alertSummary } from "./alert-format";
import { sharedLabelMatchers } from "./alert-silence-dialog";
import { MetricChart, type ChartSeries } from "./metric-chart";
import { requestFormHref } from "./request-action-kinds";
import { Notice } from "./ui";

type ResourceAlert = RouterOutputs["alerts"]["forResource"]["alerts"][number];
type SuggestionItem = ResourceAlert["suggestions"][number];

export interface AlertPanelResource {
  /** The kinds the page shows (a shard cluster's page: mongodb and elasticsearch). */
  kinds: AlertResourceKind[];
  environment?: string;
  /** The region the page is narrowed to; alerts of other regions are left out. */
  region?: string | null;
  namespace?: string;
  cluster?: string;
  name: string;
}

/** A chart the page can draw of one of its figures, over its current window. */
export interface FigureChart {
  title: string;
  series: ChartSeries[];
  domain: [number, number];
  format: (value: number) => string;
  axisFormat?: (value: number) => string;
  /** false: the axis spans the values only (see MetricChart). */
  fromZero?: boolean;
}

const REFRESH_MS = 30_000;

/** A chart of series the page holds, over the time they span: for figures without a window of their own (the lag poller's). */
export function spannedChart(title: string, series: ChartSeries[], format: (value: number) => string, axisFormat?: (value: number) => string): FigureChart | null {
  const times = series.flatMap((line) => line.points.map((point) => point.t));
  if (times.length < 2) return null;
  return { title, series, domain: [Math.min(...times), Math.max(...times)], format, fromZero: false, ...(axisFormat ? { axisFormat } : {}) };
}

/** The figure an alert is about when its rule gives no fixed threshold: a lag alert is about the lag. */
const DEFAULT_FIGURE: Partial<Record<AlertResourceKind, AlertFigure>> = { consumerGroup: "consumerLag" };

const str = (value: unknown) => (typeof value === "string" || typeof value === "number" ? String(value) : "?");

/** The suggestion as the button says it: "Scale the consumers of order-fulfilment to 9 in eu-west-1". */
function suggestionLabel({ kind, params }: SuggestionItem): string {
  switch (kind) {
    case "consumerGroup.scale":
      return `Request scaling the consumers of ${str(params.group)} to ${str(params.replicas)} in ${str(params.region)}`;
    case "service.scale":
      return `Request scaling ${str(params.namespace)}/${str(params.service)} to ${str(params.replicas)} in ${str(params.region)}`;
    case "cache.warm":
      return `Request warming ${str(params.cache)} from "${str(params.source)}" in ${str(params.region)}`;
    case "cache.failover":
      return `Request a failover of ${str(params.cache)} in ${str(params.region)}`;
    default:
      return `Request ${kind}`;
  }
}

function Suggestion({ alert, suggestion, mayRequest }: { alert: ResourceAlert; suggestion: SuggestionItem; mayRequest: boolean }) {
  const reason = `${alert.alertname}: ${suggestion.rationale}`.slice(0, 2000);
  const href = requestFormHref(suggestion.kind, suggestion.params, reason);
  const label = suggestionLabel(suggestion);
  return (
    <li className="rounded border border-sky-300 bg-sky-50 px-2.5 py-1.5 dark:border-sky-800 dark:bg-sky-950/50">
      {mayRequest && href ? (
        <Link
          href={href}
          scroll={false}
          className="inline-flex items-center rounded border border-sky-700 bg-sky-600 px-2 py-0.5 text-xs font-medium text-white hover:bg-sky-700"
          data-testid="suggestion"
          data-kind={suggestion.kind}
          aria-haspopup="dialog"
          title="Opens the request form, prefilled; nothing happens until you submit it and someone approves it"
        >
          {label}…
        </Link>
      ) : (
        <span className="text-xs font-medium" data-testid="suggestion" data-kind={suggestion.kind} aria-disabled>
          Suggested: {label.replace(/^Request /, "")}
        </span>
      )}
      <p className="mt-1 text-xs text-sky-950 dark:text-sky-100" data-testid="suggestion-rationale">
        {suggestion.rationale}
      </p>
      {!mayRequest && <p className="mt-0.5 text-[11px] text-zinc-500">An operator can request this; your role can look only.</p>}
    </li>
  );
}

function ThresholdLine({ threshold }: { threshold: NonNullable<ResourceAlert["threshold"]> }) {
  return (
    <p className="text-[11px] text-zinc-600 dark:text-zinc-400" data-testid="alert-threshold" data-value={threshold.value} data-comparison={threshold.comparison}>
      Fires when{" "}
      <code className="rounded bg-zinc-100 px-1 font-mono text-[10px] text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200" title={threshold.expression}>
        {threshold.measured} {threshold.comparison} {threshold.value}
      </code>
    </p>
  );
}

/** For each alert, the labels that tell it from the resource's other alerts of the same rule (two instances of a cache down: their pods). */
function distinguishingLabels(alerts: readonly ResourceAlert[]): Map<string, [string, string][]> {
  const byRule = new Map<string, ResourceAlert[]>();
  for (const alert of alerts) byRule.set(alert.alertname, [...(byRule.get(alert.alertname) ?? []), alert]);
  const result = new Map<string, [string, string][]>();
  for (const siblings of byRule.values()) {
    if (siblings.length < 2) continue;
    const shared = new Set(sharedLabelMatchers(siblings.map((alert) => alert.labels)).map((matcher) => matcher.name));
    for (const alert of siblings) result.set(alert.fingerprint, Object.entries(alert.labels).filter(([name]) => !shared.has(name)));
  }
  return result;
}

function AlertCard({
  alert,
  labels,
  highlighted,
  chartFor,
  mayRequest,
  now,
  kind,
}: {
  alert: ResourceAlert;
  labels: [string, string][];
  highlighted: boolean;
  chartFor?: (figure: AlertFigure) => FigureChart | null;
  mayRequest: boolean;
  now: number;
  kind: AlertResourceKind | null;
}) {
  const figure = alert.threshold?.figure?.name ?? (kind ? DEFAULT_FIGURE[kind] : undefined);
  const chart = figure ? (chartFor?.(figure) ?? null) : null;
  const threshold = alert.threshold;
  const line = threshold?.figure && chart && threshold.figure.name === figure ? [{ value: threshold.value * threshold.figure.scale, label: `${threshold.comparison} ${chart.format(threshold.value * threshold.figure.scale)}` }] : [];
  const firing = alert.status === "firing";
  return (
    <article
      id={`alert-${alert.fingerprint}`}
      className={clsx(
        "min-w-0 rounded border p-2.5",
        firing ? (alert.severity === "critical" ? "border-red-300 dark:border-red-900" : "border-amber-300 dark:border-amber-800") : "border-zinc-200 dark:border-zinc-800",
        highlighted && "ring-2 ring-sky-500",
      )}
      data-testid="resource-alert"
      data-fingerprint={alert.fingerprint}
      data-status={alert.status}
    >
      <header className="flex flex-wrap items-center gap-2 text-xs">
        <SeverityBadge severity={alert.severity} />
        <span className="font-semibold">{alert.alertname}</span>
        <AlertStatusBadge status={alert.status} />
        {alert.resource?.region && <span className="font-mono text-[11px] text-zinc-500">{alert.resource.region}</span>}
        {labels.map(([name, value]) => (
          <span key={name} className="rounded bg-zinc-100 px-1 font-mono text-[10px] text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300">
            {name}={value}
          </span>
        ))}
        <span className="text-zinc-500">
          {firing ? (
            <time dateTime={new Date(alert.startsAt).toISOString()} title={formatDateTime(alert.startsAt)}>
              firing since {formatRelative(alert.startsAt, now).replace(/ ago$/, "")}
            </time>
          ) : (
            <time dateTime={alert.endsAt ? new Date(alert.endsAt).toISOString() : undefined} title={`fired ${formatDateTime(alert.startsAt)}, resolved ${formatDateTime(alert.endsAt)}`}>
              resolved {alert.endsAt ? formatRelative(alert.endsAt, now) : ""}
            </time>
          )}
        </span>
        <Link href={`/alerts?status=all&q=${encodeURIComponent(alert.alertname)}`} className="ml-auto text-[11px] text-sky-700 hover:underline dark:text-sky-400">
          on the alerts page →
        </Link>
      </header>
      {alertSummary(alert.annotations) && <p className="mt-1 text-sm">{alertSummary(alert.annotations)}</p>}
      {alert.annotations.description && alert.annotations.description !== alertSummary(alert.annotations) && <p className="mt-0.5 text-xs text-zinc-600 dark:text-zinc-400">{alert.annotations.description}</p>}

      {(threshold || chart) && (
        <div className="mt-2 space-y-1">
          {threshold && <ThresholdLine threshold={threshold} />}
          {chart && (
            <div data-testid="alert-chart" data-figure={figure} data-threshold={line[0]?.value}>
              <MetricChart title={chart.title} series={chart.series} format={chart.format} axisFormat={chart.axisFormat} domain={chart.domain} thresholds={line} fromZero={chart.fromZero ?? true} height={110} />
            </div>
          )}
        </div>
      )}

      {firing && (alert.suggestions.length > 0 || alert.suggestionsUnavailable) && (
        <div className="mt-2">
          <h3 className="mb-1 text-[11px] font-semibold uppercase tracking-wide text-zinc-500">Suggested</h3>
          {alert.suggestions.length > 0 && (
            <ul className="space-y-1.5">
              {alert.suggestions.map((suggestion) => (
                <Suggestion key={suggestion.kind} alert={alert} suggestion={suggestion} mayRequest={mayRequest} />
              ))}
            </ul>
          )}
          {alert.suggestionsUnavailable && (
            <p className="text-[11px] text-zinc-500" data-testid="suggestions-unavailable">
              {alert.suggestionsUnavailable}
            </p>
          )}
        </div>
      )}
    </article>
  );
}

/**
 * The page's "Alerts" section. With no alert on the resource it is one quiet line; `recent`
 * (the page's recent actions on the resource) follows the alerts, since an action is often
 * what an alert led to.
 */
export function AlertPanel({
  resource,
  what,
  chartFor,
  recent,
}: {
  resource: AlertPanelResource;
  /** What the page shows, for "No alert fires on this consumer group." */
  what: string;
  chartFor?: (figure: AlertFigure) => FigureChart | null;
  recent?: ReactNode;
}) {
  const trpc = useTRPC();
  const url = useUrlState();
  const now = useNow(10_000);
  const { can } = useMe();
  const highlighted = url.get("alert");
  const query = useQuery(
    trpc.alerts.forResource.queryOptions(
      {
        kinds: resource.kinds,
        name: resource.name,
        ...(resource.environment ? { environment: resource.environment } : {}),
        ...(resource.region ? { region: resource.region } : {}),
        ...(resource.namespace ? { namespace: resource.namespace } : {}),
        ...(resource.cluster ? { cluster: resource.cluster } : {}),
      },
      { refetchInterval: REFRESH_MS },
    ),
  );
  const alerts = query.data?.alerts ?? [];
  const firing = alerts.filter((alert) => alert.status === "firing");
  const error = readError(query.error);
  const labelsOf = distinguishingLabels(alerts);

  // Arriving from the alerts page: the alert it named is the one to read first.
  const arrivedWith = highlighted !== null && alerts.some((alert) => alert.fingerprint === highlighted);
  useEffect(() => {
    if (arrivedWith && highlighted) document.getElementById(`alert-${highlighted}`)?.scrollIntoView({ block: "nearest" });
  }, [arrivedWith, highlighted]);

  return (
    <section aria-labelledby="alerts-panel-heading" className="min-w-0" data-testid="alerts-panel" data-firing={firing.length}>
      <h2 id="alerts-panel-heading" className="mb-1 flex items-center gap-2 text-xs font-semibold uppercase tracking-wide text-zinc-500">
        Alerts
        {firing.length > 0 && <span className="rounded-full bg-red-600 px-1.5 text-[10px] font-semibold normal-case tracking-normal text-white">{firing.length} firing</span>}
      </h2>
      {error && !query.data && <Notice tone="error">Could not load the alerts on this {what}: {error.message}</Notice>}
      {query.isPending ? (
        <div className="h-5" aria-busy />
      ) : alerts.length === 0 ? (
        <p className="text-xs text-zinc-500" data-testid="no-alerts">
          No alert fires on this {what}{resource.region ? ` in ${resource.region}` : ""}.
        </p>
      ) : (
        <div className="space-y-2">
          {alerts.map((alert) => (
            <AlertCard key={alert.fingerprint} alert={alert} labels={labelsOf.get(alert.fingerprint) ?? []} highlighted={alert.fingerprint === highlighted} chartFor={chartFor} mayRequest={can("action.request")} now={now} kind={alert.resource?.kind ?? null} />
          ))}
        </div>
      )}
      {recent && (
        <div className="mt-3">
          <h3 className="mb-1 text-[11px] font-semibold uppercase tracking-wide text-zinc-500">Recent actions</h3>
          {recent}
        </div>
      )}
    </section>
  );
}
