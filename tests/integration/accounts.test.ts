// Sign-in, its audit trail and its limits, and account changes taking effect at once,
// on the real PostgreSQL.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "../../server/audit/log";
import { authorizeWithPassword } from "../../server/auth/options";
import { loadPrincipal } from "../../server/auth/principal";
import { createLocalUser } from "../../server/auth/users";
import { db } from "../../server/db/client";
import { createCaller } from "../../server/routers";
import type { Context } from "../../server/trpc";
import { createTestUser } from "../helpers/users";

const PASSWORD = "correct horse battery staple";

async function newAccount(role: "operator" | "viewer" = "operator") {
  const email = `login-${randomUUID().slice(0, 8)}@test.scaleplane.local`;
  const user = await createLocalUser(db, SYSTEM_ACTOR, { email, password: PASSWORD, grants: [{ role, environment: "*", namespace: "*" }] });
  return { id: user.id, email };
}

const loginEvents = (email: string) => db.auditEvent.findMany({ where: { action: "auth.login", actorEmail: email }, orderBy: { seq: "asc" } });

describe("password sign-in", () => {
  it("accepts the right password and audits the success", async () => {
    const account = await newAccount();
    await expect(authorizeWithPassword({ email: account.email.toUpperCase(), password: PASSWORD }, "10.1.1.1")).resolves.toMatchObject({ id: account.id });
    const events = await loginEvents(account.email);
    expect(events.map((e) => e.outcome)).toEqual(["success"]);
  });

  it("refuses a wrong password and audits the failure without the password", async () => {
    const account = await newAccount();
    await expect(authorizeWithPassword({ email: account.email, password: "guess" }, "10.1.1.2")).resolves.toBeNull();
    const [event] = await loginEvents(account.email);
    expect(event).toMatchObject({ outcome: "failure", details: { reason: "wrong password" } });
    expect(JSON.stringify(event?.details)).not.toContain("guess");
  });

  it("refuses an unknown account and a disabled one", async () => {
    await expect(authorizeWithPassword({ email: "nobody@test.scaleplane.local", password: PASSWORD }, "10.1.1.3")).resolves.toBeNull();
    const account = await newAccount();
    await db.user.update({ where: { id: account.id }, data: { disabled: true } });
    await expect(authorizeWithPassword({ email: account.email, password: PASSWORD }, "10.1.1.3")).resolves.toBeNull();
    expect((await loginEvents(account.email)).map((e) => e.details)).toEqual([expect.objectContaining({ reason: "account disabled" })]);
  });

  it("stops accepting even the right password after 10 failures for one account", async () => {
    const account = await newAccount();
    for (let i = 0; i < 10; i++) await authorizeWithPassword({ email: account.email, password: `wrong-${i}` }, `10.2.0.${i}`);
    await expect(authorizeWithPassword({ email: account.email, password: PASSWORD }, "10.2.1.1")).resolves.toBeNull();
    const last = (await loginEvents(account.email)).at(-1);
    expect(last?.details).toMatchObject({ reason: "rate limited" });
  });

  it("does not count successful sign-ins against the limit", async () => {
    const account = await newAccount();
    for (let i = 0; i < 12; i++) {
      await expect(authorizeWithPassword({ email: account.email, password: PASSWORD }, "10.3.0.1")).resolves.not.toBeNull();
    }
  });
});

describe("account changes take effect at once", () => {
  let admin: Awaited<ReturnType<typeof createTestUser>>;
  beforeAll(async () => {
    admin = await createTestUser(db, "admin");
  });
  const asAdmin = () => createCaller({ db, principal: admin, runtime: () => Promise.reject(new Error("not needed")) } as Context);

  it("a disabled user has no principal on the next request", async () => {
    const account = await newAccount();
    expect(await loadPrincipal(db, account.id)).not.toBeNull();
    await asAdmin().users.setDisabled({ userId: account.id, disabled: true });
    expect(await loadPrincipal(db, account.id)).toBeNull();
    const audit = await db.auditEvent.findFirst({ where: { action: "user.disable", targetId: account.email } });
    expect(audit?.actorEmail).toBe(admin.email);
  });

  it("a revoked role is gone on the next request, and the change is audited", async () => {
    const account = await newAccount("operator");
    const before = await loadPrincipal(db, account.id);
    expect(before?.grants.map((g) => g.role)).toEqual(["operator"]);
    const binding = await db.roleBinding.findFirstOrThrow({ where: { userId: account.id } });
    await asAdmin().users.revoke({ bindingId: binding.id });
    expect((await loadPrincipal(db, account.id))?.grants).toEqual([]);
    expect(await db.auditEvent.count({ where: { action: "user.role.revoke", targetId: account.email } })).toBe(1);
  });

  it("only an admin manages users", async () => {
    const operator = await createTestUser(db, "operator");
    const asOperator = createCaller({ db, principal: operator, runtime: () => Promise.reject(new Error("not needed")) } as Context);
    await expect(asOperator.users.list()).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
