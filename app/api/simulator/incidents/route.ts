// Demo mode only: inject scenario incidents into the fleet simulator (POST) and list the
// scheduled and active ones (GET). Operators and admins only; 404 outside demo mode.
import { getServerSession } from "next-auth";
import { handleIncidents, type ControlRequest } from "@/server/adapters/simulator/control";
import { authOptions } from "@/server/auth/options";
import { loadPrincipal } from "@/server/auth/principal";
import { db } from "@/server/db/client";
import { env } from "@/server/env";
import { observeHttpRequest } from "@/server/observability/metrics";
import { getRuntime } from "@/server/runtime";

export const dynamic = "force-dynamic";

const ROUTE = "/api/simulator/incidents";

async function handle(request: Request, method: ControlRequest["method"]): Promise<Response> {
  const started = performance.now();
  let response: { status: number; body: unknown };
  if (!env.SCALEPLANE_DEMO) {
    response = handleIncidents({ method }, { demo: false, grants: null, fleet: null });
  } else {
    const session = await getServerSession(authOptions);
    const principal = session?.user?.id ? await loadPrincipal(db, session.user.id) : null;
    const body = method === "POST" ? await request.text() : undefined;
    response = handleIncidents(
      { method, contentType: request.headers.get("content-type"), body },
      { demo: true, grants: principal?.grants ?? null, fleet: (await getRuntime()).simulator?.fleet ?? null },
    );
  }
  observeHttpRequest(ROUTE, method, response.status, (performance.now() - started) / 1000);
  return Response.json(response.body, { status: response.status, headers: { "cache-control": "no-store" } });
}

export function GET(request: Request) {
  return handle(request, "GET");
}

export function POST(request: Request) {
  return handle(request, "POST");
}
