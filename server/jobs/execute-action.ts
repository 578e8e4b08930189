// Runs an approved request once, through its kind's adapter, reads the state back, and
// records the outcome. Runs as a pg-boss job: if the app dies mid-way the job is retried,
// finds the request already `executing`, and settles it by verification instead of
// running the change a second time.
import { appendAudit, SYSTEM_ACTOR } from "../audit/log";
import type { Prisma } from "../db/generated/client";
import { actionCatalog } from "../domain/actions/catalog";
import { auditTargetOf, publishChange, type ActionServiceDeps } from "../actions/requests";

type ExecutorDeps = Pick<ActionServiceDeps, "db" | "ports" | "events">;

export async function executeApprovedAction(deps: ExecutorDeps, requestId: string): Promise<void> {
  const claim = await deps.db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "ActionRequest" WHERE id = ${requestId}::uuid FOR UPDATE`;
    const request = await tx.actionRequest.findUnique({ where: { id: requestId } });
    if (!request) return null;
    if (request.state === "executing") return { request, resumed: true };
    if (request.state !== "approved") return null; // settled already, or never approved
    const executing = await tx.actionRequest.update({ where: { id: requestId }, data: { state: "executing", startedAt: new Date() } });
    await appendAudit(tx, { actor: SYSTEM_ACTOR, action: "action.execute.start", target: auditTargetOf(request), outcome: "success", details: { requestId } });
    return { request: executing, resumed: false };
  });
  if (!claim) return;
  publishChange(deps, claim.request);

  const { request, resumed } = claim;
  const kind = actionCatalog.get(request.kind);
  let verification: { ok: boolean; observed: Record<string, unknown>; message: string };
  try {
    if (!kind) throw new Error(`action kind ${request.kind} is no longer known to this version`);
    const params = kind.params.parse(request.params);
    if (!resumed) await kind.execute(deps.ports, params, request.environment);
    verification = await kind.verify(deps.ports, params, request.environment);
    if (resumed && !verification.ok) {
      verification = { ...verification, message: `interrupted while executing and not re-run; state read back: ${verification.message}` };
    } else if (resumed) {
      verification = { ...verification, message: `completed before an interruption: ${verification.message}` };
    }
  } catch (error) {
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
