import { z } from "zod";
import type { TopicDescription } from "../action-ports";
import { ActionRefused, type ActionKind } from "./kind";
import { kafkaClusterFields, kafkaTarget, onCluster, requireTopic, topicRef } from "./kafka-ref";
import { kafkaName, wholeNumber } from "./names";

export const topicAddPartitionsParams = z.object({
  ...kafkaClusterFields,
  topic: kafkaName("topic"),
  /** The new total. */
  partitions: wholeNumber("partitions", 1, 10_000),
});
export type TopicAddPartitionsParams = z.infer<typeof topicAddPartitionsParams>;

export const topicAddPartitions: ActionKind<TopicAddPartitionsParams, TopicDescription> = {
  kind: "topic.addPartitions",
  title: "Add partitions to a topic",
  permission: "action.request",
  params: topicAddPartitionsParams,
  riskRule: "high when the partition count more than doubles; otherwise medium (keyed messages map to other partitions either way)",
  target: (params, environment) => kafkaTarget(params, params.topic, environment),

  async load(ports, params, environment) {
    const ref = topicRef(params, params.topic, environment);
    const topic = await requireTopic(ports, ref);
    const count = topic.partitions.length;
    if (params.partitions < count) {
      throw new ActionRefused(`topic ${params.topic} has ${count} partitions; Kafka cannot lower it to ${params.partitions}`);
    }
    if (params.partitions === count) throw new ActionRefused(`topic ${params.topic} already has ${count} partitions; ask for more than ${count}`);
    await ports.queues.addPartitions(ref, params.partitions, { dryRun: true });
    return topic;
  },

  plan(params, topic) {
    const count = topic.partitions.length;
    const riskReasons = [
      `keyed messages will map to other partitions: ordering per key breaks across the change, and a key's new messages may be consumed before its old ones`,
      "partitions cannot be removed afterwards",
    ];
    const more = params.partitions > 2 * count;
    if (more) riskReasons.unshift(`more than doubles the partitions (${count} → ${params.partitions})`);
    return {
      risk: more ? "high" : "medium",
      riskReasons,
      summary: `Add ${params.partitions - count} partitions to ${params.topic} ${onCluster(params)} (${count} → ${params.partitions})`,
      changes: [{ label: "partitions", before: String(count), after: String(params.partitions) }],
      monthlyCostDelta: null,
    };
  },

  execute: (ports, params, { environment }) => ports.queues.addPartitions(topicRef(params, params.topic, environment), params.partitions),

  async verify(ports, params, { environment }) {
    const topic = await ports.queues.describeTopic(topicRef(params, params.topic, environment));
    const count = topic?.partitions.length ?? null;
    const ok = count === params.partitions;
    return {
      ok,
      observed: { partitions: count },
      message: count === null ? `topic ${params.topic} is gone` : ok ? `topic ${params.topic} now has ${count} partitions` : `topic ${params.topic} has ${count} partitions, expected ${params.partitions}`,
    };
  },

  // Kafka cannot lower a topic's partition count.
  rollback: () => null,
};
