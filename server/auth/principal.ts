// Who is calling: the signed-in user, re-read from the database on every request (cached
// briefly), so disabling a user or removing a role takes effect within ROLE_CACHE_SECONDS
// on every app process, and at once on the process that made the change.
import type { Db } from "../db/client";
import type { RoleGrant } from "../domain/permissions";
import { env } from "../env";

export interface Principal {
  id: string;
  email: string;
  name: string | null;
  grants: RoleGrant[];
}

type Cached = { principal: Principal | null; expiresAt: number };
const cache = new Map<string, Cached>();

export async function loadPrincipal(db: Db, userId: string): Promise<Principal | null> {
  const hit = cache.get(userId);
  if (hit && hit.expiresAt > Date.now()) return hit.principal;
  const user = await db.user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, name: true, disabled: true, roleBindings: { select: { role: true, environment: true, namespace: true } } },
  });
  const principal = user && !user.disabled ? { id: user.id, email: user.email, name: user.name, grants: user.roleBindings } : null;
  cache.set(userId, { principal, expiresAt: Date.now() + env.ROLE_CACHE_SECONDS * 1000 });
  return principal;
}

export function forgetPrincipal(userId: string): void {
  cache.delete(userId);
}
