// Asking every configured Sentinel about the master name, and what they agree on: which
// instance is the primary, which are its replicas, and whether a failover could be authorised.
import { RedisReadError, type RedisConnection } from "./connection";
import { formatAddress, pairsToRecord } from "./info";
import type { CacheSentinelStatus, QuorumCheck, SentinelView } from "./types";

/** A Sentinel's view plus the replicas it lists, which the reader then reads directly. */
interface SentinelAnswer {
  view: SentinelView;
  replicas: string[];
  /** The replicas it would promote: not down, not disconnected. */
  usableReplicas: string[];
  failure?: RedisReadError;
}

/** Sentinel does not promote a replica it sees down or disconnected. */
const UNUSABLE_REPLICA_FLAGS = new Set(["s_down", "o_down", "disconnected"]);

function numberOrNull(value: string | undefined): number | null {
  const parsed = Number(value);
  return value !== undefined && Number.isFinite(parsed) ? parsed : null;
}

function addressOf(record: Record<string, string>): string | null {
  const port = Number(record.port);
  return record.ip && Number.isInteger(port) && port > 0 ? formatAddress(record.ip, port) : null;
}

async function askSentinel(connection: RedisConnection, masterName: string): Promise<SentinelAnswer> {
  try {
    const [master, replicas, ckquorum] = await connection.run(async (client) => {
      const results = await client
        .pipeline()
        .call("SENTINEL", "MASTER", masterName)
        .call("SENTINEL", "REPLICAS", masterName)
        .call("SENTINEL", "CKQUORUM", masterName)
        .exec();
      if (!results) throw new Error("the pipeline was discarded");
      const [masterResult, replicasResult, ckquorumResult] = results;
      // A Sentinel that does not monitor the name answers MASTER with an error: it knows nothing useful.
      if (masterResult?.[0]) throw masterResult[0];
      if (replicasResult?.[0]) throw replicasResult[0];
      return [masterResult?.[1], replicasResult?.[1], ckquorumResult] as const;
    });
    const masterRecord = pairsToRecord(master);
    // CKQUORUM answers an error (NOQUORUM ...) when the quorum cannot be reached: that is its answer.
    const quorumCheck: QuorumCheck = ckquorum?.[0]
      ? { ok: false, message: ckquorum[0].message.replace(/^NOQUORUM\s*/, "") }
      : { ok: true, message: String(ckquorum?.[1] ?? "") };
    const otherSentinels = numberOrNull(masterRecord["num-other-sentinels"]);
    const replicaRecords = (Array.isArray(replicas) ? replicas : []).map(pairsToRecord);
    const addressesOf = (records: Record<string, string>[]) => records.flatMap((record) => {
      const address = addressOf(record);
      return address ? [address] : [];
    });
    const usable = replicaRecords.filter((record) => !(record.flags ?? "").split(",").some((flag) => UNUSABLE_REPLICA_FLAGS.has(flag)));
    return {
      view: {
        address: connection.address,
        up: true,
        error: null,
        master: addressOf(masterRecord),
        masterFlags: (masterRecord.flags ?? "").split(",").filter(Boolean),
        quorum: numberOrNull(masterRecord.quorum),
        knownSentinels: otherSentinels === null ? null : otherSentinels + 1,
        knownReplicas: numberOrNull(masterRecord["num-slaves"]),
        ckquorum: quorumCheck,
      },
      replicas: addressesOf(replicaRecords),
      usableReplicas: addressesOf(usable),
    };
  } catch (error) {
    const failure = error instanceof RedisReadError ? error : new RedisReadError("command", `${connection.address}: ${(error as Error).message}`);
    return {
      failure,
      view: {
        address: connection.address, up: false, error: failure.message,
        master: null, masterFlags: [], quorum: null, knownSentinels: null, knownReplicas: null, ckquorum: null,
      },
      replicas: [],
      usableReplicas: [],
    };
  }
}

export interface SentinelTopology {
  status: CacheSentinelStatus;
  /** The replicas the agreeing Sentinels list, by address. */
  replicas: string[];
  /** Of those, the ones the first agreeing Sentinel sees up and connected: what a failover could promote. */
  usableReplicas: string[];
  /** Why Sentinels could not be asked. */
  failures: RedisReadError[];
}

/** Asks all Sentinels at once; the primary is the one most of them name (ties: the first configured). */
export async function readSentinels(connections: readonly RedisConnection[], masterName: string): Promise<SentinelTopology> {
  const answers = await Promise.all(connections.map((connection) => askSentinel(connection, masterName)));
  const votes = new Map<string, number>();
  for (const { view } of answers) {
    if (view.master) votes.set(view.master, (votes.get(view.master) ?? 0) + 1);
  }
  let master: string | null = null;
  let agreeing = 0;
  for (const { view } of answers) {
    const count = view.master ? (votes.get(view.master) ?? 0) : 0;
    if (count > agreeing) {
      master = view.master;
      agreeing = count;
    }
  }
  const agreeingAnswers = answers.filter(({ view }) => view.master !== null && view.master === master);
  const first = agreeingAnswers[0]?.view;
  const replicas = [...new Set(agreeingAnswers.flatMap((answer) => answer.replicas))].filter((address) => address !== master).sort();
  return {
    status: {
      masterName,
      master,
      agreeing,
      configured: connections.length,
      reachable: answers.filter(({ view }) => view.up).length,
      knownSentinels: first?.knownSentinels ?? null,
      quorum: first?.quorum ?? null,
      masterFlags: first?.masterFlags ?? [],
      ckquorum: first?.ckquorum ?? null,
      sentinels: answers.map(({ view }) => view).sort((a, b) => a.address.localeCompare(b.address)),
    },
    replicas,
    usableReplicas: agreeingAnswers[0]?.usableReplicas.filter((address) => address !== master).sort() ?? [],
    failures: answers.flatMap((answer) => (answer.failure ? [answer.failure] : [])),
  };
}
