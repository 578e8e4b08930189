// The Kubernetes adapter driven through the real @kubernetes/client-node against the test API
// server (tests/helpers/kube-api-server.ts), configured as a user would: a kubeconfig file and
// a context in it, an environment's traffic split in the configuration. Each test gets a fresh
// server (a few milliseconds) seeded with checkout/api (HPA 2..10), checkout/worker (no HPA),
// catalog/search (StatefulSet), catalog/indexer (HPA on a queue metric) and web/storefront.
import { AppsV1Api, ApiException, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { readFileSync, writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { kubernetesAdaptersFor, kubernetesClusterFromConfig, type KubernetesClusterAdapters } from "@/server/adapters/kubernetes/from-config";
import type { KubernetesTraffic } from "@/server/adapters/kubernetes/traffic";
import { validateConfig } from "@/server/config/load";
import type { RegionalWorkloadRef } from "@/server/domain/action-ports";
import { ActionRefused } from "@/server/domain/actions/kind";
import { startKubeApiServer, type KubeApiServer } from "../helpers/kube-api-server";

let server: KubeApiServer;
let cluster: KubernetesClusterAdapters;
let traffic: KubernetesTraffic;

const api: RegionalWorkloadRef = { environment: "prod", region: "eu-west-1", namespace: "checkout", name: "api" };
const worker: RegionalWorkloadRef = { ...api, name: "worker" };
const search: RegionalWorkloadRef = { ...api, namespace: "catalog", name: "search" };
const indexer: RegionalWorkloadRef = { ...api, namespace: "catalog", name: "indexer" };

function configFor(kubeApi: KubeApiServer, route = "storefront") {
  return validateConfig(
    {
      version: 1,
      environments: {
        prod: {
          source: "simulator",
          regions: {
            "eu-west-1": { clusters: { "eu-prod": { kind: "kubernetes", context: kubeApi.context, kubeconfig: kubeApi.kubeconfigPath } } },
            "us-east-1": {},
          },
          traffic: {
            httpRoute: { cluster: "eu-prod", namespace: "web", name: route },
            backends: { "eu-west-1": "storefront-eu-west-1", "us-east-1": "storefront-us-east-1" },
          },
        },
      },
    },
    "test",
  ).environments.prod!;
}

/** The real client on the same kubeconfig, to read back what the adapter did. */
function clientOf<T>(kubeApi: KubeApiServer, type: new (...args: never[]) => T): T {
  const config = new KubeConfig();
  config.loadFromFile(kubeApi.kubeconfigPath);
  config.setCurrentContext(kubeApi.context);
  return config.makeApiClient(type as never) as T;
}

/** The fields of stored objects the tests look at. */
interface Stored {
  metadata: { resourceVersion: string; generation: number; managedFields?: unknown[] };
  spec: {
    replicas: number;
    maxReplicas: number;
    metrics: Array<{ type: string; resource?: { name: string; target: { averageUtilization?: number } }; pods?: { metric: { name: string }; target: unknown } }>;
    template: { metadata: { annotations?: Record<string, string> } };
    rules: Array<{ backendRefs: Array<{ name: string; port: number; weight?: number }> }>;
  };
}

type ResourceName = Parameters<KubeApiServer["object"]>[0];
const object = (resource: ResourceName, namespace: string, name: string) => server.object(resource, namespace, name) as unknown as Stored;
/** A write by someone else. */
const modify = (resource: ResourceName, namespace: string, name: string, change: (stored: Stored) => void) =>
  server.modify(resource, namespace, name, (stored) => change(stored as unknown as Stored));
const writes = () => server.requests.filter((request) => request.method === "PATCH" || request.method === "PUT");

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => new Error("expected a refusal"),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ActionRefused);
  return (error as Error).message;
}

beforeEach(async () => {
  server = await startKubeApiServer();
  const adapters = kubernetesAdaptersFor("prod", configFor(server), { pageSize: 2 });
  cluster = adapters.clusters[0]!;
  traffic = adapters.traffic!;
});

afterEach(async () => {
  await server.close();
});

describe("Kubernetes adapter", () => {
  it("lists the Deployments and StatefulSets of every namespace, page by page, with bounds from the HPA of the same name", async () => {
    const workloads = await cluster.workloads.listWorkloads("prod");
    expect(workloads).toEqual([
      { environment: "prod", region: "eu-west-1", namespace: "catalog", name: "indexer", kind: "Deployment", desiredReplicas: 1, availableReplicas: 1, minReplicas: 1, maxReplicas: 5 },
      { environment: "prod", region: "eu-west-1", namespace: "catalog", name: "search", kind: "StatefulSet", desiredReplicas: 3, availableReplicas: 3, minReplicas: 0, maxReplicas: 1000 },
      { environment: "prod", region: "eu-west-1", namespace: "checkout", name: "api", kind: "Deployment", desiredReplicas: 3, availableReplicas: 3, minReplicas: 2, maxReplicas: 10 },
      { environment: "prod", region: "eu-west-1", namespace: "checkout", name: "worker", kind: "Deployment", desiredReplicas: 2, availableReplicas: 1, minReplicas: 0, maxReplicas: 1000 },
    ]);
    // Three Deployments in pages of two: the second page was asked for with the continue token.
    expect(server.requests.filter((request) => request.path === "/apis/apps/v1/deployments").map((request) => request.query.continue !== undefined)).toEqual([false, true]);
    // Another environment's workloads are not this cluster's to list: no request at all.
    expect(await cluster.workloads.listWorkloads("staging")).toEqual([]);
    expect(server.requests).toHaveLength(4);
  });

  it("gets one workload, null when missing or served by another region", async () => {
    expect(await cluster.workloads.getWorkload(search)).toMatchObject({ kind: "StatefulSet", desiredReplicas: 3, maxReplicas: 1000 });
    expect(await cluster.workloads.getWorkload({ environment: "prod", namespace: "checkout", name: "api" })).toMatchObject({ region: "eu-west-1", minReplicas: 2 });
    expect(await cluster.workloads.getWorkload({ ...api, name: "missing" })).toBeNull();
    expect(await cluster.workloads.getWorkload({ ...api, region: "us-east-1" })).toBeNull();
    await expect(cluster.workloads.scaleWorkload({ ...api, region: "us-east-1" }, 4)).rejects.toThrow(
      "checkout/api in prod/us-east-1 is not served by Kubernetes cluster eu-prod, which serves prod/eu-west-1",
    );
  });

  it("scales through the scale subresource, Deployments and StatefulSets, as field manager scaleplane", async () => {
    await cluster.workloads.scaleWorkload(api, 6);
    await cluster.workloads.scaleWorkload(search, 5);
    const apps = clientOf(server, AppsV1Api);
    expect((await apps.readNamespacedDeploymentScale({ namespace: "checkout", name: "api" })).spec?.replicas).toBe(6);
    expect((await apps.readNamespacedStatefulSetScale({ namespace: "catalog", name: "search" })).spec?.replicas).toBe(5);
    expect(object("deployments", "checkout", "api").metadata.generation).toBe(2);
    expect(object("deployments", "checkout", "api").metadata.managedFields).toEqual([expect.objectContaining({ manager: "scaleplane", subresource: "scale" })]);
    expect(writes().map((request) => [request.path, request.contentType, request.query.fieldManager])).toEqual([
      ["/apis/apps/v1/namespaces/checkout/deployments/api/scale", "application/merge-patch+json", "scaleplane"],
      // A StatefulSet is found after the Deployment of that name is not.
      ["/apis/apps/v1/namespaces/catalog/deployments/search/scale", "application/merge-patch+json", "scaleplane"],
      ["/apis/apps/v1/namespaces/catalog/statefulsets/search/scale", "application/merge-patch+json", "scaleplane"],
    ]);
    expect(await cluster.workloads.getWorkload(api)).toMatchObject({ desiredReplicas: 6 });
  });

  it("patches an HPA's bounds and CPU target and keeps its other metrics and fields", async () => {
    const before = object("horizontalpodautoscalers", "checkout", "api");
    expect(await cluster.autoscalers.getAutoscaler(api)).toEqual({ ...api, minReplicas: 2, maxReplicas: 10, targetCpuUtilisationPercent: 70, currentReplicas: 3, desiredReplicas: 3 });
    const patched = await cluster.autoscalers.patchAutoscaler(api, { minReplicas: 3, maxReplicas: 20, targetCpuUtilisationPercent: 55 });
    expect(patched).toMatchObject({ minReplicas: 3, maxReplicas: 20, targetCpuUtilisationPercent: 55 });
    const after = object("horizontalpodautoscalers", "checkout", "api");
    expect(after.spec).toEqual({
      ...before.spec,
      minReplicas: 3,
      maxReplicas: 20,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 55 } } }, before.spec.metrics[1], before.spec.metrics[2]],
    });
    expect(writes().map((request) => request.contentType)).toEqual(["application/merge-patch+json"]);
    // The patch carried the resourceVersion it was built from.
    expect(writes()[0]?.body).toMatchObject({ metadata: { resourceVersion: before.metadata.resourceVersion } });
    expect(await cluster.autoscalers.getAutoscaler(worker)).toBeNull();
  });

  it("changes the bounds of an HPA on other metrics, and refuses to give it a CPU target", async () => {
    expect(await cluster.autoscalers.patchAutoscaler(indexer, { maxReplicas: 8 })).toMatchObject({ maxReplicas: 8, targetCpuUtilisationPercent: 0 });
    expect(await refusal(cluster.autoscalers.patchAutoscaler(indexer, { targetCpuUtilisationPercent: 60 }))).toBe(
      "horizontalpodautoscaler catalog/indexer scales on External queue_depth, not on CPU utilisation: it has no CPU target to change",
    );
    expect(object("horizontalpodautoscalers", "catalog", "indexer").spec.metrics).toHaveLength(1);
  });

  it("restarts a rollout: the template annotation set by strategic merge, other annotations kept, generation bumped", async () => {
    modify("deployments", "checkout", "api", (deployment) => {
      deployment.spec.template.metadata.annotations = { "prometheus.io/scrape": "true" };
    });
    server.settle();
    const at = "2026-03-01T08:30:00.000Z";
    const before = await cluster.rollouts.getRollout(api);
    expect(before).toMatchObject({ restartedAt: null, generation: 2, observedGeneration: 2 });
    await cluster.rollouts.restartRollout(api, at);
    expect(writes().map((request) => [request.path, request.contentType])).toEqual([["/apis/apps/v1/namespaces/checkout/deployments/api", "application/strategic-merge-patch+json"]]);
    expect(object("deployments", "checkout", "api").spec.template.metadata.annotations).toEqual({ "prometheus.io/scrape": "true", "kubectl.kubernetes.io/restartedAt": at });
    // The controller has not seen it yet; once it has, the rollout reads as done.
    expect(await cluster.rollouts.getRollout(api)).toEqual({ restartedAt: at, replicas: 3, updatedReplicas: 3, availableReplicas: 3, generation: 3, observedGeneration: 2 });
    server.settle();
    expect(await cluster.rollouts.getRollout(api)).toMatchObject({ generation: 3, observedGeneration: 3 });
    await cluster.rollouts.restartRollout(search, at);
    expect(object("statefulsets", "catalog", "search").spec.template.metadata.annotations).toEqual({ "kubectl.kubernetes.io/restartedAt": at });
  });

  it("reads and sets the regions' weights in the HTTPRoute, leaving the rest of the route alone", async () => {
    const before = object("httproutes", "web", "storefront");
    expect(await traffic.getRegionWeights("prod")).toEqual({ "eu-west-1": 70, "us-east-1": 30 });
    expect(await traffic.getRegionWeights("staging")).toBeNull();
    await traffic.setRegionWeights("prod", { "eu-west-1": 0, "us-east-1": 100 });
    expect(await traffic.getRegionWeights("prod")).toEqual({ "eu-west-1": 0, "us-east-1": 100 });
    const after = object("httproutes", "web", "storefront");
    expect(after.spec).toEqual({
      ...before.spec,
      rules: [
        {
          ...before.spec.rules[0],
          backendRefs: [
            { name: "storefront-eu-west-1", port: 8080, weight: 0 },
            { name: "storefront-us-east-1", port: 8080, weight: 100 },
            { name: "storefront-maintenance", port: 8080, weight: 0 },
          ],
        },
        before.spec.rules[1],
      ],
    });
    expect(after.metadata.generation).toBe(2);
    expect(writes().map((request) => [request.contentType, request.query.fieldManager])).toEqual([["application/merge-patch+json", "scaleplane"]]);
    expect(await refusal(traffic.setRegionWeights("prod", { "eu-west-1": 0, "us-east-1": 0 }))).toMatch(/sends the traffic nowhere/);
  });

  it("changes nothing in a dry run, and answers what would be", async () => {
    const resourceVersions = () => [object("deployments", "checkout", "api"), object("horizontalpodautoscalers", "checkout", "api"), object("httproutes", "web", "storefront")].map((stored) => stored.metadata.resourceVersion);
    const before = resourceVersions();
    await cluster.workloads.scaleWorkload(api, 9, { dryRun: true });
    expect(await cluster.autoscalers.patchAutoscaler(api, { maxReplicas: 30 }, { dryRun: true })).toMatchObject({ maxReplicas: 30 });
    await cluster.rollouts.restartRollout(api, "2026-03-01T08:30:00.000Z", { dryRun: true });
    await traffic.setRegionWeights("prod", { "eu-west-1": 10 }, { dryRun: true });
    expect(resourceVersions()).toEqual(before);
    expect(object("deployments", "checkout", "api").spec.replicas).toBe(3);
    expect(object("horizontalpodautoscalers", "checkout", "api").spec.maxReplicas).toBe(10);
    expect(await traffic.getRegionWeights("prod")).toEqual({ "eu-west-1": 70, "us-east-1": 30 });
    expect(writes().map((request) => request.query.dryRun)).toEqual(["All", "All", "All", "All"]);
    // A dry run is checked as the real change would be.
    expect(await refusal(cluster.autoscalers.patchAutoscaler(api, { minReplicas: 12 }, { dryRun: true }))).toBe(
      'cluster eu-prod refused the change to horizontalpodautoscaler checkout/api as invalid: HorizontalPodAutoscaler.autoscaling "api" is invalid: spec.maxReplicas: Invalid value: 10: must be greater than or equal to `minReplicas`',
    );
  });

  it("says what is missing (404)", async () => {
    expect(await refusal(cluster.workloads.scaleWorkload({ ...api, name: "missing" }, 2))).toBe("deployment or statefulset checkout/missing not found in cluster eu-prod");
    expect(await refusal(cluster.rollouts.restartRollout({ ...api, name: "missing" }, "2026-03-01T08:30:00Z"))).toBe("deployment or statefulset checkout/missing not found in cluster eu-prod");
    expect(await refusal(cluster.autoscalers.patchAutoscaler(worker, { maxReplicas: 4 }))).toBe("horizontalpodautoscaler checkout/worker not found in cluster eu-prod");
    const elsewhere = kubernetesAdaptersFor("prod", configFor(server, "checkout-route")).traffic!;
    expect(await refusal(elsewhere.getRegionWeights("prod"))).toBe("httproute web/checkout-route not found in cluster eu-prod");
  });

  it("names the verb and resource the service account lacks (403)", async () => {
    server.forbid("patch", "deployments/scale", "checkout");
    expect(await refusal(cluster.workloads.scaleWorkload(api, 4))).toBe(
      "Scaleplane's service account may not patch deployments/scale (API group apps) in namespace checkout of cluster eu-prod; grant it in the Role bound to that account (server/adapters/kubernetes/README.md lists what it needs). " +
        'The cluster said: deployments.apps "api" is forbidden: User "system:serviceaccount:scaleplane:scaleplane" cannot patch resource "deployments/scale" in API group "apps" in the namespace "checkout"',
    );
    server.forbid("list", "horizontalpodautoscalers");
    expect(await refusal(cluster.workloads.listWorkloads())).toMatch(/^Scaleplane's service account may not list horizontalpodautoscalers \(API group autoscaling\) in any namespace of cluster eu-prod;/);
    server.forbid("patch", "httproutes");
    expect(await refusal(traffic.setRegionWeights("prod", { "eu-west-1": 50 }))).toMatch(/^Scaleplane's service account may not patch httproutes \(API group gateway.networking.k8s.io\) in namespace web of cluster eu-prod;/);
  });

  it("reads again and retries once when someone else wrote between its read and its write (409)", async () => {
    // Another writer adds a metric to the HPA and moves the maintenance weight just before our first write.
    let interfered = 0;
    server.beforeWrite = (attempt) => {
      if (interfered++ > 0) return;
      if (attempt.resource === "horizontalpodautoscalers") {
        modify("horizontalpodautoscalers", "checkout", "api", (hpa) => {
          hpa.spec.metrics.push({ type: "Pods", pods: { metric: { name: "queue_lag" }, target: { type: "AverageValue", averageValue: "5" } } });
        });
      }
    };
    await cluster.autoscalers.patchAutoscaler(api, { targetCpuUtilisationPercent: 50 });
    const metrics = object("horizontalpodautoscalers", "checkout", "api").spec.metrics;
    expect(metrics.map((metric) => metric.resource?.target.averageUtilization ?? metric.pods?.metric.name ?? metric.resource?.name)).toEqual([
      50,
      "memory",
      "http_requests_per_second",
      "queue_lag",
    ]);
    expect(writes()).toHaveLength(2);

    interfered = 0;
    server.beforeWrite = () => {
      if (interfered++ > 0) return;
      modify("httproutes", "web", "storefront", (route) => {
        route.spec.rules[0]!.backendRefs[2]!.weight = 5;
      });
    };
    await traffic.setRegionWeights("prod", { "eu-west-1": 20, "us-east-1": 80 });
    expect(object("httproutes", "web", "storefront").spec.rules[0]?.backendRefs.map((ref) => ref.weight)).toEqual([20, 80, 5]);
  });

  it("gives up after a second conflict in a row, with a clear message and the other writer's change intact (409)", async () => {
    server.beforeWrite = () =>
      modify("horizontalpodautoscalers", "checkout", "api", (hpa) => {
        hpa.spec.maxReplicas += 1;
      });
    expect(await refusal(cluster.autoscalers.patchAutoscaler(api, { minReplicas: 4 }))).toBe(
      "horizontalpodautoscaler checkout/api in cluster eu-prod kept changing while Scaleplane was changing it (twice in a row); nothing was changed. Try again once whoever else is changing it is done.",
    );
    expect(writes()).toHaveLength(2);
    expect(object("horizontalpodautoscalers", "checkout", "api").spec).toMatchObject({ minReplicas: 2, maxReplicas: 12 });
  });

  it("says when the kubeconfig, its context or the API server will not do", async () => {
    const named = (context: string, kubeconfig = server.kubeconfigPath) => kubernetesClusterFromConfig("prod", "eu-west-1", "eu-prod", { kind: "kubernetes", context, kubeconfig });
    await expect(named("staging").workloads.listWorkloads()).rejects.toThrow(
      `Kubernetes cluster eu-prod (prod/eu-west-1): the kubeconfig ${server.kubeconfigPath} has no context staging (it has ${server.context}, elsewhere)`,
    );
    await expect(named("elsewhere").workloads.listWorkloads()).rejects.toThrow(/^the Kubernetes API of cluster eu-prod \(http:\/\/127\.0\.0\.1:9\) cannot be reached: .*ECONNREFUSED/);
    const wrongToken = `${server.kubeconfigPath}.wrong-token`;
    writeFileSync(wrongToken, readFileSync(server.kubeconfigPath, "utf8").replace(/test-token-[0-9a-f-]+/, "stolen"));
    await expect(named(server.context, wrongToken).workloads.getWorkload(api)).rejects.toThrow(
      `cluster eu-prod (${server.url}) refused Scaleplane's credentials (HTTP 401): check the kubeconfig context ${server.context} or the service account's token`,
    );
  });
});

describe("the test API server", () => {
  it("answers as the API server does to what the adapter does not send", async () => {
    const custom = clientOf(server, CustomObjectsApi);
    const route = { group: "gateway.networking.k8s.io", version: "v1", namespace: "web", plural: "httproutes", name: "storefront" };
    const failure = async (promise: Promise<unknown>) => {
      const error = (await promise.catch((caught: unknown) => caught)) as ApiException<string>;
      expect(error).toBeInstanceOf(ApiException);
      return { code: error.code, status: JSON.parse(error.body) };
    };
    // A custom resource takes no strategic merge patch.
    expect(await failure(custom.patchNamespacedCustomObject({ ...route, body: { spec: {} } }, setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch)))).toEqual({
      code: 415,
      status: expect.objectContaining({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "UnsupportedMediaType", code: 415 }),
    });
    // The client's default is a JSON patch; merge patch's null deletes.
    await custom.patchNamespacedCustomObject({ ...route, body: [{ op: "replace", path: "/spec/rules/1/backendRefs/0/port", value: 81 }] });
    await custom.patchNamespacedCustomObject({ ...route, body: { spec: { hostnames: null } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    expect(object("httproutes", "web", "storefront").spec).not.toHaveProperty("hostnames");
    expect(object("httproutes", "web", "storefront").spec.rules[1]?.backendRefs[0]?.port).toBe(81);
    // A replace carrying a stale resourceVersion conflicts.
    const apps = clientOf(server, AppsV1Api);
    const scale = await apps.readNamespacedDeploymentScale({ namespace: "checkout", name: "api" });
    await cluster.workloads.scaleWorkload(api, 4);
    expect(await failure(apps.replaceNamespacedDeploymentScale({ namespace: "checkout", name: "api", body: { ...scale, spec: { replicas: 7 } } }))).toMatchObject({ code: 409, status: { reason: "Conflict" } });
    expect(object("deployments", "checkout", "api").spec.replicas).toBe(4);
    // A write that changes nothing keeps the resourceVersion.
    const version = object("deployments", "checkout", "api").metadata.resourceVersion;
    await cluster.workloads.scaleWorkload(api, 4);
    expect(object("deployments", "checkout", "api").metadata.resourceVersion).toBe(version);
  });
});
