// A Kafka cluster in one region, its topics and consumer groups, as the Kafka kinds name them.
import type { ActionPorts, ClusterRef, ConsumerGroupDescription, ConsumerGroupRef, TopicDescription, TopicRef } from "../action-ports";
import { ActionRefused } from "./kind";
import { dnsLabel } from "./names";

export const kafkaClusterFields = { region: dnsLabel, cluster: dnsLabel };

export interface KafkaClusterParams {
  region: string;
  cluster: string;
}

export const clusterRef = (params: KafkaClusterParams, environment: string): ClusterRef => ({ environment, region: params.region, cluster: params.cluster });

export const topicRef = (params: KafkaClusterParams, topic: string, environment: string): TopicRef => ({ ...clusterRef(params, environment), topic });

export const groupRef = (params: KafkaClusterParams & { group: string }, environment: string): ConsumerGroupRef => ({
  ...clusterRef(params, environment),
  group: params.group,
});

/** A Kafka cluster belongs to no service namespace: its actions are scoped to `kafka.<cluster>`. */
export const kafkaTarget = (params: KafkaClusterParams, name: string, environment: string) => ({ environment, namespace: `kafka.${params.cluster}`, name });

/** "on Kafka cluster events in eu-west-1" */
export const onCluster = (ref: KafkaClusterParams) => `on Kafka cluster ${ref.cluster} in ${ref.region}`;

export async function requireTopic(ports: ActionPorts, ref: TopicRef, what = "topic"): Promise<TopicDescription> {
  const topic = await ports.queues.describeTopic(ref);
  if (!topic) throw new ActionRefused(`${what} ${ref.topic} not found ${onCluster(ref)} (${ref.environment})`);
  return topic;
}

export async function requireGroup(ports: ActionPorts, ref: ConsumerGroupRef): Promise<ConsumerGroupDescription> {
  const group = await ports.queues.describeConsumerGroup(ref);
  if (!group) throw new ActionRefused(`consumer group ${ref.group} not found ${onCluster(ref)} (${ref.environment})`);
  return group;
}

/** Messages the topic holds: log end minus log start, summed over partitions. */
export const retainedMessages = (topic: TopicDescription) => topic.partitions.reduce((sum, partition) => sum + Math.max(0, partition.high - partition.low), 0);
