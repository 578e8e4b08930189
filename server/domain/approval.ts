// The approval state machine and policy. Pure: the request service applies these rules
// inside a transaction that holds a lock on the request row.
import { can, type RoleGrant, type Scope } from "./permissions";
import type { RiskLevel } from "./actions/kind";

export type ActionState = "pending" | "approved" | "rejected" | "expired" | "cancelled" | "executing" | "succeeded" | "failed";

const TRANSITIONS: Record<ActionState, readonly ActionState[]> = {
  pending: ["approved", "rejected", "expired", "cancelled"],
  approved: ["executing"],
  executing: ["succeeded", "failed"],
  rejected: [],
  expired: [],
  cancelled: [],
  succeeded: [],
  failed: [],
};

export function canTransition(from: ActionState, to: ActionState): boolean {
  return TRANSITIONS[from].includes(to);
}

export const FINAL_STATES: readonly ActionState[] = ["rejected", "expired", "cancelled", "succeeded", "failed"];

/** How many approvals by someone other than the requester a request needs. */
export function approvalsRequired(risk: RiskLevel): number {
  // Low risk runs on the requester's own authority (they hold action.request on the scope).
  return risk === "low" ? 0 : 1;
}

export interface PendingRequestView {
  state: ActionState;
  requestedById: string;
  expiresAt: Date;
  scope: Scope;
}

export type DecisionRefusal =
  | { code: "FORBIDDEN"; message: string }
  | { code: "CONFLICT"; message: string }
  | { code: "EXPIRED"; message: string };

/** Why `deciderId` may not approve or reject the request now, or null when they may. */
export function refuseDecision(request: PendingRequestView, deciderId: string, grants: readonly RoleGrant[], now: Date): DecisionRefusal | null {
  if (request.requestedById === deciderId) {
    return { code: "FORBIDDEN", message: "nobody approves or rejects their own request" };
  }
  if (!can(grants, "action.approve", request.scope)) {
    return { code: "FORBIDDEN", message: `you do not hold approver on ${request.scope.environment}/${request.scope.namespace}` };
  }
  if (request.state === "pending" && request.expiresAt <= now) {
    return { code: "EXPIRED", message: "the request expired before it was approved; request it again" };
  }
  if (request.state !== "pending") {
    return { code: "CONFLICT", message: `the request is ${request.state}, no longer pending` };
  }
  return null;
}
