// AutoscalerPort over one cluster's autoscaling/v2 HorizontalPodAutoscalers. A change is a
// merge patch of minReplicas, maxReplicas and the CPU metric's target, built from the HPA as
// read, so its other metrics and any field this code does not know stay as they are.
import type { Autoscaler, AutoscalerPort, AutoscalerSpec, RegionalWorkloadRef, WriteOptions } from "../../domain/action-ports";
import type { KubernetesConnection } from "./connection";
import { mergePatchFromCurrent, readJsonObject, type JsonResource } from "./json-objects";
import { autoscalerOf, autoscalerPatch, type HorizontalPodAutoscalerJson } from "./objects";
import { KubernetesRefusal } from "./requests";

const HPA: JsonResource = { group: "autoscaling", version: "v2", plural: "horizontalpodautoscalers", kind: "horizontalpodautoscaler" };

export class KubernetesAutoscalers implements AutoscalerPort {
  constructor(readonly connection: KubernetesConnection) {}

  private get place() {
    return { environment: this.connection.target.environment, region: this.connection.target.region };
  }

  async getAutoscaler(ref: RegionalWorkloadRef): Promise<Autoscaler | null> {
    if (!this.connection.serves(ref)) return null;
    try {
      return autoscalerOf(await readJsonObject<HorizontalPodAutoscalerJson>(this.connection, HPA, ref), this.place);
    } catch (error) {
      if (error instanceof KubernetesRefusal && error.status === 404) return null;
      throw error;
    }
  }

  async patchAutoscaler(ref: RegionalWorkloadRef, changes: Partial<AutoscalerSpec>, options: WriteOptions = {}): Promise<Autoscaler> {
    this.connection.assertServes(ref);
    const patched = await mergePatchFromCurrent<HorizontalPodAutoscalerJson>(this.connection, HPA, ref, (current) => autoscalerPatch(current, changes), options);
    return autoscalerOf(patched, this.place);
  }
}
