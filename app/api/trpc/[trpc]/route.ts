import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/routers";
import { createContext } from "@/server/trpc";

export const dynamic = "force-dynamic";

/**
 * Session cookies ride along on cross-site requests; a write from another origin is refused
 * before it reaches a procedure. (Browsers always send Origin on cross-site POSTs.)
 */
function crossSiteWrite(req: Request): boolean {
  if (req.method !== "POST") return false;
  const origin = req.headers.get("origin");
  if (!origin) return false; // not a browser: scripts authenticate with the same cookie they obtained
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}

function handler(req: Request) {
  if (crossSiteWrite(req)) {
    return Response.json({ error: { message: "cross-site request refused", code: "FORBIDDEN" } }, { status: 403 });
  }
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext,
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`[trpc] ${path ?? "?"}:`, error.cause ?? error);
    },
  });
}

export { handler as GET, handler as POST };
