// Changes to one configured Redis cache, for the cache actions: invalidating keys by pattern,
// warming keys from a loader, failing the primary over through its Sentinels.
//
// The primary is looked up again for every call (from the Sentinels, or the endpoint that says
// it is the primary), so a failover between two calls is followed. Counting keys runs on a
// replica whose link to the primary is up, sparing the primary; deleting and loading run on the
// primary. Connections are opened when first needed and kept; close() ends them.
import type {
  CacheAdminPort,
  CachePrimary,
  CacheRef,
  InvalidationProgress,
  KeyPatternEstimate,
  WarmProgress,
  WarmSource,
} from "../../domain/action-ports";
import { ActionRefused } from "../../domain/actions/kind";
import { InstanceConnections, instanceSettings, RedisConnection, RedisReadError, sentinelSettings, type ConnectionSettings, type RedisCacheConfig } from "./connection";
import { parseInfo } from "./info";
import {
  countKeysMatching,
  DEFAULT_INVALIDATION_PACING,
  DEFAULT_KEY_COUNT,
  InvalidationInterrupted,
  unlinkMatching,
  type InvalidationPacing,
  type KeyCountOptions,
} from "./key-patterns";
import { readSentinels, type SentinelTopology } from "./sentinel";
import { DEFAULT_WARM, describeWarmSource, hottestKeys, listedKeys, loadKeys, type WarmOptions } from "./warm";

export interface RedisCacheAdminOptions {
  environment: string;
  region: string;
  /** The cache's name: its key in the configuration's clusters. */
  cluster: string;
  /** The configuration's entry: `endpoints` or `sentinel`, credentials by env var name, TLS, warm sources. */
  connection: RedisCacheConfig;
  /** Bounds connecting and each command. Default 3 s. */
  timeoutMs?: number;
  keyCount?: Partial<KeyCountOptions>;
  invalidation?: Partial<InvalidationPacing>;
  warm?: Partial<WarmOptions>;
}

interface Topology {
  primary: string;
  replicas: string[];
  /** null when the cache is configured by endpoints. */
  sentinels: SentinelTopology | null;
}

const CONNECTION_NAME = "scaleplane-cache-admin";
/** Longest an invalidation waits for the replicas to have its deletions (within the command timeout). */
const REPLICA_CATCH_UP_MS = 2000;

/** Sentinel's refusals of SENTINEL FAILOVER, in words, with what to do. */
function failoverRefusal(cache: string, masterName: string, reply: string): string | null {
  if (/NOGOODSLAVE/.test(reply)) {
    return `the Sentinels of cache ${cache} found no replica of "${masterName}" fit to be promoted (NOGOODSLAVE: every replica is down, disconnected or too far behind); bring a replica back, wait until its link to the primary is up, then request the failover again`;
  }
  if (/INPROG/.test(reply)) {
    return `a failover of cache ${cache} is already in progress; wait until the Sentinels name the new primary`;
  }
  return null;
}

export class RedisCacheAdmin implements CacheAdminPort {
  readonly environment: string;
  readonly region: string;
  readonly cluster: string;
  private readonly config: RedisCacheConfig;
  private readonly keyCount: KeyCountOptions;
  private readonly pacing: InvalidationPacing;
  private readonly warmOptions: WarmOptions;
  private readonly replicaCatchUpMs: number;
  private readonly instanceSettings: () => ConnectionSettings;
  private readonly sentinelConnections: RedisConnection[];
  private readonly instanceConnections: InstanceConnections;

  constructor(options: RedisCacheAdminOptions) {
    this.environment = options.environment;
    this.region = options.region;
    this.cluster = options.cluster;
    this.config = options.connection;
    if (!this.config.endpoints && !this.config.sentinel) {
      throw new Error(`Redis cache ${this.cluster}: the configuration names neither endpoints nor Sentinels`);
    }
    const timeoutMs = options.timeoutMs ?? 3000;
    this.replicaCatchUpMs = Math.min(REPLICA_CATCH_UP_MS, timeoutMs / 2);
    this.keyCount = { ...DEFAULT_KEY_COUNT, ...options.keyCount };
    this.pacing = { ...DEFAULT_INVALIDATION_PACING, ...options.invalidation };
    this.warmOptions = { ...DEFAULT_WARM, fetch: globalThis.fetch, ...options.warm };
    this.instanceSettings = instanceSettings(this.config, timeoutMs, CONNECTION_NAME);
    this.instanceConnections = new InstanceConnections(this.instanceSettings);
    const sentinels = sentinelSettings(this.config, timeoutMs, CONNECTION_NAME);
    this.sentinelConnections = (this.config.sentinel?.sentinels ?? []).map((address) => new RedisConnection(address, sentinels));
  }

  async estimateKeys(ref: CacheRef, pattern: string): Promise<KeyPatternEstimate> {
    this.check(ref);
    this.checkPattern(pattern);
    const topology = await this.topology();
    const source = (await this.replicaInSync(topology.replicas)) ?? topology.primary;
    return this.connectionTo(source).run((client) => countKeysMatching(client, pattern, this.keyCount));
  }

  async invalidate(ref: CacheRef, pattern: string, onProgress: (progress: InvalidationProgress) => void, signal?: AbortSignal): Promise<InvalidationProgress> {
    this.check(ref);
    this.checkPattern(pattern);
    const { primary, replicas } = await this.topology();
    return this.connectionTo(primary).run(async (client) => {
      try {
        const progress = await unlinkMatching(client, pattern, this.pacing, onProgress, signal);
        // Counts are read on a replica: once it has the deletions, a count right after (the
        // action's verification) sees them. A replica that is down only makes this wait longer.
        if (replicas.length > 0) await client.wait(replicas.length, this.replicaCatchUpMs);
        return progress;
      } catch (error) {
        if (!(error instanceof InvalidationInterrupted)) throw error;
        const { deleted } = error.progress;
        const hint = /READONLY/.test(error.message) ? " (the primary changed: a failover?); request the invalidation again to delete the rest" : "";
        throw new Error(`invalidating "${pattern}" on Redis cache ${this.cluster} stopped after deleting ${deleted} keys: ${error.message}${hint}`);
      }
    });
  }

  async warmSources(ref: CacheRef): Promise<WarmSource[]> {
    this.check(ref);
    const sources = Object.entries(this.config.warmSources ?? {});
    return Promise.all(sources.map(([name, source]) => describeWarmSource(name, source)));
  }

  async warm(ref: CacheRef, source: string, onProgress: (progress: WarmProgress) => void, signal?: AbortSignal): Promise<WarmProgress> {
    this.check(ref);
    const configured = this.config.warmSources ?? {};
    const chosen = Object.hasOwn(configured, source) ? configured[source] : undefined;
    if (!chosen) {
      const names = Object.keys(configured);
      throw new ActionRefused(
        names.length > 0
          ? `Redis cache ${this.cluster} has no warm source "${source}"; its sources are ${names.join(", ")}`
          : `Redis cache ${this.cluster} has no warm sources; add them under warmSources in its configuration`,
      );
    }
    const listed = await listedKeys(chosen);
    const { primary } = await this.topology();
    return this.connectionTo(primary).run(async (client) => {
      const keys = listed ?? (await hottestKeys(client, chosen.hottest?.count ?? 0, this.warmOptions.hottestTimeBudgetMs));
      return loadKeys(client, keys, chosen, this.warmOptions, onProgress, signal);
    });
  }

  async describePrimary(ref: CacheRef): Promise<CachePrimary> {
    this.check(ref);
    const { primary, replicas, sentinels } = await this.topology();
    if (!sentinels) return { primary, replicas, sentinels: 0, quorum: 0, failoverPossible: false };
    const { status, usableReplicas } = sentinels;
    return {
      primary,
      replicas,
      sentinels: status.agreeing,
      quorum: status.quorum ?? 0,
      failoverPossible: status.ckquorum?.ok === true && usableReplicas.length > 0,
    };
  }

  async failover(ref: CacheRef): Promise<void> {
    this.check(ref);
    const masterName = this.config.sentinel?.masterName;
    if (masterName === undefined) {
      throw new ActionRefused(
        `Redis cache ${this.cluster} is not managed by Sentinels (its configuration lists endpoints), so it cannot be failed over from here; configure it by \`sentinel\`, or promote a replica by hand`,
      );
    }
    // One Sentinel starts the failover and the others follow it. The next Sentinel is asked
    // only when one cannot be reached: one that answers has given the Sentinels' answer.
    const unreachable: string[] = [];
    for (const connection of this.sentinelConnections) {
      try {
        await connection.run((client) => client.call("SENTINEL", "FAILOVER", masterName));
        return;
      } catch (error) {
        const failure = error as RedisReadError;
        if (failure.kind !== "command") {
          unreachable.push(failure.message);
          continue;
        }
        const reply = failure.message.replace(`${connection.address}: `, "");
        const refusal = failoverRefusal(this.cluster, masterName, reply);
        if (refusal) throw new ActionRefused(refusal);
        if (/No such master/i.test(reply)) {
          unreachable.push(`${connection.address} does not monitor "${masterName}"`);
          continue;
        }
        throw new ActionRefused(`Sentinel ${connection.address} refused the failover of Redis cache ${this.cluster}: ${reply}`);
      }
    }
    throw new RedisReadError("unavailable", `no Sentinel of Redis cache ${this.cluster} accepted the failover: ${unreachable.join("; ")}`);
  }

  close(): void {
    for (const connection of [...this.instanceConnections.values(), ...this.sentinelConnections]) connection.close();
    this.instanceConnections.clear();
  }

  private check(ref: CacheRef): void {
    if (ref.environment !== this.environment || ref.region !== this.region || ref.cache !== this.cluster) {
      throw new Error(`this adapter serves Redis cache ${this.environment}/${this.region}/${this.cluster}, not ${ref.environment}/${ref.region}/${ref.cache}`);
    }
  }

  private checkPattern(pattern: string): void {
    if (pattern === "") throw new ActionRefused(`the key pattern for Redis cache ${this.cluster} is empty; give one, such as "session:*"`);
  }

  private connectionTo(address: string): RedisConnection {
    return this.instanceConnections.to(address);
  }

  private async replication(address: string): Promise<{ role: string; linkUp: boolean } | null> {
    try {
      const fields = parseInfo(await this.connectionTo(address).run((client) => client.info("replication")));
      return { role: fields.get("role") ?? "", linkUp: fields.get("master_link_status") === "up" };
    } catch {
      return null;
    }
  }

  /** The first replica (by address) that answers and whose link to the primary is up. */
  private async replicaInSync(replicas: readonly string[]): Promise<string | null> {
    const states = await Promise.all(replicas.map(async (address) => ({ address, state: await this.replication(address) })));
    return states.find(({ state }) => state?.role === "slave" && state.linkUp)?.address ?? null;
  }

  /** The primary and replicas: as the Sentinels name them, or as the configured endpoints say they are. */
  private async topology(): Promise<Topology> {
    const sentinelConfig = this.config.sentinel;
    if (sentinelConfig) {
      const sentinels = await readSentinels(this.sentinelConnections, sentinelConfig.masterName);
      const primary = sentinels.status.master;
      if (!primary) {
        const reasons = sentinels.failures.map((failure) => failure.message).join("; ");
        throw new RedisReadError("no_primary", `no Sentinel of Redis cache ${this.cluster} names a primary for "${sentinelConfig.masterName}"${reasons ? `: ${reasons}` : ""}`);
      }
      return { primary, replicas: sentinels.replicas, sentinels };
    }
    const endpoints = this.config.endpoints ?? [];
    const states = await Promise.all(endpoints.map(async (address) => ({ address, state: await this.replication(address) })));
    const primary = states.find(({ state }) => state?.role === "master")?.address;
    if (!primary) {
      throw new RedisReadError("no_primary", `no endpoint of Redis cache ${this.cluster} answers as the primary (${endpoints.join(", ")})`);
    }
    const replicas = states.filter(({ state }) => state?.role === "slave").map(({ address }) => address).sort();
    return { primary, replicas, sentinels: null };
  }
}
