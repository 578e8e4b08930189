// The form of a request built from its parameters alone: a rollback, prefilled with the
// parameters the kind computed for the inverse request.
import type { FieldValues } from "./request-action-fields";
import { isoToLocal } from "./request-action-fields";
import type { ActionFormSpec } from "./request-action-form";
import { breakerForceForm, regionFailoverForm, serviceAutoscaleForm, serviceRestartForm, serviceScaleForm, str, type ServiceTarget } from "./request-action-kinds";
import { cacheFailoverForm, cacheInvalidateForm, cacheWarmForm, consumerScaleForm, dlqReplayForm, resetOffsetsForm, topicAddPartitionsForm, type CacheTarget } from "./request-action-kinds-data";

const regionsOf = (params: Record<string, unknown>) => (typeof params.region === "string" ? [params.region] : []);

/** The form of a kind for a request's parameters alone, e.g. the rollback of a request. */
function formOfKind(kind: string, environment: string, params: Record<string, unknown>): ActionFormSpec | null {
  const service: ServiceTarget = { environment, namespace: str(params.namespace), service: str(params.service) };
  const region = regionsOf(params);
  const cache: CacheTarget = { environment, cache: str(params.cache), regions: region };
  const cluster = str(params.cluster);
  switch (kind) {
    case "service.scale":
      return serviceScaleForm(service, region.map((name) => ({ region: name })));
    case "service.autoscale":
      return serviceAutoscaleForm(service, region.map((name) => ({ region: name })));
    case "service.restart":
      return serviceRestartForm(service, region.map((name) => ({ region: name })));
    case "breaker.force":
      return breakerForceForm(service, region.map((name) => ({ region: name, dependency: str(params.dependency) })));
    case "region.failover": {
      const weights = typeof params.weights === "object" && params.weights !== null ? Object.keys(params.weights) : [];
      return regionFailoverForm(environment, weights.map((name) => ({ region: name, share: null })));
    }
    case "cache.failover":
      return cacheFailoverForm(cache);
    case "cache.invalidate":
      return cacheInvalidateForm(cache);
    case "cache.warm":
      return cacheWarmForm(cache, () => (params.source ? [{ name: str(params.source) }] : null));
    case "topic.addPartitions":
      return topicAddPartitionsForm(environment, cluster, str(params.topic), region.map((name) => ({ region: name })));
    case "dlq.replay":
      return dlqReplayForm(environment, cluster, region.map((name) => ({ region: name, topic: str(params.topic) })));
    case "consumerGroup.resetOffsets":
      return resetOffsetsForm(environment, cluster, str(params.group), region.map((name) => ({ region: name, topic: str(params.topic) })));
    case "consumerGroup.scale":
      return consumerScaleForm(environment, cluster, str(params.group), region.map((name) => ({ region: name, topic: "" })));
    default:
      return null;
  }
}

function valueAt(params: Record<string, unknown>, name: string): unknown {
  const dot = name.indexOf(".");
  if (dot < 0) return params[name];
  const inner = params[name.slice(0, dot)];
  return typeof inner === "object" && inner !== null ? (inner as Record<string, unknown>)[name.slice(dot + 1)] : undefined;
}

/**
 * A form prefilled with a request's parameters (a rollback's): the target stays fixed, the rest
 * is editable, and what no field shows (explicit offsets) goes along unchanged.
 */
export function formForParams(kind: string, environment: string, params: Record<string, unknown>, title?: string): { spec: ActionFormSpec; prefill: FieldValues } | null {
  const spec = formOfKind(kind, environment, params);
  if (!spec) return null;
  const prefill: FieldValues = {};
  for (const field of spec.fields) {
    const value = valueAt(params, field.name);
    if (value === undefined || value === null) continue;
    prefill[field.name] = field.type === "datetime" ? isoToLocal(String(value)) : String(value);
  }
  const covered = new Set(spec.fields.map((field) => field.name.split(".")[0]));
  const fixed = { ...spec.fixed };
  for (const [key, value] of Object.entries(params)) if (!covered.has(key) && !(key in fixed)) fixed[key] = value;
  return { spec: { ...spec, fixed, ...(title ? { title } : {}), testIdPrefix: "request", refusalField: undefined }, prefill };
}
