// One connection per Redis instance or Sentinel, opened when a read needs it and opened again
// by the next read after it broke. No background reconnecting and no offline queue: a read of
// an instance that is down fails at once with the reason (ECONNREFUSED, a timeout, a refused
// password), which is what the page shows, instead of waiting in a queue for a reconnect.
import { Redis } from "ioredis";
import type { ClusterConfig } from "../../config/schema";
import type { SourceError } from "../../domain/ports";
import { secretFromEnvironment } from "../../env";
import { parseAddress } from "./info";

export type RedisCacheConfig = Extract<ClusterConfig, { kind: "redis" }>;

export type RedisReadErrorKind =
  /** Connection refused or reset, host not found, the connection closed mid-answer. */
  | "unavailable"
  /** No connection or no answer within the timeout. */
  | "timeout"
  /** The password (or user) was refused, or one is needed. */
  | "auth"
  /** Reachable, but no instance is the primary (or the Sentinels do not know it). */
  | "no_primary"
  /** A secret the configuration names is not in the environment. */
  | "configuration"
  /** The server refused a command (an ACL without INFO, a renamed command...). */
  | "command";

export class RedisReadError extends Error {
  override readonly name = "RedisReadError";

  constructor(
    readonly kind: RedisReadErrorKind,
    message: string,
  ) {
    super(message);
  }

  toSummary(): SourceError {
    return { kind: this.kind, message: this.message };
  }
}

function kindOf(error: Error): RedisReadErrorKind {
  const text = `${(error as NodeJS.ErrnoException).code ?? ""} ${error.message}`;
  if (/NOAUTH|WRONGPASS|invalid password|invalid username|AUTH failed|NOPERM/i.test(text)) return "auth";
  if (/ETIMEDOUT|timed out|timeout/i.test(text)) return "timeout";
  if (/ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EPIPE|Connection is closed|Stream isn't writeable/i.test(text)) return "unavailable";
  return "command";
}

/** Credentials are read anew for every connection, so a rotated secret takes effect on the next one. */
export interface ConnectionSettings {
  username?: string;
  password?: string;
  tls: boolean;
  /** Bounds connecting and every command. */
  timeoutMs: number;
  /** CLIENT SETNAME, so operators see who is connected. Default scaleplane-cache-reader. */
  connectionName?: string;
}

function secret(variable: string | undefined, field: string): string | undefined {
  if (variable === undefined) return undefined;
  const value = secretFromEnvironment(variable);
  if (value === undefined) throw new Error(`the environment variable ${variable} (${field}) is not set`);
  return value;
}

/** Settings for a cache's primary and replicas, with the credentials its configuration names. */
export function instanceSettings(config: RedisCacheConfig, timeoutMs: number, connectionName?: string): () => ConnectionSettings {
  return () => {
    const username = secret(config.usernameEnv, "usernameEnv");
    const password = secret(config.passwordEnv, "passwordEnv");
    return { tls: config.tls, timeoutMs, ...(connectionName ? { connectionName } : {}), ...(username ? { username } : {}), ...(password ? { password } : {}) };
  };
}

/** Settings for a cache's Sentinels. */
export function sentinelSettings(config: RedisCacheConfig, timeoutMs: number, connectionName?: string): () => ConnectionSettings {
  return () => {
    const password = secret(config.sentinel?.passwordEnv, "sentinel.passwordEnv");
    return { tls: config.tls, timeoutMs, ...(connectionName ? { connectionName } : {}), ...(password ? { password } : {}) };
  };
}

export class RedisConnection {
  private client: Redis | undefined;
  private connecting: Promise<Redis> | undefined;
  /** The last 'error' event: ioredis rejects a failed connect with a generic "Connection is closed". */
  private lastError: Error | undefined;
  private closed = false;

  constructor(
    readonly address: string,
    private readonly settings: () => ConnectionSettings,
  ) {}

  /** Runs commands on a ready connection; any failure comes out as a RedisReadError naming this address. */
  async run<T>(commands: (client: Redis) => Promise<T>): Promise<T> {
    const client = await this.ready();
    try {
      return await commands(client);
    } catch (error) {
      throw this.explain(error);
    }
  }

  close(): void {
    this.closed = true;
    this.client?.disconnect();
    this.client = undefined;
  }

  private async ready(): Promise<Redis> {
    if (this.closed) throw new RedisReadError("unavailable", `${this.address}: the reader is closed`);
    if (this.client?.status === "ready") return this.client;
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<Redis> {
    this.client?.disconnect();
    let settings: ConnectionSettings;
    try {
      settings = this.settings();
    } catch (error) {
      throw new RedisReadError("configuration", `${this.address}: ${(error as Error).message}`);
    }
    const { host, port } = parseAddress(this.address);
    this.lastError = undefined;
    const client = new Redis({
      host,
      port,
      ...(settings.username ? { username: settings.username } : {}),
      ...(settings.password ? { password: settings.password } : {}),
      ...(settings.tls ? { tls: {} } : {}),
      lazyConnect: true,
      retryStrategy: () => null,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      connectTimeout: settings.timeoutMs,
      commandTimeout: settings.timeoutMs,
      // RESP2 answers the same on every Redis version and on Sentinels; nothing here needs RESP3.
      protocol: 2,
      // CLIENT SETINFO is unknown before Redis 7.2; the name alone tells operators who we are.
      disableClientInfo: true,
      connectionName: settings.connectionName ?? "scaleplane-cache-reader",
    });
    client.on("error", (error: Error) => {
      this.lastError = error;
    });
    this.client = client;
    // connectTimeout covers the TCP handshake only; a server that accepts and then never
    // answers (a stopped process, a full accept queue) would hold the ready check forever.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new RedisReadError("timeout", `${this.address}: no answer within ${settings.timeoutMs} ms of connecting`)), settings.timeoutMs * 2);
    });
    try {
      await Promise.race([client.connect(), deadline]);
      return client;
    } catch (error) {
      client.disconnect();
      if (this.client === client) this.client = undefined;
      throw this.explain(error);
    } finally {
      clearTimeout(timer);
    }
  }

  private explain(error: unknown): RedisReadError {
    if (error instanceof RedisReadError) return error;
    const failure = error instanceof Error ? error : new Error(String(error));
    // "Connection is closed" says nothing; the error event before it says why.
    const cause = /Connection is closed/.test(failure.message) && this.lastError ? this.lastError : failure;
    return new RedisReadError(kindOf(cause), `${this.address}: ${cause.message}`);
  }
}

/** One connection per instance address, opened when first asked for and kept. */
export class InstanceConnections extends Map<string, RedisConnection> {
  constructor(private readonly settings: () => ConnectionSettings) {
    super();
  }

  to(address: string): RedisConnection {
    let connection = this.get(address);
    if (!connection) {
      connection = new RedisConnection(address, this.settings);
      this.set(address, connection);
    }
    return connection;
  }
}
