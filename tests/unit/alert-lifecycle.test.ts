// What an observation of an alert does to the stored one: repeats and late deliveries change
// nothing, status changes are transitions.
import { describe, expect, it } from "vitest";
import { decideAlertChange, type AlertObservation, type StoredAlert } from "@/server/domain/alerts/lifecycle";

const t = (minute: number) => new Date(Date.UTC(2026, 10, 27, 10, minute));
const received = t(30);

function observation(overrides: Partial<AlertObservation> = {}): AlertObservation {
  return {
    fingerprint: "0123456789abcdef",
    status: "firing",
    labels: { alertname: "KafkaConsumerLagGrowing" },
    annotations: { summary: "lag grows" },
    startsAt: t(0),
    endsAt: null,
    generatorUrl: "http://prometheus/graph?g0.expr=x",
    source: "webhook",
    ...overrides,
  };
}

const firing: StoredAlert = { status: "firing", startsAt: t(0), endsAt: null, annotations: { summary: "lag grows" }, generatorUrl: "http://prometheus/graph?g0.expr=x" };
const resolved: StoredAlert = { ...firing, status: "resolved", endsAt: t(10) };

describe("the first observation of an alert", () => {
  it("creates it, firing since its start", () => {
    const decision = decideAlertChange(null, observation(), received);
    expect(decision).toEqual({ change: "created", next: { ...firing }, transition: { from: null, to: "firing", at: t(0) } });
  });

  it("creates an alert first seen resolved with its end (or the receipt time when it gives none)", () => {
    expect(decideAlertChange(null, observation({ status: "resolved", endsAt: t(5) }), received)).toMatchObject({ change: "created", next: { status: "resolved", endsAt: t(5) }, transition: { to: "resolved", at: t(5) } });
    expect(decideAlertChange(null, observation({ status: "resolved", endsAt: null }), received).next.endsAt).toEqual(received);
  });
});

describe("repeated deliveries", () => {
  it("change nothing when nothing changed", () => {
    expect(decideAlertChange(firing, observation(), received)).toEqual({ change: "unchanged", next: firing, transition: null });
    expect(decideAlertChange(resolved, observation({ status: "resolved", endsAt: t(10) }), received).change).toBe("unchanged");
  });

  it("update the text when the annotations change, without a transition", () => {
    const decision = decideAlertChange(firing, observation({ annotations: { summary: "lag grows by 40/s" } }), received);
    expect(decision).toMatchObject({ change: "updated", next: { status: "firing", annotations: { summary: "lag grows by 40/s" } }, transition: null });
  });

  it("keep the stored text and start when Prometheus's list names the alert again", () => {
    const fromPrometheus = observation({ source: "prometheus", annotations: { summary: "another $value" }, generatorUrl: null, startsAt: t(-1) });
    expect(decideAlertChange(firing, fromPrometheus, received).change).toBe("unchanged");
  });
});

describe("status changes", () => {
  it("resolve a firing alert at the end the source gives", () => {
    expect(decideAlertChange(firing, observation({ status: "resolved", endsAt: t(10) }), received)).toEqual({
      change: "resolved",
      next: { ...firing, status: "resolved", endsAt: t(10) },
      transition: { from: "firing", to: "resolved", at: t(10) },
    });
  });

  it("fire a resolved alert again when a new episode starts", () => {
    const decision = decideAlertChange(resolved, observation({ startsAt: t(20), endsAt: t(24) }), received);
    expect(decision).toMatchObject({ change: "fired", next: { status: "firing", startsAt: t(20), endsAt: null }, transition: { from: "resolved", to: "firing", at: t(20) } });
  });

  it("fire the same episode again when the source still vouched for it after the resolution, or does not say (Alertmanager re-fires a timed-out alert with its start)", () => {
    expect(decideAlertChange(resolved, observation({ startsAt: t(0), endsAt: t(12) }), received).change).toBe("fired");
    expect(decideAlertChange(resolved, observation({ startsAt: t(0), endsAt: null }), received).change).toBe("fired");
  });

  it("ignore a late 'firing' of an episode that has resolved since (an HA peer's copy, a retry)", () => {
    expect(decideAlertChange(resolved, observation({ startsAt: t(0), endsAt: t(4) }), received).change).toBe("unchanged");
    expect(decideAlertChange(resolved, observation({ startsAt: t(0), endsAt: t(10) }), received).change).toBe("unchanged");
  });

  it("ignore observations of an earlier episode, in both directions", () => {
    const current: StoredAlert = { ...firing, startsAt: t(20) };
    expect(decideAlertChange(current, observation({ status: "resolved", startsAt: t(0), endsAt: t(10) }), received).change).toBe("unchanged");
    expect(decideAlertChange({ ...resolved, startsAt: t(20), endsAt: t(25) }, observation({ startsAt: t(0) }), received).change).toBe("unchanged");
  });

  it("keep the generator URL when a source without one (Prometheus's list) resolves the alert", () => {
    const decision = decideAlertChange(firing, observation({ status: "resolved", endsAt: t(10), generatorUrl: null, source: "prometheus" }), received);
    expect(decision.next.generatorUrl).toBe(firing.generatorUrl);
  });
});
