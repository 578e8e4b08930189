import { describe, expect, it } from "vitest";
import type { EntityVerdict } from "../../server/domain/overview";
import { VerdictMemory } from "../../server/monitoring/verdict-memory";

const entity = (id: string, verdict: EntityVerdict["verdict"]): EntityVerdict => ({ kind: "service", id, label: id, region: "eu", verdict, reasons: [], href: `/services/x/${id}` });

describe("VerdictMemory", () => {
  it("keeps the time a verdict began while it holds, and starts over when it changes", () => {
    const memory = new VerdictMemory();
    expect(memory.record("prod", [entity("a", "OK"), entity("b", "CRIT")], 1000).map((e) => e.since)).toEqual([1000, 1000]);
    expect(memory.record("prod", [entity("a", "OK"), entity("b", "CRIT")], 2000).map((e) => e.since)).toEqual([1000, 1000]);
    expect(memory.record("prod", [entity("a", "WARN"), entity("b", "CRIT")], 3000).map((e) => e.since)).toEqual([3000, 1000]);
    expect(memory.record("prod", [entity("a", "OK")], 4000)[0]?.since).toBe(4000);
  });

  it("keeps environments apart and forgets entities unseen for an hour", () => {
    const memory = new VerdictMemory();
    memory.record("prod", [entity("a", "CRIT")], 0);
    expect(memory.record("staging", [entity("a", "CRIT")], 500)[0]?.since).toBe(500);
    memory.record("prod", [], 60 * 60_000 + 1);
    expect(memory.record("prod", [entity("a", "CRIT")], 60 * 60_000 + 2)[0]?.since).toBe(60 * 60_000 + 2);
  });
});
