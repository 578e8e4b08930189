// Reads one configured Redis cache (a primary and its replicas, found through its endpoints or
// its Sentinels) from the instances themselves: INFO and SLOWLOG LEN on every instance, the
// Sentinels' view of the master, and now and then a key-namespace sample on a replica.
//
// Reading happens in the background on an interval, so a page never waits on a slow or dead
// instance: it gets the last snapshot, marked stale with its age and the error when the last
// refresh failed. Only the very first call waits, and only up to a timeout. Rates (hit ratio,
// ops/s, evictions/s) come from counter deltas between two refreshes, which is why the
// snapshot, not a single INFO, is the unit here.
import type { CacheStats, Observed, SourceError } from "../../domain/ports";
import { InstanceConnections, instanceSettings, RedisConnection, RedisReadError, sentinelSettings, type ConnectionSettings, type RedisCacheConfig } from "./connection";
import { figuresOf, readingOf, type CacheFigures, type InstanceOutcome, type InstanceReading } from "./figures";
import { parseInfo } from "./info";
import { DEFAULT_KEYSPACE_SAMPLE, sampleKeyspace, type KeyspaceSampleOptions } from "./keyspace";
import { readSentinels } from "./sentinel";
import type { CacheDetail, CacheSentinelStatus, InstanceRole, KeyspaceBreakdown } from "./types";

export type { RedisCacheConfig } from "./connection";

export interface RedisCacheReaderOptions {
  environment: string;
  region: string;
  /** The cache's name: its key in the configuration's clusters. */
  cluster: string;
  /** The configuration's entry: `endpoints` (primary first) or `sentinel`, credentials by env var name, TLS. */
  connection: RedisCacheConfig;
  /** How often the instances are read. Default 10 s. */
  refreshIntervalMs?: number;
  /** How long the first call waits for the first refresh before answering without figures. Default 5 s. */
  firstAnswerTimeoutMs?: number;
  /** Bounds connecting and each command. Default 3 s. */
  timeoutMs?: number;
  /** The key-namespace sample; `intervalMs` 0 samples only when sampleKeyspace() is called. Default every 60 s. */
  keyspace?: Partial<KeyspaceSampleOptions> & { intervalMs?: number };
  now?: () => number;
}

interface Snapshot {
  figures: CacheFigures;
  readings: Map<string, InstanceReading>;
}

export class RedisCacheReader {
  readonly cluster: string;
  readonly environment: string;
  readonly region: string;
  private readonly config: RedisCacheConfig;
  private readonly refreshIntervalMs: number;
  private readonly firstAnswerTimeoutMs: number;
  private readonly timeoutMs: number;
  private readonly keyspaceOptions: KeyspaceSampleOptions;
  private readonly keyspaceIntervalMs: number;
  private readonly now: () => number;
  private readonly createdAt: number;

  private readonly instanceConnections: InstanceConnections;
  private readonly sentinelConnections: RedisConnection[];
  private readonly instanceSettings: () => ConnectionSettings;
  /** Roles seen last, so an instance that went down keeps the role it had. */
  private readonly knownRoles = new Map<string, InstanceRole>();

  private snapshot: Snapshot | undefined;
  /** The last refresh's error; cleared by the next success. */
  private failure: SourceError | undefined;
  private keyspace: KeyspaceBreakdown | null = null;
  private keyspaceError: string | null = null;
  private lastSampleStartedAt: number | undefined;

  private refreshing: Promise<void> | undefined;
  private sampling: Promise<void> | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private readonly firstRefresh: Promise<void>;
  private closed = false;

  constructor(options: RedisCacheReaderOptions) {
    this.environment = options.environment;
    this.region = options.region;
    this.cluster = options.cluster;
    this.config = options.connection;
    this.refreshIntervalMs = options.refreshIntervalMs ?? 10_000;
    this.firstAnswerTimeoutMs = options.firstAnswerTimeoutMs ?? 5_000;
    this.timeoutMs = options.timeoutMs ?? 3_000;
    const { intervalMs, ...sample } = options.keyspace ?? {};
    this.keyspaceOptions = { ...DEFAULT_KEYSPACE_SAMPLE, ...sample };
    this.keyspaceIntervalMs = intervalMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.createdAt = this.now();
    if (!this.config.endpoints && !this.config.sentinel) {
      throw new Error(`Redis cache ${this.cluster}: the configuration names neither endpoints nor Sentinels`);
    }
    this.instanceSettings = instanceSettings(this.config, this.timeoutMs);
    this.instanceConnections = new InstanceConnections(this.instanceSettings);
    const sentinels = sentinelSettings(this.config, this.timeoutMs);
    this.sentinelConnections = (this.config.sentinel?.sentinels ?? []).map((address) => new RedisConnection(address, sentinels));
    this.firstRefresh = this.refresh();
  }

  /** The port's figures from the last snapshot. */
  async stats(): Promise<Observed<CacheStats>> {
    const { value, ...freshness } = await this.detail();
    return { value: value.stats, ...freshness };
  }

  /** Everything the cache page shows, from the last snapshot and the last key-namespace sample. */
  async detail(): Promise<Observed<CacheDetail>> {
    if (!this.snapshot && !this.failure) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.firstRefresh, new Promise<void>((resolve) => (timer = setTimeout(resolve, this.firstAnswerTimeoutMs)))]);
      clearTimeout(timer);
    }
    const now = this.now();
    if (!this.snapshot) {
      return {
        value: this.withoutFigures(),
        stale: true,
        ageSeconds: Math.max(0, (now - this.createdAt) / 1000),
        error: this.failure ?? { kind: "timeout", message: `Redis cache ${this.cluster}: no answer within ${this.firstAnswerTimeoutMs} ms` },
      };
    }
    const figures = this.snapshot.figures;
    const value: CacheDetail = { ...figures, keyspace: this.keyspace, keyspaceError: this.keyspaceError };
    const ageSeconds = Math.max(0, (now - figures.takenAt) / 1000);
    return this.failure ? { value, stale: true, ageSeconds, error: this.failure } : { value, stale: false, ageSeconds };
  }

  /** Reads the instances now (joining a refresh already running); never rejects: a failure is kept for the answers. */
  refresh(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.refreshing ??= this.refreshOnce().finally(() => {
      this.refreshing = undefined;
      this.scheduleRefresh();
    });
    return this.refreshing;
  }

  /** Samples the key namespace now (joining a sample already running); never rejects. */
  sampleKeyspace(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.sampling ??= this.sampleOnce().finally(() => {
      this.sampling = undefined;
    });
    return this.sampling;
  }

  /** Stops the background reads and disconnects from every instance and Sentinel. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.refreshTimer);
    for (const connection of [...this.instanceConnections.values(), ...this.sentinelConnections]) connection.close();
    await Promise.allSettled([this.refreshing, this.sampling]);
  }

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    if (this.closed) return;
    this.refreshTimer = setTimeout(() => void this.refresh(), this.refreshIntervalMs);
    // Background reading must not keep a process (a CLI, a test worker) alive.
    this.refreshTimer.unref();
  }

  private async refreshOnce(): Promise<void> {
    try {
      this.snapshot = await this.readSnapshot();
      this.failure = undefined;
    } catch (error) {
      this.failure = error instanceof RedisReadError
        ? error.toSummary()
        : { kind: "command", message: `Redis cache ${this.cluster}: ${(error as Error).message}` };
      return;
    }
    const sampleDue = this.keyspaceIntervalMs > 0
      && (this.lastSampleStartedAt === undefined || this.now() - this.lastSampleStartedAt >= this.keyspaceIntervalMs);
    if (sampleDue) void this.sampleKeyspace();
  }

  private connectionTo(address: string): RedisConnection {
    return this.instanceConnections.to(address);
  }

  /** Which instances to read, and the role each should have: from the Sentinels, or the configured endpoints. */
  private async targets(): Promise<{ targets: { address: string; role: InstanceRole }[]; sentinel: CacheSentinelStatus | null }> {
    const sentinelConfig = this.config.sentinel;
    if (!sentinelConfig) {
      const targets = (this.config.endpoints ?? []).map((address, i) => ({
        address,
        role: this.knownRoles.get(address) ?? (i === 0 ? ("primary" as const) : ("replica" as const)),
      }));
      return { targets, sentinel: null };
    }
    const { status, replicas, failures } = await readSentinels(this.sentinelConnections, sentinelConfig.masterName);
    if (!status.master) {
      const reasons = failures.map((failure) => failure.message).join("; ");
      if (status.reachable > 0) {
        throw new RedisReadError("no_primary", `no Sentinel of ${this.cluster} names a primary for "${sentinelConfig.masterName}"${reasons ? `: ${reasons}` : ""}`);
      }
      // All refused the password, or all are down: say which, rather than a generic "unavailable".
      const kinds = new Set(failures.map((failure) => failure.kind));
      const [onlyKind] = kinds.size === 1 ? kinds : [];
      throw new RedisReadError(onlyKind ?? "unavailable", `no Sentinel of ${this.cluster} answered: ${reasons}`);
    }
    const targets = [
      { address: status.master, role: "primary" as const },
      ...replicas.map((address) => ({ address, role: "replica" as const })),
    ];
    return { targets, sentinel: status };
  }

  private async readInstance(target: { address: string; role: InstanceRole }): Promise<{ outcome: InstanceOutcome; failure?: RedisReadError }> {
    try {
      const [info, slowlogLength] = await this.connectionTo(target.address).run((client) =>
        Promise.all([client.info(), client.call("SLOWLOG", "LEN")]),
      );
      const reading = readingOf(target.address, parseInfo(info), Number(slowlogLength) || 0, this.now());
      return { outcome: { address: target.address, role: reading.role, reading } };
    } catch (error) {
      const failure = error instanceof RedisReadError ? error : new RedisReadError("command", `${target.address}: ${(error as Error).message}`);
      return { outcome: { address: target.address, role: target.role, error: failure.message }, failure };
    }
  }

  private async readSnapshot(): Promise<Snapshot> {
    const { targets, sentinel } = await this.targets();
    const results = await Promise.all(targets.map((target) => this.readInstance(target)));

    // With Sentinels, the primary is the one they name; with endpoints, the first that says it is one.
    const primaryTarget = sentinel ? targets[0] : undefined;
    const primaryResult = primaryTarget
      ? results.find(({ outcome }) => outcome.address === primaryTarget.address)
      : results.find(({ outcome }) => "reading" in outcome && outcome.reading.role === "primary");
    if (!primaryResult || !("reading" in primaryResult.outcome)) {
      const expected = primaryResult ?? results.find(({ outcome }) => outcome.role === "primary") ?? results[0];
      if (expected?.failure) throw new RedisReadError(expected.failure.kind, `primary of ${this.cluster} unreadable: ${expected.failure.message}`);
      throw new RedisReadError("no_primary", `no instance of ${this.cluster} has the primary role (${targets.map((t) => t.address).join(", ")})`);
    }
    const primary = primaryResult.outcome.reading;
    if (primary.role !== "primary") {
      throw new RedisReadError("no_primary", `the Sentinels name ${primary.address} the primary of ${this.cluster}, but it is a replica (a failover in progress?)`);
    }

    const outcomes = results.map(({ outcome }) => outcome);
    // An instance that is down while another serves as primary is not the primary any more.
    // One that is up says its role itself: two primaries (a split brain) show as two.
    const others = outcomes
      .filter((outcome) => outcome !== primaryResult.outcome)
      .map((outcome): InstanceOutcome => ("error" in outcome && outcome.role === "primary" ? { ...outcome, role: "replica" } : outcome))
      .sort((a, b) => a.address.localeCompare(b.address));
    const ordered = [primaryResult.outcome, ...others];

    const readings = new Map(outcomes.flatMap((outcome) => ("reading" in outcome ? [[outcome.address, outcome.reading] as const] : [])));
    for (const reading of readings.values()) this.knownRoles.set(reading.address, reading.role);
    this.forgetConnectionsBut(new Set(targets.map((target) => target.address)));

    const figures = figuresOf({
      identity: { environment: this.environment, region: this.region, cluster: this.cluster },
      primary,
      instances: ordered,
      previous: this.snapshot?.readings,
      sentinel,
      takenAt: this.now(),
    });
    return { figures, readings };
  }

  /** After a failover the Sentinels may list other instances; connections to the ones gone are closed. */
  private forgetConnectionsBut(addresses: ReadonlySet<string>): void {
    for (const [address, connection] of this.instanceConnections) {
      if (!addresses.has(address)) {
        connection.close();
        this.instanceConnections.delete(address);
      }
    }
  }

  private async sampleOnce(): Promise<void> {
    this.lastSampleStartedAt = this.now();
    if (!this.snapshot) await this.refresh();
    const instances = this.snapshot?.figures.instances ?? [];
    // A replica with its link up holds the same keys; sampling it spares the primary.
    const source = instances
      .filter((instance) => instance.role === "replica" && instance.up && instance.figures?.masterLinkStatus === "up")
      .sort((a, b) => a.address.localeCompare(b.address))[0]
      ?? instances.find((instance) => instance.role === "primary" && instance.up);
    if (!source) {
      this.keyspaceError = `no instance of ${this.cluster} could be read`;
      return;
    }
    try {
      this.keyspace = await this.connectionTo(source.address).run((client) =>
        sampleKeyspace(client, { address: source.address, role: source.role }, this.keyspaceOptions, this.now),
      );
      this.keyspaceError = null;
    } catch (error) {
      this.keyspaceError = (error as Error).message;
    }
  }

  /** What the first answer says when no refresh has succeeded yet: the configured instances, none up. */
  private withoutFigures(): CacheDetail {
    const instances = (this.config.endpoints ?? []).map((address, i) => ({
      address,
      role: i === 0 ? ("primary" as const) : ("replica" as const),
      up: false,
      error: this.failure?.message ?? "not read yet",
      figures: null,
    }));
    return {
      stats: {
        environment: this.environment, region: this.region, cluster: this.cluster,
        hitRatio: 0, keys: 0, memoryUsedBytes: 0, memoryMaxBytes: 0, evictionsPerSecond: 0, opsPerSecond: 0, connectedClients: 0,
        instances: instances.map(({ address, role, up }) => ({ pod: address, role, up })),
      },
      takenAt: this.createdAt,
      ratesBasis: "since-start",
      intervalSeconds: null,
      hitRatioBasis: "no-lookups",
      lookupsPerSecond: 0,
      memoryPolicy: "",
      slowlogLength: 0,
      instances,
      replication: { primary: instances[0]?.address ?? "", primaryOffset: 0, connectedReplicas: 0, replicas: [] },
      sentinel: null,
      keyspace: null,
      keyspaceError: null,
    };
  }
}
