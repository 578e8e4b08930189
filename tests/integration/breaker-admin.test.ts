// The breaker admin adapter against an HTTP endpoint that follows docs/breaker-admin.md, over
// a real loopback connection: the adapter's requests, the token, and every failure it names.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpBreakerAdmin } from "../../server/adapters/breakers/http-breaker-admin";
import type { BreakerRef } from "../../server/domain/action-ports";
import { ActionRefused } from "../../server/domain/actions/kind";

const TOKEN = "breaker-admin-test-token";

/** A service's breakers as its admin endpoint keeps them. */
const breakers = new Map<string, { state: "closed" | "open" | "half-open"; forced: "open" | "closed" | null }>([
  ["ledger", { state: "closed", forced: null }],
]);
const seen: string[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    const reply = (status: number, body?: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(body === undefined ? undefined : JSON.stringify(body));
    };
    if (request.headers.authorization !== `Bearer ${TOKEN}`) return reply(401, { error: "unauthorised" });
    const match = /^\/admin\/breakers\/([^/]+)$/.exec(request.url ?? "");
    const breaker = match ? breakers.get(decodeURIComponent(match[1] ?? "")) : undefined;
    if (!breaker) return reply(404, { error: "no such breaker" });
    if (request.method === "GET") return reply(200, breaker);
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const { override } = JSON.parse(body) as { override: "open" | "closed" | "auto" };
      breaker.forced = override === "auto" ? null : override;
      breaker.state = override === "auto" ? "closed" : override;
      reply(200, breaker);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const ref: BreakerRef = { environment: "prod", region: "eu-west-1", namespace: "checkout", name: "payments", dependency: "ledger" };
const adminWith = (token?: string) =>
  new HttpBreakerAdmin({ environment: "prod", region: "eu-west-1", config: { services: { "checkout/payments": base }, timeoutSeconds: 2 }, ...(token ? { token } : {}) });

describe("the breaker admin endpoint", () => {
  it("forces a breaker open, reads it back, and hands it back to its rules", async () => {
    const admin = adminWith(TOKEN);
    expect(await admin.getBreaker(ref)).toEqual({ state: "closed", forced: null });
    await admin.forceBreaker(ref, "open");
    expect(await admin.getBreaker(ref)).toEqual({ state: "open", forced: "open" });
    await admin.forceBreaker(ref, "auto");
    expect(await admin.getBreaker(ref)).toEqual({ state: "closed", forced: null });
    expect(seen).toContain("PUT /admin/breakers/ledger");
  });

  it("says which service has no endpoint configured, and sends nothing", async () => {
    const before = seen.length;
    const other = { ...ref, name: "cart" };
    expect(await adminWith(TOKEN).getBreaker(other)).toBeNull();
    await expect(adminWith(TOKEN).forceBreaker(other, "open")).rejects.toThrow("checkout/cart in eu-west-1 has no breaker admin endpoint");
    expect(seen.length).toBe(before);
  });

  it("names a dependency the service has no breaker for", async () => {
    await expect(adminWith(TOKEN).forceBreaker({ ...ref, dependency: "inventory" }, "open")).rejects.toThrow("has no circuit breaker for calls to inventory");
    expect(await adminWith(TOKEN).getBreaker({ ...ref, dependency: "inventory" })).toBeNull();
  });

  it("refuses clearly when the endpoint rejects the token, and changes nothing", async () => {
    const error = await adminWith("wrong-token").forceBreaker(ref, "open").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ActionRefused);
    expect((error as Error).message).toContain("refused Scaleplane's credentials (HTTP 401)");
    expect(breakers.get("ledger")?.forced).toBeNull();
  });

  it("says the endpoint cannot be reached when nothing listens", async () => {
    const closed = new HttpBreakerAdmin({ environment: "prod", region: "eu-west-1", config: { services: { "checkout/payments": "http://127.0.0.1:9/admin" }, timeoutSeconds: 1 } });
    await expect(closed.forceBreaker(ref, "open")).rejects.toThrow("could not be reached");
  });
});
