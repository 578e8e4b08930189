// The workers this process runs on the job queue.
import type { PgBoss } from "pg-boss";
import { expireStaleRequests, type ActionServiceDeps } from "../actions/requests";
import { executeApprovedAction } from "./execute-action";
import { EXECUTE_ACTION_QUEUE, EXPIRE_REQUESTS_QUEUE } from "./queue";

/**
 * Executes approved requests as their jobs arrive. `shutdown` aborts running executions when
 * the app stops: a resumable one fails its job, which is retried and resumes after the restart.
 */
export async function workApprovedActions(boss: PgBoss, actions: ActionServiceDeps, shutdown?: AbortSignal): Promise<void> {
  await boss.work<{ requestId: string }>(EXECUTE_ACTION_QUEUE, { pollingIntervalSeconds: 0.5 }, async ([job]) => {
    if (job) await executeApprovedAction(actions, job.data.requestId, shutdown);
  });
}

/** Expires requests left pending past their deadline, once a minute across all app processes. */
export async function workRequestExpiry(boss: PgBoss, actions: ActionServiceDeps): Promise<void> {
  await boss.work(EXPIRE_REQUESTS_QUEUE, async () => {
    await expireStaleRequests(actions);
  });
  await boss.schedule(EXPIRE_REQUESTS_QUEUE, "* * * * *");
}
