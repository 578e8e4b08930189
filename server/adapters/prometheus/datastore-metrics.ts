// The data-system figures of the MetricsSource port, answered with PromQL from the exporters'
// families (docs/metrics.md): Redis caches (redis_exporter), sharded MongoDB clusters
// (mongodb_exporter, v1 names) and Elasticsearch clusters (elasticsearch_exporter).
//
// As for services, one query per figure covers every entity of the kind, and the answers are
// joined here by the labels that place an entity: the region and the cluster (for a cache,
// its name), plus the instance, shard or member inside it. Figures that every exporter of an
// entity reports alike are read with `max by`, so a cluster watched by two exporters (an HA
// pair, two scrape jobs) still counts once; counts of things are summed.
import type { CacheStats, ElasticsearchClusterStats, Freshness, MongoClusterStats, MongoShardStats, Observed } from "../../domain/ports";
import { combineFreshness } from "../../domain/ports";
import type { CachedPrometheus } from "./cache";
import { equals, finiteOrZero, joinKey, selector, type QueryScope } from "./promql";
import type { Labels, Sample } from "./results";

/** Names with numbers in them in their natural order: `shard-2` before `shard-10`. */
const naturalOrder = new Intl.Collator("en", { numeric: true }).compare;

/** Redis reports its own role as `master` or `slave` in INFO replication. */
const REDIS_PRIMARY_ROLE = "master";

type Color = ElasticsearchClusterStats["status"];
const COLORS: readonly Color[] = ["green", "yellow", "red"];

type MemberState = MongoShardStats["members"][number]["state"];
const MEMBER_STATES: readonly MemberState[] = ["PRIMARY", "SECONDARY"];

/** The map key of a sample by the values of `names`. */
function keyOf(labels: Labels, names: readonly string[]): string {
  return joinKey(...names.map((name) => labels[name]));
}

function indexBy(samples: readonly Sample[], names: readonly string[]): Map<string, number> {
  return new Map(samples.map((sample) => [keyOf(sample.labels, names), sample.value]));
}

/** The entities (by `names`) that samples mention, each once with its labels, in natural order. */
function distinct(samples: readonly Sample[], names: readonly string[]): Array<{ key: string; labels: Labels }> {
  const found = new Map<string, Labels>();
  for (const sample of samples) {
    const key = keyOf(sample.labels, names);
    if (!found.has(key)) found.set(key, sample.labels);
  }
  const byLabels = (a: Labels, b: Labels) => {
    for (const name of names) {
      const order = naturalOrder(a[name] ?? "", b[name] ?? "");
      if (order !== 0) return order;
    }
    return 0;
  };
  return [...found].map(([key, labels]) => ({ key, labels })).sort((a, b) => byLabels(a.labels, b.labels));
}

export class PrometheusDatastoreMetrics {
  constructor(
    private readonly scope: QueryScope,
    private readonly reader: CachedPrometheus,
  ) {}

  /** `{environment="demo", <matchers>}` */
  private selector(...matchers: string[]): string {
    return selector(this.scope, ...matchers);
  }

  /** `metric{E, matchers}` */
  private series(metric: string, ...matchers: string[]): string {
    return `${metric}${this.selector(...matchers)}`;
  }

  private rate(metric: string): string {
    return `rate(${this.series(metric)}[${this.scope.rateWindow}])`;
  }

  /** The queries' samples in the same order, and how fresh they are together. */
  private async readAll<const Queries extends readonly string[]>(queries: Queries): Promise<{ samples: { [K in keyof Queries]: Sample[] }; freshness: Freshness }> {
    const answers = await Promise.all(queries.map((promql) => this.reader.instant(promql)));
    return { samples: answers.map((answer) => answer.value) as { [K in keyof Queries]: Sample[] }, freshness: combineFreshness(answers) };
  }

  // ---- Redis ------------------------------------------------------------------------------

  /** Every cache (a primary and its replicas) of the environment, in nine queries. */
  async caches(): Promise<Observed<CacheStats[]>> {
    const { region, cache, cacheInstance } = this.scope.labels;
    const byCache = [cache, region];
    const byInstance = [cache, region, cacheInstance];
    const sumByCache = (expression: string) => `sum by (${byCache.join(", ")}) (${expression})`;
    const maxByCache = (expression: string) => `max by (${byCache.join(", ")}) (${expression})`;
    // What the primary reports: redis_exporter gives the role only in redis_instance_info.
    const ofPrimary = (expression: string) =>
      `${expression} and on (${byInstance.join(", ")}) ${this.series("redis_instance_info", equals("role", REDIS_PRIMARY_ROLE))}`;
    const hits = sumByCache(this.rate("redis_keyspace_hits_total"));
    const misses = sumByCache(this.rate("redis_keyspace_misses_total"));

    const { samples: [info, up, hitRatio, keys, memoryUsed, memoryMax, evictions, ops, clients], freshness } = await this.readAll([
      `max by (${[...byInstance, "role"].join(", ")}) (${this.series("redis_instance_info")})`,
      `max by (${byInstance.join(", ")}) (${this.series("redis_up")})`,
      `${hits} / (${hits} + ${misses})`,
      maxByCache(this.series("redis_db_keys", 'db="db0"')),
      maxByCache(this.series("redis_memory_used_bytes")),
      maxByCache(this.series("redis_memory_max_bytes")),
      sumByCache(this.rate("redis_evicted_keys_total")),
      sumByCache(ofPrimary(this.rate("redis_commands_processed_total"))),
      sumByCache(ofPrimary(this.series("redis_connected_clients"))),
    ]);

    const roles = new Map(info.map((sample) => [keyOf(sample.labels, byInstance), sample.labels.role]));
    const upByInstance = indexBy(up, byInstance);
    const figures = {
      hitRatio: indexBy(hitRatio, byCache),
      keys: indexBy(keys, byCache),
      memoryUsed: indexBy(memoryUsed, byCache),
      memoryMax: indexBy(memoryMax, byCache),
      evictions: indexBy(evictions, byCache),
      ops: indexBy(ops, byCache),
      clients: indexBy(clients, byCache),
    };

    // A down instance still has its redis_up (at 0) but no INFO: the instances are those
    // named by either family.
    const instances = distinct([...up, ...info], byInstance);
    const caches = distinct([...up, ...info], byCache).map(({ key, labels }): CacheStats => ({
      environment: this.scope.environment,
      region: labels[region] ?? "",
      cluster: labels[cache] ?? "",
      // No lookups in the window: 0/0, shown as 0 like the simulator's idle cache.
      hitRatio: finiteOrZero(figures.hitRatio.get(key)),
      keys: finiteOrZero(figures.keys.get(key)),
      memoryUsedBytes: finiteOrZero(figures.memoryUsed.get(key)),
      memoryMaxBytes: finiteOrZero(figures.memoryMax.get(key)),
      evictionsPerSecond: finiteOrZero(figures.evictions.get(key)),
      opsPerSecond: finiteOrZero(figures.ops.get(key)),
      connectedClients: finiteOrZero(figures.clients.get(key)),
      instances: instances
        .filter((instance) => keyOf(instance.labels, byCache) === key)
        .map((instance) => {
          const upValue = upByInstance.get(instance.key);
          return {
            pod: instance.labels[cacheInstance] ?? "",
            // A down instance cannot say its role. Shown as a replica, a cache whose primary
            // is down shows no primary at all rather than a guessed one.
            role: roles.get(instance.key) === REDIS_PRIMARY_ROLE ? ("primary" as const) : ("replica" as const),
            // INFO answered but redis_up is missing: the instance answered, so it is up.
            up: upValue === undefined ? true : upValue === 1,
          };
        }),
    }));
    return { value: caches, ...freshness };
  }

  // ---- MongoDB ----------------------------------------------------------------------------

  /** Every sharded cluster of the environment, in six queries. */
  async mongoClusters(): Promise<Observed<MongoClusterStats[]>> {
    const { region, cluster } = this.scope.labels;
    const byCluster = [cluster, region];
    const byShard = [...byCluster, "shard"];
    const byMember = [...byCluster, "set", "name", "state"];
    const maxBy = (names: readonly string[], metric: string) => `max by (${names.join(", ")}) (${this.series(metric)})`;

    const { samples: [up, balancer, chunks, shardsTotal, drainingTotal, lag], freshness } = await this.readAll([
      maxBy(byCluster, "mongodb_up"),
      maxBy(byCluster, "mongodb_mongos_sharding_balancer_enabled"),
      maxBy(byShard, "mongodb_mongos_sharding_shard_chunks_total"),
      maxBy(byCluster, "mongodb_mongos_sharding_shards_total"),
      maxBy(byCluster, "mongodb_mongos_sharding_shards_draining_total"),
      maxBy(byMember, "mongodb_mongod_replset_member_replication_lag"),
    ]);

    const upByCluster = indexBy(up, byCluster);
    const balancerByCluster = indexBy(balancer, byCluster);
    const shardsByCluster = indexBy(shardsTotal, byCluster);
    const drainingByCluster = indexBy(drainingTotal, byCluster);
    const members = distinct(lag, byMember);
    const lagByMember = indexBy(lag, byMember);
    const shards = distinct(chunks, byShard);
    const chunksByShard = indexBy(chunks, byShard);

    const clusters = distinct(up, byCluster).map(({ key, labels }): MongoClusterStats => {
      // mongodb_exporter counts the draining shards but does not name them. The count settles
      // the question only at its ends: none drains, or every shard does. In between any shard
      // could be the one, so none is marked: `draining` means "known to drain", never a guess.
      const draining = finiteOrZero(drainingByCluster.get(key));
      const everyShardDrains = draining > 0 && draining >= finiteOrZero(shardsByCluster.get(key));
      return {
        environment: this.scope.environment,
        region: labels[region] ?? "",
        cluster: labels[cluster] ?? "",
        up: upByCluster.get(key) === 1,
        balancerEnabled: balancerByCluster.get(key) === 1,
        // The shards are those the mongos counts chunks on (each shard is a replica set named
        // like it); other replica sets of the cluster, such as the config servers', are not shards.
        shards: shards
          .filter((shard) => keyOf(shard.labels, byCluster) === key)
          .map((shard): MongoShardStats => {
            const id = shard.labels.shard ?? "";
            return {
              shard: id,
              chunks: finiteOrZero(chunksByShard.get(shard.key)),
              draining: everyShardDrains,
              members: members
                // A member in another state (RECOVERING, STARTUP2, ARBITER…) has no place in the
                // port's two states; it is left out rather than shown as a healthy secondary.
                .filter((member) => keyOf(member.labels, byCluster) === key && member.labels.set === id)
                .flatMap((member) => {
                  const state = MEMBER_STATES.find((known) => known === member.labels.state);
                  if (state === undefined) return [];
                  return [{ name: member.labels.name ?? "", state, replicationLagSeconds: finiteOrZero(lagByMember.get(member.key)) }];
                }),
            };
          }),
      };
    });
    return { value: clusters, ...freshness };
  }

  // ---- Elasticsearch ------------------------------------------------------------------------

  /** Every cluster of the environment, in seven queries. */
  async elasticsearchClusters(): Promise<Observed<ElasticsearchClusterStats[]>> {
    const { region, cluster } = this.scope.labels;
    const byCluster = [cluster, region];
    const grouping = byCluster.join(", ");
    const health = (figure: string) => `max by (${grouping}) (${this.series(`elasticsearch_cluster_health_${figure}`)})`;
    // Per node, then summed: a node reported by two exporters counts once.
    const heap = (metric: string) => `sum by (${grouping}) (max by (${grouping}, name) (${this.series(metric, 'area="heap"')}))`;

    const { samples: [nodes, status, active, relocating, unassigned, heapUsed, heapMax], freshness } = await this.readAll([
      health("number_of_nodes"),
      `max by (${grouping}, color) (${this.series("elasticsearch_cluster_health_status")} == 1)`,
      health("active_shards"),
      health("relocating_shards"),
      health("unassigned_shards"),
      heap("elasticsearch_jvm_memory_used_bytes"),
      heap("elasticsearch_jvm_memory_max_bytes"),
    ]);

    const colors = new Map<string, Color>();
    for (const sample of status) {
      const color = COLORS.find((known) => known === sample.labels.color);
      const key = keyOf(sample.labels, byCluster);
      if (color === undefined) continue;
      // Two colours at 1 only while two exporters disagree for a moment: the worse one.
      const seen = colors.get(key);
      colors.set(key, seen !== undefined && COLORS.indexOf(seen) > COLORS.indexOf(color) ? seen : color);
    }
    const figures = {
      nodes: indexBy(nodes, byCluster),
      active: indexBy(active, byCluster),
      relocating: indexBy(relocating, byCluster),
      unassigned: indexBy(unassigned, byCluster),
      heapUsed: indexBy(heapUsed, byCluster),
      heapMax: indexBy(heapMax, byCluster),
    };

    const clusters = distinct(nodes, byCluster).map(({ key, labels }): ElasticsearchClusterStats => ({
      environment: this.scope.environment,
      region: labels[region] ?? "",
      cluster: labels[cluster] ?? "",
      // A cluster whose health has no colour at 1 could not be read: shown red, to be looked at.
      status: colors.get(key) ?? "red",
      nodes: finiteOrZero(figures.nodes.get(key)),
      activeShards: finiteOrZero(figures.active.get(key)),
      relocatingShards: finiteOrZero(figures.relocating.get(key)),
      unassignedShards: finiteOrZero(figures.unassigned.get(key)),
      heapUsedBytes: finiteOrZero(figures.heapUsed.get(key)),
      heapMaxBytes: finiteOrZero(figures.heapMax.get(key)),
    }));
    return { value: clusters, ...freshness };
  }
}
