import { pointsOf } from "../domain/health/burrow";
import { consumerGroupHealth, kafkaClusterHealth, topicHealth } from "../domain/health";
import type { ConsumerGroupLag } from "../domain/ports";
import type { Fleet } from "../fleet/read";
import type { Runtime } from "../runtime";
import { createTRPCRouter, permissionProcedure } from "../trpc";
import { entityInput, entityName, environmentInput, inRegions, readVisibleFleet } from "./fleet-input";

/** A consumer group's verdict from the lag poller's windows and the configured levels. */
function groupJudge(runtime: Runtime) {
  const judging = runtime.judging();
  return (group: ConsumerGroupLag) => consumerGroupHealth(group, judging.lagWindows?.(group), judging.thresholds.consumerGroups, judging.now);
}

/** The Kafka side of the fleet with every cluster, topic and group judged. */
function judgeQueues(runtime: Runtime, fleet: Fleet) {
  const judging = runtime.judging();
  const { thresholds } = judging;
  const groupHealth = groupJudge(runtime);
  return {
    clusters: fleet.kafkaClusters.map((cluster) => ({ ...cluster, health: kafkaClusterHealth(cluster, thresholds.kafkaClusters, judging.expectedBrokers?.(cluster)) })),
    topics: fleet.topics.map((topic) => ({ ...topic, health: topicHealth(topic, thresholds.topics) })),
    groups: fleet.consumerGroups.map((group) => {
      const { partitions, ...summary } = group;
      const health = groupHealth(group);
      return {
        ...summary,
        partitionCount: partitions.length,
        maxPartitionLag: Math.max(0, ...partitions.map((partition) => partition.lag)),
        health: { verdict: health.verdict, reasons: health.reasons, status: health.status, timeToDrainSeconds: health.timeToDrainSeconds },
      };
    }),
  };
}

export const queuesRouter = createTRPCRouter({
  /** Every Kafka cluster, topic and consumer group of the environment, judged. */
  list: permissionProcedure("service.read")
    .input(environmentInput)
    .query(async ({ ctx, input }) => {
      const { runtime, fleet } = await readVisibleFleet(ctx, input?.environment);
      const { clusters, topics, groups } = judgeQueues(runtime, fleet);
      return { environment: fleet.environment, clusters, topics, groups, freshness: fleet.freshness };
    }),

  /** One Kafka cluster (in each region it runs in): brokers, topics and groups. */
  cluster: permissionProcedure("service.read")
    .input(entityInput({ cluster: entityName }))
    .query(async ({ ctx, input }) => {
      const { runtime, fleet } = await readVisibleFleet(ctx, input.environment);
      const queues = judgeQueues(runtime, fleet);
      const ofCluster = <T extends { cluster: string; region: string }>(entities: T[]) =>
        entities.filter((entity) => entity.cluster === input.cluster && (input.region === undefined || entity.region === input.region));
      return {
        environment: fleet.environment,
        clusters: inRegions(ofCluster(queues.clusters), input.region, `Kafka cluster ${input.cluster}`),
        topics: ofCluster(queues.topics),
        groups: ofCluster(queues.groups),
        freshness: fleet.freshness,
      };
    }),

  /** One consumer group: per region and topic, every partition's offsets, lag, Burrow status and recent lag. */
  group: permissionProcedure("service.read")
    .input(entityInput({ cluster: entityName, group: entityName }))
    .query(async ({ ctx, input }) => {
      const { runtime, fleet } = await readVisibleFleet(ctx, input.environment);
      // Only this group is judged in full; the others are not needed here.
      const groupHealth = groupJudge(runtime);
      const lagWindows = runtime.judging().lagWindows;
      const found = inRegions(
        fleet.consumerGroups.filter((group) => group.cluster === input.cluster && group.group === input.group),
        input.region,
        `consumer group ${input.group} on ${input.cluster}`,
      );
      return {
        environment: fleet.environment,
        groups: found.map((group) => {
          const health = groupHealth(group);
          const windows = lagWindows?.(group);
          return {
            ...group,
            health,
            partitions: group.partitions.map((partition) => {
              const window = windows?.get(partition.partition);
              return {
                ...partition,
                evaluation: health.partitions.find((evaluated) => evaluated.partition === partition.partition) ?? null,
                /** The poller's observations: the lag's recent course, for a sparkline. */
                recent: window ? pointsOf(window).map((point) => ({ t: point.t, lag: point.lag, committed: point.committed })) : [],
              };
            }),
          };
        }),
        freshness: fleet.freshness,
      };
    }),

  /** One topic: partitions, throughput, replication, its dead-letter topic and the groups reading it. */
  topic: permissionProcedure("service.read")
    .input(entityInput({ cluster: entityName, topic: entityName }))
    .query(async ({ ctx, input }) => {
      const { runtime, fleet } = await readVisibleFleet(ctx, input.environment);
      const queues = judgeQueues(runtime, fleet);
      const topics = inRegions(
        queues.topics.filter((topic) => topic.cluster === input.cluster && topic.topic === input.topic),
        input.region,
        `topic ${input.topic} on ${input.cluster}`,
      );
      const regions = new Set(topics.map((topic) => topic.region));
      const related = (name: string) => queues.topics.filter((topic) => topic.cluster === input.cluster && regions.has(topic.region) && topic.topic === name);
      return {
        environment: fleet.environment,
        topics,
        deadLetterTopics: related(`${input.topic}.dlq`),
        sourceTopics: topics[0]?.deadLetterOf ? related(topics[0].deadLetterOf) : [],
        groups: queues.groups.filter((group) => group.cluster === input.cluster && group.topic === input.topic && regions.has(group.region)),
        freshness: fleet.freshness,
      };
    }),
});
