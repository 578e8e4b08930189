import { describe, expect, it } from "vitest";
import { grantsForGroups, parseGroupRoleMap } from "@/server/auth/oidc";

describe("OIDC group → role mapping", () => {
  const map = parseGroupRoleMap("sre=approver@prod/*, sre=operator@staging, devs=operator@staging/team-*, admins=admin");

  it("maps each group to its grants with their scopes", () => {
    expect(grantsForGroups(["devs"], map)).toEqual([{ role: "operator", environment: "staging", namespace: "team-*" }]);
    expect(grantsForGroups(["admins"], map)).toEqual([{ role: "admin", environment: "*", namespace: "*" }]);
    expect(grantsForGroups(["sre"], map)).toHaveLength(2);
  });

  it("ignores unknown groups and removes duplicates", () => {
    expect(grantsForGroups(["nobody"], map)).toEqual([]);
    expect(grantsForGroups(["devs", "devs", "sre"], map)).toHaveLength(3);
  });

  it("refuses malformed entries and unknown roles with a clear message", () => {
    expect(() => parseGroupRoleMap("sre")).toThrow(/group=role/);
    expect(() => parseGroupRoleMap("sre=superuser")).toThrow(/unknown role "superuser"/);
  });
});
