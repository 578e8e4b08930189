// A sharded MongoDB cluster: chunks per shard that grow as writes split them, a balancer
// that migrates one chunk at a time from the fullest shard (or a draining one) to the
// emptiest, and replica sets whose secondaries lag more as their shard's writes rise.
import type { MongoSpec } from "./catalog";
import { trafficNoise } from "./model";
import { hash32, mulberry32 } from "./random";

export interface MongoMemberState {
  readonly name: string;
  readonly primary: boolean;
  readonly baseLagSeconds: number;
  lagSeconds: number;
}

export interface MongoShardState {
  readonly id: string;
  chunks: number;
  draining: boolean;
  readonly members: MongoMemberState[];
}

export interface MongoClusterState {
  readonly spec: MongoSpec;
  readonly region: string;
  readonly stream: number;
  up: boolean;
  balancerEnabled: boolean;
  readonly shards: MongoShardState[];
  /** While set, new chunks all split on this shard (a monotonically increasing shard key). */
  hotShard: string | null;
  writesPerSecond: number;
  splitsSoFar: number;
  splitCarry: number;
  migrationCarry: number;
}

/** Writes that fill a chunk enough to split it. */
const WRITES_PER_SPLIT = 60_000;
/** A monotonically increasing key splits the hot chunk over and over. */
const HOT_SPLIT_FACTOR = 20;
const MIGRATION_SECONDS = 5;
/** MongoDB's migration threshold for clusters with 80 chunks or more. */
export const MIGRATION_THRESHOLD = 8;
/** Writes per second a shard's primary takes before its secondaries fall behind markedly. */
const SHARD_WRITE_CAPACITY = 2500;
const HOT_SHARD_WRITE_SHARE = 0.8;

export function createMongoCluster(spec: MongoSpec, region: string, seed: number, stream: number): MongoClusterState {
  const random = mulberry32(hash32(seed, stream, 0x6d6f));
  const shards = Array.from({ length: spec.shards }, (_, s): MongoShardState => {
    const id = `${spec.name}-shard-${s}`;
    return {
      id,
      chunks: spec.chunksPerShard + Math.floor(random() * MIGRATION_THRESHOLD) - MIGRATION_THRESHOLD / 2,
      draining: false,
      members: Array.from({ length: 3 }, (_, m) => ({
        name: `${id}-${m}.${spec.name}.${region}:27017`,
        primary: m === 0,
        baseLagSeconds: m === 0 ? 0 : 0.2 + 0.6 * random(),
        lagSeconds: 0,
      })),
    };
  });
  return { spec, region, stream, up: true, balancerEnabled: true, shards, hotShard: null, writesPerSecond: 0, splitsSoFar: 0, splitCarry: 0, migrationCarry: 0 };
}

const isBalanced = (counts: number[]) => Math.max(...counts) - Math.min(...counts) <= MIGRATION_THRESHOLD;

export function chunksAreBalanced(cluster: MongoClusterState): boolean {
  return isBalanced(cluster.shards.filter((s) => !s.draining).map((s) => s.chunks)) && cluster.shards.every((s) => !s.draining || s.chunks === 0);
}

function migrateOneChunk(cluster: MongoClusterState): void {
  const active = cluster.shards.filter((s) => !s.draining);
  const target = active.reduce<MongoShardState | undefined>((min, s) => (min === undefined || s.chunks < min.chunks ? s : min), undefined);
  if (target === undefined) return;
  const draining = cluster.shards.find((s) => s.draining && s.chunks > 0);
  const fullest = active.reduce((max, s) => (s.chunks > max.chunks ? s : max), target);
  const source = draining ?? (fullest.chunks - target.chunks > MIGRATION_THRESHOLD ? fullest : undefined);
  if (source === undefined) return;
  source.chunks -= 1;
  target.chunks += 1;
}

export function stepMongo(cluster: MongoClusterState, writesPerSecond: number, seed: number, t: number, dtSeconds: number): void {
  cluster.writesPerSecond = writesPerSecond;
  const active = cluster.shards.filter((s) => !s.draining);
  const hot = cluster.shards.find((s) => s.id === cluster.hotShard);
  cluster.splitCarry += (writesPerSecond / WRITES_PER_SPLIT) * (hot ? HOT_SPLIT_FACTOR : 1) * dtSeconds;
  while (cluster.splitCarry >= 1 && active.length > 0) {
    cluster.splitCarry -= 1;
    const shard = hot ?? active[cluster.splitsSoFar % active.length];
    if (shard) shard.chunks += 1;
    cluster.splitsSoFar += 1;
  }
  if (cluster.balancerEnabled) {
    cluster.migrationCarry += dtSeconds;
    while (cluster.migrationCarry >= MIGRATION_SECONDS) {
      cluster.migrationCarry -= MIGRATION_SECONDS;
      migrateOneChunk(cluster);
    }
  } else {
    cluster.migrationCarry = 0;
  }
  cluster.shards.forEach((shard, s) => {
    const share = hot ? (shard === hot ? HOT_SHARD_WRITE_SHARE : (1 - HOT_SHARD_WRITE_SHARE) / Math.max(1, active.length - 1)) : shard.draining ? 0 : 1 / Math.max(1, active.length);
    const load = (writesPerSecond * share) / SHARD_WRITE_CAPACITY;
    shard.members.forEach((member, m) => {
      member.lagSeconds = member.primary ? 0 : member.baseLagSeconds * (1 + 8 * load * load) * trafficNoise(seed, hash32(cluster.stream, s, m), t, 0.3);
    });
  });
}
