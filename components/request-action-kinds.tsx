// The request form of the service and traffic kinds (server/domain/actions/*): which parameters
// the page fixes (the target), which the user edits, and what the page knows now to start them
// from. A page passes what it has; the request page passes only a request's parameters (a
// rollback), so every piece of context is optional and the server's preview fills the gaps.
// The data-system kinds are in ./request-action-kinds-data.tsx.
import type { FieldOption, FieldSpec, FieldValues } from "./request-action-fields";
import type { ActionFormSpec, ActionPreset } from "./request-action-form";

export const count = (value: number) => Math.round(value).toLocaleString("en-US");
export const known = (value: number | null | undefined): value is number => typeof value === "number" && Number.isFinite(value);
export const text = (value: number | null | undefined) => (known(value) ? String(value) : undefined);
export const unique = (names: readonly string[]) => [...new Set(names)].sort();

/** A region select that starts on `preferred` when it is one of them. */
export function regionField(regions: readonly string[], preferred: string | null | undefined, label?: (region: string) => string): FieldSpec {
  return {
    type: "select",
    name: "region",
    label: "Region",
    initial: preferred ?? undefined,
    options: regions.map((region): FieldOption => ({ value: region, label: label?.(region) ?? region })),
  };
}

export interface ServiceTarget {
  environment: string;
  namespace: string;
  service: string;
}

export interface ServiceRegionState {
  region: string;
  desired?: number;
  available?: number;
  min?: number;
  max?: number;
}

const serviceFixed = (target: ServiceTarget) => ({ namespace: target.namespace, service: target.service });
const serviceName = (target: ServiceTarget) => `${target.namespace}/${target.service}`;

export function serviceScaleForm(target: ServiceTarget, regions: readonly ServiceRegionState[], preferredRegion?: string | null): ActionFormSpec {
  const stateOf = (values: FieldValues) => regions.find((region) => region.region === values.region);
  return {
    kind: "service.scale",
    environment: target.environment,
    title: `Scale ${serviceName(target)}`,
    submitLabel: "Request scale",
    fixed: serviceFixed(target),
    fields: [
      regionField(
        regions.map((region) => region.region),
        preferredRegion,
        (name) => {
          const state = regions.find((region) => region.region === name);
          return known(state?.desired) ? `${name} (${state.desired} now)` : name;
        },
      ),
      {
        type: "number",
        name: "replicas",
        label: "Replicas",
        min: 0,
        current: (values) => text(stateOf(values)?.desired),
        hint: (values) => {
          const state = stateOf(values);
          if (!state || !known(state.available)) return null;
          return `${state.available} available${known(state.min) && known(state.max) ? ` · bounds ${state.min}–${state.max}` : ""}`;
        },
      },
    ],
    requiresChange: "Change the replica count to see what would change, the risk and the cost.",
    focusField: "replicas",
    refusalField: "replicas",
    testIdPrefix: "scale",
  };
}

export interface AutoscalerState {
  region: string;
  minReplicas?: number;
  maxReplicas?: number;
  /** Whole percent of the CPU requested. */
  targetCpuPercent?: number;
  currentReplicas?: number;
}

export function serviceAutoscaleForm(target: ServiceTarget, autoscalers: readonly AutoscalerState[], preferredRegion?: string | null): ActionFormSpec {
  const hpaOf = (values: FieldValues) => autoscalers.find((hpa) => hpa.region === values.region);
  const bound = (name: "minReplicas" | "maxReplicas" | "targetCpuUtilisationPercent", label: string, read: (hpa: AutoscalerState) => number | undefined): FieldSpec => ({
    type: "number",
    name,
    label,
    min: name === "targetCpuUtilisationPercent" ? 1 : 0,
    unit: name === "targetCpuUtilisationPercent" ? "%" : undefined,
    optional: true,
    omitUnchanged: true,
    current: (values) => {
      const hpa = hpaOf(values);
      return hpa ? text(read(hpa)) : undefined;
    },
  });
  return {
    kind: "service.autoscale",
    environment: target.environment,
    title: `Autoscaler of ${serviceName(target)}`,
    submitLabel: "Request autoscaler change",
    fixed: serviceFixed(target),
    columns: 3,
    fields: [
      {
        ...regionField(
          autoscalers.map((hpa) => hpa.region),
          preferredRegion,
          (name) => {
            const hpa = autoscalers.find((candidate) => candidate.region === name);
            return hpa && known(hpa.minReplicas) && known(hpa.maxReplicas) ? `${name} (${hpa.minReplicas}–${hpa.maxReplicas}, CPU target ${hpa.targetCpuPercent ?? "?"}%)` : name;
          },
        ),
        wide: true,
        hint: (values) => {
          const hpa = hpaOf(values);
          return hpa && known(hpa.currentReplicas) ? `${hpa.currentReplicas} replicas now; only the values you change are sent` : null;
        },
      },
      bound("minReplicas", "Min replicas", (hpa) => hpa.minReplicas),
      bound("maxReplicas", "Max replicas", (hpa) => hpa.maxReplicas),
      bound("targetCpuUtilisationPercent", "CPU target", (hpa) => hpa.targetCpuPercent),
    ],
    requiresChange: "Change a bound or the CPU target to see what would change.",
    focusField: "maxReplicas",
  };
}

export function serviceRestartForm(target: ServiceTarget, regions: readonly ServiceRegionState[], preferredRegion?: string | null): ActionFormSpec {
  return {
    kind: "service.restart",
    environment: target.environment,
    title: `Restart ${serviceName(target)}`,
    submitLabel: "Request restart",
    fixed: serviceFixed(target),
    columns: 1,
    fields: [
      {
        ...regionField(
          regions.map((region) => region.region),
          preferredRegion,
          (name) => {
            const state = regions.find((region) => region.region === name);
            return state && known(state.available) && known(state.desired) ? `${name} (${state.available} of ${state.desired} available)` : name;
          },
        ),
        hint: "Replaces every pod a few at a time, as kubectl rollout restart does.",
      },
    ],
  };
}

export interface BreakerEdge {
  dependency: string;
  region: string;
  /** closed, open, half-open; unknown when only a request's parameters are known. */
  state?: string;
}

const BREAKER_STATES: FieldOption[] = [
  { value: "open", label: "open: stop calling it, fail fast" },
  { value: "closed", label: "closed: call it again" },
  { value: "auto", label: "auto: back to the breaker's own rules" },
];

export function breakerForceForm(target: ServiceTarget, edges: readonly BreakerEdge[]): ActionFormSpec {
  const edgeOf = (values: FieldValues) => edges.find((edge) => edge.dependency === values.dependency && edge.region === values.region);
  return {
    kind: "breaker.force",
    environment: target.environment,
    title: `Force a circuit breaker of ${serviceName(target)}`,
    focusField: "state",
    submitLabel: "Request breaker change",
    fixed: serviceFixed(target),
    fields: [
      { type: "select", name: "dependency", label: "Calls to", options: unique(edges.map((edge) => edge.dependency)).map((name) => ({ value: name, label: name })) },
      {
        type: "select",
        name: "region",
        label: "Region",
        options: (values) =>
          edges.filter((edge) => edge.dependency === values.dependency).map((edge) => ({ value: edge.region, label: edge.state ? `${edge.region} (breaker ${edge.state})` : edge.region })),
      },
      {
        type: "select",
        name: "state",
        label: "Force it",
        wide: true,
        options: BREAKER_STATES,
        // The likely wish: open a closed breaker on a failing call, close an open one.
        initial: (values) => (edgeOf(values)?.state === "closed" ? "open" : "closed"),
        hint: (values) => {
          const edge = edgeOf(values);
          return edge?.state ? `The breaker is ${edge.state} now.` : null;
        },
      },
    ],
  };
}

export interface RegionWeight {
  region: string;
  /** Share of the environment's traffic, 0..1; null when unknown. */
  share: number | null;
}

/** Integer weights summing to 100 (largest remainder), from shares. */
function toPercents(shares: ReadonlyArray<[string, number]>): Record<string, number> {
  const total = shares.reduce((sum, [, share]) => sum + share, 0);
  const exact = shares.map(([region, share]) => [region, total > 0 ? (share / total) * 100 : 100 / shares.length] as const);
  const floors = Object.fromEntries(exact.map(([region, value]) => [region, Math.floor(value)]));
  let left = 100 - Object.values(floors).reduce((sum, value) => sum + value, 0);
  for (const [region] of [...exact].sort((a, b) => (b[1] % 1) - (a[1] % 1))) {
    if (left <= 0) break;
    floors[region] = (floors[region] ?? 0) + 1;
    left--;
  }
  return floors;
}

/** Weights that drain `drained`: it goes to 0 and the others share its traffic as they share theirs. */
export function drainWeights(regions: readonly RegionWeight[], drained: string): FieldValues {
  const others = regions.filter((region) => region.region !== drained).map((region): [string, number] => [region.region, region.share ?? 0]);
  const percents = others.length ? toPercents(others) : {};
  const values: FieldValues = { [`weights.${drained}`]: "0" };
  for (const [region, weight] of Object.entries(percents)) values[`weights.${region}`] = String(weight);
  return values;
}

/** Today's weights in percent, when every share is known. */
function currentWeights(regions: readonly RegionWeight[]): FieldValues | null {
  if (regions.some((region) => region.share === null)) return null;
  const percents = toPercents(regions.map((region) => [region.region, region.share ?? 0]));
  return Object.fromEntries(Object.entries(percents).map(([region, weight]) => [`weights.${region}`, String(weight)]));
}

/** The region a set of weights drains (it alone goes to 0), if any. */
export function drainedRegion(weights: unknown): string | null {
  if (typeof weights !== "object" || weights === null) return null;
  const zero = Object.entries(weights).filter(([, weight]) => weight === 0);
  return zero.length === 1 ? (zero[0]?.[0] ?? null) : null;
}

export function regionFailoverForm(environment: string, regions: readonly RegionWeight[], notes?: ActionFormSpec["notes"]): ActionFormSpec {
  const now = currentWeights(regions);
  const presets: ActionPreset[] = regions
    .filter((region) => (region.share ?? 1) > 0)
    .map((region) => ({ label: `drain ${region.region}`, values: drainWeights(regions, region.region), title: `${region.region} to 0; the others share its traffic` }));
  if (now) presets.push({ label: "as now", values: now, title: "today's weights" });
  return {
    kind: "region.failover",
    environment,
    title: "Shift traffic between regions",
    submitLabel: "Request traffic shift",
    fixed: {},
    columns: 3,
    fields: regions.map(
      (region): FieldSpec => ({
        type: "number",
        name: `weights.${region.region}`,
        label: region.region,
        min: 0,
        max: 1000,
        current: now?.[`weights.${region.region}`],
      }),
    ),
    presets,
    requiresChange: "Pick a preset or change a weight. Weights are relative: a region's share is its weight over the sum.",
    notes,
  };
}

export const str = (value: unknown) => (typeof value === "string" ? value : "");
const segment = encodeURIComponent;

/** The page of the thing a request acts on, where its forms are: for the request page's "target" link. */
export function entityHref(kind: string, params: Record<string, unknown>): string | null {
  const region = typeof params.region === "string" ? `?region=${segment(params.region)}` : "";
  if (kind === "region.failover") return "/regions";
  if (kind.startsWith("service.") || kind === "breaker.force") {
    return params.namespace && params.service ? `/services/${segment(str(params.namespace))}/${segment(str(params.service))}${region}` : null;
  }
  if (kind.startsWith("cache.")) return params.cache ? `/caches/${segment(str(params.cache))}${region}` : null;
  if (kind.startsWith("consumerGroup.")) return params.cluster && params.group ? `/queues/${segment(str(params.cluster))}/groups/${segment(str(params.group))}${region}` : null;
  if (kind === "topic.addPartitions" || kind === "dlq.replay") {
    return params.cluster && params.topic ? `/queues/${segment(str(params.cluster))}/topics/${segment(str(params.topic))}${region}` : null;
  }
  return null;
}

/**
 * A link to the page of what a request would act on, with its form open and prefilled: what a
 * suggested action (an alert's runbook) points at. Only ever opens the form; the reason is a draft.
 */
export function requestFormHref(kind: string, params: Record<string, unknown>, reason?: string): string | null {
  const page = entityHref(kind, params);
  if (!page) return null;
  const [path, query = ""] = page.split("?");
  const search = new URLSearchParams(query);
  search.set("action", kind);
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") search.set(`p.${key}`, String(value));
    else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      for (const [inner, innerValue] of Object.entries(value)) if (typeof innerValue === "string" || typeof innerValue === "number") search.set(`p.${key}.${inner}`, String(innerValue));
    }
  }
  if (reason) search.set("reason", reason);
  return `${path}?${search.toString()}`;
}

