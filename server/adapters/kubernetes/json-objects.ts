// Objects changed by read-modify-write (an HPA, an HTTPRoute) are read and patched as plain JSON
// through the generic object endpoints (the same URLs the typed clients use). The typed models
// keep only the fields they know: an HPA read through them and written back would lose any
// field newer than this client, and a merge patch of a list would delete it on the server.
import { PatchStrategy } from "@kubernetes/client-node";
import { FIELD_MANAGER, type KubernetesConnection } from "./connection";
import { objectLabel, retryingConflictOnce, send, type KubernetesOperation } from "./requests";

export interface JsonResource {
  group: string;
  version: string;
  /** The resource's plural name, as in its URL and its Role. */
  plural: string;
  /** As people say it: "horizontalpodautoscaler". */
  kind: string;
}

export interface ObjectRef {
  namespace: string;
  name: string;
}

const operation = (resource: JsonResource, verb: KubernetesOperation["verb"], ref: ObjectRef): KubernetesOperation => ({
  verb,
  resource: resource.plural,
  group: resource.group,
  kind: resource.kind,
  namespace: ref.namespace,
  name: ref.name,
});

export async function readJsonObject<T>(connection: KubernetesConnection, resource: JsonResource, ref: ObjectRef): Promise<T> {
  const { custom } = connection.api();
  return send(connection, operation(resource, "get", ref), () =>
    custom.getNamespacedCustomObject({ group: resource.group, version: resource.version, plural: resource.plural, ...ref }, connection.options()),
  ) as Promise<T>;
}

/**
 * Reads the object, builds a merge patch from it (carrying the resourceVersion read) and sends
 * it; after a conflict (someone else wrote in between) it reads and tries once more. Answers the
 * object as the server returned it (for a dry run, as it would be).
 */
export async function mergePatchFromCurrent<T>(
  connection: KubernetesConnection,
  resource: JsonResource,
  ref: ObjectRef,
  patchOf: (current: T) => object,
  options: { dryRun?: boolean } = {},
): Promise<T> {
  const { custom } = connection.api();
  const attempt = async () => {
    const body = patchOf(await readJsonObject<T>(connection, resource, ref));
    return send(connection, operation(resource, "patch", ref), () =>
      custom.patchNamespacedCustomObject(
        {
          group: resource.group,
          version: resource.version,
          plural: resource.plural,
          ...ref,
          body,
          fieldManager: FIELD_MANAGER,
          ...(options.dryRun ? { dryRun: "All" } : {}),
        },
        connection.options(PatchStrategy.MergePatch),
      ),
    ) as Promise<T>;
  };
  return retryingConflictOnce(attempt, () => `${objectLabel(operation(resource, "patch", ref))} in ${connection.label}`);
}
