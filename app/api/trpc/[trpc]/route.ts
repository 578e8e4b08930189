import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getServerSession } from "next-auth";
import { authOptions } from "@/server/auth/options";
import { loadPrincipal } from "@/server/auth/principal";
import { db } from "@/server/db/client";
import { observeTrpcHttp } from "@/server/observability/trpc-http";
import { appRouter } from "@/server/routers";
import { getRuntime } from "@/server/runtime";
import type { Context } from "@/server/trpc";

export const dynamic = "force-dynamic";

const ENDPOINT = "/api/trpc";

/** The caller from the session cookie, re-read from the database (roles may have changed since sign-in). */
async function createContext(): Promise<Context> {
  const session = await getServerSession(authOptions);
  const userId = session?.user?.id;
  const principal = userId ? await loadPrincipal(db, userId) : null;
  return { db, principal, runtime: getRuntime };
}

function handler(req: Request) {
  return observeTrpcHttp(req, ENDPOINT, (recordError) =>
    fetchRequestHandler({
      endpoint: ENDPOINT,
      req,
      router: appRouter,
      createContext,
      onError({ error, path }) {
        recordError(path, error.code);
        if (error.code === "INTERNAL_SERVER_ERROR") console.error(`[trpc] ${path ?? "?"}:`, error.cause ?? error);
      },
    }),
  );
}

export { handler as GET, handler as POST };
