// Accounts for tests, written straight to the database (no password: tests act as a
// principal, they do not sign in).
import { randomUUID } from "node:crypto";
import type { Principal } from "../../server/auth/principal";
import type { Db } from "../../server/db/client";
import type { Role, Scope } from "../../server/domain/permissions";

const EVERYWHERE: Scope = { environment: "*", namespace: "*" };

export async function createTestUser(db: Db, role: Role, scope: Scope = EVERYWHERE): Promise<Principal> {
  const email = `${role}-${randomUUID().slice(0, 8)}@test.scaleplane.local`;
  const user = await db.user.create({
    data: { email, name: `Test ${role}`, roleBindings: { create: [{ role, ...scope }] } },
    include: { roleBindings: { select: { role: true, environment: true, namespace: true } } },
  });
  return { id: user.id, email: user.email, name: user.name, grants: user.roleBindings };
}
