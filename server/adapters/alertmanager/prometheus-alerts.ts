// Prometheus's own view of its alerts: /api/v1/alerts (every pending and firing alert),
// /api/v1/rules?type=alert (the alerting rules with their `for`), and the external labels it
// adds to the alerts it sends to Alertmanager (/api/v1/status/config). The second source of
// alerts, read periodically (server/alerts/reconcile.ts) so a missed webhook delivery does not
// leave the alerts page wrong.
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { PrometheusAlert, PrometheusAlertRule, PrometheusAlertsPort } from "../../domain/alerts/ports";
import { AlertingHttpError, requestJson, type JsonEndpoint } from "./http";

const stringRecord = z.record(z.string(), z.string()).catch({});

const alertSchema = z.object({
  labels: z.record(z.string(), z.string()),
  annotations: stringRecord.default({}),
  state: z.enum(["pending", "firing", "inactive"]),
  activeAt: z.string().optional(),
});

const ruleSchema = z.object({
  type: z.string(),
  name: z.string(),
  query: z.string().default(""),
  duration: z.number().default(0),
  labels: stringRecord.default({}),
  annotations: stringRecord.default({}),
  health: z.string().default("unknown"),
  lastError: z.string().optional(),
});

const alertsAnswer = z.object({ status: z.literal("success"), data: z.object({ alerts: z.array(alertSchema) }) });
const rulesAnswer = z.object({
  status: z.literal("success"),
  data: z.object({ groups: z.array(z.object({ name: z.string(), rules: z.array(z.unknown()) })) }),
});
const configAnswer = z.object({ status: z.literal("success"), data: z.object({ yaml: z.string() }) });

function dateOrNull(text: string | undefined): Date | null {
  if (!text) return null;
  const time = Date.parse(text);
  return Number.isNaN(time) || time <= 0 ? null : new Date(time);
}

export class PrometheusAlertsReader implements PrometheusAlertsPort {
  private readonly endpoint: JsonEndpoint;

  constructor(options: { url: string; timeoutMs: number; bearerToken?: string }) {
    this.endpoint = {
      system: "Prometheus",
      baseUrl: options.url,
      timeoutMs: options.timeoutMs,
      ...(options.bearerToken ? { headers: { authorization: `Bearer ${options.bearerToken}` } } : {}),
    };
  }

  get url(): string {
    return this.endpoint.baseUrl;
  }

  generatorUrl(expression: string): string {
    return `${this.endpoint.baseUrl.replace(/\/+$/, "")}/graph?g0.expr=${encodeURIComponent(expression)}&g0.tab=1`;
  }

  private async read<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    const parsed = schema.safeParse(await requestJson(this.endpoint, "GET", path));
    if (!parsed.success) {
      throw new AlertingHttpError("bad_response", `Prometheus at ${this.endpoint.baseUrl} answered /${path} with something Scaleplane cannot read: ${parsed.error.issues[0]?.message ?? "unexpected shape"}`);
    }
    return parsed.data;
  }

  async alerts(): Promise<PrometheusAlert[]> {
    const answer = await this.read("api/v1/alerts", alertsAnswer);
    return answer.data.alerts.map((alert) => ({
      labels: alert.labels,
      annotations: alert.annotations,
      state: alert.state,
      activeAt: dateOrNull(alert.activeAt),
    }));
  }

  async rules(): Promise<PrometheusAlertRule[]> {
    const answer = await this.read("api/v1/rules?type=alert", rulesAnswer);
    const rules: PrometheusAlertRule[] = [];
    for (const group of answer.data.groups) {
      for (const raw of group.rules) {
        const rule = ruleSchema.safeParse(raw);
        if (!rule.success || rule.data.type !== "alerting") continue;
        rules.push({
          name: rule.data.name,
          group: group.name,
          query: rule.data.query,
          durationSeconds: rule.data.duration,
          labels: rule.data.labels,
          annotations: rule.data.annotations,
          health: rule.data.health,
          lastError: rule.data.lastError || null,
        });
      }
    }
    return rules;
  }

  /**
   * The `global.external_labels` Prometheus adds to every alert it sends to Alertmanager, which
   * are part of the alert's fingerprint there. Empty when there are none, or when the
   * configuration endpoint is not reachable (a proxy may block it).
   */
  async externalLabels(): Promise<Record<string, string>> {
    try {
      const answer = await this.read("api/v1/status/config", configAnswer);
      const config = parseYaml(answer.data.yaml) as { global?: { external_labels?: unknown } } | null;
      const parsed = z.record(z.string(), z.coerce.string()).safeParse(config?.global?.external_labels ?? {});
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  }
}
