// docs/procedures.md is the reference operators and script writers read; it must not drift.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PERMISSIONS, ROLES, type Permission } from "@/server/domain/permissions";
import { appRouter } from "@/server/routers";

const doc = readFileSync("docs/procedures.md", "utf8");

function tableRows(heading: string): string[][] {
  const section = doc.split(/^#+ /m).find((part) => part.startsWith(heading)) ?? "";
  return section
    .split("\n")
    .filter((line) => line.startsWith("|") && !/^\|\s*-/.test(line))
    .slice(1)
    .map((line) => line.split("|").slice(1, -1).map((cell) => cell.trim()));
}

describe("docs/procedures.md", () => {
  it("lists exactly the procedures the router serves", () => {
    const documented = tableRows("tRPC procedures").map(([name]) => name!.replaceAll("`", ""));
    const served = Object.keys(appRouter._def.procedures);
    expect([...documented].sort()).toEqual([...served].sort());
  });

  it("shows the roles each permission is granted to", () => {
    const rows = tableRows("Roles");
    const documented = Object.fromEntries(
      rows.map(([name, ...cells]) => [name!.replaceAll("`", ""), ROLES.filter((_, i) => cells[i] === "✓")]),
    );
    const registry = Object.fromEntries((Object.keys(PERMISSIONS) as Permission[]).map((p) => [p, ROLES.filter((r) => (PERMISSIONS[p].roles as readonly string[]).includes(r))]));
    expect(documented).toEqual(registry);
  });
});
