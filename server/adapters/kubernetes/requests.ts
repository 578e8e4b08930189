// One request to a cluster's API server, and what its failure means to the person who asked:
// a missing object, a permission the service account lacks, a change that lost a race, a
// change the API server judges invalid. Those are refusals (ActionRefused) a user reads as is;
// anything else (unreachable, timeout, credentials, a server error) is an Error naming the
// cluster and what was asked.
import { ApiException } from "@kubernetes/client-node";
import { ActionRefused } from "../../domain/actions/kind";
import type { KubernetesConnection } from "./connection";

/** What a request does, in RBAC's words (verb, resource, API group) and a person's (kind). */
export interface KubernetesOperation {
  verb: "get" | "list" | "patch" | "update";
  /** The resource as a Role names it, with its subresource: `deployments/scale`. */
  resource: string;
  /** The API group: "apps", "autoscaling", "gateway.networking.k8s.io". */
  group: string;
  /** The object's kind as people say it: "deployment", "horizontalpodautoscaler". */
  kind: string;
  /** Absent for a list across all namespaces. */
  namespace?: string;
  name?: string;
}

/** A refusal by the API server, with its HTTP status for callers that treat one specially. */
export class KubernetesRefusal extends ActionRefused {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

interface StatusBody {
  message?: string;
  reason?: string;
}

/** The API server's Status object; the generated client hands it over as text. */
function statusOf(body: unknown): StatusBody {
  let value = body;
  if (typeof body === "string") {
    try {
      value = JSON.parse(body);
    } catch {
      return { message: body.trim() || undefined };
    }
  }
  if (value === null || typeof value !== "object") return {};
  const { message, reason } = value as Record<string, unknown>;
  return { message: typeof message === "string" ? message : undefined, reason: typeof reason === "string" ? reason : undefined };
}

export function objectLabel(operation: KubernetesOperation): string {
  if (operation.name === undefined) return `${operation.resource}${operation.group ? `.${operation.group}` : ""}`;
  return `${operation.kind} ${operation.namespace}/${operation.name}`;
}

function rbacLabel(operation: KubernetesOperation): string {
  const group = operation.group ? `API group ${operation.group}` : "the core API group";
  const scope = operation.namespace === undefined ? "in any namespace" : `in namespace ${operation.namespace}`;
  return `${operation.verb} ${operation.resource} (${group}) ${scope}`;
}

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  type?: unknown;
  message?: unknown;
}

export function describeFailure(error: unknown, operation: KubernetesOperation, connection: KubernetesConnection): Error {
  if (error instanceof ActionRefused) return error;
  const cluster = connection.label;
  const object = objectLabel(operation);
  if (error instanceof ApiException) {
    const code = Number(error.code);
    const status = statusOf(error.body);
    const said = status.message ?? status.reason ?? "no reason given";
    switch (code) {
      case 404:
        return new KubernetesRefusal(
          operation.name === undefined ? `${cluster} does not serve ${object}: ${said}` : `${object} not found in ${cluster}`,
          404,
        );
      case 403:
        return new KubernetesRefusal(
          `Scaleplane's service account may not ${rbacLabel(operation)} of ${cluster}; grant it in the Role bound to that account (server/adapters/kubernetes/README.md lists what it needs). The cluster said: ${said}`,
          403,
        );
      case 409:
        return new KubernetesRefusal(`${object} in ${cluster} was changed by someone else while Scaleplane was changing it; nothing was changed, try again`, 409);
      case 422:
        return new KubernetesRefusal(`${cluster} refused the change to ${object} as invalid: ${said}`, 422);
      case 401:
        return new Error(`${cluster} (${connection.server}) refused Scaleplane's credentials (HTTP 401): check the kubeconfig${connection.target.context ? ` context ${connection.target.context}` : ""} or the service account's token`, { cause: error });
      default:
        return new Error(`${cluster}: ${operation.verb} ${object} failed with HTTP ${code}${status.reason ? ` ${status.reason}` : ""}: ${said}`, { cause: error });
    }
  }
  const like = (error ?? {}) as ErrorLike;
  const message = String(like.message ?? error);
  if (like.name === "AbortError" || like.name === "TimeoutError" || like.type === "aborted") {
    return new Error(`the Kubernetes API of ${cluster} (${connection.server}) did not answer within ${connection.requestTimeoutMs / 1000} s (${operation.verb} ${object})`, { cause: error });
  }
  if (typeof like.code === "string" && /^E[A-Z]+/.test(like.code)) {
    return new Error(`the Kubernetes API of ${cluster} (${connection.server}) cannot be reached: ${message}`, { cause: error });
  }
  return new Error(`${cluster}: ${operation.verb} ${object} failed: ${message}`, { cause: error });
}

/** Sends a request; a failure comes back described (see describeFailure). */
export async function send<T>(connection: KubernetesConnection, operation: KubernetesOperation, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw describeFailure(error, operation, connection);
  }
}

/** A read answering null for a missing object (a 404) instead of a refusal. */
export async function readOrNull<T>(connection: KubernetesConnection, operation: KubernetesOperation, request: () => Promise<T>): Promise<T | null> {
  try {
    return await send(connection, operation, request);
  } catch (error) {
    if (error instanceof KubernetesRefusal && error.status === 404) return null;
    throw error;
  }
}

export const isConflict = (error: unknown): boolean => error instanceof KubernetesRefusal && error.status === 409;

/**
 * A read-modify-write whose write carries the resourceVersion it read, so a change by someone
 * else in between is refused (409) rather than overwritten. It is read and tried once more;
 * a second conflict means the object is being changed right now, and the user is told so.
 */
export async function retryingConflictOnce<T>(attempt: () => Promise<T>, what: () => string): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    if (!isConflict(error)) throw error;
  }
  try {
    return await attempt();
  } catch (error) {
    if (!isConflict(error)) throw error;
    throw new KubernetesRefusal(`${what()} kept changing while Scaleplane was changing it (twice in a row); nothing was changed. Try again once whoever else is changing it is done.`, 409);
  }
}
