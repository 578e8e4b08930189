import { describe, expect, it } from "vitest";
import { can, canSomewhere, parseScope, PERMISSIONS, ROLES, type Permission, type Role, type RoleGrant } from "../../server/domain/permissions";

const everywhere = (role: Role): RoleGrant => ({ role, environment: "*", namespace: "*" });
const on = (role: Role, environment: string, namespace: string): RoleGrant => ({ role, environment, namespace });
const prodPayments = { environment: "prod", namespace: "payments" };

describe("roles", () => {
  // What each role may do anywhere: the table in DESIGN.md ("Roles").
  const expected: Record<Role, Permission[]> = {
    viewer: ["service.read", "action.read", "audit.read"],
    operator: ["service.read", "action.read", "action.request", "alert.silence", "audit.read"],
    approver: ["service.read", "action.read", "action.approve", "alert.silence", "audit.read"],
    admin: ["service.read", "action.read", "action.request", "action.approve", "action.breakGlass", "alert.silence", "audit.read", "user.manage"],
  };

  it.each(ROLES)("%s holds exactly its permissions", (role) => {
    const held = (Object.keys(PERMISSIONS) as Permission[]).filter((permission) => can([everywhere(role)], permission, prodPayments));
    expect(held.sort()).toEqual([...expected[role]].sort());
  });

  it("gives nothing to someone without grants", () => {
    for (const permission of Object.keys(PERMISSIONS) as Permission[]) {
      expect(can([], permission, prodPayments)).toBe(false);
      expect(canSomewhere([], permission)).toBe(false);
    }
  });

  it("combines grants: each one counts on its own scope", () => {
    const grants = [everywhere("viewer"), on("operator", "staging", "*")];
    expect(can(grants, "service.read", prodPayments)).toBe(true);
    expect(can(grants, "action.request", prodPayments)).toBe(false);
    expect(can(grants, "action.request", { environment: "staging", namespace: "payments" })).toBe(true);
  });
});

describe("scopes are globs", () => {
  const operatorOnPayments = [on("operator", "prod", "payments-*")];

  it("matches a namespace pattern and nothing outside it", () => {
    expect(can(operatorOnPayments, "action.request", { environment: "prod", namespace: "payments-api" })).toBe(true);
    expect(can(operatorOnPayments, "action.request", { environment: "prod", namespace: "payments-" })).toBe(true);
    expect(can(operatorOnPayments, "action.request", { environment: "prod", namespace: "payments" })).toBe(false);
    expect(can(operatorOnPayments, "action.request", { environment: "prod", namespace: "checkout" })).toBe(false);
    expect(can(operatorOnPayments, "action.request", { environment: "staging", namespace: "payments-api" })).toBe(false);
  });

  it("matches environment patterns, braces and single characters", () => {
    expect(can([on("approver", "prod-*", "*")], "action.approve", { environment: "prod-eu", namespace: "x" })).toBe(true);
    expect(can([on("approver", "prod-*", "*")], "action.approve", { environment: "preprod-eu", namespace: "x" })).toBe(false);
    const braces = [on("operator", "{staging,qa}", "*")];
    expect(can(braces, "action.request", { environment: "qa", namespace: "x" })).toBe(true);
    expect(can(braces, "action.request", { environment: "prod", namespace: "x" })).toBe(false);
    expect(can([on("operator", "prod", "shard-?")], "action.request", { environment: "prod", namespace: "shard-7" })).toBe(true);
    expect(can([on("operator", "prod", "shard-?")], "action.request", { environment: "prod", namespace: "shard-17" })).toBe(false);
  });

  it("is case-sensitive, as Kubernetes names are", () => {
    expect(can([on("operator", "Prod", "*")], "action.request", prodPayments)).toBe(false);
  });

  it("covers a wildcard target only with a wildcard grant", () => {
    const anywhere = { environment: "*", namespace: "*" };
    expect(can([on("operator", "prod", "*")], "action.request", anywhere)).toBe(false);
    expect(can([on("operator", "*", "payments")], "action.request", { environment: "*", namespace: "payments" })).toBe(true);
    expect(can([everywhere("operator")], "action.request", anywhere)).toBe(true);
  });

  it("checks the role and the scope together", () => {
    // A viewer everywhere and an approver on staging do not make an approver on prod.
    const grants = [everywhere("viewer"), on("approver", "staging", "*")];
    expect(can(grants, "action.approve", prodPayments)).toBe(false);
    expect(can(grants, "action.approve", { environment: "staging", namespace: "payments" })).toBe(true);
  });
});

describe("global permissions", () => {
  it("need the role on */*, whatever scope is asked about", () => {
    expect(can([everywhere("admin")], "user.manage", prodPayments)).toBe(true);
    expect(can([on("admin", "prod", "*")], "user.manage", prodPayments)).toBe(false);
    expect(can([on("admin", "prod", "*")], "user.manage")).toBe(false);
    expect(can([on("viewer", "prod", "*")], "audit.read", prodPayments)).toBe(false);
    expect(can([everywhere("viewer")], "audit.read")).toBe(true);
  });

  it("are not held 'somewhere' through a scoped grant", () => {
    expect(canSomewhere([on("admin", "prod", "*")], "user.manage")).toBe(false);
    expect(canSomewhere([everywhere("admin")], "user.manage")).toBe(true);
  });

  it("a scoped admin still breaks glass in its own scope only", () => {
    const scopedAdmin = [on("admin", "prod", "*")];
    expect(can(scopedAdmin, "action.breakGlass", prodPayments)).toBe(true);
    expect(can(scopedAdmin, "action.breakGlass", { environment: "staging", namespace: "payments" })).toBe(false);
  });
});

describe("canSomewhere", () => {
  it("lets a scoped role call the procedure; the target's scope is checked later", () => {
    expect(canSomewhere([on("operator", "prod", "payments-*")], "action.request")).toBe(true);
    expect(canSomewhere([on("operator", "prod", "payments-*")], "action.approve")).toBe(false);
    expect(canSomewhere([everywhere("viewer")], "action.request")).toBe(false);
  });
});

describe("parseScope", () => {
  it("reads environment/namespace", () => {
    expect(parseScope("prod/payments-*")).toEqual({ environment: "prod", namespace: "payments-*" });
    expect(parseScope("*/*")).toEqual({ environment: "*", namespace: "*" });
  });

  it("treats a missing namespace as every namespace", () => {
    expect(parseScope("*")).toEqual({ environment: "*", namespace: "*" });
    expect(parseScope("staging")).toEqual({ environment: "staging", namespace: "*" });
  });

  it.each(["prod/payments/extra", "/payments", "prod/", ""])("refuses %j", (text) => {
    expect(() => parseScope(text)).toThrow(/environment\/namespace/);
  });
});
