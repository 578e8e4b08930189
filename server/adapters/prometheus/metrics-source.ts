// The whole MetricsSource port answered by one Prometheus for one environment (or some of its
// regions, when a region has a Prometheus of its own). Each kind's PromQL lives in its own
// module; this class only puts them behind the port and answers "none" for other environments.
import { freshAnswer, type Observed, type ObservedMetricsSource, type TimeWindow, type WorkloadRef } from "../../domain/ports";
import type { CachedPrometheus } from "./cache";
import { PrometheusDatastoreMetrics } from "./datastore-metrics";
import { PrometheusKafkaMetrics } from "./kafka-metrics";
import { PrometheusPlatformMetrics } from "./platform-metrics";
import type { QueryScope } from "./promql";
import { PrometheusServiceMetrics } from "./service-metrics";

export class PrometheusMetricsSource implements ObservedMetricsSource {
  private readonly services: PrometheusServiceMetrics;
  private readonly platform: PrometheusPlatformMetrics;
  private readonly kafka: PrometheusKafkaMetrics;
  private readonly datastores: PrometheusDatastoreMetrics;

  constructor(
    readonly scope: QueryScope,
    private readonly reader: CachedPrometheus,
  ) {
    this.services = new PrometheusServiceMetrics(scope, reader);
    this.platform = new PrometheusPlatformMetrics(scope, reader);
    this.kafka = new PrometheusKafkaMetrics(scope, reader);
    this.datastores = new PrometheusDatastoreMetrics(scope, reader);
  }

  /** Answers `read()` for this source's environment (or every environment), none for another. */
  private async ifServes<T>(environment: string | undefined, read: () => Promise<Observed<T[]>>): Promise<Observed<T[]>> {
    if (environment !== undefined && environment !== this.scope.environment) return freshAnswer<T[]>([]);
    return read();
  }

  currentServiceStats(environment?: string) {
    return this.services.currentServiceStats(environment);
  }

  serviceSeries(ref: WorkloadRef, window: TimeWindow) {
    return this.services.serviceSeries(ref, window);
  }

  regionTraffic(environment?: string) {
    return this.ifServes(environment, () => this.platform.regionTraffic());
  }

  autoscalers(environment?: string) {
    return this.ifServes(environment, () => this.platform.autoscalers());
  }

  dependencies(environment?: string) {
    return this.ifServes(environment, () => this.platform.dependencies());
  }

  consumerGroupLag(environment?: string) {
    return this.ifServes(environment, () => this.kafka.consumerGroupLag());
  }

  topics(environment?: string) {
    return this.ifServes(environment, () => this.kafka.topics());
  }

  kafkaClusters(environment?: string) {
    return this.ifServes(environment, () => this.kafka.kafkaClusters());
  }

  caches(environment?: string) {
    return this.ifServes(environment, () => this.datastores.caches());
  }

  mongoClusters(environment?: string) {
    return this.ifServes(environment, () => this.datastores.mongoClusters());
  }

  elasticsearchClusters(environment?: string) {
    return this.ifServes(environment, () => this.datastores.elasticsearchClusters());
  }

  async ping(): Promise<void> {
    await this.reader.client.ping();
  }
}
