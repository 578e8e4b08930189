// Everything that can go wrong between Scaleplane and Prometheus, as one error type whose
// `kind` a page can act on: a bad query is Scaleplane's bug (or the user's PromQL), the
// others are Prometheus's state and deserve the last good data with a banner.

export type PrometheusErrorKind =
  /** HTTP 400: the PromQL does not parse, or a parameter is invalid (e.g. too many points). */
  | "bad_query"
  /** HTTP 422: the query parsed but failed while running (e.g. many-to-many matching). */
  | "execution"
  /** 5xx, connection refused, DNS failure, connection reset: Prometheus is not there to answer. */
  | "unavailable"
  /** No answer within the client's deadline, or Prometheus gave up at its own `timeout`. */
  | "timeout"
  /** An answer that is not the Prometheus API's JSON (a proxy's HTML page, a cut-off body). */
  | "bad_response";

/** The parts of an error a page needs; plain data, so it crosses tRPC and Redis as is. */
export interface PrometheusErrorSummary {
  kind: PrometheusErrorKind;
  message: string;
}

export class PrometheusError extends Error {
  override readonly name = "PrometheusError";

  constructor(
    readonly kind: PrometheusErrorKind,
    message: string,
    readonly details: {
      /** HTTP status, when Prometheus (or a proxy) answered. */
      status?: number;
      /** Prometheus's `errorType` (bad_data, execution, timeout, canceled, internal, unavailable). */
      errorType?: string;
      /** Prometheus's own `error` text, verbatim. */
      prometheusMessage?: string;
      cause?: unknown;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }

  toSummary(): PrometheusErrorSummary {
    return { kind: this.kind, message: this.message };
  }

  static fromSummary(summary: PrometheusErrorSummary): PrometheusError {
    return new PrometheusError(summary.kind, summary.message);
  }
}

/** Queries are long; an error message quotes enough of one to recognise it. */
export function abbreviateQuery(promql: string, maxLength = 160): string {
  const oneLine = promql.replace(/\s+/g, " ").trim();
  return oneLine.length <= maxLength ? oneLine : `${oneLine.slice(0, maxLength - 1)}…`;
}

interface ErrorBody {
  errorType?: string;
  error?: string;
}

function readErrorBody(text: string): ErrorBody {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === "object") {
      const { errorType, error } = parsed as Record<string, unknown>;
      return {
        errorType: typeof errorType === "string" ? errorType : undefined,
        error: typeof error === "string" ? error : undefined,
      };
    }
  } catch {
    // Not JSON: a proxy or load balancer answered; the status says enough.
  }
  return {};
}

/** Maps a non-2xx answer to the error a caller can act on, quoting Prometheus's own reason. */
export function errorFromHttpResponse(status: number, bodyText: string, promql: string, baseUrl: string): PrometheusError {
  const { errorType, error } = readErrorBody(bodyText);
  const reason = error ?? (bodyText.trim().slice(0, 200) || `HTTP ${status}`);
  const details = { status, errorType, prometheusMessage: error };
  const query = abbreviateQuery(promql);
  // Prometheus reports its own query timeout as 503 with errorType "timeout".
  if (errorType === "timeout") {
    return new PrometheusError("timeout", `Prometheus gave up on the query at its timeout: ${reason} (query: ${query})`, details);
  }
  if (status === 400) {
    return new PrometheusError("bad_query", `Prometheus rejected the query: ${reason} (query: ${query})`, details);
  }
  if (status === 422) {
    return new PrometheusError("execution", `Prometheus could not execute the query: ${reason} (query: ${query})`, details);
  }
  if (status >= 500) {
    return new PrometheusError("unavailable", `Prometheus at ${baseUrl} is unavailable (HTTP ${status}): ${reason}`, details);
  }
  // 401/403 (an auth proxy), 404 (wrong base URL), 429 (a rate-limiting proxy) and the rest.
  const hint = status === 404 ? " — is the Prometheus URL right (including any path prefix)?" : status === 401 || status === 403 ? " — check the credentials configured for this Prometheus" : "";
  return new PrometheusError("bad_response", `Prometheus at ${baseUrl} answered HTTP ${status}: ${reason}${hint}`, details);
}

const UNAVAILABLE_NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: "refused the connection (is it running?)",
  ECONNRESET: "closed the connection before answering",
  ENOTFOUND: "has a host name that does not resolve",
  EAI_AGAIN: "has a host name that could not be resolved right now",
  EHOSTUNREACH: "is on a host that cannot be reached",
  ENETUNREACH: "is on a network that cannot be reached",
  UND_ERR_SOCKET: "closed the connection before answering",
};

/** fetch() wraps the socket error in `cause` (sometimes twice); find its code. */
function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    const errors = (current as { errors?: unknown }).errors;
    // Happy Eyeballs (IPv4 and IPv6 both refused) reports an AggregateError.
    if (Array.isArray(errors) && errors.length > 0) current = errors[0];
    else current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Maps what fetch() threw (abort, timeout, socket errors) to a PrometheusError. */
export function errorFromFetchFailure(error: unknown, baseUrl: string, timeoutMs: number, promql: string): PrometheusError {
  if (error instanceof PrometheusError) return error;
  const name = error instanceof Error ? error.name : "";
  if (name === "TimeoutError") {
    return new PrometheusError("timeout", `Prometheus at ${baseUrl} did not answer within ${formatSeconds(timeoutMs)} (query: ${abbreviateQuery(promql)})`, { cause: error });
  }
  if (name === "AbortError") {
    return new PrometheusError("timeout", `The request to Prometheus at ${baseUrl} was cancelled (query: ${abbreviateQuery(promql)})`, { cause: error });
  }
  const code = networkErrorCode(error);
  const explanation = code ? UNAVAILABLE_NETWORK_CODES[code] : undefined;
  const message = explanation
    ? `Prometheus at ${baseUrl} ${explanation}`
    : `Prometheus at ${baseUrl} could not be reached: ${error instanceof Error ? error.message : String(error)}${code ? ` (${code})` : ""}`;
  return new PrometheusError("unavailable", message, { cause: error });
}

function formatSeconds(milliseconds: number): string {
  return `${Number((milliseconds / 1000).toFixed(3))} s`;
}
