// The action executor in a process of its own, for tests that kill it mid-way:
//   node --import tsx tests/helpers/action-executor-child.ts '<configuration as JSON>'
// A pg-boss worker on the test database (DATABASE_URL) executing approved requests, wired as
// startTestRuntime wires it: the fleet simulator for "demo", with the real adapters the
// configuration places. Prints "ready" once it works jobs, then runs until it is killed.
import { actionAdaptersFromConfig } from "../../server/adapters/action-adapters";
import { validateConfig } from "../../server/config/load";
import { db } from "../../server/db/client";
import { env } from "../../server/env";
import { startTestRuntime } from "./runtime";

const config = validateConfig(JSON.parse(process.argv[2] ?? "{}"), "the executor child's configuration");
const configured = actionAdaptersFromConfig(config);
await startTestRuntime({ db, databaseUrl: env.DATABASE_URL, adapters: configured.adapters });
process.stdout.write("ready\n");
