// npm run db:migration:create -- <name> — writes the SQL that takes the migrations to
// prisma/schema.prisma as a new migration folder. Needs a PostgreSQL to replay the
// existing migrations in (a throwaway shadow database): DATABASE_URL, or the local one.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { diffMigrationsToSchema, hasSqlStatements, MIGRATIONS_DIR } from "../server/db/migrations";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:migration:create -- <name>   (lowercase letters, digits and _)");
  process.exit(2);
}
const url = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const script = await diffMigrationsToSchema(url);
if (!hasSqlStatements(script)) {
  console.log("schema.prisma and the migrations agree: nothing to write");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
const folder = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
await mkdir(folder, { recursive: true });
await writeFile(path.join(folder, "migration.sql"), script);
// migration_lock.toml (committed) tells the engine which connector the folder is for.
console.log(`wrote ${path.relative(process.cwd(), folder)}/migration.sql`);
process.exit(0);
