import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PRODUCTION_HEADROOM } from "../../server/domain/consumer-scaling";
import { DEFAULT_RUNBOOKS, DRAIN_TARGET_SECONDS, suggestActions, type RunbookFigures } from "../../server/domain/runbooks";

const lagging = (overrides: Partial<NonNullable<RunbookFigures["consumerGroup"]>> = {}): RunbookFigures => ({
  consumerGroup: {
    environment: "demo", region: "eu-west-1", cluster: "events", group: "billing", topic: "orders",
    members: 4, deployment: { namespace: "billing", name: "billing-consumer" },
    consumedPerSecond: 400, totalLag: 120_000, partitions: [],
    producedPerSecond: 500,
    consumer: { region: "eu-west-1", replicas: 4, maxReplicas: 20 },
    ...overrides,
  } as NonNullable<RunbookFigures["consumerGroup"]>,
});

const lagAlert = { alertname: "KafkaConsumerLagGrowing", labels: { severity: "warning" } };

describe("runbook suggestions", () => {
  it("scales a lagging consumer to keep up with production and drain the lag within the target", () => {
    const [suggestion] = suggestActions(lagAlert, lagging({ partitions: 24, totalLag: 90_000 } as never));
    // 100 msg/s per replica; 500 produced with a quarter's headroom + 90,000 / 600 s = 775 msg/s.
    // 8 consumers would do it if they shared the 24 partitions evenly, and do: 3 each, 800 msg/s.
    expect(DRAIN_TARGET_SECONDS).toBe(600);
    expect(PRODUCTION_HEADROOM).toBe(1.25);
    expect(suggestion).toMatchObject({ kind: "consumerGroup.scale", params: { region: "eu-west-1", cluster: "events", group: "billing", replicas: 8 } });
    expect(suggestion?.rationale).toContain("needs 8");
  });

  it("plans for more than is produced now: a count that barely keeps up is not suggested", () => {
    // 24 partitions at 100 msg/s each consumer, 560 msg/s produced and no lag: 6 consumers (4
    // partitions each, 600 msg/s) would keep up by 7 %; with a quarter's headroom (700 msg/s) it takes 8.
    const [suggestion] = suggestActions(lagAlert, lagging({ partitions: 24, producedPerSecond: 560, totalLag: 0 } as never));
    expect(suggestion?.params).toMatchObject({ replicas: 8 });
  });

  it("goes to one consumer per partition when any fewer leaves some consumer with two partitions", () => {
    // 4 consumers at 26.7 msg/s on 12 partitions, 207 msg/s produced: 11 consumers look enough by
    // rate (294 msg/s for the 292 needed), but with 6 to 11 some read two partitions and the group manages 160 msg/s.
    const figures = lagging({
      partitions: 12, consumedPerSecond: 106.8, producedPerSecond: 207, totalLag: 20_000,
      consumer: { region: "eu-west-1", replicas: 4, maxReplicas: 12 },
    } as never);
    expect(suggestActions(lagAlert, figures)[0]?.params).toMatchObject({ replicas: 12 });
  });

  it("never suggests more consumers than the topic has partitions, and says so", () => {
    const [suggestion] = suggestActions(lagAlert, lagging({ partitions: 6 } as never));
    expect(suggestion?.params).toMatchObject({ replicas: 6 });
    expect(suggestion?.rationale).toContain("capped at the topic's 6 partitions");
  });

  it("suggests nothing when the consumer is already at its maximum", () => {
    const figures = lagging({ partitions: 24, consumer: { region: "eu-west-1", replicas: 4, maxReplicas: 4 } } as never);
    expect(suggestActions(lagAlert, figures)).toEqual([]);
  });

  it("suggests nothing for a consumer with no replicas to measure a per-replica rate from", () => {
    const figures = lagging({ partitions: 24, consumer: { region: "eu-west-1", replicas: 0, maxReplicas: 10 }, consumedPerSecond: 0 } as never);
    expect(suggestActions(lagAlert, figures)).toEqual([]);
  });

  it("applies a rule only when the alert carries its matchers' labels", () => {
    const rules = [{ alert: "KafkaConsumerLagGrowing", matchers: { team: "payments" }, suggest: "scaleConsumer" as const }];
    expect(suggestActions(lagAlert, lagging({ partitions: 24 } as never), rules)).toEqual([]);
    expect(suggestActions({ ...lagAlert, labels: { team: "payments" } }, lagging({ partitions: 24 } as never), rules)).toHaveLength(1);
  });

  it("scales a hot service the way its autoscaler would, within its maximum", () => {
    const autoscaler = {
      environment: "demo", namespace: "checkout", name: "payments", region: "us-east-1",
      minReplicas: 2, maxReplicas: 8, targetCpuUtilisation: 0.6, cpuUtilisation: 0.9, currentReplicas: 4, desiredReplicas: 4,
    };
    const [suggestion] = suggestActions({ alertname: "ServiceLatencyP95OverSLO", labels: {} }, { autoscaler });
    expect(suggestion).toMatchObject({ kind: "service.scale", params: { namespace: "checkout", service: "payments", region: "us-east-1", replicas: 6 } });
    const [capped] = suggestActions({ alertname: "ServiceLatencyP95OverSLO", labels: {} }, { autoscaler: { ...autoscaler, cpuUtilisation: 1.8 } });
    expect(capped?.params).toMatchObject({ replicas: 8 });
  });

  it("warms a cache from its first warm source, and fails over only when the primary is down", () => {
    const cache = {
      environment: "demo", region: "eu-west-1", cluster: "product-cache", hitRatio: 0.41, keys: 1000, memoryUsedBytes: 1, memoryMaxBytes: 2,
      evictionsPerSecond: 0, opsPerSecond: 10, connectedClients: 3, instances: [], warmSources: ["top-products"], primaryDown: false,
    };
    expect(suggestActions({ alertname: "RedisCacheHitRatioDrop", labels: {} }, { cache })[0]).toMatchObject({ kind: "cache.warm", params: { source: "top-products" } });
    expect(suggestActions({ alertname: "RedisInstanceDown", labels: {} }, { cache })).toEqual([]);
    expect(suggestActions({ alertname: "RedisInstanceDown", labels: {} }, { cache: { ...cache, primaryDown: true } })[0]).toMatchObject({ kind: "cache.failover" });
  });

  it("names only alerts the shipped Prometheus rules define", () => {
    const shipped = readdirSync("deploy/prometheus/rules").flatMap((file) =>
      [...readFileSync(path.join("deploy/prometheus/rules", file), "utf8").matchAll(/- alert: (\w+)/g)].map((match) => match[1]),
    );
    for (const rule of DEFAULT_RUNBOOKS) expect(shipped).toContain(rule.alert);
  });
});
