// The platform-wide figures of the MetricsSource port answered with PromQL: regions, autoscalers
// and the call edges' breakers and retries (docs/metrics.md, "MetricsSource → PromQL"). As for
// services, every figure is one query over the whole environment, joined here by identity, so
// the number of queries never grows with the fleet. The environment filter belongs to the
// caller: every query here is already restricted to this scope's environment.
import type { AutoscalerStatus, DependencyStats, Observed, RegionTraffic } from "../../domain/ports";
import { combineFreshness } from "../../domain/ports";
import type { CachedPrometheus } from "./cache";
import { finiteOrZero, joinKey, selector, type QueryScope } from "./promql";
import type { Sample } from "./results";

const HTTP_COUNT = "http_server_request_duration_seconds_count";
/** kube-state-metrics names an HPA's series by this label; its value is the deployment's name. */
const HPA_LABEL = "horizontalpodautoscaler";
/** resilience4j's label for the breaker's (and retry's) name: the called service. */
const DEPENDENCY_LABEL = "name";
const RETRIED_KINDS = 'kind=~"successful_with_retry|failed_with_retry"';

/**
 * resilience4j's states as the port's. A forced-open breaker refuses calls like an open one;
 * a disabled or metrics-only one lets every call through like a closed one.
 */
const BREAKER_STATES: Readonly<Record<string, DependencyStats["breakerState"]>> = {
  closed: "closed",
  open: "open",
  half_open: "half-open",
  forced_open: "open",
  disabled: "closed",
  metrics_only: "closed",
};
/** When an exporter reports two states at once, the one that refuses more calls wins. */
const BREAKER_SEVERITY: Readonly<Record<DependencyStats["breakerState"], number>> = { closed: 0, "half-open": 1, open: 2 };

export class PrometheusPlatformMetrics {
  constructor(
    private readonly scope: QueryScope,
    private readonly reader: CachedPrometheus,
  ) {}

  private get labels() {
    return this.scope.labels;
  }

  private selector(...matchers: string[]): string {
    return selector(this.scope, ...matchers);
  }

  private rate(metric: string, ...matchers: string[]): string {
    return `rate(${metric}${this.selector(...matchers)}[${this.scope.rateWindow}])`;
  }

  /** Share of HTTP answers that are server errors; 0 (not absent) where nothing failed. */
  private httpErrorRatioQuery(by: string): string {
    const failed = `sum by (${by}) (${this.rate(HTTP_COUNT, 'http_response_status_code=~"5.."')})`;
    const all = `sum by (${by}) (${this.rate(HTTP_COUNT)})`;
    return `(${failed} / ${all}) or (${all} * 0)`;
  }

  // ---- regions ---------------------------------------------------------------------------

  /**
   * Each region's traffic weight, requests and error ratio. Only HTTP services count: a
   * consumer's messages are not traffic the load balancer sends to the region. Without the
   * simulator's weight gauge (a real platform) a region's weight is its realised share of the
   * requests, computed here from the requests query rather than with a query of its own.
   */
  async regionTraffic(): Promise<Observed<RegionTraffic[]>> {
    const region = this.labels.region;
    const [weights, requests, errorRatio] = await Promise.all([
      this.reader.instant(`scaleplane_region_traffic_weight${this.selector()}`),
      this.reader.instant(`sum by (${region}) (${this.rate(HTTP_COUNT)})`),
      this.reader.instant(this.httpErrorRatioQuery(region)),
    ]);
    const byRegion = (samples: Sample[]) => new Map(samples.map((sample) => [sample.labels[region] ?? "", sample.value]));
    const configuredWeights = byRegion(weights.value);
    const requestRates = byRegion(requests.value);
    const errorRatios = byRegion(errorRatio.value);
    const totalRequests = [...requestRates.values()].reduce((total, rate) => total + finiteOrZero(rate), 0);

    const regions = [...new Set([...configuredWeights.keys(), ...requestRates.keys()])].sort((a, b) => a.localeCompare(b));
    const traffic = regions.map((name): RegionTraffic => {
      const requestsPerSecond = finiteOrZero(requestRates.get(name));
      const realisedShare = totalRequests > 0 ? requestsPerSecond / totalRequests : 0;
      return {
        environment: this.scope.environment,
        region: name,
        trafficWeight: configuredWeights.has(name) ? finiteOrZero(configuredWeights.get(name)) : realisedShare,
        requestsPerSecond,
        errorRatio: finiteOrZero(errorRatios.get(name)),
      };
    });
    return { value: traffic, ...combineFreshness([weights, requests, errorRatio]) };
  }

  // ---- autoscalers -----------------------------------------------------------------------

  /**
   * Every HorizontalPodAutoscaler with a CPU utilisation target (the port's kind of HPA), with
   * the CPU its deployment uses. cAdvisor names the container after the deployment, which has
   * the HPA's name, so the CPU joins on namespace, container = HPA and region.
   */
  async autoscalers(): Promise<Observed<AutoscalerStatus[]>> {
    const { namespace, container, region } = this.labels;
    const hpa = (metric: string) => this.reader.instant(`kube_horizontalpodautoscaler_${metric}${this.selector()}`);
    const kubernetesGrouping = [namespace, container, region].join(", ");
    const [target, min, max, current, desired, cpu] = await Promise.all([
      // The HPA spec writes the target in percent.
      this.reader.instant(`kube_horizontalpodautoscaler_spec_target_metric${this.selector('metric_name="cpu"', 'metric_target_type="utilization"')} / 100`),
      hpa("spec_min_replicas"),
      hpa("spec_max_replicas"),
      hpa("status_current_replicas"),
      hpa("status_desired_replicas"),
      // The same text as the service figures' CPU query, so the two share one cache entry.
      this.reader.instant(
        `sum by (${kubernetesGrouping}) (${this.rate("container_cpu_usage_seconds_total")}) / sum by (${kubernetesGrouping}) (kube_pod_container_resource_requests${this.selector('resource="cpu"')})`,
      ),
    ]);
    const byHpa = (samples: Sample[]) => new Map(samples.map((sample) => [joinKey(sample.labels[namespace], sample.labels[HPA_LABEL], sample.labels[region]), sample.value]));
    const mins = byHpa(min.value);
    const maxes = byHpa(max.value);
    const currents = byHpa(current.value);
    const desireds = byHpa(desired.value);
    const cpus = new Map(cpu.value.map((sample) => [joinKey(sample.labels[namespace], sample.labels[container], sample.labels[region]), sample.value]));

    const statuses = target.value.map((sample): AutoscalerStatus => {
      const identity = joinKey(sample.labels[namespace], sample.labels[HPA_LABEL], sample.labels[region]);
      return {
        environment: this.scope.environment,
        namespace: sample.labels[namespace] ?? "",
        name: sample.labels[HPA_LABEL] ?? "",
        region: sample.labels[region] ?? "",
        minReplicas: finiteOrZero(mins.get(identity)),
        maxReplicas: finiteOrZero(maxes.get(identity)),
        targetCpuUtilisation: finiteOrZero(sample.value),
        cpuUtilisation: finiteOrZero(cpus.get(identity)),
        currentReplicas: finiteOrZero(currents.get(identity)),
        desiredReplicas: finiteOrZero(desireds.get(identity)),
      };
    });
    statuses.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name) || a.region.localeCompare(b.region));
    return { value: statuses, ...combineFreshness([target, min, max, current, desired, cpu]) };
  }

  // ---- dependencies ----------------------------------------------------------------------

  /**
   * Every caller → dependency edge with a circuit breaker: its state, its calls and retries,
   * and the dependency's own error ratio in the caller's region (before the caller's retries).
   * Service names are unique across namespaces, so the dependency is found by name and region.
   */
  async dependencies(): Promise<Observed<DependencyStats[]>> {
    const { serviceNamespace, service, region } = this.labels;
    const edgeGrouping = [serviceNamespace, service, DEPENDENCY_LABEL, region].join(", ");
    const [states, calls, retried, calleeErrors] = await Promise.all([
      this.reader.instant(`resilience4j_circuitbreaker_state${this.selector()} == 1`),
      this.reader.instant(`sum by (${edgeGrouping}) (${this.rate("resilience4j_retry_calls_total")})`),
      this.reader.instant(`sum by (${edgeGrouping}) (${this.rate("resilience4j_retry_calls_total", RETRIED_KINDS)})`),
      this.reader.instant(this.httpErrorRatioQuery([service, region].join(", "))),
    ]);
    const edgeOf = (labels: Record<string, string>) => joinKey(labels[serviceNamespace], labels[service], labels[DEPENDENCY_LABEL], labels[region]);
    const callRates = new Map(calls.value.map((sample) => [edgeOf(sample.labels), sample.value]));
    const retriedRates = new Map(retried.value.map((sample) => [edgeOf(sample.labels), sample.value]));
    const calleeErrorRatios = new Map(calleeErrors.value.map((sample) => [joinKey(sample.labels[service], sample.labels[region]), sample.value]));

    const edges = new Map<string, DependencyStats>();
    for (const sample of states.value) {
      const breakerState = BREAKER_STATES[sample.labels.state ?? ""];
      if (breakerState === undefined) continue;
      const identity = edgeOf(sample.labels);
      const known = edges.get(identity);
      if (known) {
        if (BREAKER_SEVERITY[breakerState] > BREAKER_SEVERITY[known.breakerState]) known.breakerState = breakerState;
        continue;
      }
      const dependency = sample.labels[DEPENDENCY_LABEL] ?? "";
      const edgeRegion = sample.labels[region] ?? "";
      edges.set(identity, {
        environment: this.scope.environment,
        region: edgeRegion,
        namespace: sample.labels[serviceNamespace] ?? "",
        name: sample.labels[service] ?? "",
        dependency,
        breakerState,
        callsPerSecond: finiteOrZero(callRates.get(identity)),
        retriedCallsPerSecond: finiteOrZero(retriedRates.get(identity)),
        dependencyErrorRatio: finiteOrZero(calleeErrorRatios.get(joinKey(dependency, edgeRegion))),
      });
    }
    const stats = [...edges.values()].sort(
      (a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name) || a.region.localeCompare(b.region) || a.dependency.localeCompare(b.dependency),
    );
    return { value: stats, ...combineFreshness([states, calls, retried, calleeErrors]) };
  }
}
