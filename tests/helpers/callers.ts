// The app's router called in process, as a signed-in user, over a runtime of the test's making
// (only the parts the procedures under test read).
import type { ObservedMetricsSource, WorkloadPort } from "../../server/domain/ports";
import { EnvironmentMetrics } from "../../server/adapters/environment-metrics";
import type { SimulatedPlatform } from "../../server/adapters/simulator";
import { demoConfig } from "../../server/config/demo";
import type { Db } from "../../server/db/client";
import { DEFAULT_JUDGING } from "../../server/domain/fleet-verdicts";
import type { RoleGrant } from "../../server/domain/permissions";
import { createCaller } from "../../server/routers";
import type { Runtime } from "../../server/runtime";
import type { Context } from "../../server/trpc";

export interface ReadingRuntimeParts {
  /** The demo environment's metrics. */
  source: ObservedMetricsSource;
  workloads: WorkloadPort;
  simulator?: SimulatedPlatform;
}

/** A runtime that reads figures and nothing else: no database, no job queue. */
export function readingRuntime(parts: ReadingRuntimeParts): Runtime {
  const readOnly = {
    config: demoConfig(),
    workloads: parts.workloads,
    metrics: new EnvironmentMetrics([{ environment: "demo", source: parts.source }]),
    simulator: parts.simulator ?? null,
    judging: () => DEFAULT_JUDGING,
  };
  return readOnly as Partial<Runtime> as Runtime;
}

/** The router as a user holding `grants` (a viewer of everything by default). */
export function callerFor(runtime: Runtime, grants: RoleGrant[] = [{ role: "viewer", environment: "*", namespace: "*" }], db?: Db) {
  return createCaller({
    db: db ?? (null as unknown as Db),
    principal: { id: "test-user", email: "test-user@scaleplane.test", name: null, grants },
    runtime: () => Promise.resolve(runtime),
  } as Context);
}
