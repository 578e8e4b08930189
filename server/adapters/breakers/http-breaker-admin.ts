// Forces a service's circuit breakers through the admin endpoint the service exposes
// (docs/breaker-admin.md): GET and PUT <base>/breakers/<dependency>. One instance serves the
// services of one region that the configuration lists under `breakerAdmin`.
import { z } from "zod";
import type { BreakerOverride, BreakerPort, BreakerRef, BreakerStatus } from "../../domain/action-ports";
import { ActionRefused } from "../../domain/actions/kind";
import type { BreakerAdminConfig } from "../../config/schema";

const breakerStatusSchema = z.object({
  state: z.enum(["closed", "open", "half-open"]),
  forced: z.enum(["open", "closed"]).nullable(),
});

export interface HttpBreakerAdminOptions {
  environment: string;
  region: string;
  config: BreakerAdminConfig;
  /** The bearer token, read from the environment variable the configuration names. */
  token?: string;
}

export class HttpBreakerAdmin implements BreakerPort {
  constructor(private readonly options: HttpBreakerAdminOptions) {}

  async getBreaker(ref: BreakerRef): Promise<BreakerStatus | null> {
    const url = this.urlOf(ref);
    if (url === null) return null;
    const response = await this.send(url, ref, { method: "GET" });
    if (response.status === 404) return null;
    return this.statusFrom(response, ref);
  }

  async forceBreaker(ref: BreakerRef, override: BreakerOverride): Promise<void> {
    const url = this.urlOf(ref);
    if (url === null) throw new ActionRefused(`${this.serviceOf(ref)} in ${ref.region} has no breaker admin endpoint in the configuration (breakerAdmin.services)`);
    const response = await this.send(url, ref, { method: "PUT", body: JSON.stringify({ override }), headers: { "content-type": "application/json" } });
    if (response.status === 404) throw new ActionRefused(`${this.serviceOf(ref)} has no circuit breaker for calls to ${ref.dependency}`);
    await this.statusFrom(response, ref);
  }

  private serviceOf(ref: BreakerRef): string {
    return `${ref.namespace}/${ref.name}`;
  }

  private urlOf(ref: BreakerRef): URL | null {
    if (ref.environment !== this.options.environment || ref.region !== this.options.region) return null;
    const base = this.options.config.services[this.serviceOf(ref)];
    if (base === undefined) return null;
    return new URL(`breakers/${encodeURIComponent(ref.dependency)}`, base.endsWith("/") ? base : `${base}/`);
  }

  private async send(url: URL, ref: BreakerRef, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.options.token) headers.set("authorization", `Bearer ${this.options.token}`);
    try {
      return await fetch(url, { ...init, headers, signal: AbortSignal.timeout(this.options.config.timeoutSeconds * 1000) });
    } catch (error) {
      const reason = error instanceof Error && error.name === "TimeoutError" ? `did not answer within ${this.options.config.timeoutSeconds} s` : "could not be reached";
      throw new Error(`the breaker admin endpoint of ${this.serviceOf(ref)} (${url.origin}) ${reason}`, { cause: error });
    }
  }

  private async statusFrom(response: Response, ref: BreakerRef): Promise<BreakerStatus> {
    if (response.status === 401 || response.status === 403) {
      throw new ActionRefused(`the breaker admin endpoint of ${this.serviceOf(ref)} refused Scaleplane's credentials (HTTP ${response.status}); check breakerAdmin.tokenEnv`);
    }
    if (!response.ok) throw new Error(`the breaker admin endpoint of ${this.serviceOf(ref)} answered HTTP ${response.status}`);
    const parsed = breakerStatusSchema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw new Error(`the breaker admin endpoint of ${this.serviceOf(ref)} answered something other than {state, forced}`);
    return parsed.data;
  }
}
