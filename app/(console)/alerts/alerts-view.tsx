"use client";
// /alerts: what fires, grouped as Alertmanager groups it (by rule and resource), worst first,
// each with its resource's health and a link to the resource's page at the alert's time. Live:
// the navigation's alert subscription (components/alert-live.ts) refetches the list whenever
// an alert or a silence changes, so nothing here needs a reload.
import { useQueries, useQuery } from "@tanstack/react-query";
import clsx from "clsx";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { Fragment, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { AlertStatusBadge, SeverityBadge, SEVERITIES } from "@/components/alert-badges";
import { alertSummary, RESOURCE_KIND_LABEL, resourceName } from "@/components/alert-format";
import { ExpireSilenceButton, SilenceDialog, sharedLabelMatchers, type SilenceTarget } from "@/components/alert-silence-dialog";
import { VerdictBadge } from "@/components/badges";
import { FilterTextBox, useFilterText } from "@/components/list-filter-bar";
import { FreshnessMeta, ListKeysHint, LoadFailureNotice } from "@/components/page-scaffold";
import { Button, inputClass, Notice, PageHeader } from "@/components/ui";
import type { RouterOutputs, Verdict } from "@/lib/api-types";
import { formatDateTime, formatDuration, formatRelative } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import { readError } from "@/lib/trpc-errors";
import { useListKeys } from "@/lib/use-list-keys";
import { useNow } from "@/lib/use-now";
import { useUrlState } from "@/lib/use-url-state";
import { alertResourceHref, resourceVerdict, type JudgedEntity } from "@/server/domain/alerts/drilldown";
import { matchersForLabels } from "@/server/domain/alerts/matchers";
import { ALERT_RESOURCE_KINDS, type AlertResourceKind } from "@/server/domain/alerts/resource";

type AlertGroup = RouterOutputs["alerts"]["list"]["groups"][number];
type AlertItem = AlertGroup["alerts"][number];

const STATUSES = [
  { key: "firing", label: "Firing" },
  { key: "resolved", label: "Resolved" },
  { key: "all", label: "All" },
] as const;
type Status = (typeof STATUSES)[number]["key"];

// Live events refresh the list at once; this only covers a dropped event stream.
const FALLBACK_POLL_MS = 30_000;
const HEALTH_REFRESH_MS = 15_000;

const isKind = (value: string | null): value is AlertResourceKind => ALERT_RESOURCE_KINDS.some((kind) => kind === value);

/** What the text filter looks through: the rule, the resource, the summary and every label value. */
function haystackOf(group: AlertGroup): string {
  const parts = [group.alertname, group.environment ?? "", group.resource ? `${resourceName(group.resource)} ${group.resource.region ?? ""}` : ""];
  for (const alert of group.alerts) parts.push(alertSummary(alert.annotations), ...Object.values(alert.labels));
  return parts.join(" ").toLowerCase();
}

/** The labels that tell a group's alerts apart (what they do not all share). */
function distinguishingLabels(group: AlertGroup, alert: AlertItem): [string, string][] {
  const shared = new Set(sharedLabelMatchers(group.alerts.map((item) => item.labels)).map((matcher) => matcher.name));
  return Object.entries(alert.labels).filter(([name]) => !shared.has(name));
}

function Since({ alert, now }: { alert: Pick<AlertItem, "status" | "startsAt" | "endsAt">; now: number }) {
  if (alert.status === "resolved" && alert.endsAt) {
    return (
      <time dateTime={new Date(alert.endsAt).toISOString()} title={`fired ${formatDateTime(alert.startsAt)}, resolved ${formatDateTime(alert.endsAt)} (after ${formatDuration(Number(alert.endsAt) - Number(alert.startsAt))})`}>
        resolved {formatRelative(alert.endsAt, now)}
      </time>
    );
  }
  return (
    <time dateTime={new Date(alert.startsAt).toISOString()} title={`firing since ${formatDateTime(alert.startsAt)}`} className="tabular-nums">
      {formatRelative(alert.startsAt, now).replace(/ ago$/, "")}
    </time>
  );
}

function ResourceCell({ group, href }: { group: AlertGroup; href: string | null }) {
  const { resource } = group;
  if (!resource) return <span className="text-zinc-500">{group.environment ? `names no resource (${group.environment})` : "names no resource"}</span>;
  return (
    <span className="flex min-w-0 items-baseline gap-1.5">
      <span className="shrink-0 text-[11px] text-zinc-500">{RESOURCE_KIND_LABEL[resource.kind]}</span>
      {href ? (
        <Link href={href} className="truncate font-medium text-sky-700 hover:underline dark:text-sky-400" data-testid="alert-resource-link" onClick={(event) => event.stopPropagation()}>
          {resourceName(resource)}
        </Link>
      ) : (
        <span className="truncate">{resourceName(resource)}</span>
      )}
      {resource.region && <span className="shrink-0 font-mono text-[11px] text-zinc-500">{resource.region}</span>}
    </span>
  );
}

function HealthCell({ verdict, loading }: { verdict: Verdict | null; loading: boolean }) {
  if (verdict) return <VerdictBadge verdict={verdict} />;
  return <span className="text-zinc-400" title={loading ? "reading the resource's figures" : "no figures for this resource"}>{loading ? "…" : "–"}</span>;
}

function FilterButton({ active, onClick, children, testId }: { active: boolean; onClick: () => void; children: ReactNode; testId?: string }) {
  return (
    <button
      type="button"
      aria-pressed={active}
      onClick={onClick}
      data-testid={testId}
      className={clsx(
        "rounded border px-1.5 py-0.5 text-[11px]",
        active ? "border-zinc-800 bg-zinc-800 text-white dark:border-zinc-200 dark:bg-zinc-200 dark:text-zinc-900" : "border-zinc-300 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800",
      )}
    >
      {children}
    </button>
  );
}

export function AlertsView() {
  const trpc = useTRPC();
  const router = useRouter();
  const url = useUrlState();
  const now = useNow(5_000);
  const filterRef = useRef<HTMLInputElement>(null);

  const statusParam = url.get("status");
  const status: Status = STATUSES.some((option) => option.key === statusParam) ? (statusParam as Status) : "firing";
  const severityParam = url.get("severity") ?? "";
  const severities = useMemo(() => severityParam.split(",").filter((value) => value !== ""), [severityParam]);
  const kindParam = url.get("kind");
  const kind = isKind(kindParam) ? kindParam : null;
  const filterText = useFilterText(url);
  const { text } = filterText;

  const query = useQuery(
    trpc.alerts.list.queryOptions(
      { status, ...(severities.length > 0 ? { severity: severities } : {}), ...(kind ? { resource: { kind } } : {}) },
      { refetchInterval: FALLBACK_POLL_MS },
    ),
  );
  const error = readError(query.error);
  const allGroups = useMemo(() => query.data?.groups ?? [], [query.data]);

  // The resources' verdicts, from the same judged entities the command palette searches.
  const environments = useMemo(() => [...new Set(allGroups.flatMap((group) => (group.resource ? [group.resource.environment] : [])))].sort(), [allGroups]);
  const health = useQueries({ queries: environments.map((environment) => trpc.search.entities.queryOptions({ environment }, { refetchInterval: HEALTH_REFRESH_MS })) });
  const entitiesOf = (environment: string): readonly JudgedEntity[] | undefined => health[environments.indexOf(environment)]?.data?.entities;

  const groups = useMemo(() => {
    const needle = text.trim().toLowerCase();
    return needle ? allGroups.filter((group) => haystackOf(group).includes(needle)) : allGroups;
  }, [allGroups, text]);
  const alerts = useMemo(() => groups.flatMap((group) => group.alerts.map((alert) => ({ group, alert }))), [groups]);
  const hrefOf = (group: AlertGroup, alert: Pick<AlertItem, "fingerprint" | "startsAt" | "endsAt">) => alertResourceHref(group.resource, alert, now);

  const [selected, setSelected] = useState<string | null>(null);
  const keys = useMemo(() => alerts.map(({ alert }) => alert.fingerprint), [alerts]);
  const open = (fingerprint: string) => {
    const found = alerts.find(({ alert }) => alert.fingerprint === fingerprint);
    const href = found ? hrefOf(found.group, found.alert) : null;
    if (href) router.push(href);
  };
  useListKeys({ keys, selected, onSelect: setSelected, onOpen: open, filterRef });
  useEffect(() => {
    if (selected) document.querySelector(`[data-testid="alert-row"][data-fingerprint="${CSS.escape(selected)}"]`)?.scrollIntoView({ block: "nearest" });
  }, [selected]);

  const [silenceTarget, setSilenceTarget] = useState<SilenceTarget | null>(null);
  const silenceAlert = (group: AlertGroup, alert: AlertItem) =>
    setSilenceTarget({ title: `${alert.alertname}${group.resource ? ` on ${resourceName(group.resource)}` : ""}`, fingerprint: alert.fingerprint, preview: matchersForLabels(alert.labels) });
  const silenceGroup = (group: AlertGroup) => {
    const matchers = sharedLabelMatchers(group.alerts.map((alert) => alert.labels));
    setSilenceTarget({ title: `${group.alerts.length} ${group.alertname} alerts${group.resource ? ` on ${resourceName(group.resource)}` : ""}`, matchers, preview: matchers });
  };

  const toggleSeverity = (severity: string) => {
    const next = severities.includes(severity) ? severities.filter((value) => value !== severity) : [...severities, severity];
    url.set({ severity: next.join(",") });
  };
  const firing = alerts.filter(({ alert }) => alert.status === "firing").length;
  const filtered = text.trim() !== "" || severities.length > 0 || kind !== null;
  const silencing = query.data?.silencing ?? false;
  const simulatedEnvironments = query.data?.simulatedEnvironments ?? [];

  const alertRow = (group: AlertGroup, alert: AlertItem, grouped: boolean) => {
    const href = hrefOf(group, alert);
    const silenced = alert.silencedBy.length > 0;
    const isSelected = selected === alert.fingerprint;
    return (
      <tr
        key={alert.fingerprint}
        data-testid="alert-row"
        data-fingerprint={alert.fingerprint}
        data-status={alert.status}
        data-key={alert.fingerprint}
        aria-selected={isSelected}
        onClick={() => setSelected(alert.fingerprint)}
        className={clsx(
          "cursor-pointer border-b border-zinc-100 dark:border-zinc-800/70",
          isSelected ? "bg-sky-100 outline-1 -outline-offset-1 outline-sky-500 dark:bg-sky-950/60" : "hover:bg-zinc-50 dark:hover:bg-zinc-900/60",
          alert.status === "resolved" && !isSelected && "text-zinc-500",
        )}
      >
        <td className="px-2 py-1 align-top">{grouped ? null : <SeverityBadge severity={alert.severity} />}</td>
        <td className="min-w-0 px-2 py-1 align-top">
          {grouped ? (
            <span className="flex flex-wrap gap-1 pl-3">
              {distinguishingLabels(group, alert).map(([name, value]) => (
                <span key={name} className="rounded bg-zinc-100 px-1 font-mono text-[10px] text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300">
                  {name}={value}
                </span>
              ))}
            </span>
          ) : (
            <span className="block min-w-0">
              <span className="font-semibold" data-testid="alert-name">
                {alert.alertname}
              </span>
              <span className="block truncate text-zinc-600 dark:text-zinc-400" title={alert.annotations.description ?? alertSummary(alert.annotations)}>
                {alertSummary(alert.annotations)}
              </span>
            </span>
          )}
        </td>
        <td className="min-w-0 px-2 py-1 align-top">
          {!grouped ? (
            <ResourceCell group={group} href={href} />
          ) : (
            href && (
              <Link href={href} className="text-[11px] text-sky-700 hover:underline dark:text-sky-400" onClick={(event) => event.stopPropagation()} title="the resource's page at this alert's time">
                open at this alert →
              </Link>
            )
          )}
        </td>
        <td className="px-2 py-1 align-top">{grouped ? null : <HealthCell verdict={resourceVerdict(group.resource, entitiesOf(group.resource?.environment ?? "") ?? [])} loading={group.resource !== null && entitiesOf(group.resource.environment) === undefined} />}</td>
        <td className="whitespace-nowrap px-2 py-1 align-top text-zinc-600 dark:text-zinc-400">
          <Since alert={alert} now={now} />
        </td>
        <td className="px-2 py-1 align-top">
          <AlertStatusBadge status={alert.status} silenced={silenced} />
        </td>
        <td className="whitespace-nowrap px-2 py-1 text-right align-top" onClick={(event) => event.stopPropagation()}>
          {alert.status === "firing" && alert.canSilence && silencing && (
            <span className="inline-flex items-center gap-1">
              {alert.silencedBy.map((silence) => (
                <ExpireSilenceButton key={silence.id} silence={silence} />
              ))}
              {!silenced && (
                <Button size="xs" onClick={() => silenceAlert(group, alert)} data-testid="silence-alert">
                  Silence…
                </Button>
              )}
            </span>
          )}
          {alert.status === "firing" && !alert.canSilence && silenced && <span className="text-[11px] text-zinc-500">silenced until {formatDateTime(alert.silencedBy[0]!.endsAt)}</span>}
        </td>
      </tr>
    );
  };

  const groupRow = (group: AlertGroup) => {
    const first = group.alerts[0]!;
    const href = hrefOf(group, { fingerprint: first.fingerprint, startsAt: group.firingSince ?? first.startsAt, endsAt: group.firing > 0 ? null : first.endsAt });
    const canSilenceAll = silencing && group.firing > 0 && group.alerts.every((alert) => alert.canSilence);
    return (
      <tr key={`group-${group.key}`} data-testid="alert-group" data-key={group.key} className="border-b border-zinc-100 bg-zinc-50/70 dark:border-zinc-800/70 dark:bg-zinc-900/40">
        <td className="px-2 py-1 align-top">
          <SeverityBadge severity={group.severity} />
        </td>
        <td className="min-w-0 px-2 py-1 align-top">
          <span className="font-semibold" data-testid="alert-name">
            {group.alertname}
          </span>{" "}
          <span className="text-zinc-500">
            · {group.alerts.length} alerts{group.firing > 0 && group.resolved > 0 ? ` (${group.firing} firing)` : ""}
          </span>
          <span className="block truncate text-zinc-600 dark:text-zinc-400">{alertSummary(first.annotations)}</span>
        </td>
        <td className="min-w-0 px-2 py-1 align-top">
          <ResourceCell group={group} href={href} />
        </td>
        <td className="px-2 py-1 align-top">
          <HealthCell verdict={resourceVerdict(group.resource, entitiesOf(group.resource?.environment ?? "") ?? [])} loading={group.resource !== null && entitiesOf(group.resource.environment) === undefined} />
        </td>
        <td className="whitespace-nowrap px-2 py-1 align-top text-zinc-600 dark:text-zinc-400">
          {group.firingSince ? <Since alert={{ status: "firing", startsAt: group.firingSince, endsAt: null }} now={now} /> : <Since alert={{ status: "resolved", startsAt: first.startsAt, endsAt: group.lastChangeAt }} now={now} />}
        </td>
        <td className="px-2 py-1 align-top" />
        <td className="whitespace-nowrap px-2 py-1 text-right align-top">
          {canSilenceAll && (
            <Button size="xs" onClick={() => silenceGroup(group)} data-testid="silence-group" title="Silence every alert of this group (the labels they share)">
              Silence all…
            </Button>
          )}
        </td>
      </tr>
    );
  };

  return (
    <div>
      <PageHeader
        title="Alerts"
        meta={
          <FreshnessMeta query={query} error={error}>
            {query.data && (
              <span data-testid="alerts-summary">
                {[status !== "resolved" && `${firing} firing`, status !== "firing" && `${alerts.length - firing} resolved`].filter(Boolean).join(", ")} in {groups.length} group
                {groups.length === 1 ? "" : "s"}
              </span>
            )}
          </FreshnessMeta>
        }
      >
        <ListKeysHint filter enter="open the resource" />
      </PageHeader>

      <div className="mb-2 flex flex-wrap items-center gap-2" role="search">
        <FilterTextBox id="alert-filter" label="Filter alerts" inputRef={filterRef} value={text} onChange={filterText.change} placeholder="Filter: alert, resource, label  ( / )" widthClass="w-64" />
        <div role="group" aria-label="Status" className="flex items-center gap-1">
          {STATUSES.map((option) => (
            <FilterButton key={option.key} active={status === option.key} onClick={() => url.set({ status: option.key === "firing" ? null : option.key })} testId={`status-${option.key}`}>
              {option.label}
            </FilterButton>
          ))}
        </div>
        <div role="group" aria-label="Severity" className="flex items-center gap-1">
          {SEVERITIES.map((severity) => (
            <FilterButton key={severity} active={severities.includes(severity)} onClick={() => toggleSeverity(severity)} testId={`severity-${severity}`}>
              {severity}
            </FilterButton>
          ))}
        </div>
        <label className="sr-only" htmlFor="kind-filter">
          Resource kind
        </label>
        <select id="kind-filter" value={kind ?? ""} onChange={(event) => url.set({ kind: event.target.value })} className={inputClass} data-testid="kind-filter">
          <option value="">every kind of resource</option>
          {ALERT_RESOURCE_KINDS.map((option) => (
            <option key={option} value={option}>
              {RESOURCE_KIND_LABEL[option]}
            </option>
          ))}
        </select>
        {filtered && (
          <Button size="xs" onClick={() => filterText.clear({ severity: null, kind: null })}>
            Clear filters
          </Button>
        )}
      </div>

      <LoadFailureNotice error={error} data={query.data} what="the alerts" />
      {query.data?.truncated && (
        <div className="mb-2">
          <Notice tone="warn">Only the first {query.data.total.toLocaleString("en-US")} alerts are shown; narrow the filters to see the rest.</Notice>
        </div>
      )}

      <div className="overflow-x-auto rounded border border-zinc-200 dark:border-zinc-800">
        <table className="w-full table-fixed border-collapse text-xs" data-testid="alerts-table" data-row-count={alerts.length}>
          <caption className="sr-only">Alerts grouped by rule and resource, worst first</caption>
          <thead className="sticky top-0 z-10 bg-zinc-50 text-left text-zinc-600 dark:bg-zinc-900 dark:text-zinc-400">
            <tr>
              <th scope="col" className="w-24 px-2 py-1.5 font-medium">
                Severity
              </th>
              <th scope="col" className="px-2 py-1.5 font-medium">
                Alert
              </th>
              <th scope="col" className="w-[30%] px-2 py-1.5 font-medium">
                Resource
              </th>
              <th scope="col" className="w-24 px-2 py-1.5 font-medium" title="the resource's health verdict now">
                Health
              </th>
              <th scope="col" className="w-28 px-2 py-1.5 font-medium" title="firing for (hover for the time)">
                Since
              </th>
              <th scope="col" className="w-24 px-2 py-1.5 font-medium">
                Status
              </th>
              <th scope="col" className="w-40 px-2 py-1.5 font-medium">
                <span className="sr-only">Silence</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {groups.length === 0 ? (
              <tr>
                <td colSpan={7} className="px-2 py-6 text-center text-zinc-500" data-testid="alerts-empty">
                  {query.isPending
                    ? "Loading…"
                    : filtered
                      ? "No alert matches these filters."
                      : status === "resolved"
                        ? "No alert has resolved lately."
                        : "No alert is firing. New alerts appear here by themselves."}
                </td>
              </tr>
            ) : (
              groups.map((group) =>
                group.alerts.length === 1 ? (
                  alertRow(group, group.alerts[0]!, false)
                ) : (
                  <Fragment key={group.key}>
                    {groupRow(group)}
                    {group.alerts.map((alert) => alertRow(group, alert, true))}
                  </Fragment>
                ),
              )
            )}
          </tbody>
        </table>
      </div>
      <p className="mt-2 text-[11px] text-zinc-500" data-testid="alerts-sources">
        From Alertmanager&apos;s webhook and each Prometheus&apos;s own list of firing alerts
        {simulatedEnvironments.length > 0 && <>; in {simulatedEnvironments.join(", ")}, from the fleet simulator evaluating the deployed alert rules itself</>}.{" "}
        {/* Said once the list has answered, not guessed while it loads. */}
        {query.data && (silencing
          ? "Silences go to Alertmanager and are recorded in the audit log."
          : "Silencing is off: no Alertmanager is configured (alerts.alertmanager.url in the configuration file).")}
      </p>
      {silenceTarget && <SilenceDialog target={silenceTarget} onClose={() => setSilenceTarget(null)} />}
    </div>
  );
}
