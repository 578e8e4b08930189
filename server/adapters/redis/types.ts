// What the cache page shows beyond the port's CacheStats: each instance, replication, the
// Sentinels' view and where the memory goes by key prefix.
import type { CacheStats } from "../../domain/ports";

export type InstanceRole = "primary" | "replica";

/** What one instance's INFO and SLOWLOG LEN said. */
export interface InstanceFigures {
  redisVersion: string;
  uptimeSeconds: number;
  connectedClients: number;
  usedMemoryBytes: number;
  /** 0: no limit. */
  maxMemoryBytes: number;
  /** Redis's own ops/s estimate over its last ~1.6 s. */
  instantaneousOpsPerSecond: number;
  /** Keys in database 0. */
  keys: number;
  slowlogLength: number;
  /** A replica's own view of its link to the primary; null on a primary. */
  masterLinkStatus: "up" | "down" | null;
}

export interface CacheInstanceDetail {
  /** host:port as configured or as the Sentinels name it. */
  address: string;
  role: InstanceRole;
  up: boolean;
  /** Why it could not be read; null when up. */
  error: string | null;
  /** null when down. */
  figures: InstanceFigures | null;
}

/** One replica as the primary sees it (INFO replication's `slaveN` lines). */
export interface ReplicaLink {
  /** host:port the replica announced to the primary. */
  address: string;
  /** The primary's view: online, wait_bgsave, send_bulk... */
  state: string;
  /** Replication offset the replica last acknowledged. */
  offset: number;
  /** Bytes of the primary's replication stream the replica has not acknowledged (>= 0). */
  lagBytes: number;
  /** Seconds since the replica's last acknowledgement (it acknowledges every second). */
  lastAckSeconds: number;
  /** The replica's own master_link_status, when Scaleplane reads that replica; null otherwise. */
  linkStatus: "up" | "down" | null;
}

export interface CacheReplication {
  /** The primary's address. */
  primary: string;
  /** master_repl_offset */
  primaryOffset: number;
  /** connected_slaves */
  connectedReplicas: number;
  /** By address. */
  replicas: ReplicaLink[];
}

/** SENTINEL CKQUORUM: can the Sentinels reach a quorum and authorise a failover. */
export interface QuorumCheck {
  ok: boolean;
  /** Sentinel's own words, e.g. "OK 3 usable Sentinels. Quorum and failover authorization can be reached". */
  message: string;
}

/** One Sentinel's answer about the master name. */
export interface SentinelView {
  address: string;
  up: boolean;
  /** Why it could not be asked (down, refused password, does not monitor the name). */
  error: string | null;
  /** The primary it names. */
  master: string | null;
  /** The master's flags as this Sentinel sees them, e.g. ["master"], ["master", "s_down"]. */
  masterFlags: string[];
  quorum: number | null;
  /** Sentinels it knows for this master, itself included (num-other-sentinels + 1). */
  knownSentinels: number | null;
  /** Replicas it knows for this master. */
  knownReplicas: number | null;
  ckquorum: QuorumCheck | null;
}

export interface CacheSentinelStatus {
  masterName: string;
  /** The primary the most Sentinels name; null when none answered. */
  master: string | null;
  /** Sentinels that name that primary. */
  agreeing: number;
  /** Sentinels in the configuration. */
  configured: number;
  /** Sentinels that answered. */
  reachable: number;
  /** Sentinels that see the master (themselves included), by the first agreeing Sentinel's count. */
  knownSentinels: number | null;
  quorum: number | null;
  /** The first agreeing Sentinel's flags for the master: s_down / o_down mark it down. */
  masterFlags: string[];
  /** The first agreeing Sentinel's SENTINEL CKQUORUM. */
  ckquorum: QuorumCheck | null;
  /** By address. */
  sentinels: SentinelView[];
}

/** Keys and memory under one key prefix, from a SCAN sample scaled up to the whole keyspace. */
export interface KeyPrefixShare {
  /** The part of the key before the first separator; null for the "no-prefix" and "other" rows. */
  prefix: string | null;
  /** "no-prefix": keys without the separator; "other": the prefixes beyond the ones listed. */
  kind: "prefix" | "no-prefix" | "other";
  sampledKeys: number;
  /** MEMORY USAGE summed over the sampled keys. */
  sampledBytes: number;
  /** sampledKeys × scaleFactor, rounded. */
  estimatedKeys: number;
  /** sampledBytes × scaleFactor, rounded. */
  estimatedBytes: number;
  /** 0..1 of the sampled keys. */
  keyShare: number;
  /** 0..1 of the sampled keys' memory. */
  memoryShare: number;
  /** Half-width of the 95% interval of keyShare for a random sample of this size; 0 for a complete scan. */
  keyShareMargin: number;
}

export interface KeyspaceBreakdown {
  /** epoch ms */
  takenAt: number;
  /** A replica when one was up with its link up, so the sample adds no load to the primary. */
  sampledOn: { address: string; role: InstanceRole };
  separator: string;
  /** DBSIZE of database 0 on that instance, right after the scan. */
  totalKeys: number;
  /** Keys scanned whose memory was measured. */
  sampledKeys: number;
  sampledBytes: number;
  /** totalKeys / sampledKeys: how many keys each sampled key stands for. */
  scaleFactor: number;
  /** False when the SCAN went through every key: the figures are then counts, not estimates. */
  estimate: boolean;
  /** Why the scan stopped. */
  stoppedBy: "complete" | "sample-size" | "time-budget";
  /** Largest estimated memory first; "no-prefix" and "other" last. */
  prefixes: KeyPrefixShare[];
}

/** Everything the cache page needs, as of one refresh. */
export interface CacheDetail {
  /** The port's figures, as stats() answers them. */
  stats: CacheStats;
  /** When the instances were read (epoch ms). */
  takenAt: number;
  /**
   * How ops/s and evictions/s were computed: "interval" from counter deltas since the previous
   * refresh; "since-start" on the first refresh or after the primary changed (ops/s is then
   * Redis's instantaneous_ops_per_sec, evictions/s the average since the instance started).
   */
  ratesBasis: "interval" | "since-start";
  /** Seconds between the previous refresh and this one, by the primary's clock; null for "since-start". */
  intervalSeconds: number | null;
  /**
   * "interval": hits / lookups since the previous refresh; "cumulative": since the instances
   * started or their stats were reset (the first refresh, or no lookups in the interval);
   * "no-lookups": none at all, the ratio is 0.
   */
  hitRatioBasis: "interval" | "cumulative" | "no-lookups";
  /** Keyspace hits + misses per second on all instances, on the rates' basis. */
  lookupsPerSecond: number;
  /** maxmemory-policy of the primary. */
  memoryPolicy: string;
  /** SLOWLOG LEN on the primary. */
  slowlogLength: number;
  /** Primary first, then replicas by address. */
  instances: CacheInstanceDetail[];
  replication: CacheReplication;
  /** null when the cache is configured by endpoints, not Sentinels. */
  sentinel: CacheSentinelStatus | null;
  /** The last key-namespace sample; null until the first one finished. */
  keyspace: KeyspaceBreakdown | null;
  /** Why the last sample attempt failed, when it did (the previous sample is kept). */
  keyspaceError: string | null;
}
