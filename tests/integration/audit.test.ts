import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAudit, recordAudit, verifyAuditChain, type AuditEntry } from "../../server/audit/log";
import { GENESIS_HASH, hashAuditRow } from "../../server/audit/chain";
import { createDb, db, type Db } from "../../server/db/client";
import { createScratchDatabase, withClient, type ScratchDatabase } from "../helpers/databases";

const ROOT = path.resolve(import.meta.dirname, "../..");

const entry = (n: number, details: Record<string, unknown> = {}): AuditEntry => ({
  actor: { id: null, email: "audit-test@test.scaleplane.local" },
  action: "test.audit",
  target: { type: "test", id: `item-${n}` },
  outcome: "success",
  details: { n, ...details },
});

/** A scratch database with `count` events in it, and a client on it. */
async function databaseWithEvents(label: string, count: number): Promise<{ scratch: ScratchDatabase; scratchDb: Db }> {
  const scratch = await createScratchDatabase(label);
  const scratchDb = createDb(scratch.url, 2);
  for (let n = 1; n <= count; n++) await recordAudit(scratchDb, entry(n));
  return { scratch, scratchDb };
}

/** As a superuser who switched the append-only trigger off: what the hash chain must catch. */
async function tamper(url: string, sql: string): Promise<void> {
  await withClient(url, async (client) => {
    await client.query(`ALTER TABLE "AuditEvent" DISABLE TRIGGER audit_event_no_update_delete`);
    await client.query(sql);
    await client.query(`ALTER TABLE "AuditEvent" ENABLE TRIGGER audit_event_no_update_delete`);
  });
}

function runAuditVerify(databaseUrl: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", "audit:verify"], { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("the audit log", () => {
  it("links each appended event to the one before it", async () => {
    const first = await recordAudit(db, entry(1));
    const second = await recordAudit(db, entry(2, { password: "hunter2" }));
    expect(second.seq).toBe(first.seq + 1n);

    const rows = await db.auditEvent.findMany({ where: { seq: { in: [first.seq, second.seq] } }, orderBy: { seq: "asc" } });
    expect(rows[1]?.prevHash).toBe(rows[0]?.hash);
    if (first.seq === 1n) expect(rows[0]?.prevHash).toBe(GENESIS_HASH);
    // Secrets never reach the log.
    expect(rows[1]?.details).toEqual({ n: 2, password: "[redacted]" });
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, firstBreak: null, lastSeq: second.seq.toString() });
  });

  it("commits an event with the change it records, or neither", async () => {
    const before = await db.auditEvent.count();
    await expect(
      db.$transaction(async (tx) => {
        await appendAudit(tx, entry(3));
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await db.auditEvent.count()).toBe(before);
  });

  it("refuses UPDATE, DELETE and TRUNCATE", async () => {
    await recordAudit(db, entry(4));
    await expect(db.$executeRaw`UPDATE "AuditEvent" SET "details" = '{}'::jsonb`).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(db.$executeRaw`DELETE FROM "AuditEvent"`).rejects.toThrow(/append-only: DELETE refused/);
    await expect(db.$executeRaw`TRUNCATE "AuditEvent"`).rejects.toThrow(/append-only: TRUNCATE refused/);
    expect(await db.auditEvent.count()).toBeGreaterThan(0);
  });

  it("stays one chain under 20 concurrent appends", async () => {
    const before = await db.auditEvent.findFirst({ orderBy: { seq: "desc" }, select: { seq: true } });
    const appended = await Promise.all(Array.from({ length: 20 }, (_, n) => recordAudit(db, entry(100 + n))));
    const seqs = appended.map((a) => a.seq).sort((a, b) => (a < b ? -1 : 1));
    const start = (before?.seq ?? 0n) + 1n;
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, n) => start + BigInt(n)));
    expect(new Set(appended.map((a) => a.hash)).size).toBe(20);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });
});

describe("tampering (on databases of their own)", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  async function seeded(label: string, count: number) {
    const made = await databaseWithEvents(label, count);
    cleanups.push(async () => {
      await made.scratchDb.$disconnect();
      await made.scratch.drop();
    });
    return made;
  }

  it("an edited row is reported by its seq as a hash mismatch", async () => {
    const { scratch, scratchDb } = await seeded("edited", 5);
    expect(await verifyAuditChain(scratchDb)).toMatchObject({ ok: true, checked: 5 });
    await tamper(scratch.url, `UPDATE "AuditEvent" SET "details" = '{"n": 999}'::jsonb WHERE seq = 3`);
    expect(await verifyAuditChain(scratchDb)).toMatchObject({ ok: false, checked: 2, firstBreak: { seq: "3", reason: "hash mismatch" } });
  });

  it("a deleted row in the middle is reported where the sequence breaks", async () => {
    const { scratch, scratchDb } = await seeded("deleted", 5);
    await tamper(scratch.url, `DELETE FROM "AuditEvent" WHERE seq = 3`);
    expect(await verifyAuditChain(scratchDb)).toMatchObject({ ok: false, firstBreak: { seq: "4", reason: "sequence gap" } });
  });

  it("a rewritten row with a recomputed hash is caught at the next row", async () => {
    const { scratch, scratchDb } = await seeded("rehashed", 4);
    // Whoever edits row 2 and recomputes its hash still cannot fix row 3's link to it.
    const original = await scratchDb.auditEvent.findUniqueOrThrow({ where: { seq: 2n } });
    const forged = { ...original, details: { n: 2, approvedBy: "nobody" } };
    const forgedHash = hashAuditRow(forged);
    await tamper(scratch.url, `UPDATE "AuditEvent" SET "details" = '${JSON.stringify(forged.details)}'::jsonb, "hash" = '${forgedHash}' WHERE seq = 2`);
    expect(await verifyAuditChain(scratchDb)).toMatchObject({ ok: false, checked: 2, firstBreak: { seq: "3", reason: "prev_hash mismatch" } });
  });

  describe("npm run audit:verify", () => {
    let target: { scratch: ScratchDatabase; scratchDb: Db };
    beforeAll(async () => {
      target = await seeded("cli", 3);
    });

    it("exits 0 and prints the count on an intact chain", async () => {
      const result = await runAuditVerify(target.scratch.url);
      expect(result.stderr).toBe("");
      expect(result.stdout).toMatch(/audit chain ok: 3 events checked, last seq 3/);
      expect(result.code).toBe(0);
    });

    it("exits 1 and names the first broken row on a tampered chain", async () => {
      await tamper(target.scratch.url, `UPDATE "AuditEvent" SET "actorEmail" = 'someone-else@example.com' WHERE seq = 2`);
      const result = await runAuditVerify(target.scratch.url);
      expect(result.stderr).toMatch(/audit chain BROKEN at seq 2: hash mismatch/);
      expect(result.code).toBe(1);
    });

    it("exits 2 when it cannot reach the database", async () => {
      const result = await runAuditVerify("postgresql://postgres@127.0.0.1:1/nowhere");
      expect(result.stderr).toMatch(/could not read the audit log/);
      expect(result.code).toBe(2);
    });
  });
});
