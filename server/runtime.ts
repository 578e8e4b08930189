// The process-wide parts: adapters, event bus, job queue and its workers. Created once per
// process (kept on globalThis: Next.js may load this module more than once) and started
// by instrumentation.ts when the server boots.
import { Redis } from "ioredis";
import type { PgBoss } from "pg-boss";
import type { ActionServiceDeps } from "./actions/requests";
import { actionAdaptersFromConfig } from "./adapters/action-adapters";
import { routeActionPorts } from "./adapters/action-ports";
import { ClusterReaders } from "./adapters/cluster-readers";
import { alwaysFresh, EnvironmentMetrics, type EnvironmentPart } from "./adapters/environment-metrics";
import type { QueryCache } from "./adapters/prometheus/cache";
import { prometheusSourcesFor } from "./adapters/prometheus/from-config";
import { prometheusAlertSourcesFromConfig, type PrometheusAlertSource } from "./adapters/alertmanager/from-config";
import { loadAlertingRules } from "./adapters/alertmanager/rule-files";
import { createSimulatedFleet, SimulatedAlertRules, type SimulatedPlatform } from "./adapters/simulator";
import { getScaleplaneConfig, type ScaleplaneConfig } from "./config";
import { db } from "./db/client";
import type { JudgingContext } from "./domain/fleet-verdicts";
import type { ObservedMetricsSource, WorkloadPort } from "./domain/ports";
import { env } from "./env";
import { startAlertSync } from "./alerts/reconcile";
import { alertStoreOf } from "./alerts/services";
import type { EventBus } from "./events/bus";
import { createEventBus } from "./events/redis-bus";
import { readFleet } from "./fleet/read";
import { enqueueExecution, startJobQueue } from "./jobs/queue";
import { workApprovedActions, workRequestExpiry } from "./jobs/workers";
import { ConsumerLagTracker } from "./monitoring/consumer-lag";
import { VerdictMemory } from "./monitoring/verdict-memory";

export interface Runtime {
  config: ScaleplaneConfig;
  workloads: WorkloadPort;
  /** Every environment's figures, each from its configured source. */
  metrics: ObservedMetricsSource;
  /** The fleet simulator, when this process runs one. */
  simulator: SimulatedPlatform | null;
  /** Thresholds and the lag poller's memory: what the health verdicts are judged with. */
  judging(): JudgingContext;
  /** Since when each entity has had its verdict. */
  verdictMemory?: VerdictMemory;
  /** Environments whose alerts the simulator raises itself (no Prometheus), for the alerts page to say so. */
  simulatedAlertEnvironments?: readonly string[];
  /** The clusters read from the systems themselves (Kafka with its admin API, Redis with INFO). */
  clusterReaders?: ClusterReaders;
  events: EventBus;
  boss: PgBoss;
  actions: ActionServiceDeps;
  stop(): Promise<void>;
}

const VERDICT_WATCH_INTERVAL_MS = 15_000;

// The job queue shares the database with the app; a few connections are plenty.
const JOB_QUEUE_POOL_SIZE = 4;

/**
 * The simulated environment: the configuration's environment with `source: simulator`, or in
 * demo mode the simulator's own (then read back through Prometheus, as the demo with
 * Prometheus does). Null when nothing needs a simulator.
 */
function simulatedEnvironment(config: ScaleplaneConfig): string | null {
  const simulated = Object.entries(config.environments).filter(([, environment]) => environment.source === "simulator");
  if (simulated.length > 1) throw new Error(`The configuration has ${simulated.length} simulated environments; one fleet simulator serves one`);
  return simulated[0]?.[0] ?? (env.SCALEPLANE_DEMO ? env.SIMULATOR_ENVIRONMENT : null);
}

function logRedisError(error: unknown): void {
  console.warn("[scaleplane] Redis unavailable for the metrics cache:", error instanceof Error ? error.message : error);
}

/**
 * Each environment's figures from its source (the simulator, or one Prometheus per distinct
 * URL), with the clusters the configuration lists by address read from the systems themselves.
 */
function createMetrics(config: ScaleplaneConfig, simulated: SimulatedPlatform | null) {
  const redis = env.REDIS_URL ? new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: false }) : undefined;
  redis?.on("error", logRedisError);
  const clusterReaders = ClusterReaders.fromConfig(config);
  const parts: EnvironmentPart[] = [];
  const caches: QueryCache[] = [];
  for (const [name, environment] of Object.entries(config.environments)) {
    let ownParts: EnvironmentPart[];
    if (environment.source === "simulator") {
      ownParts = simulated ? [{ environment: name, source: alwaysFresh(simulated.metrics) }] : [];
    } else {
      const prometheus = prometheusSourcesFor(name, environment, { ...(redis ? { redis } : {}), onRedisError: logRedisError });
      ownParts = prometheus.parts;
      caches.push(...prometheus.caches);
    }
    if (ownParts.length > 0) parts.push({ environment: name, source: clusterReaders.over(name, new EnvironmentMetrics(ownParts)) });
  }
  return {
    metrics: new EnvironmentMetrics(parts),
    clusterReaders,
    async close() {
      await clusterReaders.close();
      await Promise.all(caches.map((cache) => cache.close()));
      redis?.disconnect();
    },
  };
}

/**
 * Where alerts come from: every configured Prometheus, and for a simulated environment (which
 * has none) the simulator evaluating the deployed rules itself, when SIMULATOR_ALERT_RULES_DIR
 * names them (the demo does).
 */
function alertSources(config: ScaleplaneConfig, simulated: SimulatedPlatform | null, simulatedName: string | null): PrometheusAlertSource[] {
  const sources = prometheusAlertSourcesFromConfig(config);
  if (simulated && simulatedName && config.environments[simulatedName]?.source === "simulator" && env.SIMULATOR_ALERT_RULES_DIR) {
    const rules = loadAlertingRules(env.SIMULATOR_ALERT_RULES_DIR);
    sources.push({ environment: simulatedName, regions: null, reader: new SimulatedAlertRules(simulated.fleet, rules) });
  }
  return sources;
}

async function createRuntime(): Promise<Runtime> {
  const config = getScaleplaneConfig();
  const simulatedName = simulatedEnvironment(config);
  const simulated =
    simulatedName === null
      ? null
      : createSimulatedFleet({
          environment: simulatedName,
          seed: env.SIMULATOR_SEED,
          services: env.SIMULATOR_SERVICES,
          ...(env.SIMULATOR_SCENARIO_FILE ? { scenarioFile: env.SIMULATOR_SCENARIO_FILE } : {}),
        });
  simulated?.fleet.start(env.SIMULATOR_TICK_MS);
  const { metrics, clusterReaders, close: closeMetrics } = createMetrics(config, simulated);
  const lagTracker = new ConsumerLagTracker(metrics, {
    intervalSeconds: env.CONSUMER_LAG_POLL_SECONDS,
    windowSize: config.health.consumerGroups.windowSize,
    onError: (error) => console.warn("[scaleplane] consumer lag poll failed:", error instanceof Error ? error.message : error),
  });
  lagTracker.start();
  // Each call goes to the real adapter the configuration places there, else to the simulator.
  const actionAdapters = actionAdaptersFromConfig(config);
  const actionPorts = routeActionPorts(actionAdapters.adapters, simulated && simulatedName ? { environment: simulatedName, ports: simulated.actions } : null);
  const workloads: WorkloadPort = actionPorts.workloads;
  // Through Redis when there is one, so every replica of the app delivers every event.
  const events = createEventBus(env.REDIS_URL);
  const boss = await startJobQueue(env.DATABASE_URL, JOB_QUEUE_POOL_SIZE);

  const actions: ActionServiceDeps = {
    db,
    ports: actionPorts,
    events,
    enqueueExecution: (tx, requestId) => enqueueExecution(boss, tx, requestId),
    pricePerReplicaHour: env.PRICE_PER_REPLICA_HOUR,
    requestTtlSeconds: env.ACTION_REQUEST_TTL_SECONDS,
  };

  // Aborted on stop: a resumable execution (a replay) stops cleanly and resumes after the restart.
  const shutdown = new AbortController();
  await workApprovedActions(boss, actions, shutdown.signal);
  await workRequestExpiry(boss, actions);

  const sources = alertSources(config, simulated, simulatedName);
  const verdictMemory = new VerdictMemory();
  const runtime: Runtime = {
    config,
    workloads,
    metrics,
    simulator: simulated,
    simulatedAlertEnvironments: sources.flatMap((source) => (source.reader instanceof SimulatedAlertRules ? [source.environment] : [])),
    judging: () => ({
      thresholds: config.health,
      lagWindows: (group) => lagTracker.windowsOf(group),
      expectedBrokers: (cluster) => lagTracker.expectedBrokers(cluster),
      ...(lagTracker.lastPollAt === null ? {} : { now: lagTracker.lastPollAt }),
    }),
    verdictMemory,
    clusterReaders,
    events,
    boss,
    actions,
    async stop() {
      clearInterval(verdictWatch);
      shutdown.abort();
      lagTracker.stop();
      simulated?.fleet.stop();
      await boss.stop({ graceful: true, timeout: 5000 });
      await alertSync.stop();
      await events.close();
      await closeMetrics();
      await actionAdapters.close();
    },
  };
  // Every environment judged in the background, so "since when" is right even for entities
  // nobody was looking at when they changed.
  const watchEnvironments = () => {
    for (const environment of Object.keys(config.environments)) {
      readFleet(runtime, environment, () => true).catch((error: unknown) =>
        console.warn(`[scaleplane] watching ${environment} failed:`, error instanceof Error ? error.message : error),
      );
    }
  };
  const verdictWatch = setInterval(watchEnvironments, VERDICT_WATCH_INTERVAL_MS);
  // Prometheus's own view of the alerts, so the alert pages are right even if a webhook was missed.
  const alertSync = startAlertSync({ store: alertStoreOf(db, { config, events }), config, sources });
  verdictWatch.unref();
  return runtime;
}

const holder = globalThis as unknown as { scaleplaneRuntime?: Promise<Runtime> };

export function getRuntime(): Promise<Runtime> {
  holder.scaleplaneRuntime ??= createRuntime().catch((error: unknown) => {
    holder.scaleplaneRuntime = undefined; // let the next request try again
    throw error;
  });
  return holder.scaleplaneRuntime;
}
