// Alerts grouped the way Alertmanager's route groups them (group_by alertname and the labels
// that name the resource): one row per rule and resource, worst first. Pure.
import { resourceKey, severityRank, type AlertResource } from "./resource";
import type { AlertStatus } from "./lifecycle";

export interface GroupableAlert {
  fingerprint: string;
  alertname: string;
  status: AlertStatus;
  severity: string;
  environment: string | null;
  resource: AlertResource | null;
  startsAt: Date;
  endsAt: Date | null;
}

export interface AlertGroup<A extends GroupableAlert> {
  key: string;
  alertname: string;
  environment: string | null;
  resource: AlertResource | null;
  /** The worst severity among the group's alerts. */
  severity: string;
  firing: number;
  resolved: number;
  /** Since when the group has been firing (its earliest firing alert); null when none fires. */
  firingSince: Date | null;
  /** The latest start or end among its alerts. */
  lastChangeAt: Date;
  /** Firing first, then the most recent. */
  alerts: A[];
}

function lastChangeOf(alert: GroupableAlert): number {
  return Math.max(alert.startsAt.getTime(), alert.endsAt?.getTime() ?? 0);
}

function byFiringThenRecent(a: GroupableAlert, b: GroupableAlert): number {
  if (a.status !== b.status) return a.status === "firing" ? -1 : 1;
  return lastChangeOf(b) - lastChangeOf(a) || a.fingerprint.localeCompare(b.fingerprint);
}

/**
 * Groups with a firing alert come first, the worst severity first, then the longest firing;
 * resolved groups after them, the most recently resolved first.
 */
function byUrgency<A extends GroupableAlert>(a: AlertGroup<A>, b: AlertGroup<A>): number {
  if ((a.firing > 0) !== (b.firing > 0)) return a.firing > 0 ? -1 : 1;
  if (a.firing === 0) return b.lastChangeAt.getTime() - a.lastChangeAt.getTime() || a.key.localeCompare(b.key);
  const severity = severityRank(a.severity) - severityRank(b.severity);
  if (severity !== 0) return severity;
  if (a.firingSince && b.firingSince) return a.firingSince.getTime() - b.firingSince.getTime() || a.key.localeCompare(b.key);
  return b.lastChangeAt.getTime() - a.lastChangeAt.getTime() || a.key.localeCompare(b.key);
}

export function groupAlerts<A extends GroupableAlert>(alerts: readonly A[]): AlertGroup<A>[] {
  const groups = new Map<string, AlertGroup<A>>();
  for (const alert of alerts) {
    const key = `${alert.alertname}|${resourceKey(alert.resource, alert.environment)}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        key,
        alertname: alert.alertname,
        environment: alert.environment,
        resource: alert.resource,
        severity: alert.severity,
        firing: 0,
        resolved: 0,
        firingSince: null,
        lastChangeAt: new Date(lastChangeOf(alert)),
        alerts: [],
      };
      groups.set(key, group);
    }
    group.alerts.push(alert);
    if (severityRank(alert.severity) < severityRank(group.severity)) group.severity = alert.severity;
    if (alert.status === "firing") {
      group.firing++;
      if (group.firingSince === null || alert.startsAt < group.firingSince) group.firingSince = alert.startsAt;
    } else {
      group.resolved++;
    }
    if (lastChangeOf(alert) > group.lastChangeAt.getTime()) group.lastChangeAt = new Date(lastChangeOf(alert));
  }
  const sorted = [...groups.values()].sort(byUrgency);
  for (const group of sorted) group.alerts.sort(byFiringThenRecent);
  return sorted;
}
