// A service in one region, as the service kinds (autoscale, restart, breaker) name it.
import type { RegionalWorkloadRef } from "../action-ports";
import { dnsLabel } from "./names";

export const regionalServiceFields = { namespace: dnsLabel, service: dnsLabel, region: dnsLabel };

export interface RegionalServiceParams {
  namespace: string;
  service: string;
  region: string;
}

export const regionalWorkloadRef = (params: RegionalServiceParams, environment: string): RegionalWorkloadRef => ({
  environment,
  namespace: params.namespace,
  name: params.service,
  region: params.region,
});

/** A service's actions are scoped to its namespace. */
export const serviceTarget = (params: RegionalServiceParams, environment: string) => ({ environment, namespace: params.namespace, name: params.service });

export const serviceLabel = (params: RegionalServiceParams) => `${params.namespace}/${params.service} in ${params.region}`;
