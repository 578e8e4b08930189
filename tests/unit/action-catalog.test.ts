import { describe, expect, it } from "vitest";
import { actionCatalog, ACTION_KIND_NAMES, describeCatalog } from "@/server/domain/actions/catalog";

const KINDS = [
  "service.scale",
  "service.autoscale",
  "service.restart",
  "region.failover",
  "cache.failover",
  "cache.invalidate",
  "cache.warm",
  "topic.addPartitions",
  "consumerGroup.resetOffsets",
  "dlq.replay",
  "consumerGroup.scale",
  "breaker.force",
];

/** Valid parameters of each kind, to check where it lands. */
const EXAMPLES: Record<string, unknown> = {
  "service.scale": { namespace: "shop", service: "cart", region: "eu-west-1", replicas: 3 },
  "service.autoscale": { namespace: "shop", service: "cart", region: "eu-west-1", maxReplicas: 30 },
  "service.restart": { namespace: "shop", service: "cart", region: "eu-west-1" },
  "region.failover": { weights: { "eu-west-1": 0, "us-east-1": 100 } },
  "cache.failover": { region: "eu-west-1", cache: "sessions" },
  "cache.invalidate": { region: "eu-west-1", cache: "sessions", pattern: "user:*" },
  "cache.warm": { region: "eu-west-1", cache: "sessions", source: "top-sessions" },
  "topic.addPartitions": { region: "eu-west-1", cluster: "events", topic: "orders", partitions: 24 },
  "consumerGroup.resetOffsets": { region: "eu-west-1", cluster: "events", group: "billing", topic: "orders", to: "latest" },
  "dlq.replay": { region: "eu-west-1", cluster: "events", topic: "orders.dlq", maxMessages: 100, messagesPerSecond: 10 },
  "consumerGroup.scale": { region: "eu-west-1", cluster: "events", group: "billing", replicas: 6 },
  "breaker.force": { namespace: "shop", service: "cart", region: "eu-west-1", dependency: "payments", state: "open" },
};

const NAMESPACES: Record<string, string> = {
  "service.scale": "shop",
  "service.autoscale": "shop",
  "service.restart": "shop",
  "region.failover": "*",
  "cache.failover": "redis.sessions",
  "cache.invalidate": "redis.sessions",
  "cache.warm": "redis.sessions",
  "topic.addPartitions": "kafka.events",
  "consumerGroup.resetOffsets": "kafka.events",
  "dlq.replay": "kafka.events",
  "consumerGroup.scale": "kafka.events",
  "breaker.force": "shop",
};

describe("action catalog", () => {
  it("lists the twelve kinds", () => {
    expect(ACTION_KIND_NAMES).toEqual(KINDS);
    expect([...actionCatalog.keys()]).toEqual(KINDS);
  });

  it("describes each kind with its parameters' JSON Schema", () => {
    for (const entry of describeCatalog()) {
      expect(entry.permission).toBe("action.request");
      expect(entry.title.length).toBeGreaterThan(0);
      expect(entry.riskRule.length).toBeGreaterThan(0);
      expect(entry.inputSchema).toMatchObject({ type: "object" });
      const schema = entry.inputSchema as { required?: string[]; properties?: Record<string, unknown> };
      for (const field of schema.required ?? []) expect(schema.properties).toHaveProperty(field);
    }
    const reset = describeCatalog().find((entry) => entry.kind === "consumerGroup.resetOffsets")?.inputSchema as { properties: Record<string, { enum?: string[] }> };
    expect(reset.properties.to?.enum).toEqual(["earliest", "latest", "timestamp", "explicit"]);
  });

  it("scopes services to their namespace, Kafka to kafka.<cluster>, Redis to redis.<cache> and failover to *", () => {
    for (const name of KINDS) {
      const kind = actionCatalog.get(name)!;
      const params = kind.params.parse(EXAMPLES[name]);
      expect(kind.target(params, "prod"), name).toMatchObject({ environment: "prod", namespace: NAMESPACES[name] });
    }
  });
});
