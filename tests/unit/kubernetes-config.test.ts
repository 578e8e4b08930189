// The configuration of Kubernetes clusters (kubeconfig file) and of an environment's traffic
// split (an HTTPRoute in one of its clusters), and the adapters made from it.
import { describe, expect, it } from "vitest";
import { kubernetesAdaptersFor } from "@/server/adapters/kubernetes/from-config";
import { ConfigError, validateConfig } from "@/server/config/load";

function environment(traffic: unknown, euCluster: unknown = { kind: "kubernetes", context: "eu", kubeconfig: "/etc/scaleplane/kubeconfig" }) {
  return {
    version: 1,
    environments: {
      prod: {
        source: "simulator",
        regions: {
          "eu-west-1": { clusters: { "eu-prod": euCluster, events: { kind: "kafka", brokers: ["kafka:9092"] } } },
          "us-east-1": { clusters: { "us-prod": { kind: "kubernetes", inCluster: true } } },
        },
        ...(traffic === undefined ? {} : { traffic }),
      },
    },
  };
}

function problemsOf(data: unknown): string[] {
  try {
    validateConfig(data, "test");
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((problem) => `${problem.path}: ${problem.message}`);
  }
  throw new Error("expected the configuration to be rejected");
}

const split = { httpRoute: { cluster: "eu-prod", namespace: "web", name: "storefront" }, backends: { "eu-west-1": "storefront-eu", "us-east-1": "storefront-us" } };

describe("Kubernetes configuration", () => {
  it("accepts a traffic split, rule 0 by default, and makes a cluster adapter per Kubernetes cluster and one traffic adapter", () => {
    const config = validateConfig(environment(split), "test");
    const prod = config.environments.prod;
    expect(prod?.traffic).toEqual({ ...split, httpRoute: { ...split.httpRoute, rule: 0 } });
    const adapters = kubernetesAdaptersFor("prod", prod!);
    expect(adapters.clusters.map((cluster) => cluster.connection.target)).toEqual([
      { environment: "prod", region: "eu-west-1", name: "eu-prod", context: "eu", kubeconfig: "/etc/scaleplane/kubeconfig" },
      { environment: "prod", region: "us-east-1", name: "us-prod", inCluster: true },
    ]);
    expect(adapters.traffic?.connection).toBe(adapters.clusters[0]?.connection);
    expect(adapters.traffic?.route).toEqual({ namespace: "web", name: "storefront", rule: 0, backends: split.backends });
    expect(kubernetesAdaptersFor("prod", validateConfig(environment(undefined), "test").environments.prod!).traffic).toBeNull();
  });

  it("refuses a kubeconfig file with the pod's service account", () => {
    expect(problemsOf(environment(undefined, { kind: "kubernetes", inCluster: true, kubeconfig: "/k" }))).toEqual([
      "environments.prod.regions.eu-west-1.clusters.eu-prod: `kubeconfig` goes with `context`; with `inCluster: true` the pod's service account is used",
    ]);
  });

  it("refuses a traffic split naming regions or a cluster the environment does not have", () => {
    expect(problemsOf(environment({ ...split, backends: { "eu-west-1": "storefront-eu", "ap-south-1": "storefront-ap" } }))).toEqual([
      "environments.prod.traffic.backends.ap-south-1: names no region of this environment (eu-west-1, us-east-1)",
    ]);
    expect(problemsOf(environment({ ...split, httpRoute: { ...split.httpRoute, cluster: "nowhere" } }))).toEqual([
      "environments.prod.traffic.httpRoute.cluster: names no cluster of this environment's regions (eu-west-1, us-east-1)",
    ]);
    expect(problemsOf(environment({ ...split, httpRoute: { ...split.httpRoute, cluster: "events" } }))).toEqual([
      "environments.prod.traffic.httpRoute.cluster: is a kafka cluster; the HTTPRoute lives in a `kind: kubernetes` cluster",
    ]);
  });

  it("refuses two regions on one backend, an empty split and names Kubernetes would not take", () => {
    expect(problemsOf(environment({ ...split, backends: { "eu-west-1": "storefront", "us-east-1": "storefront" } }))).toEqual([
      "environments.prod.traffic.backends.us-east-1: is also the backend of region eu-west-1; each region needs its own backendRef",
    ]);
    expect(problemsOf(environment({ ...split, backends: {} }))).toEqual(["environments.prod.traffic.backends: needs the backendRef of at least one region"]);
    expect(problemsOf(environment({ ...split, httpRoute: { ...split.httpRoute, namespace: "Web", rule: -1 } }))).toEqual([
      "environments.prod.traffic.httpRoute.namespace: must be a Kubernetes namespace (lowercase letters, digits and -)",
      "environments.prod.traffic.httpRoute.rule: Too small: expected number to be >=0",
    ]);
  });
});
