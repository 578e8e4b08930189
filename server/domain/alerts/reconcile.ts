// Prometheus's list of firing alerts, turned into observations of the stored alerts: the page
// stays right when a webhook delivery was missed, in either direction. Pure; the store
// applies the observations like webhook deliveries (server/alerts/reconcile.ts).
//
// - An alert Prometheus fires that is not stored (its "firing" delivery was missed) is
//   created, under the fingerprint Alertmanager gives it: its labels plus Prometheus's
//   external labels.
// - A stored alert Prometheus fires is matched by its labels: Prometheus lists an alert
//   without the external labels that Alertmanager's copy carries, so a stored alert matches
//   when it has every label of Prometheus's.
// - A stored firing alert of one of this Prometheus's rules, in the environment and regions
//   it evaluates, that Prometheus no longer fires has resolved (its "resolved" delivery was
//   missed) — unless a delivery named it after the list was read.
import { labelSetFingerprint } from "./fingerprint";
import type { AlertObservation, AlertStatus } from "./lifecycle";
import type { PrometheusAlert, PrometheusAlertRule } from "./ports";

export interface StoredAlertForReconcile {
  fingerprint: string;
  alertname: string;
  status: AlertStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: Date;
  environment: string | null;
  region: string | null;
}

/** What one Prometheus evaluates rules for. */
export interface PrometheusScope {
  environment: string;
  /** null: every region of the environment. */
  regions: readonly string[] | null;
}

export interface ReconcileInput {
  scope: PrometheusScope;
  alerts: readonly PrometheusAlert[];
  rules: readonly PrometheusAlertRule[];
  externalLabels: Readonly<Record<string, string>>;
  /** Stored alerts of this Prometheus's rule names: the firing ones, and any stored under a fingerprint the list gives. */
  stored: readonly StoredAlertForReconcile[];
  /** When the list was asked for. */
  readAt: Date;
  /** The generator URL of a rule's expression, for an alert first seen here (whose delivery, with Prometheus's URL, was missed). */
  generatorUrlOf(expression: string): string;
}

export interface ReconcilePlan {
  /** Alerts Prometheus fires: observations to apply as they are. */
  firing: AlertObservation[];
  /** Stored firing alerts Prometheus no longer fires: apply only if nothing named them since `readAt`. */
  resolved: AlertObservation[];
}

function containsLabels(superset: Readonly<Record<string, string>>, subset: Readonly<Record<string, string>>): boolean {
  return Object.entries(subset).every(([name, value]) => superset[name] === value);
}

function ownedBy(alert: StoredAlertForReconcile, scope: PrometheusScope, ruleNames: ReadonlySet<string>): boolean {
  if (!ruleNames.has(alert.alertname) || alert.environment !== scope.environment) return false;
  return scope.regions === null || (alert.region !== null && scope.regions.includes(alert.region));
}

export function planReconciliation(input: ReconcileInput): ReconcilePlan {
  const rulesByName = new Map(input.rules.map((rule) => [rule.name, rule]));
  const firing: AlertObservation[] = [];
  const stillFiring = new Set<string>();
  for (const alert of input.alerts) {
    if (alert.state !== "firing") continue;
    const alertname = alert.labels.alertname ?? "";
    // Prometheus lists when the condition became true; the alert fired its `for` later.
    const activeAt = alert.activeAt?.getTime() ?? input.readAt.getTime();
    const rule = rulesByName.get(alertname);
    const startsAt = new Date(Math.min(activeAt + (rule?.durationSeconds ?? 0) * 1000, input.readAt.getTime()));
    const observed = { status: "firing" as const, annotations: alert.annotations, startsAt, endsAt: input.readAt, generatorUrl: null, source: "prometheus" as const };
    const matches = input.stored.filter((stored) => stored.alertname === alertname && containsLabels(stored.labels, alert.labels));
    if (matches.length === 0) {
      const labels = { ...input.externalLabels, ...alert.labels };
      // The URL Prometheus would have sent: the alert page draws the threshold from its expression.
      const generatorUrl = rule ? input.generatorUrlOf(rule.query) : null;
      firing.push({ ...observed, fingerprint: labelSetFingerprint(labels), labels, generatorUrl });
      continue;
    }
    for (const stored of matches) {
      stillFiring.add(stored.fingerprint);
      firing.push({ ...observed, fingerprint: stored.fingerprint, labels: stored.labels });
    }
  }
  const ruleNames = new Set(input.rules.map((rule) => rule.name));
  const resolved = input.stored
    .filter((stored) => stored.status === "firing" && !stillFiring.has(stored.fingerprint) && ownedBy(stored, input.scope, ruleNames))
    .map((stored): AlertObservation => ({
      fingerprint: stored.fingerprint,
      status: "resolved",
      labels: stored.labels,
      annotations: stored.annotations,
      startsAt: stored.startsAt,
      endsAt: input.readAt,
      generatorUrl: null,
      source: "prometheus",
    }));
  return { firing, resolved };
}
