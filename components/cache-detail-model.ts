// What the cache page concludes from a Redis cache read directly (server/adapters/redis/types.ts
// CacheDetail): which replica is behind or cut off, whether the Sentinels can fail over, and
// how the key-namespace sample should be described. Pure, so the page and its tests agree.
import type { RouterOutputs } from "@/lib/api-types";
import { formatBytes, formatDuration } from "@/server/domain/health/format";
import type { UsageTone } from "./caches-usage-bar";

/** The router's answer for a cache read directly: the detail with its own freshness. */
export type ObservedCacheDetail = NonNullable<RouterOutputs["caches"]["detail"]>;
export type LiveCacheDetail = ObservedCacheDetail["value"];
export type LiveInstance = LiveCacheDetail["instances"][number];
export type LiveReplicaLink = LiveCacheDetail["replication"]["replicas"][number];
export type LiveSentinelStatus = NonNullable<LiveCacheDetail["sentinel"]>;
export type LiveKeyspace = NonNullable<LiveCacheDetail["keyspace"]>;
export type LiveKeyPrefix = LiveKeyspace["prefixes"][number];

/** "1 Sentinel", "2 Sentinels". */
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

/** A judgement with the words that explain it: colour never comes alone. */
export interface Finding {
  tone: Exclude<UsageTone, "normal">;
  reason: string;
}

export const worstTone = (findings: readonly Finding[]): UsageTone =>
  findings.some((finding) => finding.tone === "crit") ? "crit" : findings.length > 0 ? "warn" : "normal";

/**
 * Replication levels. The server judges no replication lag for caches (cacheHealth looks at
 * instances up, hit ratio, memory and evictions), so these only colour the page. A replica
 * acknowledges every second: a few seconds without an ack means it stalls; a megabyte behind
 * is more than a busy primary writes between two acks.
 */
export const REPLICATION_LEVELS = {
  lastAckSeconds: { warn: 5, crit: 30 },
  lagBytes: { warn: 1024 ** 2, crit: 64 * 1024 ** 2 },
} as const;

/** One row of the instances table: an instance read directly, a replica only the primary reports, or both. */
export interface InstanceRow {
  address: string;
  role: "primary" | "replica";
  /** null: known only from the primary's replication list, not read by Scaleplane. */
  instance: LiveInstance | null;
  /** The primary's view of this replica; null for the primary, or a replica the primary does not list. */
  link: LiveReplicaLink | null;
  findings: Finding[];
}

function replicaFindings(instance: LiveInstance | null, link: LiveReplicaLink | null): Finding[] {
  const findings: Finding[] = [];
  if (instance && !instance.up) findings.push({ tone: "crit", reason: "down" });
  // The replica's own word on its link, or else the primary's.
  const ownStatus = instance?.figures?.masterLinkStatus ?? link?.linkStatus ?? null;
  if (ownStatus === "down") findings.push({ tone: "crit", reason: "link to the primary down" });
  if (instance?.up && !link) findings.push({ tone: "crit", reason: "not connected to the primary" });
  if (!link) return findings;
  if (link.state !== "online") findings.push({ tone: "warn", reason: `replication state ${link.state} (syncing, not serving current data)` });
  const { lastAckSeconds, lagBytes } = REPLICATION_LEVELS;
  if (link.lastAckSeconds >= lastAckSeconds.warn) {
    findings.push({ tone: link.lastAckSeconds >= lastAckSeconds.crit ? "crit" : "warn", reason: `no acknowledgement for ${formatDuration(link.lastAckSeconds * 1000)}` });
  }
  if (link.lagBytes >= lagBytes.warn) {
    findings.push({ tone: link.lagBytes >= lagBytes.crit ? "crit" : "warn", reason: `${formatBytes(link.lagBytes)} behind the primary` });
  }
  return findings;
}

/** Instances as read (primary first), each replica with the primary's view of it; then replicas only the primary names. */
export function instanceRows(detail: LiveCacheDetail): InstanceRow[] {
  const links = new Map(detail.replication.replicas.map((link) => [link.address, link]));
  const primaries = detail.instances.filter((instance) => instance.role === "primary" && instance.up);
  const rows: InstanceRow[] = detail.instances.map((instance) => {
    if (instance.role === "primary") {
      const findings: Finding[] = [];
      if (!instance.up) findings.push({ tone: "crit", reason: "primary down" });
      // Two instances that both say they are the primary: writes may go to either (a split brain).
      if (instance.up && primaries.length > 1) findings.push({ tone: "crit", reason: `one of ${primaries.length} instances that say they are the primary` });
      return { address: instance.address, role: "primary", instance, link: null, findings };
    }
    const link = links.get(instance.address) ?? null;
    links.delete(instance.address);
    return { address: instance.address, role: "replica", instance, link, findings: replicaFindings(instance, link) };
  });
  for (const link of [...links.values()].sort((a, b) => a.address.localeCompare(b.address))) {
    rows.push({ address: link.address, role: "replica", instance: null, link, findings: replicaFindings(null, link) });
  }
  return rows;
}

/** "1 of 1 in sync": replicas with nothing to say against them, of all the replicas seen. */
export function replicationSummary(rows: readonly InstanceRow[]): { inSync: number; replicas: number; tone: UsageTone } {
  const replicas = rows.filter((row) => row.role === "replica");
  const inSync = replicas.filter((row) => row.findings.length === 0).length;
  const tone = worstTone(replicas.flatMap((row) => row.findings));
  return { inSync, replicas: replicas.length, tone };
}

/** The primaries the Sentinels name, most named first: more than one means they disagree. */
export function masterVotes(sentinel: LiveSentinelStatus): { master: string; sentinels: string[] }[] {
  const votes = new Map<string, string[]>();
  for (const view of sentinel.sentinels) {
    if (!view.up || !view.master) continue;
    votes.set(view.master, [...(votes.get(view.master) ?? []), view.address]);
  }
  return [...votes.entries()].map(([master, sentinels]) => ({ master, sentinels })).sort((a, b) => b.sentinels.length - a.sentinels.length || a.master.localeCompare(b.master));
}

/** Whether the Sentinels agree and can fail over, in words an operator reads at a glance. */
export function sentinelFindings(sentinel: LiveSentinelStatus, primaryRead: string): Finding[] {
  const findings: Finding[] = [];
  const { agreeing, configured, reachable, quorum } = sentinel;
  if (!sentinel.master) findings.push({ tone: "crit", reason: `no Sentinel names a primary for ${sentinel.masterName}` });
  const votes = masterVotes(sentinel);
  if (votes.length > 1) {
    findings.push({ tone: "crit", reason: `Sentinels disagree: ${votes.map((vote) => `${vote.sentinels.length} ${vote.sentinels.length === 1 ? "names" : "name"} ${vote.master}`).join(", ")}` });
  }
  if (quorum !== null && reachable < quorum) {
    findings.push({ tone: "crit", reason: `${reachable} of ${configured} Sentinels reachable, below the quorum of ${quorum}: no failover possible` });
  } else if (reachable < configured) {
    findings.push({ tone: "warn", reason: `${configured - reachable} of ${count(configured, "Sentinel")} unreachable` });
  }
  if (quorum !== null && sentinel.master && agreeing < quorum) findings.push({ tone: "crit", reason: `only ${count(agreeing, "Sentinel")} ${agreeing === 1 ? "names" : "agree on"} the primary, quorum is ${quorum}` });
  const down = sentinel.masterFlags.filter((flag) => flag === "s_down" || flag === "o_down");
  if (down.length > 0) findings.push({ tone: "crit", reason: `the primary is flagged ${down.join(", ")} (${down.includes("o_down") ? "the Sentinels agree it is down" : "one Sentinel sees it down"})` });
  if (sentinel.ckquorum && !sentinel.ckquorum.ok) findings.push({ tone: "crit", reason: `CKQUORUM: ${sentinel.ckquorum.message}` });
  if (!sentinel.ckquorum && reachable > 0) findings.push({ tone: "warn", reason: "CKQUORUM not answered" });
  if (sentinel.knownSentinels !== null && sentinel.knownSentinels < configured) {
    findings.push({ tone: "warn", reason: `the Sentinels know ${sentinel.knownSentinels} of the ${configured} configured` });
  }
  if (sentinel.master && primaryRead && sentinel.master !== primaryRead) findings.push({ tone: "crit", reason: `the Sentinels name ${sentinel.master}, the primary read is ${primaryRead}` });
  return findings;
}

/** Can the Sentinels authorise a failover right now: a quorum agrees and CKQUORUM says so. */
export function canFailOver(sentinel: LiveSentinelStatus): boolean {
  return Boolean(sentinel.master && sentinel.ckquorum?.ok && (sentinel.quorum === null || sentinel.agreeing >= sentinel.quorum));
}

/**
 * True when no read ever succeeded: the reader then answers the configured addresses with no
 * figures at all, which must not read as "every instance down".
 */
export function neverRead(observed: ObservedCacheDetail): boolean {
  return observed.stale && observed.value.instances.every((instance) => instance.figures === null) && observed.value.memoryPolicy === "";
}

/** The sample's age in seconds, from the server's clock only (the browser's may be off). */
export function sampleAgeSeconds(observed: ObservedCacheDetail, keyspace: LiveKeyspace): number {
  return Math.max(0, observed.ageSeconds + (observed.value.takenAt - keyspace.takenAt) / 1000);
}

/** Why the SCAN ended, said plainly. */
export function sampleStopReason(keyspace: LiveKeyspace): string | null {
  switch (keyspace.stoppedBy) {
    case "complete":
      return null;
    case "sample-size":
      return `stopped at the sample size (${keyspace.sampledKeys.toLocaleString("en-US")} keys)`;
    case "time-budget":
      return `stopped early at its time budget, after ${keyspace.sampledKeys.toLocaleString("en-US")} keys`;
  }
}

/** The row's name: `product:`; keys without the separator; the prefixes beyond the ones listed. */
export function prefixLabel(row: LiveKeyPrefix, separator: string): string {
  if (row.kind === "no-prefix") return `keys without "${separator}"`;
  if (row.kind === "other") return "other prefixes";
  return `${row.prefix ?? ""}${separator}`;
}

/** Largest estimated memory first, the catch-all rows last (the server sends them so; kept here so the page never depends on it). */
export function byMemory(prefixes: readonly LiveKeyPrefix[]): LiveKeyPrefix[] {
  const rank = (row: LiveKeyPrefix) => (row.kind === "prefix" ? 0 : 1);
  return [...prefixes].sort((a, b) => rank(a) - rank(b) || b.estimatedBytes - a.estimatedBytes);
}
