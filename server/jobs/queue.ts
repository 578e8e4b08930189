// The durable job queue (pg-boss, in Scaleplane's own PostgreSQL).
import { PgBoss } from "pg-boss";
import type { DbTransaction } from "../db/client";

export const EXECUTE_ACTION_QUEUE = "action-execute";
export const EXPIRE_REQUESTS_QUEUE = "action-expire";

export async function startJobQueue(connectionString: string, poolSize: number): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString, max: poolSize, schema: "pgboss" });
  boss.on("error", (error) => console.error("[jobs]", error));
  await boss.start();
  // A crashed attempt is retried (and then settled by verification, never re-run);
  // 5 minutes is far longer than any change through an adapter should take.
  await boss.createQueue(EXECUTE_ACTION_QUEUE, { retryLimit: 3, retryDelay: 5, expireInSeconds: 300 });
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
    db: { executeSql: async (text, values) => ({ rows: await tx.$queryRawUnsafe<unknown[]>(text, ...(values ?? [])) }) },
  });
}
