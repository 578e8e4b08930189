import { z } from "zod";
import { servicesOverCapacity, type ServiceAtRisk } from "../failover";
import { formatPercent } from "../health/format";
import type { Workload } from "../ports";
import { ActionRefused, type ActionKind } from "./kind";
import { dnsLabel, listOf, plural, wholeNumber } from "./names";

export const regionFailoverParams = z.object({
  weights: z
    .record(dnsLabel, wholeNumber("weight", 0, 1000), {
      error: (issue) => (issue.code === "invalid_key" ? `region "${String(issue.input)}" must be a lowercase DNS label (a-z, 0-9, -)` : undefined),
    })
    .refine((weights) => Object.values(weights).some((weight) => weight > 0), "at least one region must keep a weight above 0"),
});
export type RegionFailoverParams = z.infer<typeof regionFailoverParams>;

export interface TrafficSplit {
  weights: Record<string, number>;
  /** The environment's workloads: those of regions that receive traffic may outgrow their ceiling. */
  workloads: Workload[];
}

/** Moving more than this share of the traffic is high risk. */
const LARGE_SHIFT = 0.5;
/** Services named in the reasons; the rest are counted. */
const SERVICES_NAMED = 3;

function shares(weights: Readonly<Record<string, number>>): Map<string, number> {
  const total = Object.values(weights).reduce((sum, weight) => sum + weight, 0);
  return new Map(Object.entries(weights).map(([region, weight]) => [region, total > 0 ? weight / total : 0]));
}

/** "2 services would exceed their max replicas: shop/cart in ap (needs 10, max 6) and …" */
export function describeServicesAtRisk(services: readonly ServiceAtRisk[]): string {
  if (services.length === 0) return "no service would exceed its max replicas";
  const named = services.slice(0, SERVICES_NAMED).map((service) => `${service.namespace}/${service.name} in ${service.region} (needs ${service.replicasNeeded}, max ${service.maxReplicas})`);
  const more = services.length - named.length;
  const list = more > 0 ? `${named.join(", ")} and ${plural(more, "more", "more")}` : listOf(named);
  return `${plural(services.length, "service")} would exceed ${services.length === 1 ? "its" : "their"} max replicas: ${list}`;
}

const sameWeights = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([region, weight]) => b[region] === weight);

export const regionFailover: ActionKind<RegionFailoverParams, TrafficSplit> = {
  kind: "region.failover",
  title: "Shift traffic between regions",
  permission: "action.request",
  params: regionFailoverParams,
  riskRule: "high when a region goes to 0 or more than 50% of the traffic moves; otherwise medium",
  // The whole environment's traffic: only an environment-wide grant covers it.
  target: (_params, environment) => ({ environment, namespace: "*", name: "traffic" }),
  // The weights are one setting of the environment: two shifts at once leave whichever wrote last.
  exclusiveKey: (_params, environment) => environment,

  async load(ports, params, environment) {
    const weights = await ports.traffic.getRegionWeights(environment);
    if (!weights) throw new ActionRefused(`${environment} has no traffic split configured; shifting traffic between regions needs one`);
    const regions = Object.keys(weights).sort();
    const unknown = Object.keys(params.weights).filter((region) => !Object.hasOwn(weights, region));
    if (unknown.length) {
      throw new ActionRefused(`${listOf(unknown)} ${unknown.length === 1 ? "is" : "are"} not in ${environment}'s traffic split; its regions are ${listOf(regions)}`);
    }
    const missing = regions.filter((region) => !Object.hasOwn(params.weights, region));
    if (missing.length) {
      throw new ActionRefused(`give a weight to every region of ${environment}'s traffic split: ${listOf(missing)} ${missing.length === 1 ? "is" : "are"} missing`);
    }
    if (sameWeights(weights, params.weights)) throw new ActionRefused(`${environment}'s traffic split already has these weights`);
    const workloads = await ports.workloads.listWorkloads(environment);
    await ports.traffic.setRegionWeights(environment, params.weights, { dryRun: true });
    return { weights, workloads };
  },

  plan(params, current) {
    const before = shares(current.weights);
    const after = shares(params.weights);
    const regions = [...before.keys()].sort();
    let moved = 0;
    const growth = new Map<string, number>();
    const drained: string[] = [];
    const unknownLoad: string[] = [];
    for (const region of regions) {
      const was = before.get(region) ?? 0;
      const will = after.get(region) ?? 0;
      moved += Math.max(0, was - will);
      if (was > 0 && will === 0) drained.push(region);
      if (will > was) {
        // A region that carried nothing has no load today to grow from.
        if (was > 0) growth.set(region, will / was);
        else unknownLoad.push(region);
      }
    }
    if (moved === 0) throw new ActionRefused("these weights give every region the share of the traffic it has now");
    const atRisk = servicesOverCapacity(growth, current.workloads);
    const riskReasons = drained.map((region) => `${region} goes to 0: it stops serving traffic`);
    if (moved > LARGE_SHIFT) riskReasons.push(`moves ${formatPercent(moved)} of the traffic (more than 50%)`);
    const risk = riskReasons.length ? "high" : "medium";
    if (risk === "medium") riskReasons.push(`moves ${formatPercent(moved)} of the traffic between regions`);
    riskReasons.push(describeServicesAtRisk(atRisk));
    if (unknownLoad.length) riskReasons.push(`${listOf(unknownLoad)} carried no traffic: the replicas ${unknownLoad.length === 1 ? "it needs" : "they need"} cannot be estimated`);
    return {
      risk,
      riskReasons,
      summary: `Shift ${formatPercent(moved)} of the traffic between regions${drained.length ? `, draining ${listOf(drained)}` : ""}`,
      changes: regions.map((region) => ({
        label: `${region} weight`,
        before: `${current.weights[region]} (${formatPercent(before.get(region) ?? 0)})`,
        after: `${params.weights[region]} (${formatPercent(after.get(region) ?? 0)})`,
      })),
      monthlyCostDelta: null,
    };
  },

  execute: (ports, params, { environment }) => ports.traffic.setRegionWeights(environment, params.weights),

  async verify(ports, params, { environment }) {
    const weights = await ports.traffic.getRegionWeights(environment);
    const ok = weights !== null && sameWeights(weights, params.weights);
    const describe = (split: Readonly<Record<string, number>>) =>
      Object.entries(split)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([region, weight]) => `${region} ${weight}`)
        .join(", ");
    return {
      ok,
      observed: { weights },
      message: !weights
        ? `${environment} has no traffic split any more`
        : ok
          ? `region weights now ${describe(weights)}`
          : `region weights read back as ${describe(weights)}, expected ${describe(params.weights)}`,
    };
  },

  rollback: (_params, before) => ({ weights: { ...before.weights } }),
};
