// What the alert features need from the outside world; server/adapters/alertmanager implements it.
import type { SilenceMatcher } from "./matchers";

export interface NewSilence {
  matchers: SilenceMatcher[];
  startsAt: Date;
  endsAt: Date;
  createdBy: string;
  comment: string;
}

export interface Silence extends NewSilence {
  id: string;
  state: "active" | "pending" | "expired";
}

/** Alertmanager's silences (API v2). */
export interface SilencePort {
  /** Resolves with the new silence's id. */
  create(silence: NewSilence): Promise<string>;
  /** Expires a silence; one that has already expired is left as it is. */
  expire(id: string): Promise<void>;
  /** Null when Alertmanager does not know the id. */
  get(id: string): Promise<Silence | null>;
  list(): Promise<Silence[]>;
}

/** One alert as Prometheus lists it (/api/v1/alerts). */
export interface PrometheusAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: "pending" | "firing" | "inactive";
  /** When the rule's condition became true (before its `for` duration). */
  activeAt: Date | null;
}

/** One alerting rule as Prometheus lists it (/api/v1/rules?type=alert). */
export interface PrometheusAlertRule {
  name: string;
  group: string;
  query: string;
  /** The rule's `for`, in seconds. */
  durationSeconds: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  health: string;
  lastError: string | null;
}

/** What one Prometheus says about its alerts. */
export interface PrometheusAlertsPort {
  readonly url: string;
  alerts(): Promise<PrometheusAlert[]>;
  rules(): Promise<PrometheusAlertRule[]>;
  /** Labels Prometheus adds to the alerts it sends to Alertmanager (its external labels). */
  externalLabels(): Promise<Record<string, string>>;
  /** The generator URL Prometheus gives an alert of this expression (its graph page, `g0.expr`). */
  generatorUrl(expression: string): string;
}
