// The accounts `npm run demo` signs in with: one per role, everywhere, password "demo".
// Only the demo creates them; a real installation creates accounts with `npm run user:create`.
import type { Db } from "../db/client";
import { Prisma } from "../db/generated/client";
import type { Role } from "../domain/permissions";
import { createLocalUser } from "./users";

export const DEMO_PASSWORD = "demo";

export const DEMO_ACCOUNTS: readonly { email: string; name: string; role: Role }[] = [
  { email: "admin@scaleplane.local", name: "Demo Admin", role: "admin" },
  { email: "operator@scaleplane.local", name: "Demo Operator", role: "operator" },
  { email: "approver@scaleplane.local", name: "Demo Approver", role: "approver" },
  { email: "viewer@scaleplane.local", name: "Demo Viewer", role: "viewer" },
];

const DEMO_SEED_ACTOR = { id: null, email: "demo-seed" };

/** Creates the demo accounts that do not exist yet; returns the e-mail addresses created. */
export async function seedDemoAccounts(db: Db): Promise<string[]> {
  const existing = new Set(
    (await db.user.findMany({ where: { email: { in: DEMO_ACCOUNTS.map((a) => a.email) } }, select: { email: true } })).map((u) => u.email),
  );
  const created: string[] = [];
  for (const account of DEMO_ACCOUNTS) {
    if (existing.has(account.email)) continue;
    try {
      await createLocalUser(db, DEMO_SEED_ACTOR, {
        email: account.email,
        name: account.name,
        password: DEMO_PASSWORD,
        grants: [{ role: account.role, environment: "*", namespace: "*" }],
      });
      created.push(account.email);
    } catch (error) {
      // Another process seeding at the same moment created it first: nothing to do.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") continue;
      throw error;
    }
  }
  return created;
}
