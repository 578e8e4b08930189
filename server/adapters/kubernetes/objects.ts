// What the adapter reads from Kubernetes objects and the patches it writes to them. Pure: no
// requests here, so each rule (bounds without an HPA, which metric is the CPU target, how
// weights map to backends) is tested on its own (tests/unit/kubernetes-objects.test.ts).
//
// Objects that are read, changed and written back whole (an HPA's metrics list, an HTTPRoute's
// rules) are handled as the JSON the API server sent, fields this code does not know included:
// a merge patch replaces a list as a whole, so anything dropped on the way would be deleted.
import type { Autoscaler, AutoscalerSpec, RolloutStatus } from "../../domain/action-ports";
import { ActionRefused } from "../../domain/actions/kind";
import type { Workload } from "../../domain/ports";

/** A workload without an HPA may be scaled from 0 up to this many replicas (a policy bound, not Kubernetes'). */
export const MAX_REPLICAS_WITHOUT_AUTOSCALER = 1000;
/** The pod template annotation `kubectl rollout restart` sets; a new value rolls every pod. */
export const RESTARTED_AT_ANNOTATION = "kubectl.kubernetes.io/restartedAt";
/** What an autoscaling/v2 HPA without metrics targets: 80% of the CPU requested. */
export const DEFAULT_CPU_UTILISATION_PERCENT = 80;
/** The Gateway API's largest backendRef weight. */
export const MAX_BACKEND_WEIGHT = 1_000_000;

export type WorkloadKind = "Deployment" | "StatefulSet";

/** Where the objects of one cluster live in Scaleplane's terms. */
export interface Placement {
  environment: string;
  region: string;
}

type Fields = Record<string, unknown>;

interface ObjectMeta {
  name?: string;
  namespace?: string;
  resourceVersion?: string;
  generation?: number;
}

/** The fields of a Deployment or StatefulSet (apps/v1) this adapter reads. */
export interface WorkloadObject {
  metadata?: ObjectMeta;
  spec?: { replicas?: number; template?: { metadata?: { annotations?: Record<string, string> } } };
  status?: { replicas?: number; updatedReplicas?: number; availableReplicas?: number; observedGeneration?: number };
}

export interface ReplicaBounds {
  minReplicas?: number;
  maxReplicas: number;
}

export function workloadOf(kind: WorkloadKind, object: WorkloadObject, bounds: ReplicaBounds | undefined, place: Placement): Workload {
  return {
    ...place,
    namespace: object.metadata?.namespace ?? "",
    name: object.metadata?.name ?? "",
    kind,
    // The API server defaults spec.replicas to 1; a missing one never reaches a client in practice.
    desiredReplicas: object.spec?.replicas ?? 1,
    availableReplicas: object.status?.availableReplicas ?? 0,
    minReplicas: bounds ? (bounds.minReplicas ?? 1) : 0,
    maxReplicas: bounds ? bounds.maxReplicas : MAX_REPLICAS_WITHOUT_AUTOSCALER,
  };
}

export function rolloutOf(object: WorkloadObject): RolloutStatus {
  return {
    restartedAt: object.spec?.template?.metadata?.annotations?.[RESTARTED_AT_ANNOTATION] ?? null,
    // The replicas asked for: a rollout is done when that many are updated and available.
    replicas: object.spec?.replicas ?? 1,
    updatedReplicas: object.status?.updatedReplicas ?? 0,
    availableReplicas: object.status?.availableReplicas ?? 0,
    generation: object.metadata?.generation ?? 0,
    observedGeneration: object.status?.observedGeneration ?? 0,
  };
}

/** A strategic merge patch touching only the restart annotation, as `kubectl rollout restart` sends. */
export function restartPatch(at: string): Fields {
  return { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: at } } } } };
}

/** The scale subresource's merge patch. */
export function scalePatch(replicas: number): Fields {
  return { spec: { replicas } };
}

// ── HorizontalPodAutoscaler (autoscaling/v2), as JSON ────────────────────────────────────

export interface MetricSpecJson extends Fields {
  type: string;
  resource?: Fields & { name: string; target: Fields & { type: string; averageUtilization?: number } };
}

export interface HorizontalPodAutoscalerJson {
  metadata: ObjectMeta & Fields;
  spec: Fields & { minReplicas?: number; maxReplicas: number; metrics?: MetricSpecJson[] };
  status?: Fields & { currentReplicas?: number; desiredReplicas?: number };
}

const isCpuUtilisation = (metric: MetricSpecJson): boolean =>
  metric.type === "Resource" && metric.resource?.name === "cpu" && metric.resource.target.type === "Utilization";

function describeMetric(metric: MetricSpecJson): string {
  const source = metric[metric.type.charAt(0).toLowerCase() + metric.type.slice(1)] as { name?: unknown; metric?: { name?: unknown } } | undefined;
  const name = source?.name ?? source?.metric?.name;
  return typeof name === "string" ? `${metric.type} ${name}` : metric.type;
}

/** The CPU utilisation target in whole percent; null when the HPA scales on other metrics only. */
export function cpuUtilisationTarget(metrics: readonly MetricSpecJson[] | undefined): number | null {
  if (!metrics || metrics.length === 0) return DEFAULT_CPU_UTILISATION_PERCENT;
  return metrics.find(isCpuUtilisation)?.resource?.target.averageUtilization ?? null;
}

export function autoscalerOf(hpa: HorizontalPodAutoscalerJson, place: Placement): Autoscaler {
  return {
    ...place,
    namespace: hpa.metadata.namespace ?? "",
    name: hpa.metadata.name ?? "",
    minReplicas: hpa.spec.minReplicas ?? 1,
    maxReplicas: hpa.spec.maxReplicas,
    // 0 stands for "none": an HPA on other metrics has no CPU target to show or change.
    targetCpuUtilisationPercent: cpuUtilisationTarget(hpa.spec.metrics) ?? 0,
    currentReplicas: hpa.status?.currentReplicas ?? 0,
    desiredReplicas: hpa.status?.desiredReplicas ?? 0,
  };
}

/**
 * The merge patch that applies `changes` to `hpa`. It carries the resourceVersion read, so a
 * change made in between is refused (409) instead of overwritten. metrics is a list, which a
 * merge patch replaces whole: the list is the current one with only the CPU target changed.
 */
export function autoscalerPatch(hpa: HorizontalPodAutoscalerJson, changes: Partial<AutoscalerSpec>): Fields {
  const spec: Fields = {};
  if (changes.minReplicas !== undefined) spec.minReplicas = changes.minReplicas;
  if (changes.maxReplicas !== undefined) spec.maxReplicas = changes.maxReplicas;
  const target = changes.targetCpuUtilisationPercent;
  if (target !== undefined) {
    const metrics = hpa.spec.metrics ?? [];
    if (metrics.length === 0) {
      // No metrics means the default CPU target; naming it explicitly changes nothing else.
      spec.metrics = [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: target } } }];
    } else {
      const cpu = metrics.findIndex(isCpuUtilisation);
      if (cpu < 0) {
        throw new ActionRefused(
          `horizontalpodautoscaler ${hpa.metadata.namespace}/${hpa.metadata.name} scales on ${metrics.map(describeMetric).join(", ")}, not on CPU utilisation: it has no CPU target to change`,
        );
      }
      spec.metrics = metrics.map((metric, index) =>
        index === cpu && metric.resource
          ? { ...metric, resource: { ...metric.resource, target: { ...metric.resource.target, averageUtilization: target } } }
          : metric,
      );
    }
  }
  return { metadata: { resourceVersion: hpa.metadata.resourceVersion }, spec };
}

// ── HTTPRoute (gateway.networking.k8s.io/v1): the environment's traffic split ────────────

export interface BackendRefJson extends Fields {
  name: string;
  weight?: number;
}

export interface HttpRouteJson {
  metadata: ObjectMeta & Fields;
  spec: Fields & { rules?: Array<Fields & { backendRefs?: BackendRefJson[] }> };
}

/** Which rule of the route splits the traffic, and each region's backendRef in it (by name). */
export interface TrafficSplit {
  rule: number;
  backends: Readonly<Record<string, string>>;
}

function splitRule(route: HttpRouteJson, split: TrafficSplit, label: string): BackendRefJson[] {
  const rules = route.spec.rules ?? [];
  const rule = rules[split.rule];
  if (!rule) throw new Error(`${label} has ${rules.length} rule(s); the configuration names rule ${split.rule} as the traffic split`);
  const refs = rule.backendRefs ?? [];
  const missing = Object.entries(split.backends).filter(([, backend]) => !refs.some((ref) => ref.name === backend));
  if (missing.length > 0) {
    throw new Error(
      `${label} rule ${split.rule} has no backendRef ${missing.map(([region, backend]) => `${backend} (region ${region})`).join(", ")}; it has ${refs.map((ref) => ref.name).join(", ") || "none"}`,
    );
  }
  return refs;
}

/** Each configured region's weight; a backendRef without a weight has the Gateway API's default, 1. */
export function regionWeightsOf(route: HttpRouteJson, split: TrafficSplit, label: string): Record<string, number> {
  const refs = splitRule(route, split, label);
  return Object.fromEntries(Object.entries(split.backends).map(([region, backend]) => [region, refs.find((ref) => ref.name === backend)?.weight ?? 1]));
}

/**
 * The merge patch setting the regions' weights: the whole rules list as read (a merge patch
 * replaces lists), with only the weights of the named regions' backendRefs changed, and the
 * resourceVersion read so a concurrent change is refused rather than overwritten.
 */
export function regionWeightsPatch(route: HttpRouteJson, split: TrafficSplit, weights: Readonly<Record<string, number>>, label: string): Fields {
  const unknown = Object.keys(weights).filter((region) => !(region in split.backends));
  if (unknown.length > 0) {
    throw new ActionRefused(`region ${unknown.join(", ")} has no backend in the traffic split (${label}); its regions are ${Object.keys(split.backends).join(", ")}`);
  }
  for (const [region, weight] of Object.entries(weights)) {
    if (!Number.isInteger(weight) || weight < 0 || weight > MAX_BACKEND_WEIGHT) {
      throw new ActionRefused(`the weight of region ${region} must be a whole number from 0 to ${MAX_BACKEND_WEIGHT} (asked for ${weight})`);
    }
  }
  const after = { ...regionWeightsOf(route, split, label), ...weights };
  if (Object.values(after).every((weight) => weight === 0)) {
    throw new ActionRefused(`every region of the traffic split (${label}) would get weight 0, which sends the traffic nowhere; keep at least one region above 0`);
  }
  const backendWeights = new Map(Object.entries(weights).map(([region, weight]) => [split.backends[region], weight]));
  const rules = (route.spec.rules ?? []).map((rule, index) => {
    if (index !== split.rule) return rule;
    return {
      ...rule,
      backendRefs: (rule.backendRefs ?? []).map((ref) => {
        const weight = backendWeights.get(ref.name);
        return weight === undefined ? ref : { ...ref, weight };
      }),
    };
  });
  return { metadata: { resourceVersion: route.metadata.resourceVersion }, spec: { rules } };
}
