// The process-wide parts: adapters, event bus, job queue and its workers. Created once per
// process (kept on globalThis: Next.js may load this module more than once) and started
// by instrumentation.ts when the server boots.
import type { PgBoss } from "pg-boss";
import type { ActionServiceDeps } from "./actions/requests";
import { createSimulatedFleet } from "./adapters/simulator";
import { db } from "./db/client";
import type { MetricsSource, WorkloadPort } from "./domain/ports";
import { env } from "./env";
import { InProcessEventBus, type EventBus } from "./events/bus";
import { enqueueExecution, startJobQueue } from "./jobs/queue";
import { workApprovedActions, workRequestExpiry } from "./jobs/workers";

export interface Runtime {
  workloads: WorkloadPort;
  metrics: MetricsSource;
  events: EventBus;
  boss: PgBoss;
  actions: ActionServiceDeps;
  stop(): Promise<void>;
}

// The job queue shares the database with the app; a few connections are plenty.
const JOB_QUEUE_POOL_SIZE = 4;

async function createRuntime(): Promise<Runtime> {
  const simulated = createSimulatedFleet({
    environment: env.SIMULATOR_ENVIRONMENT,
    seed: env.SIMULATOR_SEED,
    services: env.SIMULATOR_SERVICES,
    ...(env.SIMULATOR_SCENARIO_FILE ? { scenarioFile: env.SIMULATOR_SCENARIO_FILE } : {}),
  });
  simulated.fleet.start(env.SIMULATOR_TICK_MS);
  const events = new InProcessEventBus();
  const boss = await startJobQueue(env.DATABASE_URL, JOB_QUEUE_POOL_SIZE);

  const actions: ActionServiceDeps = {
    db,
    ports: { workloads: simulated.workloads },
    events,
    enqueueExecution: (tx, requestId) => enqueueExecution(boss, tx, requestId),
    pricePerReplicaHour: env.PRICE_PER_REPLICA_HOUR,
    requestTtlSeconds: env.ACTION_REQUEST_TTL_SECONDS,
  };

  await workApprovedActions(boss, actions);
  await workRequestExpiry(boss, actions);

  return {
    workloads: simulated.workloads,
    metrics: simulated.metrics,
    events,
    boss,
    actions,
    async stop() {
      simulated.fleet.stop();
      await boss.stop({ graceful: true, timeout: 5000 });
    },
  };
}

const holder = globalThis as unknown as { scaleplaneRuntime?: Promise<Runtime> };

export function getRuntime(): Promise<Runtime> {
  holder.scaleplaneRuntime ??= createRuntime().catch((error: unknown) => {
    holder.scaleplaneRuntime = undefined; // let the next request try again
    throw error;
  });
  return holder.scaleplaneRuntime;
}
