// What the Kubernetes adapter reads from objects and the patches it builds (pure), and the
// patch algorithms of the test API server that the integration tests rely on.
import { describe, expect, it } from "vitest";
import { ActionRefused } from "@/server/domain/actions/kind";
import {
  autoscalerOf,
  autoscalerPatch,
  cpuUtilisationTarget,
  regionWeightsOf,
  regionWeightsPatch,
  restartPatch,
  rolloutOf,
  workloadOf,
  type HorizontalPodAutoscalerJson,
  type HttpRouteJson,
  type MetricSpecJson,
} from "@/server/adapters/kubernetes/objects";
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from "../helpers/kube-api-server";

const place = { environment: "prod", region: "eu-west-1" };

const cpu = (averageUtilization: number): MetricSpecJson => ({ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization } } });
const memory: MetricSpecJson = { type: "Resource", resource: { name: "memory", target: { type: "AverageValue", averageValue: "500Mi" } } };
const queue: MetricSpecJson = { type: "External", external: { metric: { name: "queue_depth" }, target: { type: "AverageValue", averageValue: "30" } } };

function hpa(metrics: MetricSpecJson[] | undefined, extra: Record<string, unknown> = {}): HorizontalPodAutoscalerJson {
  return {
    metadata: { name: "api", namespace: "checkout", resourceVersion: "41" },
    spec: { scaleTargetRef: { kind: "Deployment", name: "api" }, minReplicas: 2, maxReplicas: 10, ...(metrics ? { metrics } : {}), ...extra },
    status: { currentReplicas: 3, desiredReplicas: 4 },
  };
}

describe("workloads and rollouts", () => {
  const deployment = {
    metadata: { name: "api", namespace: "checkout", generation: 7 },
    spec: { replicas: 3, template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "2026-01-05T10:00:00Z" } } } },
    status: { replicas: 4, updatedReplicas: 2, availableReplicas: 3, observedGeneration: 6 },
  };

  it("takes the bounds from the HPA, minReplicas defaulting to 1, or 0..1000 without one", () => {
    expect(workloadOf("Deployment", deployment, { minReplicas: 2, maxReplicas: 10 }, place)).toEqual({
      ...place,
      namespace: "checkout",
      name: "api",
      kind: "Deployment",
      desiredReplicas: 3,
      availableReplicas: 3,
      minReplicas: 2,
      maxReplicas: 10,
    });
    expect(workloadOf("Deployment", deployment, { maxReplicas: 6 }, place)).toMatchObject({ minReplicas: 1, maxReplicas: 6 });
    expect(workloadOf("StatefulSet", deployment, undefined, place)).toMatchObject({ kind: "StatefulSet", minReplicas: 0, maxReplicas: 1000 });
  });

  it("reads a rollout: the restart annotation, replicas asked for, and both generations", () => {
    expect(rolloutOf(deployment)).toEqual({ restartedAt: "2026-01-05T10:00:00Z", replicas: 3, updatedReplicas: 2, availableReplicas: 3, generation: 7, observedGeneration: 6 });
    expect(rolloutOf({ metadata: { name: "x" } })).toMatchObject({ restartedAt: null, generation: 0, observedGeneration: 0 });
  });

  it("restarts with a patch of the template annotation only", () => {
    expect(restartPatch("2026-02-01T00:00:00Z")).toEqual({ spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "2026-02-01T00:00:00Z" } } } } });
  });
});

describe("autoscalers", () => {
  it("finds the CPU utilisation target: the default 80 without metrics, none when it scales on others", () => {
    expect(cpuUtilisationTarget([memory, cpu(65)])).toBe(65);
    expect(cpuUtilisationTarget([])).toBe(80);
    expect(cpuUtilisationTarget(undefined)).toBe(80);
    expect(cpuUtilisationTarget([memory, queue])).toBeNull();
    // CPU as an average value is not a utilisation target.
    expect(cpuUtilisationTarget([{ type: "Resource", resource: { name: "cpu", target: { type: "AverageValue", averageValue: "500m" } } }])).toBeNull();
    expect(autoscalerOf(hpa([memory, cpu(65)]), place)).toEqual({
      ...place,
      namespace: "checkout",
      name: "api",
      minReplicas: 2,
      maxReplicas: 10,
      targetCpuUtilisationPercent: 65,
      currentReplicas: 3,
      desiredReplicas: 4,
    });
  });

  it("patches the bounds alone without touching the metrics, carrying the resourceVersion read", () => {
    expect(autoscalerPatch(hpa([cpu(70), memory]), { minReplicas: 3, maxReplicas: 20 })).toEqual({ metadata: { resourceVersion: "41" }, spec: { minReplicas: 3, maxReplicas: 20 } });
  });

  it("rewrites the whole metrics list with only the CPU target changed, unknown fields kept", () => {
    const unknownField = { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 }, futureField: true }, futureTop: 1 };
    const patch = autoscalerPatch(hpa([memory, unknownField as MetricSpecJson, queue]), { targetCpuUtilisationPercent: 55 });
    expect(patch).toEqual({
      metadata: { resourceVersion: "41" },
      spec: { metrics: [memory, { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 55 }, futureField: true }, futureTop: 1 }, queue] },
    });
  });

  it("names the default CPU target explicitly on an HPA without metrics", () => {
    expect(autoscalerPatch(hpa(undefined), { targetCpuUtilisationPercent: 60 })).toMatchObject({ spec: { metrics: [cpu(60)] } });
  });

  it("refuses a CPU target for an HPA that scales on other metrics, naming them", () => {
    expect(() => autoscalerPatch(hpa([memory, queue]), { targetCpuUtilisationPercent: 60 })).toThrow(ActionRefused);
    expect(() => autoscalerPatch(hpa([memory, queue]), { targetCpuUtilisationPercent: 60 })).toThrow(
      "horizontalpodautoscaler checkout/api scales on Resource memory, External queue_depth, not on CPU utilisation: it has no CPU target to change",
    );
  });
});

describe("traffic split", () => {
  const split = { rule: 1, backends: { "eu-west-1": "web-eu", "us-east-1": "web-us" } };
  const label = "httproute web/storefront in cluster eu-prod";
  const route = (): HttpRouteJson => ({
    metadata: { name: "storefront", namespace: "web", resourceVersion: "9" },
    spec: {
      hostnames: ["shop.example.com"],
      rules: [
        { backendRefs: [{ name: "static", port: 80 }] },
        { matches: [{ path: { value: "/api" } }], backendRefs: [{ name: "web-eu", port: 8080, weight: 3 }, { name: "web-us", port: 8080 }, { name: "maintenance", weight: 0 }], timeouts: { request: "5s" } },
      ],
    },
  });

  it("reads each region's weight from its backendRef, 1 when none is set", () => {
    expect(regionWeightsOf(route(), split, label)).toEqual({ "eu-west-1": 3, "us-east-1": 1 });
  });

  it("says which rule or backendRef the route lacks", () => {
    expect(() => regionWeightsOf(route(), { ...split, rule: 2 }, label)).toThrow("httproute web/storefront in cluster eu-prod has 2 rule(s); the configuration names rule 2 as the traffic split");
    expect(() => regionWeightsOf(route(), { rule: 1, backends: { "eu-west-1": "web-eu", "ap-south-1": "web-ap" } }, label)).toThrow(
      "httproute web/storefront in cluster eu-prod rule 1 has no backendRef web-ap (region ap-south-1); it has web-eu, web-us, maintenance",
    );
  });

  it("rewrites the rules list with only the named regions' weights changed", () => {
    const current = route();
    const patch = regionWeightsPatch(current, split, { "us-east-1": 100, "eu-west-1": 0 }, label);
    expect(patch).toEqual({
      metadata: { resourceVersion: "9" },
      spec: {
        rules: [
          current.spec.rules?.[0],
          { matches: [{ path: { value: "/api" } }], backendRefs: [{ name: "web-eu", port: 8080, weight: 0 }, { name: "web-us", port: 8080, weight: 100 }, { name: "maintenance", weight: 0 }], timeouts: { request: "5s" } },
        ],
      },
    });
    // A region left out keeps its weight.
    expect(regionWeightsPatch(current, split, { "us-east-1": 5 }, label)).toMatchObject({ spec: { rules: [{}, { backendRefs: [{ weight: 3 }, { weight: 5 }, { weight: 0 }] }] } });
  });

  it("refuses unknown regions, weights the Gateway API does not take, and sending traffic nowhere", () => {
    expect(() => regionWeightsPatch(route(), split, { "ap-south-1": 1 }, label)).toThrow("region ap-south-1 has no backend in the traffic split (httproute web/storefront in cluster eu-prod); its regions are eu-west-1, us-east-1");
    expect(() => regionWeightsPatch(route(), split, { "eu-west-1": 2.5 }, label)).toThrow("the weight of region eu-west-1 must be a whole number from 0 to 1000000 (asked for 2.5)");
    expect(() => regionWeightsPatch(route(), split, { "eu-west-1": -1 }, label)).toThrow(ActionRefused);
    expect(() => regionWeightsPatch(route(), split, { "eu-west-1": 0, "us-east-1": 0 }, label)).toThrow(/would get weight 0, which sends the traffic nowhere/);
    // One region at 0 is a failover, not an outage.
    expect(() => regionWeightsPatch(route(), split, { "eu-west-1": 0 }, label)).not.toThrow();
  });
});

describe("the test API server's patches", () => {
  it("merge patch follows RFC 7386's examples", () => {
    const cases: Array<[unknown, unknown, unknown]> = [
      [{ a: "b" }, { a: "c" }, { a: "c" }],
      [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
      [{ a: "b" }, { a: null }, {}],
      [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
      [{ a: ["b"] }, { a: "c" }, { a: "c" }],
      [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
      [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
      [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
      [["a", "b"], ["c", "d"], ["c", "d"]],
      [{ a: "b" }, ["c"], ["c"]],
      [{ a: "foo" }, null, null],
      [{ a: "foo" }, "bar", "bar"],
      [{ e: null }, { a: 1 }, { e: null, a: 1 }],
      [[1, 2], { a: "b", c: null }, { a: "b" }],
      [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    ];
    for (const [target, patch, result] of cases) expect(applyMergePatch(target as never, patch as never)).toEqual(result);
  });

  it("strategic merge patch merges maps and lists of named objects, and replaces other lists", () => {
    const target = { metadata: { annotations: { keep: "1", drop: "2" } }, containers: [{ name: "a", image: "a:1" }, { name: "b", image: "b:1" }], args: ["x"] };
    expect(applyStrategicMergePatch(target, { metadata: { annotations: { drop: null, added: "3" } }, containers: [{ name: "b", image: "b:2" }], args: ["y"] })).toEqual({
      metadata: { annotations: { keep: "1", added: "3" } },
      containers: [{ name: "a", image: "a:1" }, { name: "b", image: "b:2" }],
      args: ["y"],
    });
    expect(() => applyStrategicMergePatch(target, { containers: [{ name: "a", $patch: "delete" }] })).toThrow(/directive \$patch/);
  });

  it("JSON patch applies operations in order and fails on a failed test", () => {
    const document = { spec: { replicas: 2, list: ["a", "c"] }, metadata: { "a/b": 1 } };
    expect(
      applyJsonPatch(document, [
        { op: "test", path: "/spec/replicas", value: 2 },
        { op: "replace", path: "/spec/replicas", value: 5 },
        { op: "add", path: "/spec/list/1", value: "b" },
        { op: "add", path: "/spec/list/-", value: "d" },
        { op: "remove", path: "/metadata/a~1b" },
        { op: "copy", from: "/spec/replicas", path: "/spec/copied" },
      ]),
    ).toEqual({ spec: { replicas: 5, list: ["a", "b", "c", "d"], copied: 5 }, metadata: {} });
    expect(() => applyJsonPatch(document, [{ op: "test", path: "/spec/replicas", value: 3 }])).toThrow("testing value /spec/replicas failed");
    expect(() => applyJsonPatch(document, { op: "add" })).toThrow("a JSON patch must be a list of operations");
    expect(document.spec.replicas).toBe(2);
  });
});
