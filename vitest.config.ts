// Three projects, one command (`npm test`):
// - unit: pure logic, no services, in parallel;
// - integration: real PostgreSQL (a fresh database per run, see tests/helpers/database-setup.ts), one file at a time;
// - e2e: the app in Chromium (tests/e2e), one file at a time, on its own fresh database.
import path from "node:path";
import { defineConfig } from "vitest/config";

const root = import.meta.dirname;

export default defineConfig({
  resolve: {
    alias: [{ find: /^@\//, replacement: `${root}/` }],
  },
  test: {
    // Prisma's schema engine is WebAssembly imported as an ES module (migrations, drift checks).
    execArgv: ["--experimental-wasm-modules", "--disable-warning=ExperimentalWarning"],
    setupFiles: [path.join(root, "tests/helpers/setup-env.ts")],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["tests/unit/**/*.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          globalSetup: [path.join(root, "tests/helpers/database-setup.ts")],
          // The files share one database and start job queues against it.
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 90_000,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.test.ts"],
          globalSetup: [path.join(root, "tests/helpers/database-setup.ts")],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
