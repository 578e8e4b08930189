// Readiness for load balancers and orchestrators: 200 when every dependency answers, 503 otherwise.
import { db } from "@/server/db/client";
import { checkHealth } from "@/server/observability/health";
import { observeHttpRequest } from "@/server/observability/metrics";
import { getRuntime } from "@/server/runtime";

export const dynamic = "force-dynamic";

export async function GET() {
  const started = performance.now();
  const report = await checkHealth({ db, runtime: getRuntime });
  const status = report.status === "ok" ? 200 : 503;
  observeHttpRequest("/api/health", "GET", status, (performance.now() - started) / 1000);
  return Response.json(report, { status, headers: { "cache-control": "no-store" } });
}
