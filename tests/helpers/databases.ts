// Databases for tests on the machine's PostgreSQL. Every database a run creates is named
// after the run's prefix, so the global teardown drops whatever a failed test left behind.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's database, migrated; DATABASE_URL points at it in every test worker. */
    databaseUrl: string;
    /** A migrated database nobody connects to, copied by createScratchDatabase. */
    templateDatabase: string;
    /** Prefix of every database this run creates. */
    databasePrefix: string;
    /** A superuser connection to the server's maintenance database. */
    postgresAdminUrl: string;
  }
}

export const DEFAULT_POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

export function databaseUrlFor(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withClient<T>(connectionString: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * A migrated database of its own, for tests that break things (disable triggers, tamper
 * with rows, make writes fail) without touching the run's shared database. A copy of the
 * template, so it takes a fraction of a second instead of replaying the migrations.
 */
export async function createScratchDatabase(label: string): Promise<ScratchDatabase> {
  const adminUrl = inject("postgresAdminUrl");
  const name = `${inject("databasePrefix")}_${label.replace(/[^a-z0-9_]/g, "_")}_${randomBytes(3).toString("hex")}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE "${name}" TEMPLATE "${inject("templateDatabase")}"`));
  return {
    name,
    url: databaseUrlFor(adminUrl, name),
    drop: () => withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  };
}
