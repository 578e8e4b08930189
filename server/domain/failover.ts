// What moving a region's traffic away would do: the other regions' new weights and traffic, and
// the services there that would need more replicas than their autoscaler allows. Pure; the
// regions page shows it, and a failover action's preview is the same arithmetic.
import type { RegionTraffic, Workload } from "./ports";

export interface RegionShift {
  region: string;
  weightBefore: number;
  weightAfter: number;
  requestsPerSecondBefore: number;
  requestsPerSecondAfter: number;
}

export interface ServiceAtRisk {
  namespace: string;
  name: string;
  region: string;
  replicas: number;
  /** Replicas to serve the moved traffic at today's utilisation. */
  replicasNeeded: number;
  maxReplicas: number;
}

export interface FailoverPlan {
  from: string;
  /** 0..1 of the environment's traffic that moves. */
  movedShare: number;
  requestsPerSecondMoved: number;
  shifts: RegionShift[];
  /** Services of the receiving regions that would hit their ceiling, the furthest over first. */
  servicesAtRisk: ServiceAtRisk[];
  /** Why the plan cannot be carried out, when it cannot. */
  blockedBecause: string | null;
}

/**
 * Moves `from`'s weight to the other regions in proportion to their weights (how a global load
 * balancer redistributes), and assumes each service's load follows its region's traffic.
 */
export function planFailover(from: string, regions: readonly RegionTraffic[], workloads: readonly Workload[]): FailoverPlan {
  const source = regions.find((region) => region.region === from);
  const others = regions.filter((region) => region.region !== from);
  const movedShare = source?.trafficWeight ?? 0;
  const remaining = others.reduce((sum, region) => sum + region.trafficWeight, 0);
  const blockedBecause = !source
    ? `region ${from} is not part of this environment`
    : others.length === 0
      ? "there is no other region to take the traffic"
      : remaining <= 0
        ? "every other region is drained (weight 0); restore one first"
        : null;
  if (blockedBecause !== null || !source) {
    return { from, movedShare, requestsPerSecondMoved: 0, shifts: [], servicesAtRisk: [], blockedBecause };
  }
  const growth = new Map<string, number>();
  const shifts = others.map((region): RegionShift => {
    const weightAfter = region.trafficWeight / remaining;
    const factor = region.trafficWeight > 0 ? weightAfter / region.trafficWeight : 1;
    growth.set(region.region, factor);
    return {
      region: region.region,
      weightBefore: region.trafficWeight,
      weightAfter,
      requestsPerSecondBefore: region.requestsPerSecond,
      requestsPerSecondAfter: region.requestsPerSecond * factor,
    };
  });
  const servicesAtRisk = servicesOverCapacity(growth, workloads);
  return { from, movedShare, requestsPerSecondMoved: source.requestsPerSecond, shifts, servicesAtRisk, blockedBecause: null };
}

/**
 * The services of the regions in `growthByRegion` (region → factor its traffic grows by) that
 * would need more replicas than their autoscaler allows, the furthest over first. Shared by a
 * region's failover and by any other change of the traffic split.
 */
export function servicesOverCapacity(growthByRegion: ReadonlyMap<string, number>, workloads: readonly Workload[]): ServiceAtRisk[] {
  return workloads
    .filter((workload) => growthByRegion.has(workload.region))
    .map((workload): ServiceAtRisk => ({
      namespace: workload.namespace,
      name: workload.name,
      region: workload.region,
      replicas: workload.desiredReplicas,
      replicasNeeded: Math.ceil(workload.desiredReplicas * (growthByRegion.get(workload.region) ?? 1)),
      maxReplicas: workload.maxReplicas,
    }))
    .filter((service) => service.replicasNeeded > service.maxReplicas)
    .sort((a, b) => b.replicasNeeded / b.maxReplicas - a.replicasNeeded / a.maxReplicas || a.name.localeCompare(b.name));
}
