// The durable job queue (pg-boss, in Scaleplane's own PostgreSQL).
import { PgBoss } from "pg-boss";
import type { DbTransaction } from "../db/client";

export const EXECUTE_ACTION_QUEUE = "action-execute";
export const EXPIRE_REQUESTS_QUEUE = "action-expire";

/** pg-boss's smallest heartbeat interval. */
export const HEARTBEAT_SECONDS = 10;
const MAX_EXECUTION_SECONDS = 12 * 3600;

export async function startJobQueue(connectionString: string, poolSize: number): Promise<PgBoss> {
  // The monitor notices a missed heartbeat; checking every few seconds keeps a crashed
  // execution's retry close to HEARTBEAT_SECONDS.
  const boss = new PgBoss({ connectionString, max: poolSize, schema: "pgboss", monitorIntervalSeconds: 5, superviseIntervalSeconds: 5 });
  boss.on("error", (error) => console.error("[jobs]", error));
  await boss.start();
  // The worker sends a heartbeat while an execution runs: a crashed app's job is retried
  // within about HEARTBEAT_SECONDS (and then settled by verification, or resumed by a
  // resumable kind), while a long replay or invalidation may run for hours.
  await boss.createQueue(EXECUTE_ACTION_QUEUE, { retryLimit: 5, retryDelay: 5, expireInSeconds: MAX_EXECUTION_SECONDS, heartbeatSeconds: HEARTBEAT_SECONDS });
  await boss.createQueue(EXPIRE_REQUESTS_QUEUE, { retryLimit: 0 });
  return boss;
}

/**
 * Adds the execution job in the caller's transaction: if the transaction rolls back,
 * no job exists. The job id is the request id, so a request can never get two jobs.
 */
export async function enqueueExecution(boss: PgBoss, tx: DbTransaction, requestId: string): Promise<void> {
  await boss.send(EXECUTE_ACTION_QUEUE, { requestId }, {
    id: requestId,
    heartbeatSeconds: HEARTBEAT_SECONDS,
    db: { executeSql: async (text, values) => ({ rows: await tx.$queryRawUnsafe<unknown[]>(text, ...(values ?? [])) }) },
  });
}
