// One Kafka cluster's figures, read by kafkajs's admin client in the background so that no
// page ever waits on a slow cluster: a refresh every `refreshIntervalMs` (the next one starts
// when the last has finished, so a slow cluster is never asked twice at once), and callers get
// the last snapshot with its age. When a refresh fails the last snapshot stays, marked stale
// with the error; only the very first call waits, for the first refresh, and at most
// `firstAnswerTimeoutMs`.
import type { ConsumerGroupLag, KafkaClusterStats, Observed, TopicStats } from "../../domain/ports";
import { AdminSession, collectCluster, TopicOffsetClients, type ClusterReading, type RequestCounts } from "./collect";
import { classifyKafkaError, kafkaClientFor, KafkaReadError, type KafkaClusterTarget } from "./connection";
import { snapshotFrom, type ConsumerGroupState, type KafkaSnapshot } from "./figures";

export interface KafkaReaderOptions {
  /** Pause between the end of one refresh and the start of the next. Default 10 s. */
  refreshIntervalMs?: number;
  /** Longest the first call waits for the first refresh. Default 15 s. */
  firstAnswerTimeoutMs?: number;
  /** A refresh still running after this is given up (and counts as failed). Default 60 s. */
  refreshTimeoutMs?: number;
  /** Per broker connection. Default 3 s. */
  connectionTimeoutMs?: number;
  /** Per request. Default 10 s. */
  requestTimeoutMs?: number;
  /** Groups (committed offsets) or topics (log offsets) read at the same time. Default 10. */
  concurrency?: number;
  /** Groups per DescribeGroups request. Default 100. */
  describeGroupsBatchSize?: number;
  /** Topics per client reading log offsets (see TopicOffsetClients in collect.ts). Default 100. */
  topicsPerClient?: number;
  /** Count Kafka's own topics (__consumer_offsets...) among the topics. Default false. */
  includeInternalTopics?: boolean;
  now?: () => number;
}

/** What the last refresh did, for diagnostics and the benchmark. */
export interface RefreshReport {
  /** Epoch milliseconds. */
  startedAt: number;
  durationMs: number;
  /** Requests sent to the cluster, by Kafka API. */
  requests: RequestCounts;
  error?: KafkaReadError;
}

interface Snapshot {
  value: KafkaSnapshot;
  reading: ClusterReading;
  /** When its reads began: its figures are at least this old. */
  readAt: number;
}

const DEFAULTS = {
  refreshIntervalMs: 10_000,
  firstAnswerTimeoutMs: 15_000,
  refreshTimeoutMs: 60_000,
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 10_000,
  concurrency: 10,
  describeGroupsBatchSize: 100,
  topicsPerClient: 100,
  includeInternalTopics: false,
} satisfies Omit<Required<KafkaReaderOptions>, "now">;

function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

export class KafkaClusterReader {
  private readonly options: typeof DEFAULTS;
  private readonly now: () => number;
  private snapshot: Snapshot | undefined;
  private lastFailure: { error: KafkaReadError; at: number } | undefined;
  /** The client for metadata and groups; topics' offsets go through `offsetClients`. */
  private session: AdminSession | undefined;
  private offsetClients: TopicOffsetClients | undefined;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private closed = false;
  private report: RefreshReport | undefined;
  /** Settles when the first refresh does, whatever its outcome. */
  private readonly firstRefresh: Promise<void>;
  private settleFirstRefresh!: () => void;

  constructor(
    readonly target: KafkaClusterTarget,
    options: KafkaReaderOptions = {},
  ) {
    const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
    this.options = { ...DEFAULTS, ...defined };
    this.now = options.now ?? Date.now;
    this.firstRefresh = new Promise((resolve) => (this.settleFirstRefresh = resolve));
  }

  /** Starts the background refresh (the first call of any query does too). */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    void this.refreshInBackground();
  }

  /** The cluster itself: brokers up, topics, partitions and under-replicated partitions. */
  async kafkaClusters(environment?: string): Promise<Observed<KafkaClusterStats[]>> {
    return this.answer(environment, (snapshot) => [snapshot.cluster]);
  }

  /** Every topic, by name. */
  async topics(environment?: string): Promise<Observed<TopicStats[]>> {
    return this.answer(environment, (snapshot) => snapshot.topics);
  }

  /** Every consumer group on every topic it has committed offsets on, by topic then group. */
  async consumerGroupLag(environment?: string): Promise<Observed<ConsumerGroupLag[]>> {
    return this.answer(environment, (snapshot) => snapshot.consumerGroupLag);
  }

  /** Every group Kafka knows with its state and members, including groups without offsets. */
  async consumerGroups(environment?: string): Promise<Observed<ConsumerGroupState[]>> {
    return this.answer(environment, (snapshot) => snapshot.consumerGroups);
  }

  /** What the last finished refresh did; undefined before the first one. */
  get lastRefresh(): RefreshReport | undefined {
    return this.report;
  }

  /** Stops refreshing and disconnects. Later calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const { session, offsetClients } = this;
    this.session = undefined;
    this.offsetClients = undefined;
    await Promise.all([session?.close(), offsetClients?.close()]);
  }

  private async answer<T>(environment: string | undefined, pick: (snapshot: KafkaSnapshot) => T[]): Promise<Observed<T[]>> {
    if (environment !== undefined && environment !== this.target.environment) return { value: [], stale: false, ageSeconds: 0 };
    const snapshot = await this.current();
    const failure = this.lastFailure;
    const stale = failure !== undefined && failure.at >= snapshot.readAt;
    return {
      value: pick(snapshot.value),
      stale,
      ageSeconds: Math.max(0, Math.round((this.now() - snapshot.readAt) / 100) / 10),
      ...(stale ? { error: failure.error.toSummary() } : {}),
    };
  }

  private async current(): Promise<Snapshot> {
    if (this.closed) throw new KafkaReadError("error", `The reader of Kafka cluster ${this.target.name} is closed`);
    this.start();
    if (!this.snapshot && !this.lastFailure) {
      const seconds = this.options.firstAnswerTimeoutMs / 1000;
      await withTimeout(
        this.firstRefresh,
        this.options.firstAnswerTimeoutMs,
        () => new KafkaReadError("timeout", `Kafka cluster ${this.target.name} (${this.target.brokers.join(", ")}): no figures within ${seconds} s, its first read has not finished`),
      );
    }
    if (this.snapshot) return this.snapshot;
    // No snapshot yet and the last refresh failed: say why rather than wait for the next one.
    throw this.lastFailure?.error ?? new KafkaReadError("error", `Kafka cluster ${this.target.name}: no figures yet`);
  }

  private async refreshInBackground(): Promise<void> {
    const startedAt = this.now();
    let error: KafkaReadError | undefined;
    let requests: RequestCounts = {};
    try {
      const reading = await withTimeout(
        this.read(),
        this.options.refreshTimeoutMs,
        () => new KafkaReadError("timeout", `Kafka cluster ${this.target.name}: a refresh took longer than ${this.options.refreshTimeoutMs / 1000} s and was given up`),
      );
      requests = await this.takeRequestCounts();
      if (!this.closed) {
        this.snapshot = {
          value: snapshotFrom({ environment: this.target.environment, region: this.target.region, cluster: this.target.name }, reading, this.snapshot?.reading),
          reading,
          readAt: reading.groupsReadAt,
        };
      }
    } catch (caught) {
      error = classifyKafkaError(caught, this.target);
      requests = await this.takeRequestCounts();
      this.lastFailure = { error, at: this.now() };
      // A client that failed may be stuck (a broker that never answers, a half-open
      // connection): the next refresh starts with a new one.
      this.dropSession();
    }
    this.report = { startedAt, durationMs: this.now() - startedAt, requests, ...(error ? { error } : {}) };
    this.settleFirstRefresh();
    if (!this.closed) {
      this.timer = setTimeout(() => void this.refreshInBackground(), this.options.refreshIntervalMs);
      // The refresh must not keep a process (a test, a script) alive on its own.
      this.timer.unref();
    }
  }

  private async read(): Promise<ClusterReading> {
    const collectOptions = {
      concurrency: this.options.concurrency,
      describeGroupsBatchSize: this.options.describeGroupsBatchSize,
      includeInternalTopics: this.options.includeInternalTopics,
      now: this.now,
    };
    if (!this.session) this.session = await this.openSession();
    this.offsetClients ??= new TopicOffsetClients(() => this.openSession(), this.options.topicsPerClient);
    return collectCluster(this.session.admin, this.offsetClients, collectOptions);
  }

  private async openSession(): Promise<AdminSession> {
    if (this.closed) throw new KafkaReadError("error", `The reader of Kafka cluster ${this.target.name} is closed`);
    const kafka = kafkaClientFor(this.target, { connectionTimeoutMs: this.options.connectionTimeoutMs, requestTimeoutMs: this.options.requestTimeoutMs });
    return AdminSession.open(kafka);
  }

  private async takeRequestCounts(): Promise<RequestCounts> {
    const counts = this.session?.takeRequestCounts() ?? {};
    for (const [api, count] of Object.entries((await this.offsetClients?.takeRequestCounts()) ?? {})) counts[api] = (counts[api] ?? 0) + count;
    return counts;
  }

  private dropSession(): void {
    const { session, offsetClients } = this;
    this.session = undefined;
    this.offsetClients = undefined;
    void session?.close();
    void offsetClients?.close();
  }
}
