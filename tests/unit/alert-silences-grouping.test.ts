// Silence matchers (what they cover, the scope creating one needs) and the grouping of the alerts list.
import { describe, expect, it } from "vitest";
import { groupAlerts, type GroupableAlert } from "@/server/domain/alerts/grouping";
import { matchersForLabels, matchersMatch, matchersProblem, silenceScope, type SilenceMatcher } from "@/server/domain/alerts/matchers";
import { DEFAULT_ALERT_LABEL_NAMES, linkAlertResource } from "@/server/domain/alerts/resource";

const names = DEFAULT_ALERT_LABEL_NAMES;
const equal = (name: string, value: string): SilenceMatcher => ({ name, value, isRegex: false, isEqual: true });
const labels = { alertname: "ServiceHighErrorRatio", environment: "prod", region: "eu-west-1", service_namespace: "checkout", service_name: "cart", severity: "critical" };

describe("silence matchers", () => {
  it("default to the alert's own labels, which cover exactly it", () => {
    const matchers = matchersForLabels(labels);
    expect(matchers).toHaveLength(Object.keys(labels).length);
    expect(matchersMatch(matchers, labels)).toBe(true);
    expect(matchersMatch(matchers, { ...labels, service_name: "payments" })).toBe(false);
  });

  it("apply Alertmanager's rules: anchored regular expressions, negation, a missing label is empty", () => {
    expect(matchersMatch([{ name: "service_name", value: "ca.*", isRegex: true, isEqual: true }], labels)).toBe(true);
    expect(matchersMatch([{ name: "service_name", value: "ar", isRegex: true, isEqual: true }], labels)).toBe(false);
    expect(matchersMatch([{ name: "service_name", value: "cart", isRegex: false, isEqual: false }], labels)).toBe(false);
    expect(matchersMatch([equal("pod", "")], labels)).toBe(true);
  });

  it("refuse sets that would silence everything, and broken expressions", () => {
    expect(matchersProblem([])).toMatch(/at least one matcher/);
    expect(matchersProblem([{ name: "severity", value: ".*", isRegex: true, isEqual: true }])).toMatch(/every alert/);
    expect(matchersProblem([{ name: "service_name", value: "(", isRegex: true, isEqual: true }])).toMatch(/not a valid regular expression/);
    expect(matchersProblem([equal("alertname", "X")])).toBeNull();
  });

  it("need the scope their equality matchers pin down", () => {
    expect(silenceScope(matchersForLabels(labels), names)).toEqual({ environment: "prod", namespace: "checkout" });
    expect(silenceScope([equal("environment", "prod"), equal("cluster", "events"), equal("consumergroup", "billing")], names)).toEqual({ environment: "prod", namespace: "kafka.events" });
    // A regular expression pins nothing: the silence reaches every namespace of the environment.
    expect(silenceScope([equal("environment", "prod"), { name: "service_namespace", value: "checkout", isRegex: true, isEqual: true }, equal("service_name", "cart")], names)).toEqual({ environment: "prod", namespace: "*" });
    expect(silenceScope([equal("alertname", "ServiceHighErrorRatio")], names)).toEqual({ environment: "*", namespace: "*" });
  });
});

describe("grouping the alerts list", () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 10, 27, 10, minute));
  let sequence = 0;
  function alert(overrides: Partial<GroupableAlert> & { labels?: Record<string, string> }): GroupableAlert {
    const alertLabels = overrides.labels ?? labels;
    return {
      fingerprint: `f${sequence++}`,
      alertname: alertLabels.alertname ?? "",
      status: "firing",
      severity: alertLabels.severity ?? "none",
      environment: "prod",
      resource: linkAlertResource(alertLabels, names),
      startsAt: at(0),
      endsAt: null,
      ...overrides,
    };
  }

  it("groups by alert name and resource, and counts firing and resolved", () => {
    const groups = groupAlerts([
      alert({ labels: { ...labels, pod: "cart-1" }, startsAt: at(5) }),
      alert({ labels: { ...labels, pod: "cart-2" }, startsAt: at(3) }),
      alert({ labels: { ...labels, pod: "cart-3" }, status: "resolved", endsAt: at(9) }),
      alert({ labels: { ...labels, service_name: "payments" }, startsAt: at(4) }),
      alert({ labels: { ...labels, alertname: "ServiceLatencyP95OverSLO", severity: "warning" } }),
    ]);
    expect(groups.map((group) => [group.alertname, group.resource?.name, group.firing, group.resolved])).toEqual([
      ["ServiceHighErrorRatio", "cart", 2, 1],
      ["ServiceHighErrorRatio", "payments", 1, 0],
      ["ServiceLatencyP95OverSLO", "cart", 1, 0],
    ]);
    expect(groups[0]?.firingSince).toEqual(at(3));
    expect(groups[0]?.alerts.map((member) => member.status)).toEqual(["firing", "firing", "resolved"]);
  });

  it("puts firing groups first, the worst severity first, then the longest firing; resolved groups last, newest first", () => {
    const groups = groupAlerts([
      alert({ labels: { ...labels, service_name: "a", severity: "warning" }, startsAt: at(1) }),
      alert({ labels: { ...labels, service_name: "b", severity: "critical" }, startsAt: at(8) }),
      alert({ labels: { ...labels, service_name: "c", severity: "critical" }, startsAt: at(2) }),
      alert({ labels: { ...labels, service_name: "d", severity: "critical" }, status: "resolved", endsAt: at(3) }),
      alert({ labels: { ...labels, service_name: "e", severity: "info" }, status: "resolved", endsAt: at(9) }),
    ]);
    expect(groups.map((group) => group.resource?.name)).toEqual(["c", "b", "a", "e", "d"]);
  });
});
