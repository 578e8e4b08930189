import type { WriteOptions } from "../../domain/action-ports";
import type { Workload, WorkloadPort, WorkloadRef } from "../../domain/ports";
import { ScaleRejectedError, type SimulatedFleet } from "./fleet";

/**
 * WorkloadPort over the simulated fleet.
 *
 * A ref without `region` names a workload only when the service runs in one region (the
 * port's own convention). For a service in several regions it is ambiguous, and the
 * adapter does not guess: `getWorkload` returns null and `scaleWorkload` rejects.
 * Scaling every region to one count would be wrong more often than right, since regions
 * carry different shares of the traffic, and an approver must see exactly what changes.
 */
export class SimulatedWorkloads implements WorkloadPort {
  constructor(readonly fleet: SimulatedFleet) {}

  async listWorkloads(environment?: string): Promise<Workload[]> {
    if (environment !== undefined && environment !== this.fleet.environment) return [];
    return this.fleet.listWorkloads();
  }

  async getWorkload(ref: WorkloadRef): Promise<Workload | null> {
    const matches = this.fleet.find(ref);
    return matches.length === 1 ? (matches[0] ?? null) : null;
  }

  /** With `dryRun` the request is checked as it would be applied (found, whole, within bounds) and nothing changes. */
  async scaleWorkload(ref: WorkloadRef, replicas: number, options: WriteOptions = {}): Promise<void> {
    const matches = this.fleet.find(ref);
    const [only] = matches;
    const label = `${ref.namespace}/${ref.name}${ref.region ? ` in ${ref.region}` : ""} (${ref.environment})`;
    if (only === undefined) throw new ScaleRejectedError("not-found", `No workload ${label}`);
    if (matches.length > 1) {
      const regions = matches.map((workload) => workload.region).join(", ");
      throw new ScaleRejectedError("ambiguous", `${label} runs in several regions (${regions}); name the region to scale`);
    }
    this.fleet.scale(only, replicas, options);
  }
}
