// How Scaleplane reaches one configured Kubernetes cluster: the kubeconfig (a context of a file,
// or the pod's own service account), the API clients made from it, and the options every call
// carries (a deadline, the patch format).
import {
  AppsV1Api,
  AutoscalingV2Api,
  CustomObjectsApi,
  KubeConfig,
  Observable,
  type ConfigurationOptions,
  type ObservableMiddleware,
  type PatchStrategy,
  type RequestContext,
  type ResponseContext,
} from "@kubernetes/client-node";
import type { WorkloadRef } from "../../domain/ports";

/** One `kind: kubernetes` cluster of the configuration, and the region of the environment it serves. */
export interface KubernetesClusterTarget {
  environment: string;
  region: string;
  /** The cluster's name in the configuration. */
  name: string;
  /** A context of the kubeconfig; its current context when absent. */
  context?: string;
  /** Use the service account of the pod Scaleplane runs in. */
  inCluster?: boolean;
  /** A kubeconfig file; otherwise KUBECONFIG or ~/.kube/config. */
  kubeconfig?: string;
}

export interface KubernetesConnectionOptions {
  /** How long one API request may take (10 s). */
  requestTimeoutMs?: number;
  /** Objects per page when listing (500, as kubectl asks). */
  pageSize?: number;
}

/** The field manager of every write, as `kubectl` names itself `kubectl-client-side-apply`. */
export const FIELD_MANAGER = "scaleplane";

function loadKubeConfig(target: KubernetesClusterTarget): KubeConfig {
  const config = new KubeConfig();
  if (target.inCluster) {
    config.loadFromCluster();
    return config;
  }
  if (target.kubeconfig) config.loadFromFile(target.kubeconfig);
  else config.loadFromDefault();
  if (target.context) {
    if (!config.getContextObject(target.context)) {
      const known = config.getContexts().map((context) => context.name);
      throw new Error(
        `the kubeconfig ${target.kubeconfig ?? "(KUBECONFIG or ~/.kube/config)"} has no context ${target.context}` +
          (known.length ? ` (it has ${known.join(", ")})` : " (it has none)"),
      );
    }
    config.setCurrentContext(target.context);
  }
  if (!config.getCurrentCluster()) throw new Error(`the kubeconfig ${target.kubeconfig ?? "(KUBECONFIG or ~/.kube/config)"} names no cluster for its current context`);
  return config;
}

interface Clients {
  server: string;
  apps: AppsV1Api;
  autoscaling: AutoscalingV2Api;
  custom: CustomObjectsApi;
}

/** Sets a request's deadline and, for a patch, its format (the generated client defaults to JSON patch). */
function requestMiddleware(timeoutMs: number, contentType: PatchStrategy | undefined): ObservableMiddleware {
  return {
    pre(request: RequestContext) {
      request.setSignal(AbortSignal.timeout(timeoutMs));
      if (contentType) request.setHeaderParam("Content-Type", contentType);
      return new Observable(Promise.resolve(request));
    },
    post: (response: ResponseContext) => new Observable(Promise.resolve(response)),
  };
}

/**
 * The API clients of one cluster, made on first use: a kubeconfig that cannot be read fails the
 * calls to that cluster with the reason, not the start of the app.
 */
export class KubernetesConnection {
  private clients: Clients | null = null;
  readonly requestTimeoutMs: number;
  readonly pageSize: number;

  constructor(
    readonly target: KubernetesClusterTarget,
    options: KubernetesConnectionOptions = {},
  ) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.pageSize = options.pageSize ?? 500;
  }

  /** "cluster eu-prod", for messages. */
  get label(): string {
    return `cluster ${this.target.name}`;
  }

  get server(): string {
    return this.clients?.server ?? "(not connected yet)";
  }

  api(): Clients {
    if (this.clients) return this.clients;
    let config: KubeConfig;
    try {
      config = loadKubeConfig(this.target);
    } catch (error) {
      throw new Error(`Kubernetes ${this.label} (${this.target.environment}/${this.target.region}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    this.clients = {
      server: config.getCurrentCluster()?.server ?? "",
      apps: config.makeApiClient(AppsV1Api),
      autoscaling: config.makeApiClient(AutoscalingV2Api),
      custom: config.makeApiClient(CustomObjectsApi),
    };
    return this.clients;
  }

  /** Per-call options: the deadline, and the patch format for a patch. */
  options(patch?: PatchStrategy): ConfigurationOptions {
    return { middleware: [requestMiddleware(this.requestTimeoutMs, patch)], middlewareMergeStrategy: "append" };
  }

  /** Does `ref` name something this cluster serves? A ref without a region is taken as ours. */
  serves(ref: { environment: string; region?: string }): boolean {
    return ref.environment === this.target.environment && (ref.region === undefined || ref.region === this.target.region);
  }

  /** A write routed to the wrong cluster is a wiring mistake: say so instead of changing this cluster. */
  assertServes(ref: WorkloadRef): void {
    if (this.serves(ref)) return;
    throw new Error(
      `${ref.namespace}/${ref.name} in ${ref.environment}${ref.region ? `/${ref.region}` : ""} is not served by Kubernetes ${this.label}, which serves ${this.target.environment}/${this.target.region}`,
    );
  }
}
