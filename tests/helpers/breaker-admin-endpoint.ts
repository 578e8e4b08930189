// A service's circuit breaker admin endpoint as docs/breaker-admin.md describes it, for tests:
// GET and PUT <base>/breakers/<dependency> behind a bearer token, on a loopback port, the
// breakers kept in memory so a test reads what a change did without going through the adapter.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface BreakerState {
  state: "closed" | "open" | "half-open";
  forced: "open" | "closed" | null;
}

export interface BreakerAdminEndpoint {
  /** The endpoint's base URL, as breakerAdmin.services lists it. */
  base: string;
  /** The service's breakers by the dependency they guard, as the endpoint holds them now. */
  breakers: Map<string, BreakerState>;
  /** "PUT /admin/breakers/ledger", in order. */
  seen: string[];
  close(): Promise<void>;
}

export async function startBreakerAdminEndpoint(options: { token: string; breakers: Record<string, BreakerState> }): Promise<BreakerAdminEndpoint> {
  const breakers = new Map(Object.entries(options.breakers).map(([dependency, state]) => [dependency, { ...state }]));
  const seen: string[] = [];
  const server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (request.headers.authorization !== `Bearer ${options.token}`) return reply(401, { error: "unauthorised" });
    const match = /^\/admin\/breakers\/([^/]+)$/.exec(request.url ?? "");
    const breaker = match ? breakers.get(decodeURIComponent(match[1] ?? "")) : undefined;
    if (!breaker) return reply(404, { error: "no such breaker" });
    if (request.method === "GET") return reply(200, breaker);
    if (request.method !== "PUT") return reply(405, { error: "GET or PUT" });
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const override = (JSON.parse(body) as { override?: unknown }).override;
      if (override !== "open" && override !== "closed" && override !== "auto") return reply(400, { error: 'override must be "open", "closed" or "auto"' });
      // Handed back to its rules, a breaker whose dependency is healthy closes.
      breaker.forced = override === "auto" ? null : override;
      breaker.state = override === "auto" ? "closed" : override;
      reply(200, breaker);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin`,
    breakers,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
