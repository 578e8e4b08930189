// Every port an action may use, answered by the simulated fleet, so the demo can carry out
// every action of the catalog and show its effect in the figures.
import type {
  ActionPorts, AutoscalerPort, BreakerPort, CacheAdminPort, QueueAdminPort, RolloutPort, TrafficPort,
} from "../../domain/action-ports";
import { SimulatedCacheAdmin } from "./cache-admin";
import type { SimulatedFleet } from "./fleet";
import { SimulatedQueueAdmin } from "./queue-admin";
import { SimulatedAutoscalers, SimulatedBreakers, SimulatedRollouts, SimulatedTraffic } from "./workload-ports";
import type { SimulatedWorkloads } from "./workloads";

export class SimulatedActionPorts implements ActionPorts {
  readonly autoscalers: AutoscalerPort;
  readonly rollouts: RolloutPort;
  readonly traffic: TrafficPort;
  readonly queues: QueueAdminPort;
  readonly caches: CacheAdminPort;
  readonly breakers: BreakerPort;

  constructor(fleet: SimulatedFleet, readonly workloads: SimulatedWorkloads) {
    this.autoscalers = new SimulatedAutoscalers(fleet);
    this.rollouts = new SimulatedRollouts(fleet);
    this.traffic = new SimulatedTraffic(fleet);
    this.queues = new SimulatedQueueAdmin(fleet);
    this.caches = new SimulatedCacheAdmin(fleet);
    this.breakers = new SimulatedBreakers(fleet);
  }
}
