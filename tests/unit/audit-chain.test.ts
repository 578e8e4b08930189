import { describe, expect, it } from "vitest";
import {
  canonicalAuditRow,
  findChainBreak,
  GENESIS_HASH,
  hashAuditRow,
  redactSecrets,
  type AuditRow,
  type AuditRowContent,
} from "../../server/audit/chain";

function content(seq: number, prevHash: string, details: unknown = { n: seq }): AuditRowContent {
  return {
    seq: BigInt(seq),
    occurredAt: new Date(Date.UTC(2026, 10, 27, 7, 0, 0, seq)),
    actorId: "7f1c9a52-0000-4000-8000-000000000001",
    actorEmail: "operator@example.com",
    action: "action.request",
    targetType: "service.scale",
    targetId: "prod/payments/payments-api",
    outcome: "success",
    details,
    prevHash,
  };
}

/** A correctly linked chain of `length` rows starting at seq 1. */
function chain(length: number): AuditRow[] {
  const rows: AuditRow[] = [];
  for (let seq = 1; seq <= length; seq++) {
    const row = content(seq, rows.at(-1)?.hash ?? GENESIS_HASH);
    rows.push({ ...row, hash: hashAuditRow(row) });
  }
  return rows;
}

const rehash = (row: AuditRowContent): AuditRow => ({ ...row, hash: hashAuditRow(row) });

describe("canonical form and hash", () => {
  it("does not depend on the key order of details (jsonb reorders keys)", () => {
    const a = content(1, GENESIS_HASH, { replicas: 4, target: { region: "eu", name: "api" }, list: [1, 2] });
    const b = content(1, GENESIS_HASH, { list: [1, 2], target: { name: "api", region: "eu" }, replicas: 4 });
    expect(canonicalAuditRow(a)).toBe(canonicalAuditRow(b));
    expect(hashAuditRow(a)).toBe(hashAuditRow(b));
  });

  it("changes when any covered field changes", () => {
    const base = content(1, GENESIS_HASH);
    const hash = hashAuditRow(base);
    const variants: AuditRowContent[] = [
      { ...base, seq: 2n },
      { ...base, occurredAt: new Date(base.occurredAt.getTime() + 1) },
      { ...base, actorId: null },
      { ...base, actorEmail: "someone-else@example.com" },
      { ...base, action: "action.approve" },
      { ...base, targetType: null },
      { ...base, targetId: "prod/payments/other" },
      { ...base, outcome: "failure" },
      { ...base, details: { n: 2 } },
      { ...base, prevHash: "f".repeat(64) },
    ];
    for (const variant of variants) expect(hashAuditRow(variant)).not.toBe(hash);
  });

  it("keeps array order significant", () => {
    expect(hashAuditRow(content(1, GENESIS_HASH, { list: [1, 2] }))).not.toBe(hashAuditRow(content(1, GENESIS_HASH, { list: [2, 1] })));
  });

  it("treats missing details like null", () => {
    const withoutDetails = { ...content(1, GENESIS_HASH), details: undefined };
    expect(hashAuditRow(withoutDetails)).toBe(hashAuditRow(content(1, GENESIS_HASH, null)));
  });

  it("is a sha256 in hex", () => {
    expect(hashAuditRow(content(1, GENESIS_HASH))).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("findChainBreak", () => {
  it("accepts an intact chain and an empty one", () => {
    expect(findChainBreak(chain(5), null)).toBeNull();
    expect(findChainBreak([], null)).toBeNull();
  });

  it("reports an edited row as a hash mismatch at that row", () => {
    const rows = chain(5);
    rows[2] = { ...rows[2]!, details: { n: 999 } };
    expect(findChainBreak(rows, null)).toEqual({ seq: 3n, reason: "hash mismatch" });
  });

  it("catches an edited row whose hash was recomputed, at the next row", () => {
    const rows = chain(5);
    rows[2] = rehash({ ...rows[2]!, details: { n: 999 } });
    expect(findChainBreak(rows, null)).toEqual({ seq: 4n, reason: "prev_hash mismatch" });
  });

  it("reports a deleted row as a sequence gap", () => {
    const rows = chain(5);
    rows.splice(2, 1);
    expect(findChainBreak(rows, null)).toEqual({ seq: 4n, reason: "sequence gap" });
  });

  it("reports a deleted first row: the log starts at seq 1", () => {
    expect(findChainBreak(chain(3).slice(1), null)).toEqual({ seq: 2n, reason: "sequence gap" });
  });

  it("requires the first row to link to the genesis hash", () => {
    const forged = rehash(content(1, "a".repeat(64)));
    expect(findChainBreak([forged], null)).toEqual({ seq: 1n, reason: "prev_hash mismatch" });
  });

  it("continues from the last verified row (batches)", () => {
    const rows = chain(6);
    const previous = { seq: rows[2]!.seq, hash: rows[2]!.hash };
    expect(findChainBreak(rows.slice(3), previous)).toBeNull();
    expect(findChainBreak(rows.slice(3), { seq: previous.seq, hash: "0".repeat(64) })).toEqual({ seq: 4n, reason: "prev_hash mismatch" });
    expect(findChainBreak(rows.slice(4), previous)).toEqual({ seq: 5n, reason: "sequence gap" });
  });
});

describe("redactSecrets", () => {
  it("replaces values under secret-looking keys, at any depth", () => {
    const redacted = redactSecrets({
      password: "hunter2",
      newPassword: "hunter3",
      passwordHash: "$argon2id$...",
      apiKey: "k1",
      api_key: "k2",
      Authorization: "Bearer abc",
      headers: { cookie: "session=1", "x-request-id": "r1" },
      clientSecret: "s",
      credentials: { user: "u", pass: "p" },
      tokens: [{ token: "t1" }, { token: "t2" }],
      replicas: 4,
      reason: "payments is saturated",
    });
    expect(redacted).toEqual({
      password: "[redacted]",
      newPassword: "[redacted]",
      passwordHash: "[redacted]",
      apiKey: "[redacted]",
      api_key: "[redacted]",
      Authorization: "[redacted]",
      headers: { cookie: "[redacted]", "x-request-id": "r1" },
      clientSecret: "[redacted]",
      credentials: "[redacted]",
      tokens: "[redacted]",
      replicas: 4,
      reason: "payments is saturated",
    });
  });

  it("walks arrays and leaves scalars, nulls and dates alone", () => {
    const at = new Date("2026-11-27T07:00:00.000Z");
    expect(redactSecrets([{ secret: "x", at }, 3, null, "text"])).toEqual([{ secret: "[redacted]", at }, 3, null, "text"]);
    expect(redactSecrets("password")).toBe("password");
  });

  it("does not change its input", () => {
    const input = { nested: { token: "t" } };
    redactSecrets(input);
    expect(input.nested.token).toBe("t");
  });
});
