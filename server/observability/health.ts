// What /api/health reports: whether Scaleplane's database, its job queue and the metrics
// source it reads the platform from answer, each within a short deadline so a hung
// dependency makes the check fail instead of making the probe time out.
import type { Db } from "../db/client";
import { EXECUTE_ACTION_QUEUE } from "../jobs/queue";
import type { Runtime } from "../runtime";

export const HEALTH_CHECK_TIMEOUT_MS = 2000;

export interface CheckResult {
  ok: boolean;
  latencyMs: number;
  error?: string;
  [detail: string]: unknown;
}

export interface HealthReport {
  status: "ok" | "degraded";
  checks: { db: CheckResult; jobQueue: CheckResult; metricsSource: CheckResult };
}

export interface HealthDeps {
  db: Pick<Db, "$queryRaw">;
  runtime: () => Promise<Pick<Runtime, "boss" | "metrics">>;
}

class CheckTimeout extends Error {
  override name = "CheckTimeout";
}

/** Errors can carry connection strings or stack-sized messages; a probe needs a line. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/postgres(ql)?:\/\/\S+/g, "postgresql://…").slice(0, 200);
}

export async function runCheck(check: () => Promise<Record<string, unknown> | void>, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeout(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const details = await Promise.race([check(), deadline]);
    return { ok: true, latencyMs: Math.round(performance.now() - started), ...details };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: describe(error) };
  } finally {
    clearTimeout(timer);
  }
}

export async function checkHealth(deps: HealthDeps, timeoutMs = HEALTH_CHECK_TIMEOUT_MS): Promise<HealthReport> {
  const [db, jobQueue, metricsSource] = await Promise.all([
    runCheck(async () => {
      await deps.db.$queryRaw`SELECT 1`;
    }, timeoutMs),
    runCheck(async () => {
      const queue = await (await deps.runtime()).boss.getQueue(EXECUTE_ACTION_QUEUE);
      if (!queue) throw new Error(`job queue ${EXECUTE_ACTION_QUEUE} does not exist`);
      return { queued: queue.queuedCount, active: queue.activeCount, failed: queue.failedCount };
    }, timeoutMs),
    runCheck(async () => {
      await (await deps.runtime()).metrics.ping();
    }, timeoutMs),
  ]);
  const status = db.ok && jobQueue.ok && metricsSource.ok ? "ok" : "degraded";
  return { status, checks: { db, jobQueue, metricsSource } };
}
