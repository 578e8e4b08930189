import { diffMigrationsToSchema, hasSqlStatements } from "/work/main/server/db/migrations";
const s = await diffMigrationsToSchema("postgresql://postgres@127.0.0.1:5432/postgres");
console.log(JSON.stringify(s), hasSqlStatements(s));
