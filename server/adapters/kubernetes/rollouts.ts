// RolloutPort over one cluster: a restart is what `kubectl rollout restart` does, a strategic
// merge patch of the pod template's restartedAt annotation; the controller then replaces every
// pod under the workload's own rollout strategy (maxUnavailable, maxSurge, partitions).
import { PatchStrategy } from "@kubernetes/client-node";
import type { RegionalWorkloadRef, RolloutPort, RolloutStatus, WriteOptions } from "../../domain/action-ports";
import { ActionRefused } from "../../domain/actions/kind";
import { readWorkload, workloadOperation, writeWorkload } from "./apps";
import { FIELD_MANAGER, type KubernetesConnection } from "./connection";
import { restartPatch, rolloutOf } from "./objects";
import { send } from "./requests";

export class KubernetesRollouts implements RolloutPort {
  constructor(readonly connection: KubernetesConnection) {}

  async getRollout(ref: RegionalWorkloadRef): Promise<RolloutStatus | null> {
    if (!this.connection.serves(ref)) return null;
    const found = await readWorkload(this.connection, ref);
    return found ? rolloutOf(found.object) : null;
  }

  async restartRollout(ref: RegionalWorkloadRef, at: string, options: WriteOptions = {}): Promise<void> {
    this.connection.assertServes(ref);
    if (Number.isNaN(Date.parse(at))) throw new ActionRefused(`a restart needs its time as an ISO date and time (got ${JSON.stringify(at)})`);
    const { apps } = this.connection.api();
    const request = {
      namespace: ref.namespace,
      name: ref.name,
      body: restartPatch(at),
      fieldManager: FIELD_MANAGER,
      ...(options.dryRun ? { dryRun: "All" } : {}),
    };
    const patch = this.connection.options(PatchStrategy.StrategicMergePatch);
    await writeWorkload(this.connection, ref, (kind) =>
      send(this.connection, workloadOperation(kind, "patch", ref), () =>
        kind === "Deployment" ? apps.patchNamespacedDeployment(request, patch) : apps.patchNamespacedStatefulSet(request, patch),
      ),
    );
  }
}
