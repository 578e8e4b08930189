// A runtime like server/runtime.ts builds, for tests: the real fleet simulator (not ticking,
// so only actions change it), the in-process event bus and a real pg-boss on the test
// database, with or without the worker that executes approved actions.
import type { ActionServiceDeps } from "../../server/actions/requests";
import { routeActionPorts, NO_ADAPTERS, type PlacedAdapters } from "../../server/adapters/action-ports";
import { alwaysFresh, EnvironmentMetrics } from "../../server/adapters/environment-metrics";
import { createSimulatedFleet, type SimulatedFleet } from "../../server/adapters/simulator";
import { demoConfig } from "../../server/config/demo";
import { DEFAULT_JUDGING } from "../../server/domain/fleet-verdicts";
import type { Db } from "../../server/db/client";
import { InProcessEventBus, type ActionChangedEvent } from "../../server/events/bus";
import { enqueueExecution, startJobQueue } from "../../server/jobs/queue";
import { workApprovedActions } from "../../server/jobs/workers";
import type { Runtime } from "../../server/runtime";

export const TEST_ENVIRONMENT = "demo";

export interface TestRuntime extends Runtime {
  fleet: SimulatedFleet;
  /** Every action event published since the runtime started, oldest first. */
  published: ActionChangedEvent[];
}

export interface TestRuntimeOptions {
  db: Db;
  databaseUrl: string;
  /** Run approved actions through a pg-boss worker, as the app does. Default true. */
  workers?: boolean;
  requestTtlSeconds?: number;
  /** Real adapters that take the simulator's place where they are placed (a real Kafka, Redis, Kubernetes API). */
  adapters?: PlacedAdapters;
}

export async function startTestRuntime(options: TestRuntimeOptions): Promise<TestRuntime> {
  const simulated = createSimulatedFleet({ environment: TEST_ENVIRONMENT, seed: 7 });
  const events = new InProcessEventBus();
  const published: ActionChangedEvent[] = [];
  const publish = events.publish.bind(events);
  events.publish = (event) => {
    if (event.type === "action.changed") published.push(event);
    publish(event);
  };
  const boss = await startJobQueue(options.databaseUrl, 2);
  const actions: ActionServiceDeps = {
    db: options.db,
    ports: routeActionPorts(options.adapters ?? NO_ADAPTERS, { environment: TEST_ENVIRONMENT, ports: simulated.actions }),
    events,
    enqueueExecution: (tx, requestId) => enqueueExecution(boss, tx, requestId),
    pricePerReplicaHour: 0.05,
    requestTtlSeconds: options.requestTtlSeconds ?? 3600,
  };
  if (options.workers ?? true) {
    await workApprovedActions(boss, actions);
  }
  return {
    fleet: simulated.fleet,
    published,
    config: demoConfig(),
    workloads: simulated.workloads,
    metrics: new EnvironmentMetrics([{ environment: TEST_ENVIRONMENT, source: alwaysFresh(simulated.metrics) }]),
    simulator: simulated,
    judging: () => DEFAULT_JUDGING,
    events,
    boss,
    actions,
    async stop() {
      await boss.stop({ graceful: true, timeout: 5000 });
    },
  };
}
