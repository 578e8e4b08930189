// The fleet simulator behind Scaleplane's ports. Nothing here is global: the app's runtime
// module decides whether there is one fleet per process and when it starts ticking.
import { SimulatedFleet, type FleetOptions } from "./fleet";
import { SimulatedMetrics } from "./metrics";
import { SimulatedWorkloads } from "./workloads";

export { SimulatedFleet, ScaleRejectedError, type FleetOptions, type ScaleRejection } from "./fleet";
export { SimulatedMetrics } from "./metrics";
export { SimulatedWorkloads } from "./workloads";
export { REGIONS, SERVICES, type RegionSpec, type ServiceSpec } from "./catalog";

export interface SimulatedPlatform {
  fleet: SimulatedFleet;
  workloads: SimulatedWorkloads;
  metrics: SimulatedMetrics;
}

export function createSimulatedFleet(options: FleetOptions = {}): SimulatedPlatform {
  const fleet = new SimulatedFleet(options);
  return { fleet, workloads: new SimulatedWorkloads(fleet), metrics: new SimulatedMetrics(fleet) };
}
