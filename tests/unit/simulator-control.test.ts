// The simulator's control endpoint without Next: demo mode only, operators and admins only,
// and a 400 that says what is wrong with the request.
import { describe, expect, it } from "vitest";
import { createSimulatedFleet, incidentRequestSchema } from "../../server/adapters/simulator";
import { handleIncidents, type ControlContext, type ControlResponse } from "../../server/adapters/simulator/control";
import type { RoleGrant } from "../../server/domain/permissions";

const START = Date.UTC(2025, 0, 15, 12, 0, 7);
const operator: RoleGrant[] = [{ role: "operator", environment: "demo", namespace: "*" }];
const viewer: RoleGrant[] = [{ role: "viewer", environment: "*", namespace: "*" }];

const context = (overrides: Partial<ControlContext> = {}): ControlContext => ({
  demo: true,
  grants: operator,
  fleet: createSimulatedFleet({ startAt: START, historyHours: 0.1 }).fleet,
  ...overrides,
});
const post = (body: unknown, ctx: ControlContext, contentType = "application/json") =>
  handleIncidents({ method: "POST", contentType, body: typeof body === "string" ? body : JSON.stringify(body) }, ctx);
const errorOf = (response: ControlResponse) => ("error" in response.body ? response.body.error : undefined);

describe("simulator control endpoint", () => {
  it("does not exist outside demo mode, whoever asks", () => {
    expect(handleIncidents({ method: "GET" }, context({ demo: false, grants: [{ role: "admin", environment: "*", namespace: "*" }] })).status).toBe(404);
    expect(post({ scenario: "cache flush", durationSeconds: 60 }, context({ demo: false })).status).toBe(404);
  });

  it("needs a signed-in operator or admin", () => {
    expect(handleIncidents({ method: "GET" }, context({ grants: null })).status).toBe(401);
    const forbidden = post({ scenario: "cache flush", durationSeconds: 60 }, context({ grants: viewer }));
    expect(forbidden).toMatchObject({ status: 403, body: { error: expect.stringMatching(/operator or admin/) } });
    expect(handleIncidents({ method: "GET" }, context({ grants: [{ role: "admin", environment: "*", namespace: "*" }] })).status).toBe(200);
  });

  it("injects an incident and lists the ones not over yet", () => {
    const ctx = context();
    const created = post({ scenario: "slow consumer", target: "order-fulfilment", region: "eu-west-1", durationSeconds: 120 }, ctx);
    expect(created).toMatchObject({
      status: 201,
      body: { incident: { id: "incident-1", scenario: "slow consumer", target: "consumer group order-fulfilment", regions: ["eu-west-1"], startsAt: START, endsAt: START + 120_000 } },
    });
    ctx.fleet?.tick(START + 1000);
    expect(handleIncidents({ method: "GET" }, ctx)).toMatchObject({ status: 200, body: { incidents: [{ id: "incident-1", status: "active" }] } });
    ctx.fleet?.tick(START + 121_000);
    expect(handleIncidents({ method: "GET" }, ctx)).toEqual({ status: 200, body: { incidents: [] } });
  });

  it("answers 400 with a clear message for bad input", () => {
    const ctx = context();
    expect(errorOf(post("{not json", ctx))).toBe("the body is not valid JSON");
    expect(errorOf(post({ scenario: "meteor strike", durationSeconds: 60 }, ctx))).toMatch(/^scenario: scenario must be one of: traffic spike, slow consumer, broker down/);
    expect(errorOf(post({ scenario: "cache flush" }, ctx))).toMatch(/^durationSeconds: /);
    expect(errorOf(post({ scenario: "cache flush", durationSeconds: 1.5 }, ctx))).toMatch(/durationSeconds/);
    expect(errorOf(post({ scenario: "cache flush", durationSeconds: 999_999 }, ctx))).toMatch(/durationSeconds/);
    expect(errorOf(post({ scenario: "cache flush", durationSeconds: 60, colour: "red" }, ctx))).toMatch(/colour/);
    expect(errorOf(post({ scenario: "cache flush", target: "nope", durationSeconds: 60 }, ctx))).toMatch(/no cache nope; known: product-cache, session-cache/);
    expect(errorOf(post({ scenario: "broker down", region: "mars-1", durationSeconds: 60 }, ctx))).toMatch(/unknown region mars-1/);
    expect(post({ scenario: "cache flush", durationSeconds: 60 }, ctx, "text/plain").status).toBe(415);
    for (const bad of ["{not json", { scenario: "meteor strike", durationSeconds: 60 }]) expect(post(bad, ctx).status).toBe(400);
    expect(ctx.fleet?.incidents()).toEqual([]);
  });

  it("validates the request body with one schema, shared with the fleet", () => {
    expect(incidentRequestSchema.safeParse({ scenario: "region outage", target: " us-east-1 ", durationSeconds: 30 })).toMatchObject({
      success: true, data: { scenario: "region outage", target: "us-east-1", durationSeconds: 30 },
    });
    expect(incidentRequestSchema.safeParse({ scenario: "region outage", target: "", durationSeconds: 30 }).success).toBe(false);
    expect(() => context().fleet?.injectIncident({ scenario: "traffic spike", durationSeconds: -1 })).toThrow(/durationSeconds/);
  });

  it("says so when the simulator is not running", () => {
    expect(handleIncidents({ method: "GET" }, context({ fleet: null }))).toEqual({ status: 404, body: { error: "the fleet simulator is not running" } });
  });
});
