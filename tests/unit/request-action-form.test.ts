// The generic request form's logic, without a browser: how typed text becomes a request's
// parameters, how fields follow the current state, the failover presets, the progress reader,
// and the rollback form built from a request's parameters alone.
import { describe, expect, test } from "vitest";
import { buildParams, isoToLocal, localToIso, resolveValues, type FieldSpec } from "@/components/request-action-fields";
import { drainedRegion, drainWeights, entityHref, regionFailoverForm, requestFormHref, serviceAutoscaleForm, serviceScaleForm } from "@/components/request-action-kinds";
import { cacheWarmForm, dlqReplayForm, roundUp } from "@/components/request-action-kinds-data";
import { hintOf, optionsOf } from "@/components/request-action-fields";
import { formForParams } from "@/components/request-action-rollback";
import { readProgress } from "@/components/request-action-progress";

const target = { environment: "prod", namespace: "checkout", service: "payments" };
const regions = [
  { region: "eu-west-1", desired: 6, available: 6, min: 2, max: 20 },
  { region: "us-east-1", desired: 3, available: 2, min: 2, max: 10 },
];

describe("field values", () => {
  test("the replicas follow the region chosen until the user types, then keep what was typed", () => {
    const { fields } = serviceScaleForm(target, regions);
    expect(resolveValues(fields, {})).toEqual({ region: "eu-west-1", replicas: "6" });
    expect(resolveValues(fields, { region: "us-east-1" })).toEqual({ region: "us-east-1", replicas: "3" });
    expect(resolveValues(fields, { region: "us-east-1", replicas: "9" })).toEqual({ region: "us-east-1", replicas: "9" });
  });

  test("the page's preferred region starts the select, unless it is not one of the options", () => {
    expect(resolveValues(serviceScaleForm(target, regions, "us-east-1").fields, {}).region).toBe("us-east-1");
    expect(resolveValues(serviceScaleForm(target, regions, "ap-south-1").fields, {}).region).toBe("eu-west-1");
  });
});

describe("parameters from the fields", () => {
  test("a scale is not ready until the replicas differ from now, and then sends them as a number", () => {
    const spec = serviceScaleForm(target, regions);
    const unchanged = buildParams(spec.fixed, spec.fields, resolveValues(spec.fields, {}));
    expect(unchanged).toMatchObject({ changed: false, knowsCurrent: true, missing: [] });
    const changed = buildParams(spec.fixed, spec.fields, resolveValues(spec.fields, { replicas: "8" }));
    expect(changed).toEqual({ params: { namespace: "checkout", service: "payments", region: "eu-west-1", replicas: 8 }, missing: [], changed: true, knowsCurrent: true });
  });

  test("a blank or non-numeric required number is missing; a fractional one goes to the server as typed", () => {
    const spec = serviceScaleForm(target, regions);
    expect(buildParams(spec.fixed, spec.fields, resolveValues(spec.fields, { replicas: "" })).missing).toEqual(["Replicas"]);
    expect(buildParams(spec.fixed, spec.fields, resolveValues(spec.fields, { replicas: "abc" })).missing).toEqual(["Replicas"]);
    expect(buildParams(spec.fixed, spec.fields, resolveValues(spec.fields, { replicas: "2.5" })).params.replicas).toBe(2.5);
  });

  test("an autoscaler change sends only the values that differ from the autoscaler now", () => {
    const spec = serviceAutoscaleForm(target, [{ region: "eu-west-1", minReplicas: 2, maxReplicas: 20, targetCpuPercent: 70, currentReplicas: 6 }]);
    const built = buildParams(spec.fixed, spec.fields, resolveValues(spec.fields, { maxReplicas: "30" }));
    expect(built.params).toEqual({ namespace: "checkout", service: "payments", region: "eu-west-1", maxReplicas: 30 });
    expect(built.changed).toBe(true);
  });

  test("without the current state (a rollback), every value is sent", () => {
    const spec = serviceAutoscaleForm(target, [{ region: "eu-west-1" }]);
    const built = buildParams(spec.fixed, spec.fields, resolveValues(spec.fields, { minReplicas: "2", maxReplicas: "20", targetCpuUtilisationPercent: "70" }));
    expect(built.params).toEqual({ namespace: "checkout", service: "payments", region: "eu-west-1", minReplicas: 2, maxReplicas: 20, targetCpuUtilisationPercent: 70 });
    expect(built.knowsCurrent).toBe(false);
  });

  test("dotted names build nested parameters; hidden fields and blank optional ones are left out; times become ISO instants", () => {
    const fields: FieldSpec[] = [
      { type: "number", name: "weights.eu-west-1", label: "eu-west-1" },
      { type: "number", name: "weights.us-east-1", label: "us-east-1" },
      { type: "select", name: "to", label: "Move to", options: [{ value: "latest", label: "latest" }, { value: "timestamp", label: "timestamp" }] },
      { type: "datetime", name: "timestamp", label: "From", shownWhen: (values) => values.to === "timestamp" },
      { type: "text", name: "targetTopic", label: "Write back to", optional: true },
    ];
    const latest = buildParams({}, fields, resolveValues(fields, { "weights.eu-west-1": "0", "weights.us-east-1": "100", timestamp: "2025-03-01T12:00" }));
    expect(latest.params).toEqual({ weights: { "eu-west-1": 0, "us-east-1": 100 }, to: "latest" });
    const at = buildParams({}, fields, resolveValues(fields, { "weights.eu-west-1": "1", "weights.us-east-1": "1", to: "timestamp", timestamp: "2025-03-01T12:00" }));
    expect(at.params.timestamp).toBe(new Date("2025-03-01T12:00").toISOString());
    expect(buildParams({}, fields, resolveValues(fields, { "weights.eu-west-1": "1", "weights.us-east-1": "1", to: "timestamp", timestamp: "" })).missing).toEqual(["From"]);
  });

  test("local times convert both ways", () => {
    expect(isoToLocal(localToIso("2025-03-01T02:40") ?? "")).toBe("2025-03-01T02:40");
    expect(localToIso("not a time")).toBeNull();
  });
});

test("a replay starts at everything waiting, rounded up so the field does not move with the depth", () => {
  expect([0, 1, 9, 12, 1446, 2000, 93_382].map(roundUp)).toEqual([1, 1, 9, 20, 2000, 2000, 100_000]);
  const { fields } = dlqReplayForm("prod", "events", [{ region: "eu-west-1", topic: "orders.dlq", source: "orders", depth: 1446 }]);
  expect(resolveValues(fields, {})).toMatchObject({ topic: "orders.dlq", region: "eu-west-1", targetTopic: "orders", maxMessages: "2000" });
});

describe("traffic shift presets", () => {
  const shares = [
    { region: "eu-west-1", share: 0.5 },
    { region: "us-east-1", share: 0.3 },
    { region: "ap-south-1", share: 0.2 },
  ];

  test("draining a region gives its weight to the others in proportion, in whole weights summing to 100", () => {
    expect(drainWeights(shares, "eu-west-1")).toEqual({ "weights.eu-west-1": "0", "weights.us-east-1": "60", "weights.ap-south-1": "40" });
    const uneven = drainWeights([{ region: "a", share: 1 / 3 }, { region: "b", share: 1 / 3 }, { region: "c", share: 1 / 3 }, { region: "d", share: 0 }], "d");
    expect(Object.values(uneven).reduce((sum, weight) => sum + Number(weight), 0)).toBe(100);
  });

  test("when the others carry nothing they share it evenly", () => {
    expect(drainWeights([{ region: "a", share: 1 }, { region: "b", share: 0 }, { region: "c", share: 0 }], "a")).toEqual({ "weights.a": "0", "weights.b": "50", "weights.c": "50" });
  });

  test("the form offers a drain per region carrying traffic and today's weights; it knows which region a set of weights drains", () => {
    const spec = regionFailoverForm("prod", [...shares, { region: "sa-east-1", share: 0 }]);
    expect(spec.presets?.map((preset) => preset.label)).toEqual(["drain eu-west-1", "drain us-east-1", "drain ap-south-1", "as now"]);
    expect(drainedRegion({ "eu-west-1": 0, "us-east-1": 60 })).toBe("eu-west-1");
    expect(drainedRegion({ "eu-west-1": 0, "us-east-1": 0, "ap-south-1": 100 })).toBeNull();
  });
});

describe("progress", () => {
  test("a replay, a warm-up and an invalidation read as a share done, or no share while a SCAN runs", () => {
    expect(readProgress({ replayed: 1200, planned: 5000, done: false })).toEqual({ text: "replayed 1,200 of 5,000 messages", ratio: 0.24, done: false });
    expect(readProgress({ loaded: 90, failed: 10, total: 200, done: false })).toEqual({ text: "loaded 90 of 200 keys, 10 failed", ratio: 0.5, done: false });
    expect(readProgress({ deleted: 40, scanned: 9000, done: false })).toEqual({ text: "deleted 40 keys, 9,000 scanned", ratio: null, done: false });
    expect(readProgress({ deleted: 40, scanned: 9000, done: true })?.ratio).toBe(1);
    expect(readProgress({ replayed: 0, planned: 0, done: true })?.ratio).toBe(1);
  });

  test("anything else shows no progress", () => {
    expect(readProgress(null)).toBeNull();
    expect(readProgress({ step: "waiting" })).toBeNull();
    expect(readProgress([1, 2])).toBeNull();
  });
});

describe("the rollback form", () => {
  test("keeps the target fixed and prefills the rest from the rollback's parameters", () => {
    const rollback = formForParams("service.scale", "prod", { namespace: "checkout", service: "payments", region: "us-east-1", replicas: 3 });
    expect(rollback?.spec.fixed).toEqual({ namespace: "checkout", service: "payments" });
    expect(rollback?.prefill).toEqual({ region: "us-east-1", replicas: "3" });
    const values = resolveValues(rollback!.spec.fields, rollback!.prefill);
    expect(buildParams(rollback!.spec.fixed, rollback!.spec.fields, values).params).toEqual({ namespace: "checkout", service: "payments", region: "us-east-1", replicas: 3 });
  });

  test("parameters no field shows (explicit offsets) go along unchanged", () => {
    const offsets = [{ partition: 0, offset: 41 }];
    const rollback = formForParams("consumerGroup.resetOffsets", "prod", { region: "eu-west-1", cluster: "events", group: "billing", topic: "orders", to: "explicit", offsets });
    const values = resolveValues(rollback!.spec.fields, rollback!.prefill);
    expect(buildParams(rollback!.spec.fixed, rollback!.spec.fields, values).params).toEqual({ cluster: "events", group: "billing", region: "eu-west-1", topic: "orders", to: "explicit", offsets });
  });

  test("weights come back as one field per region", () => {
    const rollback = formForParams("region.failover", "prod", { weights: { "eu-west-1": 60, "us-east-1": 40 } });
    expect(rollback?.prefill).toEqual({ "weights.eu-west-1": "60", "weights.us-east-1": "40" });
  });

  test("a kind the UI does not know has no form", () => {
    expect(formForParams("mongo.stepDown", "prod", {})).toBeNull();
  });
});

test("each kind's request links back to the page of what it acts on", () => {
  expect(entityHref("service.autoscale", { namespace: "checkout", service: "payments", region: "eu-west-1" })).toBe("/services/checkout/payments?region=eu-west-1");
  expect(entityHref("breaker.force", { namespace: "checkout", service: "payments" })).toBe("/services/checkout/payments");
  expect(entityHref("cache.warm", { cache: "product-cache", region: "us-east-1" })).toBe("/caches/product-cache?region=us-east-1");
  expect(entityHref("dlq.replay", { cluster: "events", topic: "orders.dlq", region: "eu-west-1" })).toBe("/queues/events/topics/orders.dlq?region=eu-west-1");
  expect(entityHref("consumerGroup.scale", { cluster: "events", group: "billing" })).toBe("/queues/events/groups/billing");
  expect(entityHref("region.failover", { weights: {} })).toBe("/regions");
});

test("a suggestion links to the entity's page with its form open and prefilled", () => {
  const href = requestFormHref("consumerGroup.scale", { region: "eu-west-1", cluster: "events", group: "billing", replicas: 8 }, "lag growing");
  const url = new URL(href ?? "", "http://x");
  expect(url.pathname).toBe("/queues/events/groups/billing");
  expect(Object.fromEntries(url.searchParams)).toEqual({ region: "eu-west-1", action: "consumerGroup.scale", "p.region": "eu-west-1", "p.cluster": "events", "p.group": "billing", "p.replicas": "8", reason: "lag growing" });
  const weights = new URL(requestFormHref("region.failover", { weights: { "eu-west-1": 0, "us-east-1": 100 } }) ?? "", "http://x");
  expect(weights.searchParams.get("p.weights.eu-west-1")).toBe("0");
  expect(requestFormHref("unknown.kind", {})).toBeNull();
});

describe("the warm-up form", () => {
  const target = { environment: "prod", cache: "product-cache", regions: ["eu-west-1", "us-east-1"], preferredRegion: "eu-west-1" };
  const sources: Record<string, { name: string; description: string }[]> = {
    "eu-west-1": [{ name: "top-products", description: "12,000 keys from keys/top.txt" }, { name: "hottest", description: "the hottest keys" }],
    "us-east-1": [{ name: "hottest", description: "the hottest keys" }],
  };

  test("offers the sources of the region chosen, starting with the first, and describes the one picked", () => {
    const spec = cacheWarmForm(target, (region) => sources[region] ?? null);
    const field = spec.fields.find((candidate) => candidate.name === "source");
    if (field?.type !== "select") throw new Error(`source is a ${field?.type} field`);
    const eu = resolveValues(spec.fields, {});
    expect(eu).toEqual({ region: "eu-west-1", source: "top-products" });
    expect(optionsOf(field, eu).map((option) => option.value)).toEqual(["top-products", "hottest"]);
    expect(hintOf(field, eu)).toBe("12,000 keys from keys/top.txt");
    const us = resolveValues(spec.fields, { region: "us-east-1" });
    expect(us.source).toBe("hottest");
    expect(buildParams(spec.fixed, spec.fields, us).params).toEqual({ cache: "product-cache", region: "us-east-1", source: "hottest" });
  });

  test("asks for a name when the region has no source listed (or the list has not come)", () => {
    expect(cacheWarmForm(target, () => null).fields.find((field) => field.name === "source")?.type).toBe("text");
    expect(cacheWarmForm(target, () => []).fields.find((field) => field.name === "source")?.type).toBe("text");
  });
});
