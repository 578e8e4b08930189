// Scaleplane's own metrics for Prometheus to scrape (the platform's metrics live in the platform's Prometheus).
import { observeHttpRequest, renderMetrics } from "@/server/observability/metrics";

export const dynamic = "force-dynamic";

export async function GET() {
  const started = performance.now();
  const { contentType, body } = await renderMetrics();
  observeHttpRequest("/api/metrics", "GET", 200, (performance.now() - started) / 1000);
  return new Response(body, { status: 200, headers: { "content-type": contentType, "cache-control": "no-store" } });
}
