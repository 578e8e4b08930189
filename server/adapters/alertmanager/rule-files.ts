// The alerting rules of Prometheus rule files (deploy/prometheus/rules/*.yml), as Prometheus
// lists them on /api/v1/rules: what the fleet simulator evaluates when no Prometheus watches
// it, so its alerts carry the deployed rules' names, labels, `for` and annotations.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { PrometheusAlertRule } from "../../domain/alerts/ports";

const UNIT_SECONDS: Readonly<Record<string, number>> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };

/** A Prometheus duration ("90s", "1h30m") in seconds. */
export function durationSeconds(text: string): number {
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join("") !== text) throw new Error(`"${text}" is not a Prometheus duration (e.g. 30s, 5m, 1h30m)`);
  return parts.reduce((total, part) => total + Number(part[1]) * (UNIT_SECONDS[part[2] ?? ""] ?? 0), 0);
}

const ruleFileSchema = z.object({
  groups: z.array(
    z.object({
      name: z.string(),
      rules: z.array(
        z.object({
          alert: z.string().optional(),
          expr: z.union([z.string(), z.number()]).transform(String),
          for: z.string().optional(),
          labels: z.record(z.string(), z.string()).default({}),
          annotations: z.record(z.string(), z.string()).default({}),
        }),
      ),
    }),
  ),
});

/** The alerting rules of one rule file's text (recording rules are left out). */
export function parseAlertingRules(text: string, source: string): PrometheusAlertRule[] {
  const parsed = ruleFileSchema.safeParse(parseYaml(text));
  if (!parsed.success) throw new Error(`${source} is not a Prometheus rule file: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`);
  return parsed.data.groups.flatMap((group) =>
    group.rules.flatMap((rule) =>
      rule.alert === undefined
        ? []
        : [{
            name: rule.alert,
            group: group.name,
            // Prometheus lists the expression on one line.
            query: rule.expr.trim().replace(/\s+/g, " "),
            durationSeconds: rule.for === undefined ? 0 : durationSeconds(rule.for),
            labels: rule.labels,
            annotations: rule.annotations,
            health: "ok",
            lastError: null,
          }],
    ),
  );
}

/** Every alerting rule of the `.yml`/`.yaml` files in a folder, file by file in name order. */
export function loadAlertingRules(directory: string): PrometheusAlertRule[] {
  return readdirSync(directory)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .flatMap((file) => {
      const full = path.join(directory, file);
      return parseAlertingRules(readFileSync(full, "utf8"), full);
    });
}
