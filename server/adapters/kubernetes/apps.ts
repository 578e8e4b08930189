// A workload of the apps/v1 API is a Deployment or a StatefulSet; a ref names neither, so each
// is tried in turn (Deployments first: they are most of a fleet).
import type { WorkloadRef } from "../../domain/ports";
import type { KubernetesConnection } from "./connection";
import type { WorkloadKind, WorkloadObject } from "./objects";
import { KubernetesRefusal, readOrNull, type KubernetesOperation } from "./requests";

const WORKLOAD_KINDS: readonly WorkloadKind[] = ["Deployment", "StatefulSet"];

const RESOURCES: Record<WorkloadKind, string> = { Deployment: "deployments", StatefulSet: "statefulsets" };

export function workloadOperation(kind: WorkloadKind, verb: KubernetesOperation["verb"], ref?: WorkloadRef, subresource?: "scale"): KubernetesOperation {
  return {
    verb,
    resource: subresource ? `${RESOURCES[kind]}/${subresource}` : RESOURCES[kind],
    group: "apps",
    kind: kind.toLowerCase(),
    ...(ref ? { namespace: ref.namespace, name: ref.name } : {}),
  };
}

export interface FoundWorkload {
  kind: WorkloadKind;
  object: WorkloadObject;
}

/** The Deployment, else the StatefulSet, named by `ref`; null when neither exists. */
export async function readWorkload(connection: KubernetesConnection, ref: WorkloadRef): Promise<FoundWorkload | null> {
  const { apps } = connection.api();
  const request = { namespace: ref.namespace, name: ref.name };
  const deployment = await readOrNull(connection, workloadOperation("Deployment", "get", ref), () => apps.readNamespacedDeployment(request, connection.options()));
  if (deployment) return { kind: "Deployment", object: deployment };
  const statefulSet = await readOrNull(connection, workloadOperation("StatefulSet", "get", ref), () => apps.readNamespacedStatefulSet(request, connection.options()));
  return statefulSet ? { kind: "StatefulSet", object: statefulSet } : null;
}

/**
 * Runs a write against the Deployment named by `ref`, or the StatefulSet when there is no such
 * Deployment. Trying the write itself (instead of reading first) keeps it one request for most.
 */
export async function writeWorkload<T>(connection: KubernetesConnection, ref: WorkloadRef, write: (kind: WorkloadKind) => Promise<T>): Promise<T> {
  for (const kind of WORKLOAD_KINDS) {
    try {
      return await write(kind);
    } catch (error) {
      if (!(error instanceof KubernetesRefusal && error.status === 404)) throw error;
    }
  }
  throw new KubernetesRefusal(`deployment or statefulset ${ref.namespace}/${ref.name} not found in ${connection.label}`, 404);
}
