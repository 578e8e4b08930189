// One action through the whole approval engine, as people do it: an operator requests it
// through the router, an approver approves it (when its risk needs that), the pg-boss worker
// executes it, and the request settles. For the integration test of every action kind.
import { randomUUID } from "node:crypto";
import type { Principal } from "../../server/auth/principal";
import { db } from "../../server/db/client";
import { createCaller } from "../../server/routers";
import type { Context } from "../../server/trpc";
import type { TestRuntime } from "./runtime";
import { TEST_ENVIRONMENT } from "./runtime";
import { createTestUser } from "./users";

export interface ActionPeople {
  operator: Principal;
  approver: Principal;
}

export async function createActionPeople(): Promise<ActionPeople> {
  const [operator, approver] = await Promise.all([createTestUser(db, "operator"), createTestUser(db, "approver")]);
  return { operator, approver };
}

export function callerAs(runtime: TestRuntime, principal: Principal) {
  return createCaller({ db, principal, runtime: async () => runtime } satisfies Context);
}

export async function waitForSettled(requestId: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const request = await db.actionRequest.findUniqueOrThrow({ where: { id: requestId } });
    if (["succeeded", "failed", "rejected", "cancelled", "expired"].includes(request.state)) return request;
    if (Date.now() > deadline) throw new Error(`request ${requestId} is still ${request.state} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface ActionInput {
  kind: string;
  params: Record<string, unknown>;
  reason?: string;
}

/** Requests, approves when needed, and waits until the request settles; returns the settled request. */
export async function requestApproveAndRun(runtime: TestRuntime, people: ActionPeople, input: ActionInput, timeoutMs?: number) {
  const request = await callerAs(runtime, people.operator).actions.request({
    kind: input.kind,
    environment: TEST_ENVIRONMENT,
    params: input.params,
    reason: input.reason ?? `integration test of ${input.kind}`,
    idempotencyKey: randomUUID(),
  });
  if (request.state === "pending") await callerAs(runtime, people.approver).actions.approve({ id: request.id });
  return waitForSettled(request.id, timeoutMs);
}

/** The message of the error a request is refused with (the request must be refused). */
export async function refusalOf(runtime: TestRuntime, people: ActionPeople, input: ActionInput): Promise<string> {
  try {
    await callerAs(runtime, people.operator).actions.request({
      kind: input.kind,
      environment: TEST_ENVIRONMENT,
      params: input.params,
      reason: input.reason ?? `integration test of ${input.kind}`,
      idempotencyKey: randomUUID(),
    });
  } catch (error) {
    const issues = (error as { cause?: { issues?: Array<{ message: string; path: unknown[] }> } }).cause?.issues;
    const detail = issues?.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    return [error instanceof Error ? error.message : String(error), detail].filter(Boolean).join(" — ");
  }
  throw new Error(`${input.kind} with ${JSON.stringify(input.params)} was accepted; a refusal was expected`);
}

/** The audit trail of one request, in order: "<action> by <actor's email>" ("system" for the executor). */
export async function auditTrailOf(requestId: string): Promise<string[]> {
  const events = await db.auditEvent.findMany({ where: { details: { path: ["requestId"], equals: requestId } }, orderBy: { seq: "asc" }, select: { action: true, actorEmail: true } });
  return events.map((event) => `${event.action} by ${event.actorEmail}`);
}

/** The trail of a request an operator made, an approver approved and the executor ran once to `outcome`. */
export const approvedRunTrail = (people: ActionPeople, outcome: "succeeded" | "failed") => [
  `action.request by ${people.operator.email}`,
  `action.approve by ${people.approver.email}`,
  "action.execute.start by system",
  `action.execute.${outcome} by system`,
];
