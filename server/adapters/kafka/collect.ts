// One refresh's reads from a Kafka cluster through kafkajs's admin client, shaped for
// figures.ts. The number of requests grows with the cluster, so each kind of read is sent in
// the biggest unit kafkajs 2.2.4 allows:
// - topics, partitions, replicas and ISRs: one Metadata request for the whole cluster (the
//   protocol has no pagination; one answer for every topic is what it is built for), plus one
//   more for the brokers (describeCluster);
// - groups: one ListGroups per broker, then DescribeGroups in batches (kafkajs sends one
//   FindCoordinator per group and one DescribeGroups per coordinator and batch);
// - committed offsets: kafkajs has no multi-group OffsetFetch (the protocol's v8 is newer than
//   it), so one FindCoordinator + OffsetFetch per group, for all of the group's topics at once,
//   at most `concurrency` groups at a time;
// - log-start and log-end offsets: fetchTopicOffsets once per topic (two ListOffsets), at most
//   `concurrency` topics at a time, spread over several clients (TopicOffsetClients says why).
// Committed offsets are read before log-end offsets: offsets only grow, so a log end read
// later is never below a committed offset of the same moment, and lag never reads negative
// because of the order of the reads.
import type { Admin, Kafka } from "kafkajs";

export interface PartitionReading {
  partition: number;
  replicas: number;
  inSyncReplicas: number;
  logStartOffset: number;
  logEndOffset: number;
}

export interface TopicReading {
  topic: string;
  /** By partition number. */
  partitions: PartitionReading[];
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: number;
}

export interface GroupMember {
  clientId: string;
  host: string;
}

export interface GroupReading {
  group: string;
  /** Kafka's group state: Stable, PreparingRebalance, CompletingRebalance, Empty, Dead. */
  state: string;
  /** "consumer" for consumer groups; others (e.g. "connect") commit no offsets. */
  protocolType: string;
  members: GroupMember[];
  /** Only partitions the group has committed an offset for. */
  offsets: CommittedOffset[];
}

export interface ClusterReading {
  brokers: number;
  /** By name. */
  topics: TopicReading[];
  /** By name. */
  groups: GroupReading[];
  /** Epoch milliseconds when the committed offsets, and then the topics' offsets, were asked for. */
  groupsReadAt: number;
  topicsReadAt: number;
}

export interface CollectOptions {
  /** Groups, or topics, read at the same time. */
  concurrency: number;
  describeGroupsBatchSize: number;
  /** Kafka's own topics (`__consumer_offsets`, `__transaction_state`). */
  includeInternalTopics: boolean;
  now: () => number;
}

/** Requests sent, by Kafka API name (Metadata, ListOffsets, OffsetFetch...). */
export type RequestCounts = Record<string, number>;

/** kafkajs's admin client, counting the requests it sends. */
export class AdminSession {
  private constructor(
    readonly admin: Admin,
    private readonly requests: RequestCounts,
  ) {}

  static async open(kafka: Kafka): Promise<AdminSession> {
    const admin = kafka.admin({ retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2_000 } });
    const requests: RequestCounts = {};
    admin.on(admin.events.REQUEST, (event) => {
      const api = event.payload.apiName;
      requests[api] = (requests[api] ?? 0) + 1;
    });
    try {
      await admin.connect();
    } catch (error) {
      await admin.disconnect().catch(() => undefined);
      throw error;
    }
    return new AdminSession(admin, requests);
  }

  /** The requests counted since the last call. */
  takeRequestCounts(): RequestCounts {
    const counts = { ...this.requests };
    for (const api of Object.keys(this.requests)) delete this.requests[api];
    return counts;
  }

  async close(): Promise<void> {
    await this.admin.disconnect().catch(() => undefined);
  }
}

function addCounts(total: RequestCounts, more: RequestCounts): RequestCounts {
  for (const [api, count] of Object.entries(more)) total[api] = (total[api] ?? 0) + count;
  return total;
}

interface OffsetClient {
  session: Promise<AdminSession>;
  topics: Set<string>;
}

/**
 * The clients that read topics' log offsets. kafkajs's fetchTopicOffsets adds its topic to the
 * topics whose metadata its client keeps, and refreshes the metadata of all of them each time
 * one is added: through one client, the first refresh of a cluster with N topics would ask for
 * N metadata answers of up to N topics each. A client per `topicsPerClient` topics keeps that
 * linear. A client also keeps asking for the metadata of a topic that has been deleted, and
 * fails from then on, so the client of a deleted topic is closed and its topics move on.
 */
export class TopicOffsetClients {
  private readonly clients: OffsetClient[] = [];
  private readonly clientOf = new Map<string, OffsetClient>();
  private readonly counts: RequestCounts = {};

  constructor(
    private readonly open: () => Promise<AdminSession>,
    private readonly topicsPerClient: number,
  ) {}

  /** Closes the clients that know a topic no longer in `existing`. */
  retain(existing: ReadonlySet<string>): void {
    for (const client of [...this.clients]) {
      if ([...client.topics].every((topic) => existing.has(topic))) continue;
      this.discard(client);
    }
  }

  async fetchTopicOffsets(topic: string): ReturnType<Admin["fetchTopicOffsets"]> {
    const session = await this.clientFor(topic).session;
    return session.admin.fetchTopicOffsets(topic);
  }

  /** Requests of every client since the last call, closed ones included. */
  async takeRequestCounts(): Promise<RequestCounts> {
    const total = { ...this.counts };
    for (const api of Object.keys(this.counts)) delete this.counts[api];
    for (const client of this.clients) {
      const session = await client.session.catch(() => undefined);
      if (session) addCounts(total, session.takeRequestCounts());
    }
    return total;
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients].map((client) => this.discard(client)));
  }

  private clientFor(topic: string): OffsetClient {
    const known = this.clientOf.get(topic);
    if (known) return known;
    // Assigned at once (not after an await): concurrent reads of new topics fill one client at a time.
    let client = this.clients.find((candidate) => candidate.topics.size < this.topicsPerClient);
    if (!client) {
      const opening = this.open();
      const created: OffsetClient = { session: opening, topics: new Set() };
      opening.catch(() => this.discard(created));
      this.clients.push(created);
      client = created;
    }
    client.topics.add(topic);
    this.clientOf.set(topic, client);
    return client;
  }

  private async discard(client: OffsetClient): Promise<void> {
    const index = this.clients.indexOf(client);
    if (index < 0) return;
    this.clients.splice(index, 1);
    for (const topic of client.topics) this.clientOf.delete(topic);
    const session = await client.session.catch(() => undefined);
    if (!session) return;
    addCounts(this.counts, session.takeRequestCounts());
    await session.close();
  }
}

/** `work` over every item, at most `limit` at a time; results in the items' order. */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One more try after a pause: a partition that is changing leader answers NOT_LEADER briefly, and kafkajs does not retry that. */
async function onceMore<T>(what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch {
    await sleep(300);
    try {
      return await read();
    } catch (error) {
      throw new Error(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}

function isInternalTopic(topic: string): boolean {
  return topic.startsWith("__");
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

async function readGroups(admin: Admin, options: CollectOptions): Promise<GroupReading[]> {
  const { groups: listed } = await admin.listGroups();
  const ids = listed.map((group) => group.groupId).sort(byName);
  const batches: string[][] = [];
  for (let start = 0; start < ids.length; start += options.describeGroupsBatchSize) {
    batches.push(ids.slice(start, start + options.describeGroupsBatchSize));
  }
  // Each batch already sends one FindCoordinator per group at once: batches go one after another.
  const described = new Map<string, { state: string; protocolType: string; members: GroupMember[] }>();
  for (const batch of batches) {
    const { groups } = await admin.describeGroups(batch);
    for (const group of groups) {
      described.set(group.groupId, {
        state: group.state,
        protocolType: group.protocolType,
        members: group.members.map((member) => ({ clientId: member.clientId, host: member.clientHost })),
      });
    }
  }
  return mapWithConcurrency(ids, options.concurrency, async (group): Promise<GroupReading> => {
    // No topics: the group's committed offsets on every topic, in one OffsetFetch.
    const committed = await onceMore(`committed offsets of group ${group}`, () => admin.fetchOffsets({ groupId: group }));
    const description = described.get(group);
    return {
      group,
      state: description?.state ?? "Unknown",
      protocolType: description?.protocolType ?? "",
      members: description?.members ?? [],
      offsets: committed.flatMap(({ topic, partitions }) =>
        partitions.map((entry) => ({ topic, partition: entry.partition, offset: Number(entry.offset) })).filter((entry) => entry.offset >= 0),
      ),
    };
  });
}

async function readTopics(admin: Admin, offsetClients: TopicOffsetClients, options: CollectOptions): Promise<TopicReading[]> {
  const { topics: metadata } = await admin.fetchTopicMetadata();
  offsetClients.retain(new Set(metadata.map((topic) => topic.name)));
  const wanted = metadata.filter((topic) => options.includeInternalTopics || !isInternalTopic(topic.name)).sort((a, b) => byName(a.name, b.name));
  return mapWithConcurrency(wanted, options.concurrency, async (topic): Promise<TopicReading> => {
    const offsets = await onceMore(`offsets of topic ${topic.name}`, () => offsetClients.fetchTopicOffsets(topic.name));
    const byPartition = new Map(offsets.map((entry) => [entry.partition, entry]));
    const partitions = topic.partitions
      .map((partition): PartitionReading => {
        const offset = byPartition.get(partition.partitionId);
        return {
          partition: partition.partitionId,
          replicas: partition.replicas.length,
          inSyncReplicas: partition.isr.length,
          logStartOffset: Number(offset?.low ?? 0),
          logEndOffset: Number(offset?.high ?? 0),
        };
      })
      .sort((a, b) => a.partition - b.partition);
    return { topic: topic.name, partitions };
  });
}

/**
 * Everything one refresh needs, read from the cluster: the cluster, its groups and the topics'
 * metadata through `admin` (which therefore never holds topics of its own, see
 * TopicOffsetClients), the topics' offsets through `offsetClients`.
 */
export async function collectCluster(admin: Admin, offsetClients: TopicOffsetClients, options: CollectOptions): Promise<ClusterReading> {
  const { brokers } = await admin.describeCluster();
  const groupsReadAt = options.now();
  const groups = await readGroups(admin, options);
  const topicsReadAt = options.now();
  const topics = await readTopics(admin, offsetClients, options);
  return { brokers: brokers.length, topics, groups, groupsReadAt, topicsReadAt };
}
