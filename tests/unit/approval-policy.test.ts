import { describe, expect, it } from "vitest";
import { approvalsRequired, canTransition, refuseDecision, type PendingRequestView } from "@/server/domain/approval";
import type { RoleGrant } from "@/server/domain/permissions";

const approverOnPayments: RoleGrant[] = [{ role: "approver", environment: "prod", namespace: "payments-*" }];
const now = new Date("2026-01-01T12:00:00Z");
const pending = (overrides: Partial<PendingRequestView> = {}): PendingRequestView => ({
  state: "pending",
  requestedById: "requester",
  expiresAt: new Date(now.getTime() + 60_000),
  scope: { environment: "prod", namespace: "payments-eu" },
  ...overrides,
});

describe("approval policy", () => {
  it("lets an approver in scope decide someone else's pending request", () => {
    expect(refuseDecision(pending(), "approver", approverOnPayments, now)).toBeNull();
  });

  it("refuses the requester deciding their own request, even as approver", () => {
    expect(refuseDecision(pending({ requestedById: "approver" }), "approver", approverOnPayments, now)).toMatchObject({ code: "FORBIDDEN" });
  });

  it("refuses an approver outside the request's scope", () => {
    const refusal = refuseDecision(pending({ scope: { environment: "prod", namespace: "checkout" } }), "approver", approverOnPayments, now);
    expect(refusal).toMatchObject({ code: "FORBIDDEN" });
    expect(refusal?.message).toContain("prod/checkout");
  });

  it("refuses an operator (no approve permission)", () => {
    expect(refuseDecision(pending(), "op", [{ role: "operator", environment: "*", namespace: "*" }], now)).toMatchObject({ code: "FORBIDDEN" });
  });

  it("treats a pending request past its deadline as expired", () => {
    expect(refuseDecision(pending({ expiresAt: now }), "approver", approverOnPayments, now)).toMatchObject({ code: "EXPIRED" });
  });

  it("refuses a request that is no longer pending", () => {
    expect(refuseDecision(pending({ state: "approved" }), "approver", approverOnPayments, now)).toMatchObject({ code: "CONFLICT" });
  });

  it("needs another person's approval for medium and high risk, none for low", () => {
    expect([approvalsRequired("low"), approvalsRequired("medium"), approvalsRequired("high")]).toEqual([0, 1, 1]);
  });

  it("only moves forward through the state machine", () => {
    expect(canTransition("pending", "approved")).toBe(true);
    expect(canTransition("approved", "executing")).toBe(true);
    expect(canTransition("executing", "succeeded")).toBe(true);
    expect(canTransition("rejected", "approved")).toBe(false);
    expect(canTransition("succeeded", "executing")).toBe(false);
    expect(canTransition("pending", "executing")).toBe(false);
  });
});
