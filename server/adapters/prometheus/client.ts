// Prometheus's HTTP query API (/api/v1/query, /api/v1/query_range). Every request has a deadline
// on both sides: the client aborts at `timeoutMs`, and Prometheus is told to stop a little
// earlier (its `timeout` parameter) so that a slow query ends with Prometheus's own explanation
// and stops using its CPU, rather than running on after nobody waits for it.
import { errorFromFetchFailure, errorFromHttpResponse, PrometheusError } from "./errors";
import { fitToPointLimit, MAX_POINTS_PER_SERIES, type RangeWindow } from "./range";
import { parseQueryData, type QueryResult, type RangeResult } from "./results";

export interface PrometheusClientOptions {
  /** e.g. http://127.0.0.1:9090, or https://metrics.example.com/prometheus behind a path prefix. */
  baseUrl: string;
  /** Per request, body included. */
  timeoutMs?: number;
  /** Sent with every request, e.g. `{ authorization: "Bearer ..." }` for a Prometheus behind an auth proxy. */
  headers?: Readonly<Record<string, string>>;
  /**
   * Queries whose encoded parameters are longer than this go as a POST form, which has no URL
   * length limit (proxies commonly cut URLs at 4-8 KB); shorter ones as GET, which shows up
   * readably in Prometheus's and proxies' logs. 0 sends everything as POST.
   */
  postAboveBytes?: number;
}

export interface RequestOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RangeRequestOptions extends RequestOptions {
  /**
   * Send the window exactly as given. By default it is aligned to its step and the step is
   * enlarged to keep every series within 11,000 points, which Prometheus would refuse.
   */
  exactWindow?: boolean;
}

export interface RangeQueryResult extends RangeResult {
  /** The window actually asked for, after alignment. */
  window: RangeWindow;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_POST_ABOVE_BYTES = 2048;

/** How much earlier than the client's deadline Prometheus is asked to give up. */
function prometheusTimeoutSeconds(clientTimeoutMs: number): number {
  const margin = Math.min(1000, clientTimeoutMs * 0.1);
  return Math.max(0.001, (clientTimeoutMs - margin) / 1000);
}

function secondsParameter(epochMs: number): string {
  return (epochMs / 1000).toFixed(3);
}

export class PrometheusClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly postAboveBytes: number;

  constructor(options: PrometheusClientOptions) {
    let parsed: URL;
    try {
      parsed = new URL(options.baseUrl);
    } catch {
      throw new Error(`Prometheus URL ${JSON.stringify(options.baseUrl)} is not a URL`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error(`Prometheus URL ${options.baseUrl} must be http or https`);
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.headers = options.headers ?? {};
    this.postAboveBytes = options.postAboveBytes ?? DEFAULT_POST_ABOVE_BYTES;
  }

  /** An instant query, evaluated at `time` (epoch ms) or at Prometheus's "now". */
  async query(promql: string, time?: number, options: RequestOptions = {}): Promise<QueryResult> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const parameters = new URLSearchParams({ query: promql, timeout: String(prometheusTimeoutSeconds(timeoutMs)) });
    if (time !== undefined) parameters.set("time", secondsParameter(time));
    return this.send("api/v1/query", parameters, promql, timeoutMs, options.signal);
  }

  /** A range query; see `RangeRequestOptions.exactWindow` for how the window is adjusted. */
  async queryRange(promql: string, window: RangeWindow, options: RangeRequestOptions = {}): Promise<RangeQueryResult> {
    const used = options.exactWindow ? window : fitToPointLimit(window, MAX_POINTS_PER_SERIES);
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const parameters = new URLSearchParams({
      query: promql,
      start: secondsParameter(used.start),
      end: secondsParameter(used.end),
      step: String(used.stepSeconds),
      timeout: String(prometheusTimeoutSeconds(timeoutMs)),
    });
    const result = await this.send("api/v1/query_range", parameters, promql, timeoutMs, options.signal);
    if (result.resultType !== "matrix") {
      throw new PrometheusError("bad_response", `Prometheus answered a range query with a ${result.resultType} instead of a matrix`);
    }
    return { series: result.series, warnings: result.warnings, window: used };
  }

  /** Resolves with Prometheus's version when it answers its API; for health checks. */
  async ping(options: RequestOptions = {}): Promise<string> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const body = await this.request("api/v1/status/buildinfo", undefined, "(build info)", timeoutMs, options.signal);
    const version = (body as { data?: { version?: unknown } } | null)?.data?.version;
    return typeof version === "string" ? version : "unknown";
  }

  private async send(path: string, parameters: URLSearchParams, promql: string, timeoutMs: number, signal?: AbortSignal): Promise<QueryResult> {
    const body = await this.request(path, parameters, promql, timeoutMs, signal);
    return parseQueryData(body);
  }

  private async request(path: string, parameters: URLSearchParams | undefined, promql: string, timeoutMs: number, signal?: AbortSignal): Promise<unknown> {
    const encoded = parameters?.toString() ?? "";
    const usePost = encoded.length > this.postAboveBytes;
    const url = `${this.baseUrl}/${path}${!usePost && encoded ? `?${encoded}` : ""}`;
    const deadline = AbortSignal.timeout(timeoutMs);
    let text: string;
    let status: number;
    try {
      const response = await fetch(url, {
        method: usePost ? "POST" : "GET",
        headers: {
          accept: "application/json",
          ...(usePost ? { "content-type": "application/x-www-form-urlencoded" } : {}),
          ...this.headers,
        },
        body: usePost ? encoded : undefined,
        signal: signal ? AbortSignal.any([deadline, signal]) : deadline,
      });
      status = response.status;
      // Reading the body is under the same deadline: a stalled body is a timeout too.
      text = await response.text();
    } catch (error) {
      throw errorFromFetchFailure(error, this.baseUrl, timeoutMs, promql);
    }
    if (status < 200 || status >= 300) throw errorFromHttpResponse(status, text, promql, this.baseUrl);
    try {
      return JSON.parse(text);
    } catch {
      throw new PrometheusError("bad_response", `Prometheus at ${this.baseUrl} answered HTTP ${status} with a body that is not JSON: ${text.slice(0, 120)}`, { status });
    }
  }
}
