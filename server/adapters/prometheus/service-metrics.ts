// The service figures of the MetricsSource port, answered with PromQL (docs/metrics.md is the
// map). One query per figure covers every service of the environment (`sum by (namespace,
// service, region)`), so a page costs the same number of queries at 30 services as at 5,000;
// the figures are joined here by service identity. HTTP services and Kafka consumers are read
// in the same query: a consumer's "requests" are the messages it processes.
//
// Results go through the cache (one request per figure per scrape interval, shared by every
// viewer and replica); each answer says how fresh it is.
import type { Observed, ServiceStats, TimePoint, TimeWindow, WorkloadRef } from "../../domain/ports";
import { combineFreshness } from "../../domain/ports";
import type { CachedPrometheus } from "./cache";
import { equals, finiteOrZero, joinKey, selector, type QueryScope } from "./promql";
import type { Sample, Series } from "./results";

const HTTP = "http_server_request_duration_seconds";
const MESSAGING = "messaging_process_duration_seconds";

export class PrometheusServiceMetrics {
  constructor(
    private readonly scope: QueryScope,
    private readonly reader: CachedPrometheus,
  ) {}

  private get environment(): string {
    return this.scope.environment;
  }

  private get labels() {
    return this.scope.labels;
  }

  private get rateWindow(): string {
    return this.scope.rateWindow;
  }

  // ---- the queries ----------------------------------------------------------------------

  /** `{environment="demo", <matchers>}` */
  private selector(...matchers: string[]): string {
    return selector(this.scope, ...matchers);
  }

  /** The OpenTelemetry labels that name a service (and its region). */
  private get serviceGrouping(): string {
    return [this.labels.serviceNamespace, this.labels.service, this.labels.region].join(", ");
  }

  /** Matchers for one workload in OpenTelemetry's label names; none for every service. */
  private otelMatchers(ref?: WorkloadRef): string[] {
    if (!ref) return [];
    return [equals(this.labels.serviceNamespace, ref.namespace), equals(this.labels.service, ref.name), ...(ref.region ? [equals(this.labels.region, ref.region)] : [])];
  }

  /** Matchers for one workload in Kubernetes' label names (`nameLabel`: deployment or container). */
  private kubernetesMatchers(ref: WorkloadRef | undefined, nameLabel: string): string[] {
    if (!ref) return [];
    return [equals(this.labels.namespace, ref.namespace), equals(nameLabel, ref.name), ...(ref.region ? [equals(this.labels.region, ref.region)] : [])];
  }

  /** Requests (HTTP) or processed messages (consumers) per second, summed `by`. */
  private throughputQuery(by: string, ref?: WorkloadRef): string {
    const matchers = this.otelMatchers(ref);
    return `sum by (${by}) (rate(${HTTP}_count${this.selector(...matchers)}[${this.rateWindow}])) or sum by (${by}) (rate(${MESSAGING}_count${this.selector(...matchers)}[${this.rateWindow}]))`;
  }

  /** Failed share of the throughput; 0 (not absent) for a service without a single failure. */
  private errorRatioQuery(by: string, ref?: WorkloadRef): string {
    const matchers = this.otelMatchers(ref);
    const failed =
      `sum by (${by}) (rate(${HTTP}_count${this.selector(...matchers, 'http_response_status_code=~"5.."')}[${this.rateWindow}]))` +
      ` or sum by (${by}) (rate(${MESSAGING}_count${this.selector(...matchers, 'error_type!=""')}[${this.rateWindow}]))`;
    const all = this.throughputQuery(by, ref);
    return `((${failed}) / (${all})) or ((${all}) * 0)`;
  }

  /** p95 in milliseconds from the duration histograms; `outer` aggregates the per-group quantiles. */
  private p95Query(by: string, ref?: WorkloadRef, outer?: string): string {
    const matchers = this.otelMatchers(ref);
    const buckets = `sum by (${by}, le) (rate(${HTTP}_bucket${this.selector(...matchers)}[${this.rateWindow}])) or sum by (${by}, le) (rate(${MESSAGING}_bucket${this.selector(...matchers)}[${this.rateWindow}]))`;
    const quantile = `histogram_quantile(0.95, ${buckets})`;
    return `1000 * ${outer ? `${outer}(${quantile})` : quantile}`;
  }

  /** CPU used over CPU requested, by Kubernetes namespace, container and region (or `by`). */
  private cpuQuery(by: string, ref?: WorkloadRef): string {
    const matchers = this.kubernetesMatchers(ref, this.labels.container);
    return `sum by (${by}) (rate(container_cpu_usage_seconds_total${this.selector(...matchers)}[${this.rateWindow}])) / sum by (${by}) (kube_pod_container_resource_requests${this.selector(...matchers, 'resource="cpu"')})`;
  }

  // ---- the port -------------------------------------------------------------------------

  /** Every service of the environment, in five queries whatever the number of services. */
  async currentServiceStats(environment?: string): Promise<Observed<ServiceStats[]>> {
    if (environment !== undefined && environment !== this.environment) return { value: [], stale: false, ageSeconds: 0 };
    const { namespace, deployment, container, region, serviceNamespace, service } = this.labels;
    const kubernetesGrouping = [namespace, container, region].join(", ");
    const [deployments, throughput, errorRatio, p95, cpu] = await Promise.all([
      // The inventory: every deployment, even one without traffic.
      this.reader.instant(`kube_deployment_spec_replicas${this.selector()}`),
      this.reader.instant(this.throughputQuery(this.serviceGrouping)),
      this.reader.instant(this.errorRatioQuery(this.serviceGrouping)),
      this.reader.instant(this.p95Query(this.serviceGrouping)),
      this.reader.instant(this.cpuQuery(kubernetesGrouping)),
    ]);
    const byService = (samples: Sample[]) => new Map(samples.map((sample) => [joinKey(sample.labels[serviceNamespace], sample.labels[service], sample.labels[region]), sample.value]));
    const throughputs = byService(throughput.value);
    const errorRatios = byService(errorRatio.value);
    const p95s = byService(p95.value);
    // cAdvisor names the container after its deployment.
    const cpus = new Map(cpu.value.map((sample) => [joinKey(sample.labels[namespace], sample.labels[container], sample.labels[region]), sample.value]));

    const stats = deployments.value.map((sample): ServiceStats => {
      const identity = joinKey(sample.labels[namespace], sample.labels[deployment], sample.labels[region]);
      return {
        environment: this.environment,
        namespace: sample.labels[namespace] ?? "",
        name: sample.labels[deployment] ?? "",
        region: sample.labels[region] ?? "",
        requestsPerSecond: finiteOrZero(throughputs.get(identity)),
        errorRatio: finiteOrZero(errorRatios.get(identity)),
        p95LatencyMs: finiteOrZero(p95s.get(identity)),
        cpuUtilisation: finiteOrZero(cpus.get(identity)),
      };
    });
    stats.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name) || a.region.localeCompare(b.region));
    return { value: stats, ...combineFreshness([deployments, throughput, errorRatio, p95, cpu]) };
  }

  /**
   * One service's figures over time. Without `ref.region` its regions are combined as the
   * simulator combines them: traffic and replicas summed, error ratio and CPU weighted, p95 the
   * worst region's (an upper bound that never hides a slow region behind a fast one).
   */
  async serviceSeries(ref: WorkloadRef, window: TimeWindow): Promise<Observed<TimePoint[]>> {
    if (ref.environment !== this.environment) return { value: [], stale: false, ageSeconds: 0 };
    const range = { start: window.from, end: window.to, stepSeconds: window.stepSeconds };
    const grouping = ref.region ? this.serviceGrouping : `${this.labels.serviceNamespace}, ${this.labels.service}`;
    const kubernetesGrouping = ref.region ? `${this.labels.namespace}, ${this.labels.region}` : this.labels.namespace;
    const replicasMatchers = this.kubernetesMatchers(ref, this.labels.deployment);
    const [throughput, errorRatio, p95, cpu, replicas] = await Promise.all([
      this.reader.range(this.throughputQuery(grouping, ref), range),
      this.reader.range(this.errorRatioQuery(grouping, ref), range),
      ref.region
        ? this.reader.range(this.p95Query(grouping, ref), range)
        : this.reader.range(this.p95Query(this.serviceGrouping, ref, "max"), range),
      this.reader.range(this.cpuQuery(kubernetesGrouping, ref), range),
      this.reader.range(`sum(kube_deployment_status_replicas_available${this.selector(...replicasMatchers)})`, range),
    ]);
    // Each query has at most one series for one service; its points by time.
    const pointsByTime = (series: Series[]) => new Map((series[0]?.points ?? []).map((point) => [point.time, point.value]));
    const figures = {
      requestsPerSecond: pointsByTime(throughput.value.series),
      errorRatio: pointsByTime(errorRatio.value.series),
      p95LatencyMs: pointsByTime(p95.value.series),
      cpuUtilisation: pointsByTime(cpu.value.series),
      replicas: pointsByTime(replicas.value.series),
    };
    // A time counts when the service had traffic or replicas then.
    const times = [...new Set([...figures.requestsPerSecond.keys(), ...figures.replicas.keys()])].sort((a, b) => a - b);
    const points = times.map((t): TimePoint => ({
      t,
      requestsPerSecond: finiteOrZero(figures.requestsPerSecond.get(t)),
      errorRatio: finiteOrZero(figures.errorRatio.get(t)),
      p95LatencyMs: finiteOrZero(figures.p95LatencyMs.get(t)),
      cpuUtilisation: finiteOrZero(figures.cpuUtilisation.get(t)),
      replicas: finiteOrZero(figures.replicas.get(t)),
    }));
    return { value: points, ...combineFreshness([throughput, errorRatio, p95, cpu, replicas]) };
  }
}
