// The second source of alerts: every configured Prometheus's list of firing alerts, read
// periodically and applied to the store like webhook deliveries (server/domain/alerts/
// reconcile.ts says how), so the alerts page is right even when a delivery was missed. Each
// app replica may run it: the store's row locks make a change happen (and be published) once.
import type { ScaleplaneConfig } from "../config/schema";
import { labelSetFingerprint } from "../domain/alerts/fingerprint";
import { planReconciliation, type StoredAlertForReconcile } from "../domain/alerts/reconcile";
import { prometheusAlertSourcesFromConfig, type PrometheusAlertSource } from "../adapters/alertmanager/from-config";
import { applyAlertObservations, pruneResolvedAlerts, type AlertStoreDeps } from "./store";

export interface ReconcileResult {
  prometheus: string;
  firing: number;
  changed: number;
}

/** Reads one Prometheus's alerts and rules and applies what they say. */
export async function reconcileWithPrometheus(deps: AlertStoreDeps, source: PrometheusAlertSource): Promise<ReconcileResult> {
  // Before asking: a delivery that arrives after this moment knows better than the list.
  const readAt = new Date();
  const [alerts, rules, externalLabels] = await Promise.all([source.reader.alerts(), source.reader.rules(), source.reader.externalLabels()]);
  const firing = alerts.filter((alert) => alert.state === "firing");
  const rows = await deps.db.alert.findMany({
    where: {
      OR: [
        { status: "firing", alertname: { in: rules.map((rule) => rule.name) } },
        { fingerprint: { in: firing.map((alert) => labelSetFingerprint({ ...externalLabels, ...alert.labels })) } },
      ],
    },
    select: { fingerprint: true, alertname: true, status: true, labels: true, annotations: true, startsAt: true, environment: true, region: true },
  });
  const stored = rows.map((row): StoredAlertForReconcile => ({ ...row, labels: row.labels as Record<string, string>, annotations: row.annotations as Record<string, string> }));
  const plan = planReconciliation({ scope: source, alerts, rules, externalLabels, stored, readAt, generatorUrlOf: (expression) => source.reader.generatorUrl(expression) });
  const fired = await applyAlertObservations(deps, plan.firing, { receivedAt: new Date(), fallbackEnvironment: source.environment });
  const resolved = await applyAlertObservations(deps, plan.resolved, { receivedAt: new Date(), fallbackEnvironment: source.environment, absentSince: readAt });
  return { prometheus: source.reader.url, firing: firing.length, changed: fired.length + resolved.length };
}

export interface AlertSyncOptions {
  store: AlertStoreDeps;
  config: ScaleplaneConfig;
  /** Default: every Prometheus the configuration names. */
  sources?: PrometheusAlertSource[];
  onError?: (error: unknown, prometheus: string) => void;
}

export interface AlertSync {
  /** One round now: every Prometheus, then the clean-up of old resolved alerts. */
  runOnce(): Promise<ReconcileResult[]>;
  stop(): Promise<void>;
}

const FIRST_ROUND_DELAY_MS = 2000;

function logError(error: unknown, prometheus: string): void {
  console.warn(`[scaleplane] reading the alerts of Prometheus ${prometheus} failed:`, error instanceof Error ? error.message : error);
}

/**
 * Reads every configured Prometheus's alerts every `alerts.prometheusSyncSeconds` (0: never)
 * and deletes alerts resolved more than `alerts.keepResolvedDays` ago. A round still running
 * when the next is due is not overlapped.
 */
export function startAlertSync(options: AlertSyncOptions): AlertSync {
  const sources = options.sources ?? prometheusAlertSourcesFromConfig(options.config);
  const onError = options.onError ?? logError;
  const { prometheusSyncSeconds, keepResolvedDays } = options.config.alerts;
  let running: Promise<ReconcileResult[]> | null = null;

  const round = async (): Promise<ReconcileResult[]> => {
    const results = await Promise.all(
      sources.map((source) =>
        reconcileWithPrometheus(options.store, source).catch((error: unknown) => {
          onError(error, source.reader.url);
          return null;
        }),
      ),
    );
    await pruneResolvedAlerts(options.store.db, new Date(Date.now() - keepResolvedDays * 86_400_000)).catch((error: unknown) => onError(error, "(clean-up of resolved alerts)"));
    return results.filter((result) => result !== null);
  };
  const runOnce = () => {
    running ??= round().finally(() => (running = null));
    return running;
  };
  const timer = prometheusSyncSeconds > 0 ? setInterval(() => void runOnce(), prometheusSyncSeconds * 1000) : null;
  timer?.unref();
  // A first round soon after start: what was missed while the app was down shows at once.
  const first = timer ? setTimeout(() => void runOnce(), FIRST_ROUND_DELAY_MS) : null;
  first?.unref();
  return {
    runOnce,
    async stop() {
      if (first) clearTimeout(first);
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
