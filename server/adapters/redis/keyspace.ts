// Where the keys and the memory go, by key prefix, from a bounded sample: SCAN (never KEYS,
// which blocks the server for the whole keyspace) until the sample size or the time budget is
// reached, then MEMORY USAGE per sampled key in pipelined batches. SCAN walks the hash table,
// whose order is unrelated to key names, so the first keys it returns are a fair sample; each
// sampled key stands for totalKeys / sampledKeys keys.
import type { Redis } from "ioredis";
import type { InstanceRole, KeyPrefixShare, KeyspaceBreakdown } from "./types";

export interface KeyspaceSampleOptions {
  /** Most keys to sample. */
  sampleSize: number;
  /** Longest the SCAN and MEMORY USAGE phases may take together. */
  timeBudgetMs: number;
  /** What ends a key's prefix. */
  separator: string;
  /**
   * MEMORY USAGE's SAMPLES: 0 measures every element of a collection exactly, at the cost of
   * walking it (slow for collections of millions of elements); N samples N elements.
   */
  memoryUsageSamples: number;
  /** Prefixes listed one by one (the largest by memory); the rest form one "other" row. */
  maxPrefixes: number;
}

export const DEFAULT_KEYSPACE_SAMPLE: KeyspaceSampleOptions = {
  sampleSize: 2000,
  timeBudgetMs: 2000,
  separator: ":",
  memoryUsageSamples: 0,
  maxPrefixes: 50,
};

/** Keys asked per SCAN call, and MEMORY USAGE commands per pipeline. */
const SCAN_COUNT = 500;
const MEMORY_BATCH = 200;

interface SampledKey {
  key: Buffer;
  bytes: number;
}

interface RawSample {
  keys: SampledKey[];
  totalKeys: number;
  stoppedBy: KeyspaceBreakdown["stoppedBy"];
}

async function sampleKeys(client: Redis, options: KeyspaceSampleOptions, now: () => number): Promise<RawSample> {
  const deadline = now() + options.timeBudgetMs;
  // SCAN may return a key twice (when the table grows or shrinks meanwhile): count it once.
  const scanned = new Map<string, Buffer>();
  let cursor = "0";
  let stoppedBy: RawSample["stoppedBy"];
  for (;;) {
    const [next, keys] = await client.scanBuffer(cursor, "COUNT", Math.max(10, Math.min(SCAN_COUNT, options.sampleSize - scanned.size)));
    cursor = next.toString();
    let truncated = false;
    for (const key of keys) {
      if (scanned.size >= options.sampleSize) {
        truncated = true;
        break;
      }
      scanned.set(key.toString("latin1"), key);
    }
    if (cursor === "0" && !truncated) {
      stoppedBy = "complete";
      break;
    }
    if (scanned.size >= options.sampleSize) {
      stoppedBy = "sample-size";
      break;
    }
    if (now() >= deadline) {
      stoppedBy = "time-budget";
      break;
    }
  }

  const candidates = [...scanned.values()];
  const keys: SampledKey[] = [];
  for (let start = 0; start < candidates.length; start += MEMORY_BATCH) {
    if (start > 0 && now() >= deadline) {
      stoppedBy = "time-budget";
      break;
    }
    const batch = candidates.slice(start, start + MEMORY_BATCH);
    const pipeline = client.pipeline();
    for (const key of batch) pipeline.call("MEMORY", "USAGE", key, "SAMPLES", String(options.memoryUsageSamples));
    const results = (await pipeline.exec()) ?? [];
    batch.forEach((key, i) => {
      const [error, bytes] = results[i] ?? [null, null];
      // null: the key expired or was evicted since the scan; it is no longer there to measure.
      if (!error && typeof bytes === "number") keys.push({ key, bytes });
    });
  }
  const totalKeys = Number(await client.dbsize());
  return { keys, totalKeys, stoppedBy };
}

interface Group {
  prefix: string | null;
  kind: KeyPrefixShare["kind"];
  keys: number;
  bytes: number;
}

/** 95% half-width of a sampled proportion, with the finite-population correction. */
function marginOfShare(share: number, sampled: number, total: number): number {
  if (sampled === 0 || sampled >= total) return 0;
  const correction = total > 1 ? Math.sqrt((total - sampled) / (total - 1)) : 0;
  return 1.96 * Math.sqrt((share * (1 - share)) / sampled) * correction;
}

/** Groups a sample by prefix and scales it to the whole keyspace. Pure. */
export function breakdownOf(sample: RawSample, options: Pick<KeyspaceSampleOptions, "separator" | "maxPrefixes">, takenAt: number, sampledOn: KeyspaceBreakdown["sampledOn"]): KeyspaceBreakdown {
  const separator = Buffer.from(options.separator);
  const byPrefix = new Map<string, Group>();
  const noPrefix: Group = { prefix: null, kind: "no-prefix", keys: 0, bytes: 0 };
  for (const { key, bytes } of sample.keys) {
    const end = key.indexOf(separator);
    let group = noPrefix;
    if (end >= 0) {
      const prefix = key.subarray(0, end).toString("utf8");
      group = byPrefix.get(prefix) ?? { prefix, kind: "prefix", keys: 0, bytes: 0 };
      byPrefix.set(prefix, group);
    }
    group.keys += 1;
    group.bytes += bytes;
  }
  const ranked = [...byPrefix.values()].sort((a, b) => b.bytes - a.bytes || b.keys - a.keys || (a.prefix ?? "").localeCompare(b.prefix ?? ""));
  const listed = ranked.slice(0, options.maxPrefixes);
  const rest = ranked.slice(options.maxPrefixes);
  const other: Group = { prefix: null, kind: "other", keys: 0, bytes: 0 };
  for (const group of rest) {
    other.keys += group.keys;
    other.bytes += group.bytes;
  }

  const sampledKeys = sample.keys.length;
  const sampledBytes = sample.keys.reduce((total, { bytes }) => total + bytes, 0);
  const scaleFactor = sampledKeys > 0 ? sample.totalKeys / sampledKeys : 0;
  const estimate = sample.stoppedBy !== "complete";
  const share = (group: Group): KeyPrefixShare => {
    const keyShare = sampledKeys > 0 ? group.keys / sampledKeys : 0;
    return {
      prefix: group.prefix,
      kind: group.kind,
      sampledKeys: group.keys,
      sampledBytes: group.bytes,
      estimatedKeys: Math.round(group.keys * scaleFactor),
      estimatedBytes: Math.round(group.bytes * scaleFactor),
      keyShare,
      memoryShare: sampledBytes > 0 ? group.bytes / sampledBytes : 0,
      keyShareMargin: estimate ? marginOfShare(keyShare, sampledKeys, sample.totalKeys) : 0,
    };
  };
  return {
    takenAt,
    sampledOn,
    separator: options.separator,
    totalKeys: sample.totalKeys,
    sampledKeys,
    sampledBytes,
    scaleFactor,
    estimate,
    stoppedBy: sample.stoppedBy,
    prefixes: [...listed, noPrefix, other].filter((group) => group.keys > 0).map(share),
  };
}

/** Samples database 0 of the instance behind `client` and breaks it down by prefix. */
export async function sampleKeyspace(
  client: Redis,
  sampledOn: { address: string; role: InstanceRole },
  options: KeyspaceSampleOptions,
  now: () => number = Date.now,
): Promise<KeyspaceBreakdown> {
  const sample = await sampleKeys(client, options, now);
  return breakdownOf(sample, options, now(), sampledOn);
}
