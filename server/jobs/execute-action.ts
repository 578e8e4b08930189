// Runs an approved request once, through its kind's adapter, reads the state back, and
// records the outcome. Runs as a pg-boss job: if the app dies mid-way the job is retried and
// finds the request already `executing`. A resumable kind (a replay that records its own
// progress) then continues where it stopped; any other kind is settled by verification
// instead of running the change a second time.
import { appendAudit, SYSTEM_ACTOR } from "../audit/log";
import type { Prisma } from "../db/generated/client";
import { actionCatalog } from "../domain/actions/catalog";
import { ExecutionSuperseded, type ExecutionContext } from "../domain/actions/kind";
import { auditTargetOf, publishChange, type ActionServiceDeps } from "../actions/requests";

type ExecutorDeps = Pick<ActionServiceDeps, "db" | "ports" | "events">;

/** Progress is written at most this often; the last report is always written. */
const PROGRESS_WRITE_INTERVAL_MS = 1000;

/**
 * Keeps the latest progress report in the request's row and tells the pages, without one
 * database write per message copied or key deleted.
 */
function progressRecorder(deps: ExecutorDeps, request: { id: string; state: string; environment: string; namespace: string; progress: unknown }) {
  // A resumed execution starts from what the interrupted one recorded.
  let latest: Record<string, unknown> | null = isRecord(request.progress) ? request.progress : null;
  let lastWrite = 0;
  let writing: Promise<void> = Promise.resolve();
  const write = () => {
    const progress = latest;
    if (progress === null) return;
    lastWrite = Date.now();
    writing = writing
      .then(() => deps.db.actionRequest.update({ where: { id: request.id }, data: { progress: progress as Prisma.InputJsonValue } }))
      .then(() => publishChange(deps, request))
      .catch((error: unknown) => console.warn(`[jobs] could not record the progress of ${request.id}:`, error instanceof Error ? error.message : error));
  };
  return {
    report(progress: Record<string, unknown>) {
      latest = { ...latest, ...progress };
      if (Date.now() - lastWrite >= PROGRESS_WRITE_INTERVAL_MS) write();
    },
    async remember(note: Record<string, unknown>) {
      latest = { ...latest, ...note };
      write();
      await writing;
    },
    recorded: () => latest,
    async flush() {
      write();
      await writing;
    },
  };
}

export async function executeApprovedAction(deps: ExecutorDeps, requestId: string, signal: AbortSignal = new AbortController().signal): Promise<void> {
  const claim = await deps.db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "ActionRequest" WHERE id = ${requestId}::uuid FOR UPDATE`;
    const request = await tx.actionRequest.findUnique({ where: { id: requestId } });
    if (!request) return null;
    if (request.state === "executing") return { request, resumed: true };
    if (request.state !== "approved") return null; // settled already, or never approved
    const executing = await tx.actionRequest.update({ where: { id: requestId }, data: { state: "executing", startedAt: new Date() } });
    await appendAudit(tx, { actor: SYSTEM_ACTOR, action: "action.execute.start", target: auditTargetOf(request), outcome: "success", details: { requestId } });
    const conflict = await exclusiveConflict(tx, request);
    if (conflict === null) return { request: executing, resumed: false };
    const failed = await tx.actionRequest.update({
      where: { id: requestId },
      data: { state: "failed", finishedAt: new Date(), outcome: { ok: false, observed: {}, message: conflict, resumed: false }, error: conflict },
    });
    await appendAudit(tx, {
      actor: SYSTEM_ACTOR, action: "action.execute.failed", target: auditTargetOf(request), outcome: "failure", details: { requestId, message: conflict, observed: {}, resumed: false },
    });
    return { request: failed, refused: true };
  });
  if (!claim) return;
  publishChange(deps, claim.request);
  if ("refused" in claim) return;

  const { request, resumed } = claim;
  const kind = actionCatalog.get(request.kind);
  const progress = progressRecorder(deps, request);
  const context: ExecutionContext = {
    environment: request.environment,
    requestId,
    reportProgress: progress.report,
    remember: progress.remember,
    recorded: progress.recorded,
    signal,
  };
  const rerun = resumed && kind?.resumable === true;
  let verification: { ok: boolean; observed: Record<string, unknown>; message: string };
  try {
    if (!kind) throw new Error(`action kind ${request.kind} is no longer known to this version`);
    const params = kind.params.parse(request.params);
    if (!resumed || rerun) await kind.execute(deps.ports, params, context);
    await progress.flush();
    // Shutting down mid-way: the job is retried after the restart and the kind resumes.
    if (signal.aborted && kind.resumable) throw new ExecutionInterrupted(requestId);
    verification = await kind.verify(deps.ports, params, context);
    if (rerun) {
      verification = { ...verification, message: `resumed after an interruption: ${verification.message}` };
    } else if (resumed && !verification.ok) {
      verification = { ...verification, message: `interrupted while executing and not re-run; state read back: ${verification.message}` };
    } else if (resumed) {
      verification = { ...verification, message: `completed before an interruption: ${verification.message}` };
    }
  } catch (error) {
    if (error instanceof ExecutionInterrupted) throw error;
    if (error instanceof ExecutionSuperseded) {
      console.warn(`[jobs] ${requestId}: ${error.message}`);
      return;
    }
    await progress.flush();
    verification = { ok: false, observed: {}, message: error instanceof Error ? error.message : String(error) };
  }

  const finished = await deps.db.$transaction(async (tx) => {
    // Settle once: an attempt that resumed while this one still ran (a job retried after
    // its expiry) may have settled the request already; a final state is never rewritten.
    await tx.$queryRaw`SELECT id FROM "ActionRequest" WHERE id = ${requestId}::uuid FOR UPDATE`;
    const current = await tx.actionRequest.findUnique({ where: { id: requestId }, select: { state: true } });
    if (current?.state !== "executing") return null;
    const done = await tx.actionRequest.update({
      where: { id: requestId },
      data: {
        state: verification.ok ? "succeeded" : "failed",
        finishedAt: new Date(),
        outcome: { ...verification, resumed } as Prisma.InputJsonValue,
        error: verification.ok ? null : verification.message,
      },
    });
    await appendAudit(tx, {
      actor: SYSTEM_ACTOR,
      action: verification.ok ? "action.execute.succeeded" : "action.execute.failed",
      target: auditTargetOf(request),
      outcome: verification.ok ? "success" : "failure",
      details: { requestId, message: verification.message, observed: verification.observed, resumed },
    });
    return done;
  });
  if (finished) publishChange(deps, finished);
}

/**
 * Why the request may not start while another of its kind with the same exclusive key is
 * executing; null when it may. Claims of one kind take turns (a transaction-scoped advisory
 * lock), so two approved at the same moment cannot both find the other not yet executing.
 */
async function exclusiveConflict(tx: Prisma.TransactionClient, request: { id: string; kind: string; params: Prisma.JsonValue; environment: string }): Promise<string | null> {
  const kind = actionCatalog.get(request.kind);
  if (!kind?.exclusiveKey) return null;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`scaleplane.action.exclusive:${request.kind}`}, 0))`;
  const keyOf = (params: Prisma.JsonValue) => {
    const parsed = kind.params.safeParse(params);
    return parsed.success ? kind.exclusiveKey?.(parsed.data, request.environment) : undefined;
  };
  const key = keyOf(request.params);
  // Parameters that no longer parse (a kind changed since the request) fail in execute, with their own message.
  if (key === undefined) return null;
  const running = await tx.actionRequest.findMany({
    where: { kind: request.kind, environment: request.environment, state: "executing", id: { not: request.id } },
    select: { id: true, params: true, progress: true },
  });
  const other = running.find((candidate) => keyOf(candidate.params) === key);
  if (!other) return null;
  const summary = isRecord(other.progress) ? kind.progressSummary?.(other.progress) : null;
  return `request ${other.id} ("${kind.title}", the same target) is executing${summary ? ` (${summary})` : ""}, and both would do the same work: this one did not start. Request it again once that one has finished`;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** A resumable execution stopped because the app shuts down; its job runs again after the restart. */
export class ExecutionInterrupted extends Error {
  override name = "ExecutionInterrupted";

  constructor(requestId: string) {
    super(`execution of ${requestId} interrupted by shutdown; it resumes when the app starts again`);
  }
}
