// From an alert to the page of its resource: the route (with the alert's region and time
// window), and the resource's current verdict among the environment's judged entities. Pure.
import type { Verdict } from "../health";
import type { EntityKind } from "../overview";
import type { AlertResource, AlertResourceKind } from "./resource";

const segment = encodeURIComponent;

/** The page of each resource kind (the routes server/domain/fleet-verdicts.ts links to), without query. */
function pathOf(resource: AlertResource): string | null {
  const cluster = resource.cluster ?? resource.name;
  switch (resource.kind) {
    case "service":
      return resource.namespace ? `/services/${segment(resource.namespace)}/${segment(resource.name)}` : null;
    case "consumerGroup":
      return `/queues/${segment(cluster)}/groups/${segment(resource.name)}`;
    case "topic":
      return `/queues/${segment(cluster)}/topics/${segment(resource.name)}`;
    case "kafkaCluster":
      return `/queues/${segment(resource.name)}`;
    case "cache":
      return `/caches/${segment(resource.name)}`;
    case "mongodb":
    case "elasticsearch":
      return `/shards/${segment(resource.name)}`;
  }
}

/** The relative windows the service page offers (components/time-window-picker.tsx), shortest first. */
const RELATIVE_WINDOWS = [
  { key: "15m", ms: 15 * 60_000 },
  { key: "1h", ms: 3_600_000 },
  { key: "6h", ms: 6 * 3_600_000 },
] as const;

/** Some time before the alert started stays in view: what it looked like before is the comparison. */
const LEAD_FRACTION = 0.25;
const MIN_LEAD_MS = 5 * 60_000;

export interface AlertTimes {
  startsAt: Date | number;
  endsAt: Date | number | null;
}

/**
 * The charts' window that shows an alert: for a firing alert the shortest relative window that
 * holds it with some time before it (it keeps sliding), else an absolute one around it.
 */
export function alertWindow(times: AlertTimes, now: number): { window: string } | { from: number; to: number } {
  const startsAt = Number(times.startsAt);
  const endsAt = times.endsAt === null ? null : Number(times.endsAt);
  const end = endsAt ?? now;
  const lead = Math.max(MIN_LEAD_MS, (end - startsAt) * LEAD_FRACTION);
  if (endsAt === null) {
    const fits = RELATIVE_WINDOWS.find((window) => now - startsAt + lead <= window.ms);
    if (fits) return { window: fits.key };
    return { from: startsAt - lead, to: now };
  }
  return { from: startsAt - lead, to: endsAt + lead };
}

/**
 * The page of the alert's resource, in the alert's region, with the alert named (the page
 * shows it first) and, where the page has charts, the alert's time window.
 */
export function alertResourceHref(resource: AlertResource | null, alert: AlertTimes & { fingerprint: string }, now: number): string | null {
  if (!resource) return null;
  const path = pathOf(resource);
  if (!path) return null;
  const query = new URLSearchParams();
  if (resource.region) query.set("region", resource.region);
  if (resource.kind === "service") {
    for (const [key, value] of Object.entries(alertWindow(alert, now))) query.set(key, typeof value === "number" ? String(Math.round(value)) : value);
  }
  query.set("alert", alert.fingerprint);
  return `${path}?${query.toString()}`;
}

/** The entity kinds of the overview each alert resource kind is judged as. */
const ENTITY_KIND: Record<AlertResourceKind, EntityKind[]> = {
  service: ["service"],
  consumerGroup: ["consumerGroup"],
  topic: ["topic"],
  kafkaCluster: ["kafkaCluster"],
  cache: ["cache"],
  mongodb: ["mongoCluster"],
  elasticsearch: ["elasticsearchCluster"],
};

/** What the overview says of one entity (server/domain/overview.ts EntityVerdict), as far as matching goes. */
export interface JudgedEntity {
  kind: string;
  id: string;
  region: string;
  verdict: Verdict | null;
}

const VERDICT_ORDER: Verdict[] = ["CRIT", "WARN", "UNKNOWN", "OK"];

/** The id an entity of the resource has, less its region (and, for a group, the topic it reads). */
function idPrefix(resource: AlertResource): string {
  const cluster = resource.cluster ?? resource.name;
  switch (resource.kind) {
    case "service":
      return `${resource.namespace}/${resource.name}@`;
    case "consumerGroup":
      return `${cluster}/${resource.name}/`;
    case "topic":
      return `${cluster}/${resource.name}@`;
    default:
      return `${resource.name}@`;
  }
}

/**
 * The resource's verdict: its entity in the alert's region, or the worst over its regions (and
 * over the topics a consumer group reads). Null when no judged entity is the resource.
 */
export function resourceVerdict(resource: AlertResource | null, entities: readonly JudgedEntity[]): Verdict | null {
  if (!resource) return null;
  const kinds: readonly string[] = ENTITY_KIND[resource.kind];
  const prefix = idPrefix(resource);
  const verdicts = entities
    .filter((entity) => kinds.includes(entity.kind) && entity.id.startsWith(prefix) && (!resource.region || entity.region === resource.region))
    .flatMap((entity) => (entity.verdict ? [entity.verdict] : []));
  if (verdicts.length === 0) return null;
  return VERDICT_ORDER.find((verdict) => verdicts.includes(verdict)) ?? null;
}
