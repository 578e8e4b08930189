import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { RateLimiterMemory } from "rate-limiter-flexible";
import { z } from "zod";
import { recordAudit } from "../audit/log";
import { db } from "../db/client";
import { env, oidcEnabled } from "../env";
import { grantsForGroups, parseGroupRoleMap } from "./oidc";
import { verifyAgainstNothing, verifyPassword } from "./password";
import { syncOidcUser } from "./users";

const credentialsSchema = z.object({ email: z.string().trim().toLowerCase().email(), password: z.string().min(1).max(1024) });

// Failed attempts per e-mail address and per client address: slows guessing without
// locking out a user whom someone else attacks from elsewhere for long. Successful
// sign-ins cost nothing and clear the account's count.
const FAILURES_ALLOWED = { account: 10, client: 30 };
const failedLoginsPerAccount = new RateLimiterMemory({ keyPrefix: "login-account", points: FAILURES_ALLOWED.account, duration: 300 });
const failedLoginsPerClient = new RateLimiterMemory({ keyPrefix: "login-client", points: FAILURES_ALLOWED.client, duration: 300 });

async function tooManyFailures(email: string, client: string): Promise<boolean> {
  const [account, fromClient] = await Promise.all([failedLoginsPerAccount.get(email), failedLoginsPerClient.get(client)]);
  return (account?.consumedPoints ?? 0) >= FAILURES_ALLOWED.account || (fromClient?.consumedPoints ?? 0) >= FAILURES_ALLOWED.client;
}

async function countFailure(email: string, client: string): Promise<void> {
  // consume() rejects once the budget is spent; the attempt is refused either way.
  await Promise.allSettled([failedLoginsPerAccount.consume(email), failedLoginsPerClient.consume(client)]);
}

function clientAddress(headers: Record<string, string | string[] | undefined> | undefined): string {
  const forwarded = headers?.["x-forwarded-for"];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
  return first || "unknown";
}

export async function authorizeWithPassword(raw: unknown, client: string) {
  const parsed = credentialsSchema.safeParse(raw);
  if (!parsed.success) return null;
  const { email, password } = parsed.data;
  const fail = async (reason: string) => {
    await countFailure(email, client);
    await recordAudit(db, { actor: { id: null, email }, action: "auth.login", outcome: "failure", details: { reason, client } });
    return null;
  };

  if (await tooManyFailures(email, client)) return fail("rate limited");
  const user = await db.user.findUnique({ where: { email } });
  if (!user?.passwordHash) {
    await verifyAgainstNothing(password);
    return fail("unknown account");
  }
  if (!(await verifyPassword(user.passwordHash, password))) return fail("wrong password");
  if (user.disabled) return fail("account disabled");

  await failedLoginsPerAccount.delete(email);
  await recordAudit(db, { actor: { id: user.id, email }, action: "auth.login", outcome: "success", details: { method: "password", client } });
  return { id: user.id, email: user.email, name: user.name };
}

const groupRoleMap = parseGroupRoleMap(env.OIDC_GROUP_ROLES);

export const authOptions: NextAuthOptions = {
  secret: env.NEXTAUTH_SECRET,
  session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
  pages: { signIn: "/login" },
  providers: [
    CredentialsProvider({
      id: "credentials",
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      authorize: (credentials, req) => authorizeWithPassword(credentials, clientAddress(req.headers)),
    }),
    ...(oidcEnabled
      ? [
          {
            id: "oidc",
            name: "Single sign-on",
            type: "oauth" as const,
            wellKnown: `${env.OIDC_ISSUER!.replace(/\/$/, "")}/.well-known/openid-configuration`,
            clientId: env.OIDC_CLIENT_ID,
            clientSecret: env.OIDC_CLIENT_SECRET,
            authorization: { params: { scope: "openid email profile" } },
            idToken: true,
            checks: ["pkce" as const, "state" as const],
            profile: (profile: Record<string, unknown>) => ({
              id: String(profile.sub),
              email: String(profile.email ?? ""),
              name: typeof profile.name === "string" ? profile.name : null,
            }),
          },
        ]
      : []),
  ],
  callbacks: {
    async jwt({ token, user, account, profile }) {
      if (account?.provider === "oidc" && profile) {
        const claim = (profile as Record<string, unknown>)[env.OIDC_GROUPS_CLAIM];
        const groups = Array.isArray(claim) ? claim.map(String) : [];
        if (!profile.email) throw new Error("the identity provider sent no email claim");
        const synced = await syncOidcUser(db, { email: profile.email, name: profile.name }, grantsForGroups(groups, groupRoleMap));
        await recordAudit(db, { actor: { id: synced.id, email: synced.email }, action: "auth.login", outcome: "success", details: { method: "oidc", groups } });
        token.sub = synced.id;
        token.email = synced.email;
      } else if (user) {
        token.sub = user.id;
      }
      return token;
    },
    session({ session, token }) {
      // Only the identity travels in the JWT; roles are re-read per request (server/auth/principal.ts).
      if (session.user && token.sub) session.user.id = token.sub;
      return session;
    },
  },
  events: {
    async signOut({ token }) {
      if (token?.sub) {
        await recordAudit(db, { actor: { id: token.sub, email: token.email ?? null }, action: "auth.logout", outcome: "success" });
      }
    },
  },
};
