// Account changes. Each one writes its audit event in the same transaction.
import type { Db } from "../db/client";
import { appendAudit, type AuditActor } from "../audit/log";
import type { RoleGrant } from "../domain/permissions";
import { hashPassword } from "./password";
import { forgetPrincipal } from "./principal";

export interface NewUser {
  email: string;
  name?: string;
  password: string;
  grants: RoleGrant[];
}

export async function createLocalUser(db: Db, actor: AuditActor, input: NewUser) {
  const email = input.email.trim().toLowerCase();
  const passwordHash = await hashPassword(input.password);
  return db.$transaction(async (tx) => {
    const user = await tx.user.create({
      data: { email, name: input.name ?? null, passwordHash, source: "local", roleBindings: { create: input.grants } },
    });
    await appendAudit(tx, {
      actor,
      action: "user.create",
      target: { type: "user", id: email },
      outcome: "success",
      details: { grants: input.grants },
    });
    return user;
  });
}

/**
 * Called on every OIDC sign-in: creates the account on first sight and replaces its role
 * bindings with what the identity provider's groups map to now.
 */
export async function syncOidcUser(db: Db, profile: { email: string; name?: string | null }, grants: RoleGrant[]) {
  const email = profile.email.trim().toLowerCase();
  const user = await db.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { email }, include: { roleBindings: true } });
    const user = existing ?? (await tx.user.create({ data: { email, name: profile.name ?? null, source: "oidc" } }));
    const key = (g: RoleGrant) => `${g.role}|${g.environment}|${g.namespace}`;
    const before = new Set((existing?.roleBindings ?? []).map(key));
    const after = new Set(grants.map(key));
    const changed = before.size !== after.size || [...after].some((k) => !before.has(k));
    if (changed) {
      await tx.roleBinding.deleteMany({ where: { userId: user.id } });
      await tx.roleBinding.createMany({ data: grants.map((grant) => ({ ...grant, userId: user.id })) });
      await appendAudit(tx, {
        actor: { id: user.id, email },
        action: existing ? "user.roles.sync" : "user.create",
        target: { type: "user", id: email },
        outcome: "success",
        details: { source: "oidc", grants },
      });
    }
    return user;
  });
  forgetPrincipal(user.id);
  return user;
}
