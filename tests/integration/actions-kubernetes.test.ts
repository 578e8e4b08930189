// The action kinds that change a region's Kubernetes objects, its traffic split and its circuit
// breakers, end to end: region eu-west-1 of the simulated environment "demo" is served by the
// test API server (tests/helpers/kube-api-server.ts), configured as a user would (a kubeconfig
// context, the traffic split's HTTPRoute, a breaker admin endpoint) and wired by
// actionAdaptersFromConfig, as the app is.
// An operator requests, an approver approves, the pg-boss worker executes; the outcome is read
// back from the API server with the Kubernetes client (or from the breaker endpoint itself),
// never through the adapter under test. us-east-1 stays the simulator's.
import { AppsV1Api, AutoscalingV2Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { actionAdaptersFromConfig, type ConfiguredAdapters } from "@/server/adapters/action-adapters";
import { validateConfig } from "@/server/config/load";
import { db } from "@/server/db/client";
import { startBreakerAdminEndpoint, type BreakerAdminEndpoint } from "../helpers/breaker-admin-endpoint";
import { autoscaler, startKubeApiServer, workload, type Json, type JsonObject, type KubeApiServer, type ResourceName } from "../helpers/kube-api-server";
import { approvedRunTrail, auditTrailOf, callerAs, createActionPeople, refusalOf, requestApproveAndRun, waitForSettled, type ActionInput, type ActionPeople } from "../helpers/action-flow";
import { startTestRuntime, TEST_ENVIRONMENT, type TestRuntime } from "../helpers/runtime";

const REGION = "eu-west-1";
const CLUSTER = "eu-demo";
const BREAKER_TOKEN = "breaker-admin-token-for-tests";
const HTTP_ROUTE = { group: "gateway.networking.k8s.io", version: "v1", plural: "httproutes", namespace: "web", name: "storefront" };

const cpuAt = (percent: number): Json => ({ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: percent } } });

/**
 * The simulator's services of eu-west-1 as Deployments with their HPAs (one per test, so the
 * order of the tests does not matter), and the storefront's HTTPRoute splitting /api 60/40.
 */
function demoCluster(): Array<[ResourceName, JsonObject]> {
  const service = (namespace: string, name: string, replicas: number, min: number, max: number, target = 70): Array<[ResourceName, JsonObject]> => [
    ["deployments", workload(namespace, name, replicas)],
    ["horizontalpodautoscalers", autoscaler(namespace, name, min, max, [cpuAt(target)], replicas)],
  ];
  return [
    ...service("checkout", "checkout-api", 4, 2, 30),
    ...service("checkout", "cart", 3, 2, 30),
    ...service("checkout", "payments", 6, 3, 60, 95),
    ...service("catalog", "catalog-api", 4, 3, 40),
    ...service("catalog", "search", 3, 3, 50, 75),
    ...service("catalog", "inventory", 2, 2, 20),
    ...service("platform", "auth", 3, 3, 40),
    ...service("platform", "gateway", 8, 3, 50),
    // Only in the cluster: the simulator has no such service.
    ["deployments", workload("checkout", "receipts", 2)],
    [
      "httproutes",
      {
        metadata: { name: HTTP_ROUTE.name, namespace: HTTP_ROUTE.namespace },
        spec: {
          parentRefs: [{ name: "public", namespace: "gateways" }],
          rules: [
            {
              matches: [{ path: { type: "PathPrefix", value: "/api" } }],
              backendRefs: [
                { name: "storefront-eu-west-1", port: 8080, weight: 60 },
                { name: "storefront-us-east-1", port: 8080, weight: 40 },
              ],
            },
          ],
        },
      },
    ],
  ];
}

let kube: KubeApiServer;
let breakerEndpoint: BreakerAdminEndpoint;
let configured: ConfiguredAdapters;
let runtime: TestRuntime;
let people: ActionPeople;
let read: { apps: AppsV1Api; autoscaling: AutoscalingV2Api; custom: CustomObjectsApi };

beforeAll(async () => {
  kube = await startKubeApiServer({ seed: demoCluster() });
  breakerEndpoint = await startBreakerAdminEndpoint({ token: BREAKER_TOKEN, breakers: { payments: { state: "closed", forced: null } } });
  const config = validateConfig(
    {
      version: 1,
      environments: {
        [TEST_ENVIRONMENT]: {
          source: "simulator",
          regions: {
            [REGION]: {
              clusters: { [CLUSTER]: { kind: "kubernetes", context: kube.context, kubeconfig: kube.kubeconfigPath } },
              breakerAdmin: { tokenEnv: "TEST_BREAKER_ADMIN_TOKEN", timeoutSeconds: 2, services: { "checkout/checkout-api": breakerEndpoint.base } },
            },
            "us-east-1": {},
          },
          traffic: {
            httpRoute: { cluster: CLUSTER, namespace: HTTP_ROUTE.namespace, name: HTTP_ROUTE.name },
            backends: { [REGION]: "storefront-eu-west-1", "us-east-1": "storefront-us-east-1" },
          },
        },
      },
    },
    "actions-kubernetes test",
  );
  configured = actionAdaptersFromConfig(config, { ...process.env, TEST_BREAKER_ADMIN_TOKEN: BREAKER_TOKEN });
  runtime = await startTestRuntime({ db, databaseUrl: inject("databaseUrl"), adapters: configured.adapters });
  people = await createActionPeople();

  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(kube.kubeconfigPath);
  kubeconfig.setCurrentContext(kube.context);
  read = { apps: kubeconfig.makeApiClient(AppsV1Api), autoscaling: kubeconfig.makeApiClient(AutoscalingV2Api), custom: kubeconfig.makeApiClient(CustomObjectsApi) };
});

afterAll(async () => {
  await runtime?.stop();
  await configured?.close();
  await breakerEndpoint?.close();
  await kube?.close();
});

// ── Reading the cluster back, not through the adapter ────────────────────────────────────

const deployment = (namespace: string, name: string) => read.apps.readNamespacedDeployment({ namespace, name });
const hpa = (namespace: string, name: string) => read.autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace, name });

interface RouteJson {
  metadata: { resourceVersion: string };
  spec: { rules: Array<{ backendRefs: Array<{ name: string; port: number; weight?: number }> }> };
}
const route = async () => (await read.custom.getNamespacedCustomObject(HTTP_ROUTE)) as RouteJson;
const routeWeights = async () => Object.fromEntries((await route()).spec.rules[0]!.backendRefs.map((ref) => [ref.name, ref.weight]));

/** Every object's resourceVersion, by kind/namespace/name: equal before and after means nothing was stored. */
async function resourceVersions(): Promise<Record<string, string | undefined>> {
  const [deployments, autoscalers] = await Promise.all([read.apps.listDeploymentForAllNamespaces(), read.autoscaling.listHorizontalPodAutoscalerForAllNamespaces()]);
  const versions: Record<string, string | undefined> = { httproute: (await route()).metadata.resourceVersion };
  for (const item of deployments.items) versions[`deployment/${item.metadata?.namespace}/${item.metadata?.name}`] = item.metadata?.resourceVersion;
  for (const item of autoscalers.items) versions[`hpa/${item.metadata?.namespace}/${item.metadata?.name}`] = item.metadata?.resourceVersion;
  return versions;
}

/** Writes sent since request number `mark`, as "PATCH <path>", dry runs marked. */
const writesSince = (mark: number) =>
  kube.requests
    .slice(mark)
    .filter((request) => request.method === "PATCH" || request.method === "PUT")
    .map((request) => `${request.method} ${request.path}${request.query.dryRun ? " (dry run)" : ""}`);

/** Runs `act`, then checks the cluster is as it was: every resourceVersion, and no write other than a dry run sent. */
async function changingNothing<T>(act: () => Promise<T>, { writesTried = false } = {}): Promise<T> {
  const before = await resourceVersions();
  const mark = kube.requests.length;
  const result = await act();
  expect(await resourceVersions()).toEqual(before);
  if (!writesTried) expect(writesSince(mark).filter((write) => !write.endsWith("(dry run)"))).toEqual([]);
  return result;
}

// ── The requests' side ───────────────────────────────────────────────────────────────────

async function requestAsOperator(input: ActionInput) {
  return callerAs(runtime, people.operator).actions.request({
    kind: input.kind,
    environment: TEST_ENVIRONMENT,
    params: input.params,
    reason: `integration test of ${input.kind}`,
    idempotencyKey: randomUUID(),
  });
}

/** The controllers catch up once `changed` holds in the cluster: a rollout the verification waits for. */
async function settleWhen(changed: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await changed())) {
    if (Date.now() > deadline) throw new Error(`the cluster did not change within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  kube.settle();
}

const restartedAt = async (namespace: string, name: string) => (await deployment(namespace, name)).spec?.template.metadata?.annotations?.["kubectl.kubernetes.io/restartedAt"];

// ── The kinds ────────────────────────────────────────────────────────────────────────────

describe("each kind changes the cluster of eu-west-1", () => {
  it("service.scale sets the Deployment's replicas through the scale subresource; the simulator's copy is left alone", async () => {
    const [simulated] = runtime.fleet.find({ environment: TEST_ENVIRONMENT, namespace: "checkout", name: "checkout-api", region: REGION });
    const mark = kube.requests.length;
    const request = await requestApproveAndRun(runtime, people, { kind: "service.scale", params: { namespace: "checkout", service: "checkout-api", region: REGION, replicas: 6 } });
    expect(request.state, request.error ?? "").toBe("succeeded");
    expect((await deployment("checkout", "checkout-api")).spec?.replicas).toBe(6);
    expect(writesSince(mark)).toEqual([
      "PATCH /apis/apps/v1/namespaces/checkout/deployments/checkout-api/scale (dry run)",
      "PATCH /apis/apps/v1/namespaces/checkout/deployments/checkout-api/scale",
    ]);
    expect(request.preview).toMatchObject({ changes: [{ label: "replicas", before: "4", after: "6" }], rollback: { replicas: 4, region: REGION } });
    expect(await auditTrailOf(request.id)).toEqual(approvedRunTrail(people, "succeeded"));
    expect(runtime.fleet.find({ environment: TEST_ENVIRONMENT, namespace: "checkout", name: "checkout-api", region: REGION })[0]?.desiredReplicas).toBe(simulated?.desiredReplicas);
  });

  it("service.scale without a region finds a workload only the cluster has", async () => {
    const request = await requestApproveAndRun(runtime, people, { kind: "service.scale", params: { namespace: "checkout", service: "receipts", replicas: 3 } });
    expect(request.state, request.error ?? "").toBe("succeeded");
    expect((await deployment("checkout", "receipts")).spec?.replicas).toBe(3);
    expect(request.preview).toMatchObject({ rollback: { replicas: 2, region: REGION } });
  });

  it("service.autoscale patches the HPA's bounds and CPU target", async () => {
    const request = await requestApproveAndRun(runtime, people, {
      kind: "service.autoscale",
      params: { namespace: "checkout", service: "cart", region: REGION, maxReplicas: 40, targetCpuUtilisationPercent: 60 },
    });
    expect(request.state, request.error ?? "").toBe("succeeded");
    const after = await hpa("checkout", "cart");
    expect(after.spec).toMatchObject({ minReplicas: 2, maxReplicas: 40, metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } } }] });
    expect(request.preview).toMatchObject({
      changes: [
        { label: "maxReplicas", before: "30", after: "40" },
        { label: "targetCpuUtilisationPercent", before: "70", after: "60" },
      ],
    });
    expect(await auditTrailOf(request.id)).toEqual(approvedRunTrail(people, "succeeded"));
  });

  it("service.restart sets the pod template's restartedAt and succeeds once the controller has observed it", async () => {
    const before = await deployment("catalog", "catalog-api");
    expect(await restartedAt("catalog", "catalog-api")).toBeUndefined();
    const [request] = await Promise.all([
      requestApproveAndRun(runtime, people, { kind: "service.restart", params: { namespace: "catalog", service: "catalog-api", region: REGION } }),
      settleWhen(async () => (await restartedAt("catalog", "catalog-api")) !== undefined),
    ]);
    expect(request.state, request.error ?? "").toBe("succeeded");
    const after = await deployment("catalog", "catalog-api");
    const at = await restartedAt("catalog", "catalog-api");
    expect(Date.parse(at ?? "")).toBeGreaterThan(Date.parse(request.createdAt.toISOString()));
    expect(after.metadata?.generation).toBe((before.metadata?.generation ?? 0) + 1);
    expect(after.status?.observedGeneration).toBe(after.metadata?.generation);
    expect(request.outcome).toMatchObject({ ok: true, observed: { restartedAt: at } });
    expect(await auditTrailOf(request.id)).toEqual(approvedRunTrail(people, "succeeded"));
  });

  it("region.failover sets the backendRefs' weights in the HTTPRoute", async () => {
    expect(await routeWeights()).toEqual({ "storefront-eu-west-1": 60, "storefront-us-east-1": 40 });
    const request = await requestApproveAndRun(runtime, people, { kind: "region.failover", params: { weights: { [REGION]: 0, "us-east-1": 100 } } });
    expect(request.state, request.error ?? "").toBe("succeeded");
    expect(await routeWeights()).toEqual({ "storefront-eu-west-1": 0, "storefront-us-east-1": 100 });
    expect(request.risk).toBe("high");
    expect(request.preview).toMatchObject({ rollback: { weights: { [REGION]: 60, "us-east-1": 40 } } });
    expect(await auditTrailOf(request.id)).toEqual(approvedRunTrail(people, "succeeded"));
  });

  it("breaker.force puts the override through the service's breaker admin endpoint, not the simulator", async () => {
    const ref = { environment: TEST_ENVIRONMENT, region: REGION, namespace: "checkout", name: "checkout-api", dependency: "payments" };
    const simulatedBefore = await runtime.simulator?.actions.breakers.getBreaker(ref);
    expect(simulatedBefore).toMatchObject({ forced: null });
    const request = await requestApproveAndRun(runtime, people, { kind: "breaker.force", params: { namespace: "checkout", service: "checkout-api", region: REGION, dependency: "payments", state: "open" } });
    expect(request.state, request.error ?? "").toBe("succeeded");
    expect(breakerEndpoint.breakers.get("payments")).toEqual({ state: "open", forced: "open" });
    expect(breakerEndpoint.seen).toContain("PUT /admin/breakers/payments");
    expect(await runtime.simulator?.actions.breakers.getBreaker(ref)).toEqual(simulatedBefore);
    expect(await auditTrailOf(request.id)).toEqual(approvedRunTrail(people, "succeeded"));
  });
});

describe("the dry run at request time", () => {
  it("stores nothing: the objects keep their resourceVersion until the request is approved", async () => {
    const autoscale = { kind: "service.autoscale", params: { namespace: "platform", service: "auth", region: REGION, minReplicas: 4 } };
    const mark = kube.requests.length;
    const requested = await changingNothing(() => requestAsOperator(autoscale));
    expect(requested.state).toBe("pending");
    expect(writesSince(mark)).toEqual(["PATCH /apis/autoscaling/v2/namespaces/platform/horizontalpodautoscalers/auth (dry run)"]);
    // The preview is the server's answer to the dry run: the new minimum lifts the 3 replicas running.
    expect(requested.preview).toMatchObject({
      changes: [
        { label: "minReplicas", before: "3", after: "4" },
        { label: "replicas", before: "3", after: "4" },
      ],
    });
    const before = (await hpa("platform", "auth")).metadata?.resourceVersion;

    await callerAs(runtime, people.approver).actions.approve({ id: requested.id });
    expect((await waitForSettled(requested.id)).state).toBe("succeeded");
    const after = await hpa("platform", "auth");
    expect(after.metadata?.resourceVersion).not.toBe(before);
    expect(after.spec?.minReplicas).toBe(4);
  });
});

describe("bad requests are refused with a clear reason and change nothing", () => {
  const refused = (input: ActionInput) => changingNothing(() => refusalOf(runtime, people, input));

  it("negative replicas", async () => {
    expect(await refused({ kind: "service.scale", params: { namespace: "checkout", service: "payments", region: REGION, replicas: -1 } })).toContain(
      "replicas: replicas cannot be negative",
    );
  });

  it("replicas above the HPA's maximum", async () => {
    expect(await refused({ kind: "service.scale", params: { namespace: "checkout", service: "payments", region: REGION, replicas: 61 } })).toBe(
      "replicas must be between 3 and 60 for checkout/payments (asked for 61)",
    );
  });

  it("an autoscaler's minimum above its maximum, asked for or as it would end up", async () => {
    const params = { namespace: "checkout", service: "payments", region: REGION };
    expect(await refused({ kind: "service.autoscale", params: { ...params, minReplicas: 10, maxReplicas: 5 } })).toContain("minReplicas (10) cannot be above maxReplicas (5)");
    expect(await refused({ kind: "service.autoscale", params: { ...params, minReplicas: 70 } })).toBe(
      "minReplicas 70 would be above maxReplicas 60 for the autoscaler of checkout/payments in eu-west-1; change both together",
    );
  });

  it("a service the cluster does not have, even where the simulator has it", async () => {
    expect(runtime.fleet.find({ environment: TEST_ENVIRONMENT, namespace: "checkout", name: "ledger-writer", region: REGION })).toHaveLength(1);
    const params = { namespace: "checkout", service: "ledger-writer", region: REGION };
    expect(await refused({ kind: "service.scale", params: { ...params, replicas: 3 } })).toBe("service checkout/ledger-writer in region eu-west-1 not found in demo");
    expect(await refused({ kind: "service.restart", params })).toBe("service checkout/ledger-writer in eu-west-1 not found in demo");
    expect(await refused({ kind: "service.autoscale", params: { ...params, maxReplicas: 8 } })).toBe(
      "checkout/ledger-writer in eu-west-1 has no HorizontalPodAutoscaler in demo; change its replicas with service.scale instead",
    );
  });

  it("a service named without its region while it runs in several: refused rather than taking the cluster's copy", async () => {
    expect(runtime.fleet.find({ environment: TEST_ENVIRONMENT, namespace: "checkout", name: "cart" }).map((copy) => copy.region)).toContain("us-east-1");
    expect(await refused({ kind: "service.scale", params: { namespace: "checkout", service: "cart", replicas: 5 } })).toBe(
      "no single service checkout/cart in demo: it is not there, or it runs in several regions; name the region to scale",
    );
  });

  it("a Deployment deleted between request and approval fails the execution with the API server's 404", async () => {
    const requested = await requestAsOperator({ kind: "service.restart", params: { namespace: "catalog", service: "inventory", region: REGION } });
    kube.remove("deployments", "catalog", "inventory");
    await callerAs(runtime, people.approver).actions.approve({ id: requested.id });
    const settled = await waitForSettled(requested.id);
    expect(settled.state).toBe("failed");
    expect(settled.error).toBe("deployment or statefulset catalog/inventory not found in cluster eu-demo");
    expect(await auditTrailOf(requested.id)).toEqual(approvedRunTrail(people, "failed"));
  });

  it("weights naming a region the traffic split does not have, or all zero", async () => {
    expect(await refused({ kind: "region.failover", params: { weights: { [REGION]: 50, "us-east-1": 25, "ap-south-1": 25 } } })).toBe(
      "ap-south-1 is not in demo's traffic split; its regions are eu-west-1 and us-east-1",
    );
    expect(await refused({ kind: "region.failover", params: { weights: { [REGION]: 0, "us-east-1": 0 } } })).toContain("at least one region must keep a weight above 0");
  });
});

describe("what the API server refuses", () => {
  it("a write the service account may not make is refused at request time by the dry run", async () => {
    kube.forbid("patch", "deployments/scale", "checkout");
    kube.forbid("patch", "deployments", "catalog");
    try {
      const scale = await changingNothing(() => refusalOf(runtime, people, { kind: "service.scale", params: { namespace: "checkout", service: "payments", region: REGION, replicas: 8 } }));
      expect(scale).toBe(
        `Scaleplane's service account may not patch deployments/scale (API group apps) in namespace checkout of cluster eu-demo; grant it in the Role bound to that account (server/adapters/kubernetes/README.md lists what it needs). The cluster said: deployments.apps "payments" is forbidden: User "${kube.user}" cannot patch resource "deployments/scale" in API group "apps" in the namespace "checkout"`,
      );
      const restart = await changingNothing(() => refusalOf(runtime, people, { kind: "service.restart", params: { namespace: "catalog", service: "search", region: REGION } }));
      expect(restart).toMatch(/^Scaleplane's service account may not patch deployments \(API group apps\) in namespace catalog of cluster eu-demo;/);
    } finally {
      kube.allowEverything();
    }
  });

  it("a permission withdrawn after approval fails the execution with the same reason, and nothing changes", async () => {
    const requested = await requestAsOperator({ kind: "service.scale", params: { namespace: "checkout", service: "payments", region: REGION, replicas: 8 } });
    kube.forbid("patch", "deployments/scale", "checkout");
    try {
      const settled = await changingNothing(
        async () => {
          await callerAs(runtime, people.approver).actions.approve({ id: requested.id });
          return waitForSettled(requested.id);
        },
        { writesTried: true },
      );
      expect(settled.state).toBe("failed");
      expect(settled.error).toMatch(/^Scaleplane's service account may not patch deployments\/scale \(API group apps\) in namespace checkout of cluster eu-demo;/);
      expect((await deployment("checkout", "payments")).spec?.replicas).toBe(6);
      expect(await auditTrailOf(requested.id)).toEqual(approvedRunTrail(people, "failed"));
    } finally {
      kube.allowEverything();
    }
  });

  it("another writer changing the HPA between Scaleplane's read and write: read again, written once more, both changes kept", async () => {
    const requested = await requestAsOperator({ kind: "service.autoscale", params: { namespace: "checkout", service: "payments", region: REGION, targetCpuUtilisationPercent: 80 } });
    let interruptions = 0;
    kube.beforeWrite = (attempt) => {
      if (attempt.dryRun || attempt.resource !== "horizontalpodautoscalers" || interruptions > 0) return;
      interruptions++;
      kube.modify("horizontalpodautoscalers", "checkout", "payments", (object) => {
        (object.spec as JsonObject).maxReplicas = 64;
      });
    };
    try {
      await callerAs(runtime, people.approver).actions.approve({ id: requested.id });
      const settled = await waitForSettled(requested.id);
      expect(settled.state, settled.error ?? "").toBe("succeeded");
    } finally {
      kube.beforeWrite = null;
    }
    expect(interruptions).toBe(1);
    const after = await hpa("checkout", "payments");
    expect(after.spec?.maxReplicas).toBe(64);
    expect(after.spec?.metrics?.[0]?.resource?.target.averageUtilization).toBe(80);
  });

  it("another writer changing the HPA at every attempt: the execution fails saying so, and Scaleplane's change is not made", async () => {
    const before = await hpa("platform", "gateway");
    const requested = await requestAsOperator({ kind: "service.autoscale", params: { namespace: "platform", service: "gateway", region: REGION, targetCpuUtilisationPercent: 85 } });
    let interruptions = 0;
    kube.beforeWrite = (attempt) => {
      if (attempt.dryRun || attempt.resource !== "horizontalpodautoscalers") return;
      interruptions++;
      kube.modify("horizontalpodautoscalers", "platform", "gateway", (object) => {
        (object.metadata as JsonObject).annotations = { "other-writer/attempt": String(interruptions) };
      });
    };
    try {
      await callerAs(runtime, people.approver).actions.approve({ id: requested.id });
      const settled = await waitForSettled(requested.id);
      expect(settled.state).toBe("failed");
      expect(settled.error).toBe(
        "horizontalpodautoscaler platform/gateway in cluster eu-demo kept changing while Scaleplane was changing it (twice in a row); nothing was changed. Try again once whoever else is changing it is done.",
      );
      expect(await auditTrailOf(requested.id)).toEqual(approvedRunTrail(people, "failed"));
    } finally {
      kube.beforeWrite = null;
    }
    expect(interruptions).toBe(2);
    const after = await hpa("platform", "gateway");
    expect(after.metadata?.annotations).toEqual({ "other-writer/attempt": "2" });
    expect(after.spec).toEqual(before.spec);
  });
});
