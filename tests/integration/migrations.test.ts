import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { recordAudit, verifyAuditChain } from "../../server/audit/log";
import { createDb } from "../../server/db/client";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../server/db/embedded";
import { applyMigrations, diffMigrationsToSchema, hasSqlStatements, MIGRATIONS_DIR } from "../../server/db/migrations";
import { EXECUTE_ACTION_QUEUE, startJobQueue } from "../../server/jobs/queue";

describe("migrations and schema.prisma", () => {
  it("agree: replaying the migrations gives the schema", async () => {
    const script = await diffMigrationsToSchema(inject("databaseUrl"));
    expect(hasSqlStatements(script), `the migrations lag behind schema.prisma; run npm run db:migration:create -- <name>:\n${script}`).toBe(false);
  });

  describe("when a migration misses a column", () => {
    let brokenDir: string;

    beforeAll(async () => {
      brokenDir = await mkdtemp(path.join(tmpdir(), "scaleplane-migrations-"));
      await cp(MIGRATIONS_DIR, brokenDir, { recursive: true });
      const init = path.join(brokenDir, "20261127070524_init", "migration.sql");
      const sql = await readFile(init, "utf8");
      const withoutColumn = sql.replace(/^\s*"breakGlassReason" TEXT,\n/m, "");
      expect(withoutColumn).not.toBe(sql); // the column this check removes is still in the first migration
      await writeFile(init, withoutColumn);
    });

    afterAll(async () => {
      await rm(brokenDir, { recursive: true, force: true });
    });

    it("the check fails, naming the SQL that is missing", async () => {
      const script = await diffMigrationsToSchema(inject("databaseUrl"), brokenDir);
      expect(hasSqlStatements(script)).toBe(true);
      expect(script).toMatch(/ALTER TABLE "ActionRequest" ADD COLUMN\s+"breakGlassReason" TEXT/);
    });
  });

  it("hasSqlStatements ignores comments and blank lines", () => {
    expect(hasSqlStatements("-- This is an empty migration.\n\n")).toBe(false);
    expect(hasSqlStatements("-- AlterTable\nALTER TABLE \"User\" ADD COLUMN \"x\" TEXT;\n")).toBe(true);
  });

  it("applying them again changes nothing", async () => {
    expect(await applyMigrations(inject("databaseUrl"))).toEqual([]);
  });
});

// The zero-setup demo runs on PGlite behind its socket server: the same migrations, Prisma
// client, audit trigger and job queue have to work there, not only on PostgreSQL proper.
describe("on the embedded PostgreSQL (PGlite)", () => {
  let dataDir: string;
  let embedded: EmbeddedPostgres;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "scaleplane-pglite-"));
    embedded = await startEmbeddedPostgres({ dataDir, port: 0 });
  });

  afterAll(async () => {
    await embedded?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("applies the migrations, then serves Prisma, the audit log and pg-boss", async () => {
    const applied = await applyMigrations(embedded.connectionString);
    expect(applied).toEqual(["20261127070524_init", "20261127070600_audit_append_only", "20261127124340_action_progress", "20261127125232_alerts"]);

    const db = createDb(embedded.connectionString, 4);
    try {
      const user = await db.user.create({ data: { email: "pglite@test.scaleplane.local", roleBindings: { create: [{ role: "viewer" }] } } });
      expect(await db.roleBinding.count({ where: { userId: user.id } })).toBe(1);

      await Promise.all(
        Array.from({ length: 5 }, (_, n) => recordAudit(db, { actor: { id: user.id, email: user.email }, action: "test.pglite", outcome: "success", details: { n } })),
      );
      expect(await verifyAuditChain(db)).toMatchObject({ ok: true, checked: 5 });
      await expect(db.$executeRaw`UPDATE "AuditEvent" SET "outcome" = 'failure'`).rejects.toThrow(/append-only/);

      const boss = await startJobQueue(embedded.connectionString, 4);
      try {
        const worked = new Promise<unknown>((resolve) => {
          void boss.work<{ n: number }>(EXECUTE_ACTION_QUEUE, { pollingIntervalSeconds: 0.5 }, async ([job]) => resolve(job?.data));
        });
        await boss.send(EXECUTE_ACTION_QUEUE, { n: 42 });
        expect(await worked).toEqual({ n: 42 });
      } finally {
        await boss.stop({ graceful: true, timeout: 2000 });
      }
    } finally {
      await db.$disconnect();
    }
  });

  it("keeps the data in its folder across a restart", async () => {
    await embedded.stop();
    embedded = await startEmbeddedPostgres({ dataDir, port: 0 });
    const client = new pg.Client({ connectionString: embedded.connectionString });
    await client.connect();
    try {
      const { rows } = await client.query<{ email: string }>(`SELECT email FROM "User"`);
      expect(rows.map((row) => row.email)).toEqual(["pglite@test.scaleplane.local"]);
    } finally {
      await client.end();
    }
  });
});
