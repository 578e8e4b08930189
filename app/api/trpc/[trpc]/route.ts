import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { observeTrpcHttp } from "@/server/observability/trpc-http";
import { appRouter } from "@/server/routers";
import { createContext } from "@/server/trpc";

export const dynamic = "force-dynamic";

const ENDPOINT = "/api/trpc";

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
