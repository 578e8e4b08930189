// The approval engine's write side: request, approve, reject, cancel, break glass, expire.
// Every change takes a row lock on the request, applies the pure rules of
// server/domain/approval.ts and writes its audit event in the same transaction.
import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import type { Principal } from "../auth/principal";
import { appendAudit, SYSTEM_ACTOR, type AuditActor } from "../audit/log";
import type { Db, DbTransaction } from "../db/client";
import { Prisma } from "../db/generated/client";
import { actionCatalog, type AnyActionKind } from "../domain/actions/catalog";
import { ActionRefused, type ActionPorts } from "../domain/actions/kind";
import { approvalsRequired, canTransition, refuseDecision, type ActionState } from "../domain/approval";
import { can } from "../domain/permissions";
import type { EventBus } from "../events/bus";
import { ActionError } from "./errors";

export interface ActionServiceDeps {
  db: Db;
  ports: ActionPorts;
  events: EventBus;
  /** Adds the execution job inside the caller's transaction (server/jobs/queue.ts). */
  enqueueExecution(tx: DbTransaction, requestId: string): Promise<void>;
  pricePerReplicaHour: number;
  requestTtlSeconds: number;
}

export interface RequestActionInput {
  kind: string;
  environment: string;
  params: unknown;
  reason: string;
  idempotencyKey: string;
}

const actorOf = (principal: Principal): AuditActor => ({ id: principal.id, email: principal.email });

function kindOf(name: string): AnyActionKind {
  const kind = actionCatalog.get(name);
  if (!kind) throw new ActionError("BAD_REQUEST", `unknown action kind "${name}"`);
  return kind;
}

function paramsHashOf(kind: string, environment: string, params: unknown): string {
  return createHash("sha256").update(canonicalize({ kind, environment, params }) ?? "").digest("hex");
}

async function lockRequest(tx: DbTransaction, id: string) {
  await tx.$queryRaw`SELECT id FROM "ActionRequest" WHERE id = ${id}::uuid FOR UPDATE`;
  const request = await tx.actionRequest.findUnique({ where: { id }, include: { decisions: true } });
  if (!request) throw new ActionError("NOT_FOUND", "no such action request");
  return request;
}

function assertTransition(from: ActionState, to: ActionState) {
  if (!canTransition(from, to)) throw new ActionError("CONFLICT", `the request is ${from}; it cannot become ${to}`);
}

export async function requestAction(deps: ActionServiceDeps, principal: Principal, input: RequestActionInput) {
  const kind = kindOf(input.kind);
  const parsed = kind.params.safeParse(input.params);
  if (!parsed.success) throw new ActionError("BAD_REQUEST", "invalid parameters", parsed.error.issues);
  const params: unknown = parsed.data;
  const target = kind.target(params, input.environment);
  const scope = { environment: target.environment, namespace: target.namespace };
  if (!can(principal.grants, kind.permission, scope)) {
    throw new ActionError("FORBIDDEN", `you may not request ${kind.kind} on ${scope.environment}/${scope.namespace}`);
  }

  const paramsHash = paramsHashOf(kind.kind, input.environment, params);
  const replay = await findByIdempotencyKey(deps.db, principal.id, input.idempotencyKey, paramsHash);
  if (replay) return replay;

  let plan;
  let current: unknown;
  try {
    current = await kind.load(deps.ports, params, input.environment);
    plan = kind.plan(params, current, { pricePerReplicaHour: deps.pricePerReplicaHour });
  } catch (error) {
    if (error instanceof ActionRefused) throw new ActionError("BAD_REQUEST", error.message);
    throw error;
  }
  const required = approvalsRequired(plan.risk);
  const rollback = kind.rollback(params, current);

  try {
    const request = await deps.db.$transaction(async (tx) => {
      const created = await tx.actionRequest.create({
        data: {
          kind: kind.kind,
          environment: target.environment,
          namespace: target.namespace,
          target: target.name,
          params: params as Prisma.InputJsonValue,
          paramsHash,
          reason: input.reason,
          risk: plan.risk,
          preview: { ...plan, rollback } as unknown as Prisma.InputJsonValue,
          state: required === 0 ? "approved" : "pending",
          requestedById: principal.id,
          idempotencyKey: input.idempotencyKey,
          requiredApprovals: required,
          expiresAt: new Date(Date.now() + deps.requestTtlSeconds * 1000),
        },
      });
      const auditTarget = { type: kind.kind, id: `${target.environment}/${target.namespace}/${target.name}` };
      await appendAudit(tx, {
        actor: actorOf(principal),
        action: "action.request",
        target: auditTarget,
        outcome: "success",
        details: { requestId: created.id, params, reason: input.reason, risk: plan.risk, riskReasons: plan.riskReasons, changes: plan.changes },
      });
      if (required === 0) {
        await appendAudit(tx, { actor: SYSTEM_ACTOR, action: "action.autoApprove", target: auditTarget, outcome: "success", details: { requestId: created.id, rule: "low risk, requester holds action.request on the scope" } });
        await deps.enqueueExecution(tx, created.id);
      }
      return created;
    });
    publishChange(deps, request);
    return request;
  } catch (error) {
    // Two retries with one key racing: the loser returns what the winner created.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const winner = await findByIdempotencyKey(deps.db, principal.id, input.idempotencyKey, paramsHash);
      if (winner) return winner;
    }
    throw error;
  }
}

async function findByIdempotencyKey(db: Db, requestedById: string, idempotencyKey: string, paramsHash: string) {
  const existing = await db.actionRequest.findUnique({ where: { requestedById_idempotencyKey: { requestedById, idempotencyKey } } });
  if (existing && existing.paramsHash !== paramsHash) {
    throw new ActionError("CONFLICT", "this idempotency key was already used for a request with other parameters");
  }
  return existing;
}

export interface DecideInput {
  requestId: string;
  decision: "approve" | "reject";
  comment?: string;
}

export async function decideAction(deps: ActionServiceDeps, principal: Principal, input: DecideInput) {
  const outcome = await deps.db.$transaction(async (tx) => {
    const request = await lockRequest(tx, input.requestId);
    // A repeated click, or a retry, by someone who already decided changes nothing.
    if (request.decisions.some((d) => d.deciderId === principal.id)) return { request, changed: false as const };

    const refusal = refuseDecision(
      { state: request.state, requestedById: request.requestedById, expiresAt: request.expiresAt, scope: request },
      principal.id,
      principal.grants,
      new Date(),
    );
    if (refusal?.code === "EXPIRED") {
      const expired = await expireLocked(tx, request);
      return { request: expired, changed: true as const, refusal };
    }
    if (refusal) throw new ActionError(refusal.code, refusal.message);

    await tx.actionDecision.create({ data: { requestId: request.id, deciderId: principal.id, decision: input.decision, comment: input.comment ?? null } });
    const approvals = request.decisions.filter((d) => d.decision === "approve").length + (input.decision === "approve" ? 1 : 0);
    const nextState: ActionState = input.decision === "reject" ? "rejected" : approvals >= request.requiredApprovals ? "approved" : "pending";
    if (nextState !== request.state) assertTransition(request.state, nextState);
    const updated = await tx.actionRequest.update({ where: { id: request.id }, data: { state: nextState } });
    await appendAudit(tx, {
      actor: actorOf(principal),
      action: input.decision === "approve" ? "action.approve" : "action.reject",
      target: auditTargetOf(request),
      outcome: "success",
      details: { requestId: request.id, comment: input.comment ?? null, approvals, required: request.requiredApprovals },
    });
    if (nextState === "approved") await deps.enqueueExecution(tx, request.id);
    return { request: updated, changed: true as const };
  });
  if (outcome.changed) publishChange(deps, outcome.request);
  if ("refusal" in outcome && outcome.refusal) throw new ActionError("PRECONDITION_FAILED", outcome.refusal.message);
  return outcome.request;
}

export async function cancelAction(deps: ActionServiceDeps, principal: Principal, requestId: string) {
  const request = await deps.db.$transaction(async (tx) => {
    const request = await lockRequest(tx, requestId);
    if (request.requestedById !== principal.id) throw new ActionError("FORBIDDEN", "only the requester can cancel a request");
    if (request.state === "cancelled") return request;
    assertTransition(request.state, "cancelled");
    const cancelled = await tx.actionRequest.update({ where: { id: request.id }, data: { state: "cancelled", finishedAt: new Date() } });
    await appendAudit(tx, { actor: actorOf(principal), action: "action.cancel", target: auditTargetOf(request), outcome: "success", details: { requestId } });
    return cancelled;
  });
  publishChange(deps, request);
  return request;
}

/** An admin runs a pending request without the approval it needs. Audited as such. */
export async function breakGlass(deps: ActionServiceDeps, principal: Principal, input: { requestId: string; reason: string }) {
  const request = await deps.db.$transaction(async (tx) => {
    const request = await lockRequest(tx, input.requestId);
    if (!can(principal.grants, "action.breakGlass", request)) {
      throw new ActionError("FORBIDDEN", `breaking glass needs admin on ${request.environment}/${request.namespace}`);
    }
    if (request.state === "pending" && request.expiresAt <= new Date()) throw new ActionError("PRECONDITION_FAILED", "the request expired; request it again");
    assertTransition(request.state, "approved");
    const approved = await tx.actionRequest.update({ where: { id: request.id }, data: { state: "approved", breakGlassReason: input.reason } });
    await tx.actionDecision.create({ data: { requestId: request.id, deciderId: principal.id, decision: "approve", comment: input.reason, breakGlass: true } });
    await appendAudit(tx, { actor: actorOf(principal), action: "action.breakGlass", target: auditTargetOf(request), outcome: "success", details: { requestId: request.id, reason: input.reason } });
    await deps.enqueueExecution(tx, request.id);
    return approved;
  });
  publishChange(deps, request);
  return request;
}

type LockedRequest = Awaited<ReturnType<typeof lockRequest>>;

async function expireLocked(tx: DbTransaction, request: LockedRequest) {
  const expired = await tx.actionRequest.update({ where: { id: request.id }, data: { state: "expired", finishedAt: new Date() } });
  await appendAudit(tx, { actor: SYSTEM_ACTOR, action: "action.expire", target: auditTargetOf(request), outcome: "success", details: { requestId: request.id, expiresAt: request.expiresAt.toISOString() } });
  return expired;
}

/** Marks every pending request past its deadline as expired. Run periodically. */
export async function expireStaleRequests(deps: Pick<ActionServiceDeps, "db" | "events">): Promise<number> {
  const stale = await deps.db.actionRequest.findMany({ where: { state: "pending", expiresAt: { lte: new Date() } }, select: { id: true } });
  let count = 0;
  for (const { id } of stale) {
    const expired = await deps.db.$transaction(async (tx) => {
      const request = await lockRequest(tx, id);
      return request.state === "pending" ? expireLocked(tx, request) : null;
    });
    if (expired) {
      count++;
      publishChange(deps, expired);
    }
  }
  return count;
}

export function auditTargetOf(request: { kind: string; environment: string; namespace: string; target: string }) {
  return { type: request.kind, id: `${request.environment}/${request.namespace}/${request.target}` };
}

export function publishChange(deps: Pick<ActionServiceDeps, "events">, request: { id: string; state: string; environment: string; namespace: string }) {
  deps.events.publish({ type: "action.changed", requestId: request.id, state: request.state, environment: request.environment, namespace: request.namespace, at: Date.now() });
}
