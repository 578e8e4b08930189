// The annotation templates of the deployed rules, rendered as Prometheus renders them (for
// the alerts the simulator evaluates itself), and the rule files read as Prometheus lists them.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { durationSeconds, loadAlertingRules, parseAlertingRules } from "../../server/adapters/alertmanager/rule-files";
import { humanize, humanizeDuration, humanizePercentage, renderAlertTemplate } from "../../server/domain/alerts/templates";

const ROOT = path.resolve(import.meta.dirname, "../..");

describe("Prometheus's template functions", () => {
  it("humanize: SI prefixes with four significant digits", () => {
    expect([1234567, 1000, 999.95, 22, 0.0123, 0.5, 0, -2500].map(humanize)).toEqual(["1.235M", "1k", "1000", "22", "12.3m", "500m", "0", "-2.5k"]);
  });

  it("humanizePercentage: a ratio as a percentage", () => {
    expect([0.05496, 0.5, 1, 0].map(humanizePercentage)).toEqual(["5.496%", "50%", "100%", "0%"]);
  });

  it("humanizeDuration: days, hours, minutes and whole seconds, or four digits below a minute", () => {
    expect([90, 3725, 90_061, 1.568, 0.7154, 0.000_25, 0, -90].map(humanizeDuration)).toEqual(["1m 30s", "1h 2m 5s", "1d 1h 1m 1s", "1.568s", "715.4ms", "250us", "0s", "-1m 30s"]);
  });

  it("fills in labels and the value, and leaves what it does not know as written", () => {
    const labels = { service_name: "payments", region: "eu-west-1" };
    expect(renderAlertTemplate("{{ $labels.service_name }} in {{$labels.region}} answers {{ $value | humanizePercentage }} with errors", labels, 0.0712)).toBe("payments in eu-west-1 answers 7.12% with errors");
    expect(renderAlertTemplate("{{ $value }} partition(s), {{ $labels.missing }}.", labels, 3)).toBe("3 partition(s), .");
    expect(renderAlertTemplate("{{ $value | printf \"%.2f\" }} and {{ .Value }}", labels, 3)).toBe("{{ $value | printf \"%.2f\" }} and {{ .Value }}");
    expect(renderAlertTemplate("{{ $value | title }}", labels, 3)).toBe("{{ $value | title }}");
  });
});

describe("rule files", () => {
  it("reads Prometheus durations, compound ones too, and refuses anything else", () => {
    expect(["30s", "5m", "1h30m", "500ms", "1d"].map(durationSeconds)).toEqual([30, 300, 5400, 0.5, 86_400]);
    expect(() => durationSeconds("5 minutes")).toThrow(/not a Prometheus duration/);
    expect(() => durationSeconds("")).toThrow(/not a Prometheus duration/);
  });

  it("lists the alerting rules, not the recording ones, with their expression on one line", () => {
    const text = [
      "groups:",
      "  - name: g",
      "    rules:",
      "      - record: job:up:sum",
      "        expr: sum by (job) (up)",
      "      - alert: Down",
      "        expr: |",
      "          up == 0",
      "          and on (job) job:up:sum > 0",
      "        for: 2m",
      "        labels: { severity: critical }",
      "        annotations: { summary: \"{{ $labels.job }} is down\" }",
    ].join("\n");
    expect(parseAlertingRules(text, "test.yml")).toEqual([
      { name: "Down", group: "g", query: "up == 0 and on (job) job:up:sum > 0", durationSeconds: 120, labels: { severity: "critical" }, annotations: { summary: "{{ $labels.job }} is down" }, health: "ok", lastError: null },
    ]);
    expect(() => parseAlertingRules("groups: [{ name: g }]", "broken.yml")).toThrow(/broken.yml is not a Prometheus rule file: groups.0.rules/);
  });

  it("reads every deployed rule file", () => {
    const rules = loadAlertingRules(path.join(ROOT, "deploy/prometheus/rules"));
    expect(rules.find((rule) => rule.name === "KafkaBrokerDown")).toMatchObject({ group: "scaleplane-kafka", query: "kafka_brokers < max_over_time(kafka_brokers[1h])", durationSeconds: 60 });
    expect(new Set(rules.map((rule) => rule.name)).size).toBe(rules.length);
  });
});
