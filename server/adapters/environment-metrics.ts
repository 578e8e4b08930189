// One MetricsSource for every configured environment: each environment (or region, when a
// region has a Prometheus of its own) is answered by its own source, and a question about
// every environment is the concatenation of their answers, as stale as the stalest.
import {
  combineFreshness, freshAnswer,
  type MetricsSource, type Observed, type ObservedMetricsSource, type TimeWindow, type WorkloadRef,
} from "../domain/ports";

/** The port's queries over a whole environment (serviceSeries, about one service, is apart). */
const ENVIRONMENT_QUERIES = [
  "currentServiceStats", "regionTraffic", "autoscalers", "dependencies", "consumerGroupLag",
  "topics", "kafkaClusters", "caches", "mongoClusters", "elasticsearchClusters",
] as const satisfies ReadonlyArray<keyof MetricsSource>;

/** A source whose figures are always current: the simulator answers from its own state. */
export function alwaysFresh(source: MetricsSource): ObservedMetricsSource {
  const observed = {
    serviceSeries: async (ref: WorkloadRef, window: TimeWindow) => freshAnswer(await source.serviceSeries(ref, window)),
    ping: () => source.ping(),
  } as Partial<Record<keyof ObservedMetricsSource, unknown>>;
  for (const query of ENVIRONMENT_QUERIES) {
    observed[query] = async (environment?: string) => freshAnswer(await source[query](environment));
  }
  return observed as ObservedMetricsSource;
}

export interface EnvironmentPart {
  environment: string;
  /** The regions this part answers for; all of the environment's when absent. */
  regions?: readonly string[];
  source: ObservedMetricsSource;
}

export class EnvironmentMetrics implements ObservedMetricsSource {
  constructor(private readonly parts: readonly EnvironmentPart[]) {}

  currentServiceStats = (environment?: string) => this.gather(environment, (source) => source.currentServiceStats(environment));
  regionTraffic = (environment?: string) => this.gather(environment, (source) => source.regionTraffic(environment));
  autoscalers = (environment?: string) => this.gather(environment, (source) => source.autoscalers(environment));
  dependencies = (environment?: string) => this.gather(environment, (source) => source.dependencies(environment));
  consumerGroupLag = (environment?: string) => this.gather(environment, (source) => source.consumerGroupLag(environment));
  topics = (environment?: string) => this.gather(environment, (source) => source.topics(environment));
  kafkaClusters = (environment?: string) => this.gather(environment, (source) => source.kafkaClusters(environment));
  caches = (environment?: string) => this.gather(environment, (source) => source.caches(environment));
  mongoClusters = (environment?: string) => this.gather(environment, (source) => source.mongoClusters(environment));
  elasticsearchClusters = (environment?: string) => this.gather(environment, (source) => source.elasticsearchClusters(environment));

  get environments(): string[] {
    return [...new Set(this.parts.map((part) => part.environment))];
  }

  private partsFor(environment: string | undefined): readonly EnvironmentPart[] {
    return environment === undefined ? this.parts : this.parts.filter((part) => part.environment === environment);
  }

  private async gather<T>(environment: string | undefined, read: (source: ObservedMetricsSource) => Promise<Observed<T[]>>): Promise<Observed<T[]>> {
    const answers = await Promise.all(this.partsFor(environment).map((part) => read(part.source)));
    return { value: answers.flatMap((answer) => answer.value), ...combineFreshness(answers) };
  }

  /** Asked of the part that holds the service's region (or the environment's only part). */
  serviceSeries(ref: WorkloadRef, window: TimeWindow) {
    const candidates = this.partsFor(ref.environment);
    const part = candidates.find((candidate) => ref.region !== undefined && candidate.regions?.includes(ref.region)) ?? candidates.find((candidate) => candidate.regions === undefined) ?? candidates[0];
    return part ? part.source.serviceSeries(ref, window) : Promise.resolve(freshAnswer([]));
  }

  async ping(): Promise<void> {
    await Promise.all(this.parts.map((part) => part.source.ping()));
  }
}
