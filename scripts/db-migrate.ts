// npm run db:migrate — applies prisma/migrations to DATABASE_URL.
import { applyMigrations } from "../server/db/migrations";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("db:migrate: set DATABASE_URL (the demo applies migrations to its embedded database by itself)");
  process.exit(2);
}
const applied = await applyMigrations(url);
console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
process.exit(0);
