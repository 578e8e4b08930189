// Runs in every test worker before a test file loads: server/env.ts validates the
// environment when first imported, so it has to be right before anything imports it.
import { inject } from "vitest";

process.env.NEXTAUTH_SECRET = "test-secret-not-for-production";
// Tests change role bindings and expect the change at once.
process.env.ROLE_CACHE_SECONDS = "0";
// Integration and e2e tests get the run's database; unit tests get an address that cannot
// connect, so a unit test that reaches for a database fails instead of using a real one.
process.env.DATABASE_URL = inject("databaseUrl") ?? "postgresql://unit-tests-have-no-database@127.0.0.1:1/none";
