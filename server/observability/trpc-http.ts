// Times tRPC's HTTP endpoint per procedure. The browser batches calls and streams each
// result as it settles, so a call is only over when the response body is: the time is
// taken when the body finishes, and the outcome of each procedure in the batch comes from
// the handler's onError.
import { observeHttpRequest, observeTrpcRequest } from "./metrics";

/** `/api/trpc/actions.get,me.get?batch=1` → ["actions.get", "me.get"]. */
export function procedurePathsOf(url: string, endpoint: string): string[] {
  const { pathname } = new URL(url, "http://localhost");
  const rest = pathname.startsWith(endpoint) ? pathname.slice(endpoint.length).replace(/^\//, "") : "";
  return decodeURIComponent(rest)
    .split(",")
    .filter((path) => path !== "");
}

export type RecordTrpcError = (path: string | undefined, code: string) => void;

/**
 * Runs `handle` (which passes `recordError` to fetchRequestHandler's onError) and records
 * every procedure of the request with its outcome and duration.
 */
export async function observeTrpcHttp(
  req: Request,
  endpoint: string,
  handle: (recordError: RecordTrpcError) => Promise<Response>,
): Promise<Response> {
  const started = performance.now();
  const failures = new Map<string, string>();
  const response = await handle((path, code) => failures.set(path ?? "", code));
  const paths = procedurePathsOf(req.url, endpoint);

  let recorded = false;
  const record = () => {
    if (recorded) return;
    recorded = true;
    const seconds = (performance.now() - started) / 1000;
    for (const path of paths) observeTrpcRequest(path, failures.get(path) ?? "ok", seconds);
    observeHttpRequest(endpoint, req.method, response.status, seconds);
  };

  // A subscription's body lasts as long as the browser tab; its latency is the time to open it.
  const eventStream = response.headers.get("content-type")?.startsWith("text/event-stream") ?? false;
  if (!response.body || eventStream) {
    record();
    return response;
  }
  const source = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await source.read();
        if (!done) return controller.enqueue(value);
        record();
        controller.close();
      } catch (error) {
        record();
        controller.error(error);
      }
    },
    // A client that goes away mid-stream still made the calls.
    cancel(reason) {
      record();
      return source.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}
