// TrafficPort for one environment: its traffic split is one rule of a Gateway API HTTPRoute
// (gateway.networking.k8s.io/v1) in one of its clusters, with a backendRef per region; a
// region's share is its backendRef's weight over the rule's total.
import type { TrafficPort, WriteOptions } from "../../domain/action-ports";
import type { KubernetesConnection } from "./connection";
import { mergePatchFromCurrent, readJsonObject, type JsonResource, type ObjectRef } from "./json-objects";
import { regionWeightsOf, regionWeightsPatch, type HttpRouteJson, type TrafficSplit } from "./objects";

const HTTP_ROUTE: JsonResource = { group: "gateway.networking.k8s.io", version: "v1", plural: "httproutes", kind: "httproute" };

/** The route of an environment's traffic split, and which backendRef of its rule is which region. */
export interface TrafficRoute extends ObjectRef, TrafficSplit {}

export class KubernetesTraffic implements TrafficPort {
  constructor(
    /** The cluster holding the route. */
    readonly connection: KubernetesConnection,
    readonly environment: string,
    readonly route: TrafficRoute,
  ) {}

  private get label(): string {
    return `httproute ${this.route.namespace}/${this.route.name} in ${this.connection.label}`;
  }

  private get ref(): ObjectRef {
    return { namespace: this.route.namespace, name: this.route.name };
  }

  async getRegionWeights(environment: string): Promise<Record<string, number> | null> {
    if (environment !== this.environment) return null;
    const route = await readJsonObject<HttpRouteJson>(this.connection, HTTP_ROUTE, this.ref);
    return regionWeightsOf(route, this.route, this.label);
  }

  async setRegionWeights(environment: string, weights: Readonly<Record<string, number>>, options: WriteOptions = {}): Promise<void> {
    if (environment !== this.environment) {
      throw new Error(`the traffic split of ${environment} is not ${this.label}, which splits ${this.environment}`);
    }
    await mergePatchFromCurrent<HttpRouteJson>(this.connection, HTTP_ROUTE, this.ref, (route) => regionWeightsPatch(route, this.route, weights, this.label), options);
  }
}
