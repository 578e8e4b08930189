// Who may do what, where. Pure: evaluated on the server in every tRPC procedure.
import picomatch from "picomatch";

export const ROLES = ["viewer", "operator", "approver", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** Where a thing lives: environment and Kubernetes-style namespace. */
export interface Scope {
  environment: string;
  namespace: string;
}

/** A role granted on a scope; both parts are globs where `*` matches anything. */
export interface RoleGrant {
  role: Role;
  environment: string;
  namespace: string;
}

/**
 * - `target`: held on the scope of the thing acted on (checked against that scope);
 * - `global`: held on `*` / `*` (account and system administration).
 */
type PermissionSpec = { roles: readonly Role[]; scope: "target" | "global"; description: string };

const everyone = ["viewer", "operator", "approver", "admin"] as const;

export const PERMISSIONS = {
  "service.read": { roles: everyone, scope: "target", description: "see services, their health and metrics" },
  "action.read": { roles: everyone, scope: "target", description: "see action requests and their outcome" },
  "action.request": { roles: ["operator", "admin"], scope: "target", description: "request an action" },
  "action.approve": { roles: ["approver", "admin"], scope: "target", description: "approve or reject someone else's request" },
  "action.breakGlass": { roles: ["admin"], scope: "target", description: "execute a request without approval, with a written reason" },
  "alert.silence": { roles: ["operator", "approver", "admin"], scope: "target", description: "silence alerts in Alertmanager and expire silences" },
  "audit.read": { roles: everyone, scope: "global", description: "read the audit log and verify its chain" },
  "user.manage": { roles: ["admin"], scope: "global", description: "manage users, role bindings and tokens" },
} as const satisfies Record<string, PermissionSpec>;

export type Permission = keyof typeof PERMISSIONS;

export const GLOBAL_SCOPE: Scope = { environment: "*", namespace: "*" };

function globMatches(pattern: string, value: string): boolean {
  return picomatch.isMatch(value, pattern, { dot: true, nocase: false });
}

function grantCovers(grant: RoleGrant, scope: Scope): boolean {
  // A wildcard target ("anywhere") is only covered by a wildcard grant.
  const envOk = scope.environment === "*" ? grant.environment === "*" : globMatches(grant.environment, scope.environment);
  const nsOk = scope.namespace === "*" ? grant.namespace === "*" : globMatches(grant.namespace, scope.namespace);
  return envOk && nsOk;
}

/** True when one of the grants gives `permission` on `scope` (global permissions ignore the scope asked for). */
export function can(grants: readonly RoleGrant[], permission: Permission, scope: Scope = GLOBAL_SCOPE): boolean {
  const spec: PermissionSpec = PERMISSIONS[permission];
  const effectiveScope = spec.scope === "global" ? GLOBAL_SCOPE : scope;
  return grants.some((grant) => spec.roles.includes(grant.role) && grantCovers(grant, effectiveScope));
}

/** True when the grants give `permission` somewhere: enough to call a procedure whose target is checked later. */
export function canSomewhere(grants: readonly RoleGrant[], permission: Permission): boolean {
  const spec: PermissionSpec = PERMISSIONS[permission];
  if (spec.scope === "global") return can(grants, permission);
  return grants.some((grant) => spec.roles.includes(grant.role));
}

/**
 * True when the grants give `permission` in some namespace of `environment`. Shared data
 * systems (Kafka, Redis, MongoDB, Elasticsearch clusters) belong to no namespace: whoever may
 * see services in an environment may see the clusters they use.
 */
export function canInEnvironment(grants: readonly RoleGrant[], permission: Permission, environment: string): boolean {
  const spec: PermissionSpec = PERMISSIONS[permission];
  if (spec.scope === "global") return can(grants, permission);
  return grants.some((grant) => spec.roles.includes(grant.role) && globMatches(grant.environment, environment));
}

/** Parses `environment/namespace` (either part may be a glob; a bare `*` means everywhere). */
export function parseScope(text: string): Scope {
  const [environment = "*", namespace = "*"] = text.split("/");
  if (!environment || !namespace || text.split("/").length > 2) {
    throw new Error(`scope "${text}" must look like environment/namespace, e.g. prod/payments-* or *`);
  }
  return { environment, namespace };
}
