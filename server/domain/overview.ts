// The fleet overview's arithmetic: every entity's verdict folded into counts per area (services,
// queues, caches, shards) and per region, with the worst entities first. Pure.
import { worstVerdict, type Verdict } from "./health";

export const OVERVIEW_AREAS = ["services", "queues", "caches", "shards"] as const;
export type OverviewArea = (typeof OVERVIEW_AREAS)[number];

export type EntityKind = "service" | "kafkaCluster" | "topic" | "consumerGroup" | "cache" | "mongoCluster" | "elasticsearchCluster";

/** Which overview area an entity kind counts in. */
export const AREA_OF: Record<EntityKind, OverviewArea> = {
  service: "services",
  kafkaCluster: "queues",
  topic: "queues",
  consumerGroup: "queues",
  cache: "caches",
  mongoCluster: "shards",
  elasticsearchCluster: "shards",
};

/** One entity with its verdict, as the overview lists it. */
export interface EntityVerdict {
  kind: EntityKind;
  /** Unique within the environment, e.g. "shop/checkout@eu-west-1". */
  id: string;
  /** What an operator calls it, e.g. "shop/checkout" or "orders-kafka / order-fulfilment". */
  label: string;
  region: string;
  verdict: Verdict;
  reasons: string[];
  /** The page that explains it. */
  href: string;
  /** Since when (epoch ms) it has had this verdict, as far as the app has watched it; absent where nothing remembers. */
  since?: number;
}

export type VerdictCounts = Record<Verdict, number>;

export interface AreaSummary {
  area: OverviewArea;
  total: number;
  counts: VerdictCounts;
  byRegion: Record<string, VerdictCounts>;
  /** The area's verdict: its worst entity's. */
  verdict: Verdict;
  /** Entities that are not OK, worst first (CRIT, WARN, UNKNOWN), at most `limit`. */
  worst: EntityVerdict[];
}

const SEVERITY: Record<Verdict, number> = { CRIT: 0, WARN: 1, UNKNOWN: 2, OK: 3 };

export function emptyCounts(): VerdictCounts {
  return { CRIT: 0, WARN: 0, UNKNOWN: 0, OK: 0 };
}

/** Worst first; within a verdict, the entity with more reasons, then by name for a stable order. */
export function compareBySeverity(a: EntityVerdict, b: EntityVerdict): number {
  return SEVERITY[a.verdict] - SEVERITY[b.verdict] || b.reasons.length - a.reasons.length || a.label.localeCompare(b.label) || a.region.localeCompare(b.region);
}

export function summariseAreas(entities: readonly EntityVerdict[], regions: readonly string[], limit = 10): AreaSummary[] {
  return OVERVIEW_AREAS.map((area) => {
    const members = entities.filter((entity) => AREA_OF[entity.kind] === area);
    const counts = emptyCounts();
    const byRegion: Record<string, VerdictCounts> = Object.fromEntries(regions.map((region) => [region, emptyCounts()]));
    for (const entity of members) {
      counts[entity.verdict]++;
      (byRegion[entity.region] ??= emptyCounts())[entity.verdict]++;
    }
    const worst = members.filter((entity) => entity.verdict !== "OK").sort(compareBySeverity).slice(0, limit);
    return { area, total: members.length, counts, byRegion, verdict: worstVerdict(members.map((entity) => entity.verdict)), worst };
  });
}
