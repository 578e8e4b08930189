// WorkloadPort over one cluster: its Deployments and StatefulSets in every namespace, their
// bounds from the HPA of the same name, and scaling through the scale subresource (what
// `kubectl scale` uses, so the change needs `patch deployments/scale`, not the whole object).
import { PatchStrategy } from "@kubernetes/client-node";
import { ActionRefused } from "../../domain/actions/kind";
import type { Workload, WorkloadPort, WorkloadRef } from "../../domain/ports";
import { readWorkload, workloadOperation, writeWorkload } from "./apps";
import { FIELD_MANAGER, type KubernetesConnection } from "./connection";
import { scalePatch, workloadOf, type ReplicaBounds, type WorkloadKind, type WorkloadObject } from "./objects";
import { readOrNull, send, type KubernetesOperation } from "./requests";

const HPA_OPERATION = { resource: "horizontalpodautoscalers", group: "autoscaling", kind: "horizontalpodautoscaler" } as const;

interface Page<T> {
  items: T[];
  metadata?: { _continue?: string };
}

const keyOf = (namespace: string | undefined, name: string | undefined) => `${namespace}/${name}`;

export class KubernetesWorkloads implements WorkloadPort {
  constructor(readonly connection: KubernetesConnection) {}

  private get place() {
    return { environment: this.connection.target.environment, region: this.connection.target.region };
  }

  /** Every page of a list across all namespaces. */
  private async listAll<T>(operation: KubernetesOperation, page: (request: { limit: number; _continue?: string }) => Promise<Page<T>>): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined;
    do {
      const answer = await send(this.connection, operation, () => page({ limit: this.connection.pageSize, ...(next ? { _continue: next } : {}) }));
      items.push(...answer.items);
      next = answer.metadata?._continue || undefined;
    } while (next);
    return items;
  }

  async listWorkloads(environment?: string): Promise<Workload[]> {
    if (environment !== undefined && environment !== this.connection.target.environment) return [];
    const { apps, autoscaling } = this.connection.api();
    const options = this.connection.options();
    const [deployments, statefulSets, autoscalers] = await Promise.all([
      this.listAll(workloadOperation("Deployment", "list"), (request) => apps.listDeploymentForAllNamespaces(request, options)),
      this.listAll(workloadOperation("StatefulSet", "list"), (request) => apps.listStatefulSetForAllNamespaces(request, options)),
      this.listAll({ verb: "list", ...HPA_OPERATION }, (request) => autoscaling.listHorizontalPodAutoscalerForAllNamespaces(request, options)),
    ]);
    const bounds = new Map<string, ReplicaBounds>();
    for (const hpa of autoscalers) if (hpa.spec) bounds.set(keyOf(hpa.metadata?.namespace, hpa.metadata?.name), hpa.spec);
    const workload = (kind: WorkloadKind) => (object: WorkloadObject) =>
      workloadOf(kind, object, bounds.get(keyOf(object.metadata?.namespace, object.metadata?.name)), this.place);
    return [...deployments.map(workload("Deployment")), ...statefulSets.map(workload("StatefulSet"))].sort(
      (a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind),
    );
  }

  async getWorkload(ref: WorkloadRef): Promise<Workload | null> {
    if (!this.connection.serves(ref)) return null;
    const found = await readWorkload(this.connection, ref);
    if (!found) return null;
    const { autoscaling } = this.connection.api();
    const hpa = await readOrNull(this.connection, { verb: "get", ...HPA_OPERATION, namespace: ref.namespace, name: ref.name }, () =>
      autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace: ref.namespace, name: ref.name }, this.connection.options()),
    );
    return workloadOf(found.kind, found.object, hpa?.spec, this.place);
  }

  async scaleWorkload(ref: WorkloadRef, replicas: number, options: { dryRun?: boolean } = {}): Promise<void> {
    this.connection.assertServes(ref);
    if (!Number.isInteger(replicas) || replicas < 0) throw new ActionRefused(`replicas must be a whole number of 0 or more (asked for ${replicas})`);
    const { apps } = this.connection.api();
    const request = {
      namespace: ref.namespace,
      name: ref.name,
      body: scalePatch(replicas),
      fieldManager: FIELD_MANAGER,
      ...(options.dryRun ? { dryRun: "All" } : {}),
    };
    const patch = this.connection.options(PatchStrategy.MergePatch);
    await writeWorkload(this.connection, ref, (kind) =>
      send(this.connection, workloadOperation(kind, "patch", ref, "scale"), () =>
        kind === "Deployment" ? apps.patchNamespacedDeploymentScale(request, patch) : apps.patchNamespacedStatefulSetScale(request, patch),
      ),
    );
  }
}
