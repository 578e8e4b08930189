// Vitest global setup for the integration and e2e projects: a fresh, migrated PostgreSQL
// database per run on the machine's server (shared with other runs and other projects, so
// the name carries a random suffix), dropped at the end with everything the run created.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { databaseUrlFor, DEFAULT_POSTGRES_ADMIN_URL, withClient } from "./databases";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** Applies the migrations in a child process: Node 22 imports the schema engine's WebAssembly only behind a flag. */
function migrate(databaseUrl: string): void {
  const result = spawnSync(
    process.execPath,
    ["--no-warnings", "--experimental-wasm-modules", "--import", "tsx", path.join(ROOT, "scripts/db-migrate.ts")],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl }, encoding: "utf8" },
  );
  if (result.status !== 0) throw new Error(`migrating the test database failed:\n${result.stdout}\n${result.stderr}`);
}

export default async function setup(project: TestProject) {
  const adminUrl = process.env.TEST_POSTGRES_URL ?? DEFAULT_POSTGRES_ADMIN_URL;
  const prefix = `scaleplane_test_${randomBytes(5).toString("hex")}`;
  const template = `${prefix}_template`;
  const main = `${prefix}_main`;

  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE "${template}"`));
  try {
    migrate(databaseUrlFor(adminUrl, template));
    await withClient(adminUrl, (client) => client.query(`CREATE DATABASE "${main}" TEMPLATE "${template}"`));
  } catch (error) {
    await dropRunDatabases(adminUrl, prefix);
    throw error;
  }

  project.provide("databaseUrl", databaseUrlFor(adminUrl, main));
  project.provide("templateDatabase", template);
  project.provide("databasePrefix", prefix);
  project.provide("postgresAdminUrl", adminUrl);

  return () => dropRunDatabases(adminUrl, prefix);
}

async function dropRunDatabases(adminUrl: string, prefix: string): Promise<void> {
  await withClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [prefix]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}
