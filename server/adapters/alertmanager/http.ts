// JSON over HTTP to Alertmanager's API v2 and Prometheus's alert endpoints, with a deadline on
// every request (body included) and errors that name the server and what to check.

export type AlertingHttpErrorKind =
  /** Connection refused, reset, host unknown, or a 5xx. */
  | "unavailable"
  | "timeout"
  /** A 4xx: the server refused the request (bad matchers, unknown silence, credentials). */
  | "refused"
  /** An answer that is not the JSON the API gives. */
  | "bad_response";

export class AlertingHttpError extends Error {
  override readonly name = "AlertingHttpError";

  constructor(
    readonly kind: AlertingHttpErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface JsonEndpoint {
  /** "Alertmanager" or "Prometheus", for messages. */
  system: string;
  baseUrl: string;
  timeoutMs: number;
  headers?: Readonly<Record<string, string>>;
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: "refused the connection (is it running?)",
  ECONNRESET: "closed the connection before answering",
  ENOTFOUND: "has a host name that does not resolve",
  EHOSTUNREACH: "is on a host that cannot be reached",
  UND_ERR_SOCKET: "closed the connection before answering",
};

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    const errors = (current as { errors?: unknown }).errors;
    current = Array.isArray(errors) && errors.length > 0 ? errors[0] : (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Alertmanager answers errors as a JSON string or as text; Prometheus as {error}. */
function reasonOf(text: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "string") return parsed;
    if (parsed && typeof parsed === "object" && typeof (parsed as { error?: unknown }).error === "string") return (parsed as { error: string }).error;
  } catch {
    // not JSON
  }
  return text.trim().slice(0, 300);
}

export function trimmedBaseUrl(url: string): string {
  return url.replace(/\/+$/, "");
}

/** Sends one request and parses the JSON answer (undefined for an empty body). */
export async function requestJson(endpoint: JsonEndpoint, method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<unknown> {
  const url = `${trimmedBaseUrl(endpoint.baseUrl)}/${path}`;
  const where = `${endpoint.system} at ${endpoint.baseUrl}`;
  let status: number;
  let text: string;
  try {
    const response = await fetch(url, {
      method,
      headers: { accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }), ...endpoint.headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(endpoint.timeoutMs),
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
      throw new AlertingHttpError("timeout", `${where} did not answer within ${endpoint.timeoutMs / 1000} s`);
    }
    const code = networkCode(error);
    const reason = code ? NETWORK_REASONS[code] : undefined;
    throw new AlertingHttpError("unavailable", reason ? `${where} ${reason}` : `${where} could not be reached: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (status >= 500) throw new AlertingHttpError("unavailable", `${where} failed (HTTP ${status}): ${reasonOf(text)}`, status);
  if (status >= 400) {
    const hint = status === 401 || status === 403 ? " — check the credentials configured for it" : status === 404 ? " — is the URL right (including any path prefix)?" : "";
    throw new AlertingHttpError("refused", `${where} refused ${method} /${path} (HTTP ${status}): ${reasonOf(text)}${hint}`, status);
  }
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new AlertingHttpError("bad_response", `${where} answered ${method} /${path} with something that is not JSON: ${text.slice(0, 120)}`, status);
  }
}
