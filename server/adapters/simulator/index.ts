// The fleet simulator behind Scaleplane's ports. Nothing here is global: the app's runtime
// module decides whether there is one fleet per process and when it starts ticking.
import { SimulatedActionPorts } from "./action-ports";
import { SimulatedFleet, type FleetOptions } from "./fleet";
import { loadScenarioFile } from "./incidents";
import { SimulatedMetrics } from "./metrics";
import { SimulatedWorkloads } from "./workloads";

export { SimulatedFleet, ScaleRejectedError, STEP_MS, type FleetOptions, type IncidentView, type ScaleRejection } from "./fleet";
export { SimulatedMetrics } from "./metrics";
export { SimulatedWorkloads } from "./workloads";
export { SimulatedActionPorts } from "./action-ports";
export { SimulatedAlertRules, SIMULATED_ALERT_NAMES } from "./alert-rules";
export { REGIONS, SERVICES, type RegionSpec, type ServiceSpec } from "./catalog";
export { DEFAULT_SERVICE_COUNT, MAX_SERVICE_COUNT } from "./platform";
export {
  SCENARIOS, IncidentRejectedError, incidentRequestSchema, loadScenarioFile, parseScenarioPlan,
  type Incident, type IncidentRequest, type Scenario, type ScenarioPlan,
} from "./incidents";
export { renderExposition, renderExpositionChunks } from "./exposition";
export { EXPOSITION_CONTENT_TYPE } from "./prometheus-text";

export interface SimulatedPlatform {
  fleet: SimulatedFleet;
  workloads: SimulatedWorkloads;
  /** Every port the actions use; its `workloads` is the one above. */
  actions: SimulatedActionPorts;
  metrics: SimulatedMetrics;
}

export interface SimulatedPlatformOptions extends FleetOptions {
  /** A JSON scenario file (see scenarios/demo.json); ignored when `scenario` is given. */
  scenarioFile?: string;
}

export function createSimulatedFleet(options: SimulatedPlatformOptions = {}): SimulatedPlatform {
  const { scenarioFile, ...fleetOptions } = options;
  const scenario = fleetOptions.scenario ?? (scenarioFile === undefined ? undefined : loadScenarioFile(scenarioFile));
  const fleet = new SimulatedFleet({ ...fleetOptions, scenario });
  const workloads = new SimulatedWorkloads(fleet);
  return { fleet, workloads, actions: new SimulatedActionPorts(fleet, workloads), metrics: new SimulatedMetrics(fleet) };
}
