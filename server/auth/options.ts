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

// Per e-mail address and per client address: slows guessing without locking out a
// user whom someone else is attacking from elsewhere for long.
const loginAttemptsPerAccount = new RateLimiterMemory({ keyPrefix: "login-account", points: 10, duration: 300 });
const loginAttemptsPerClient = new RateLimiterMemory({ keyPrefix: "login-client", points: 30, duration: 300 });

function clientAddress(headers: Record<string, string | string[] | undefined> | undefined): string {
  const forwarded = headers?.["x-forwarded-for"];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
  return first || "unknown";
}

async function authorizeWithPassword(raw: unknown, client: string) {
  const parsed = credentialsSchema.safeParse(raw);
  if (!parsed.success) return null;
  const { email, password } = parsed.data;
  const fail = (reason: string) =>
    recordAudit(db, { actor: { id: null, email }, action: "auth.login", outcome: "failure", details: { reason, client } }).then(() => null);

  try {
    await Promise.all([loginAttemptsPerAccount.consume(email), loginAttemptsPerClient.consume(client)]);
  } catch {
    return fail("rate limited");
  }
  const user = await db.user.findUnique({ where: { email } });
  if (!user?.passwordHash) {
    await verifyAgainstNothing(password);
    return fail("unknown account");
  }
  if (!(await verifyPassword(user.passwordHash, password))) return fail("wrong password");
  if (user.disabled) return fail("account disabled");

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
