// How Scaleplane reaches one configured Kafka cluster with kafkajs, and what a failure means
// to a page: the cluster is not there (unavailable), too slow (timeout), refuses our
// credentials (unauthorized), or answered something we could not use (error).
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from "kafkajs";
import type { SourceError } from "../../domain/ports";
import { secretFromEnvironment } from "../../env";

/** One Kafka cluster as the configuration names it (the `kafka` cluster kind of server/config/schema.ts). */
export interface KafkaClusterTarget {
  environment: string;
  region: string;
  /** The cluster's name in the configuration. */
  name: string;
  brokers: string[];
  tls?: boolean;
  sasl?: {
    mechanism: "plain" | "scram-sha-256" | "scram-sha-512";
    /** Environment variables holding the credentials; the configuration never holds them. */
    usernameEnv: string;
    passwordEnv: string;
  };
}

export interface ConnectionTimeouts {
  /** TCP (and TLS) connect, per broker. */
  connectionTimeoutMs: number;
  /** One request's answer. */
  requestTimeoutMs: number;
}

export type KafkaErrorKind = "unavailable" | "timeout" | "unauthorized" | "error";

export class KafkaReadError extends Error {
  override readonly name = "KafkaReadError";

  constructor(
    readonly kind: KafkaErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toSummary(): SourceError {
    return { kind: this.kind, message: this.message };
  }
}

function saslOptions(target: KafkaClusterTarget): SASLOptions | undefined {
  if (!target.sasl) return undefined;
  const { mechanism, usernameEnv, passwordEnv } = target.sasl;
  const username = secretFromEnvironment(usernameEnv);
  const password = secretFromEnvironment(passwordEnv);
  const missing = [username === undefined ? usernameEnv : null, password === undefined ? passwordEnv : null].filter(Boolean);
  if (missing.length > 0) {
    throw new KafkaReadError("unauthorized", `Kafka cluster ${target.name}: the environment variable(s) ${missing.join(", ")} holding its SASL credentials are not set`);
  }
  return { mechanism, username: username ?? "", password: password ?? "" };
}

/** A kafkajs client for the cluster. Few, quick retries: a refresh that fails is retried by the next one. */
export function kafkaClientFor(target: KafkaClusterTarget, timeouts: ConnectionTimeouts): Kafka {
  const sasl = saslOptions(target);
  const config: KafkaConfig = {
    clientId: "scaleplane",
    brokers: target.brokers,
    ssl: target.tls ?? false,
    ...(sasl ? { sasl } : {}),
    connectionTimeout: timeouts.connectionTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2_000 },
    // Failures reach the pages through the answers' freshness; kafkajs's own console logging
    // would repeat every one of them once per broker and retry.
    logLevel: logLevel.NOTHING,
  };
  return new Kafka(config);
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  type?: unknown;
  cause?: unknown;
  originalError?: unknown;
}

/** kafkajs wraps the error that matters (a refused connection, a timeout) in retry errors. */
function errorChain(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current: unknown = error;
  while (current !== null && typeof current === "object" && chain.length < 6) {
    const link = current as ErrorLike;
    chain.push(link);
    current = link.originalError ?? link.cause;
  }
  return chain;
}

/** Whether Kafka answered with one of these error codes (kafkajs's `type`, e.g. UNKNOWN_TOPIC_OR_PARTITION), however wrapped. */
export function hasProtocolError(error: unknown, ...types: string[]): boolean {
  return errorChain(error).some((link) => typeof link.type === "string" && types.includes(link.type));
}

/** What went wrong, as a kind a page can act on and a message naming the cluster. */
export function classifyKafkaError(error: unknown, target: KafkaClusterTarget): KafkaReadError {
  if (error instanceof KafkaReadError) return error;
  const chain = errorChain(error);
  const names = chain.map((link) => String(link.name ?? ""));
  const innermost = chain.at(-1);
  const reason = String(innermost?.message ?? error);
  const where = `Kafka cluster ${target.name} (${target.brokers.join(", ")})`;
  if (names.includes("KafkaJSSASLAuthenticationError") || chain.some((link) => /AUTHORIZATION_FAILED|AUTHENTICATION/.test(String(link.type ?? "")))) {
    return new KafkaReadError("unauthorized", `${where} refused Scaleplane's credentials: ${reason}`, { cause: error });
  }
  if (names.includes("KafkaJSRequestTimeoutError") || names.includes("KafkaJSTimeout")) {
    return new KafkaReadError("timeout", `${where} did not answer in time: ${reason}`, { cause: error });
  }
  if (names.some((name) => name === "KafkaJSConnectionError" || name === "KafkaJSConnectionClosedError" || name === "KafkaJSBrokerNotFound" || name === "KafkaJSNoBrokerAvailableError")) {
    const code = chain.map((link) => link.code).find((value) => typeof value === "string");
    return new KafkaReadError("unavailable", `${where} cannot be reached: ${reason}${code ? ` (${String(code)})` : ""}`, { cause: error });
  }
  return new KafkaReadError("error", `${where}: ${reason}`, { cause: error });
}
