// The fleet simulator's state in the Prometheus text format, under the real exporters'
// metric and label names (docs/metrics.md), for a Prometheus to scrape. Unauthenticated,
// like any exporter; it exists while the simulator runs (always, for now).
import { EXPOSITION_CONTENT_TYPE, renderExpositionChunks } from "@/server/adapters/simulator";
import { observeHttpRequest } from "@/server/observability/metrics";
import { getRuntime } from "@/server/runtime";

export const dynamic = "force-dynamic";

const ROUTE = "/api/simulator/metrics";

export async function GET() {
  const started = performance.now();
  const fleet = (await getRuntime()).simulator?.fleet ?? null;
  if (fleet === null) {
    observeHttpRequest(ROUTE, "GET", 404, (performance.now() - started) / 1000);
    return new Response("the fleet simulator is not running\n", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
  }
  // Rendered at once (one consistent instant), sent block by block (tens of MB at thousands of services).
  const chunks = renderExpositionChunks(fleet);
  observeHttpRequest(ROUTE, "GET", 200, (performance.now() - started) / 1000);
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[next];
      next += 1;
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
  });
  return new Response(body, { status: 200, headers: { "content-type": EXPOSITION_CONTENT_TYPE, "cache-control": "no-store" } });
}
