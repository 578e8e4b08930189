// The Kafka figures of the MetricsSource port, answered with PromQL over kafka_exporter's
// families (docs/metrics.md is the map). As for services, one query per figure covers every
// cluster, topic, group and partition of the environment, and the figures are joined here by
// (region, cluster[, topic | group][, partition]).
//
// The three methods share queries where they read the same thing (a topic's partition count,
// its under-replicated partitions): the cache answers an identical PromQL string once per
// scrape interval, so a page showing clusters and topics together pays for each only once.
import type { ConsumerGroupLag, KafkaClusterStats, Observed, PartitionLag, TopicStats } from "../../domain/ports";
import { combineFreshness } from "../../domain/ports";
import type { CachedPrometheus } from "./cache";
import { finiteOrZero, indexSamples, joinKey, selector, type QueryScope } from "./promql";
import type { Labels } from "./results";

/**
 * OpenTelemetry's messaging semantic conventions name these attributes; they are not a
 * platform's choice, so the label mapping does not cover them.
 */
const MESSAGING_CONSUMER_GROUP = "messaging_consumer_group_name";
const MESSAGING_DESTINATION = "messaging_destination_name";
/** The platform names a dead-letter topic after the topic it collects failures of. */
const DEAD_LETTER_SUFFIX = ".dlq";

const byText = (a: string, b: string) => a.localeCompare(b);

export class PrometheusKafkaMetrics {
  constructor(
    private readonly scope: QueryScope,
    private readonly reader: CachedPrometheus,
  ) {}

  private get labels() {
    return this.scope.labels;
  }

  /** `{environment="demo"}`: kafka_exporter's families need no other matcher. */
  private selector(): string {
    return selector(this.scope);
  }

  private rate(metric: string): string {
    return `rate(${metric}${this.selector()}[${this.scope.rateWindow}])`;
  }

  private by(...labels: string[]): string {
    return `by (${[this.labels.cluster, this.labels.region, ...labels].join(", ")})`;
  }

  // ---- identities (arrows, to be handed to indexSamples) --------------------------------

  private readonly clusterKey = (labels: Labels) => joinKey(labels[this.labels.region], labels[this.labels.cluster]);

  private readonly topicKey = (labels: Labels) => joinKey(this.clusterKey(labels), labels[this.labels.topic]);

  private readonly groupKey = (labels: Labels) => joinKey(this.clusterKey(labels), labels[this.labels.consumerGroup]);

  private readonly groupTopicKey = (labels: Labels) => joinKey(this.groupKey(labels), labels[this.labels.topic]);

  // ---- queries shared between the methods ------------------------------------------------

  /** One sample per topic: its partition count. Also the topics' inventory. */
  private get topicPartitionsQuery(): string {
    return `kafka_topic_partitions${this.selector()}`;
  }

  private get underReplicatedByTopicQuery(): string {
    return `sum ${this.by(this.labels.topic)} (kafka_topic_partition_under_replicated_partition${this.selector()})`;
  }

  // ---- the port --------------------------------------------------------------------------

  /** Every consumer group on every topic it reads, with its lag per partition, in six queries. */
  async consumerGroupLag(): Promise<Observed<ConsumerGroupLag[]>> {
    const { region, cluster, topic, partition, consumerGroup, serviceNamespace, service } = this.labels;
    const [logEnd, committed, lag, members, consumed, consumers] = await Promise.all([
      this.reader.instant(`kafka_topic_partition_current_offset${this.selector()}`),
      this.reader.instant(`kafka_consumergroup_current_offset${this.selector()}`),
      // The inventory: one sample per group, topic and partition.
      this.reader.instant(`kafka_consumergroup_lag${this.selector()}`),
      this.reader.instant(`kafka_consumergroup_members${this.selector()}`),
      // Committed offsets only grow, so rate() reads them as a counter (an operator's reset to an
      // earlier offset reads as a counter reset: one window's rate is off, not the lag).
      this.reader.instant(`sum ${this.by(consumerGroup, topic)} (${this.rate("kafka_consumergroup_current_offset")})`),
      // Which deployment consumes: the consumers' own telemetry names their group and topic.
      this.reader.instant(`group by (${[serviceNamespace, service, MESSAGING_CONSUMER_GROUP, MESSAGING_DESTINATION, region].join(", ")}) (messaging_process_duration_seconds_count${this.selector()})`),
    ]);
    const partitionKey = (labels: Labels) => joinKey(this.topicKey(labels), labels[partition]);
    const logEnds = indexSamples(logEnd.value, partitionKey);
    const committedOffsets = indexSamples(committed.value, (labels) => joinKey(this.groupTopicKey(labels), labels[partition]));
    const memberCounts = indexSamples(members.value, this.groupKey);
    const consumedRates = indexSamples(consumed.value, this.groupTopicKey);
    // OpenTelemetry's labels carry no Kafka cluster: a group is told apart by region and topic,
    // which holds as long as two clusters of one region do not host the same group and topic.
    const deployments = new Map(consumers.value.map((sample) => [
      joinKey(sample.labels[region], sample.labels[MESSAGING_CONSUMER_GROUP], sample.labels[MESSAGING_DESTINATION]),
      { namespace: sample.labels[serviceNamespace] ?? "", name: sample.labels[service] ?? "" },
    ]));

    const groups = new Map<string, ConsumerGroupLag>();
    for (const sample of lag.value) {
      const labels = sample.labels;
      const key = this.groupTopicKey(labels);
      let group = groups.get(key);
      if (!group) {
        group = {
          environment: this.scope.environment,
          region: labels[region] ?? "",
          cluster: labels[cluster] ?? "",
          group: labels[consumerGroup] ?? "",
          topic: labels[topic] ?? "",
          members: finiteOrZero(memberCounts.get(this.groupKey(labels))),
          // Unknown until its consumers have processed a message: nothing names it before.
          deployment: deployments.get(joinKey(labels[region], labels[consumerGroup], labels[topic])) ?? { namespace: "", name: "" },
          consumedPerSecond: finiteOrZero(consumedRates.get(key)),
          totalLag: 0,
          partitions: [],
        };
        groups.set(key, group);
      }
      const partitionLag: PartitionLag = {
        partition: Number(labels[partition]),
        logEndOffset: finiteOrZero(logEnds.get(partitionKey(labels))),
        committedOffset: finiteOrZero(committedOffsets.get(joinKey(key, labels[partition]))),
        lag: finiteOrZero(sample.value),
      };
      group.partitions.push(partitionLag);
      group.totalLag += partitionLag.lag;
    }
    const value = [...groups.values()];
    for (const group of value) group.partitions.sort((a, b) => a.partition - b.partition);
    value.sort((a, b) => byText(a.region, b.region) || byText(a.cluster, b.cluster) || byText(a.topic, b.topic) || byText(a.group, b.group));
    return { value, ...combineFreshness([logEnd, committed, lag, members, consumed, consumers]) };
  }

  /** Every topic of every cluster, dead-letter topics included, in four queries. */
  async topics(): Promise<Observed<TopicStats[]>> {
    const { topic } = this.labels;
    const [partitions, produced, underReplicated, retained] = await Promise.all([
      this.reader.instant(this.topicPartitionsQuery),
      // Log-end offsets only grow, so rate() reads them as a counter.
      this.reader.instant(`sum ${this.by(topic)} (${this.rate("kafka_topic_partition_current_offset")})`),
      this.reader.instant(this.underReplicatedByTopicQuery),
      this.reader.instant(`sum ${this.by(topic)} (kafka_topic_partition_current_offset${this.selector()} - kafka_topic_partition_oldest_offset${this.selector()})`),
    ]);
    const producedRates = indexSamples(produced.value, this.topicKey);
    const underReplicatedCounts = indexSamples(underReplicated.value, this.topicKey);
    const retainedCounts = indexSamples(retained.value, this.topicKey);
    const value = partitions.value.map((sample): TopicStats => {
      const key = this.topicKey(sample.labels);
      const name = sample.labels[topic] ?? "";
      return {
        environment: this.scope.environment,
        region: sample.labels[this.labels.region] ?? "",
        cluster: sample.labels[this.labels.cluster] ?? "",
        topic: name,
        partitions: finiteOrZero(sample.value),
        producedPerSecond: finiteOrZero(producedRates.get(key)),
        underReplicatedPartitions: finiteOrZero(underReplicatedCounts.get(key)),
        retainedMessages: finiteOrZero(retainedCounts.get(key)),
        deadLetterOf: name.endsWith(DEAD_LETTER_SUFFIX) ? name.slice(0, -DEAD_LETTER_SUFFIX.length) : null,
      };
    });
    value.sort((a, b) => byText(a.region, b.region) || byText(a.cluster, b.cluster) || byText(a.topic, b.topic));
    return { value, ...combineFreshness([partitions, produced, underReplicated, retained]) };
  }

  /** Every cluster, in three queries; topics and partitions are counted from the topics' own query. */
  async kafkaClusters(): Promise<Observed<KafkaClusterStats[]>> {
    const [brokers, partitions, underReplicated] = await Promise.all([
      this.reader.instant(`kafka_brokers${this.selector()}`),
      this.reader.instant(this.topicPartitionsQuery),
      this.reader.instant(this.underReplicatedByTopicQuery),
    ]);
    const clusters = new Map<string, KafkaClusterStats>(brokers.value.map((sample) => [this.clusterKey(sample.labels), {
      environment: this.scope.environment,
      region: sample.labels[this.labels.region] ?? "",
      cluster: sample.labels[this.labels.cluster] ?? "",
      brokers: finiteOrZero(sample.value),
      topics: 0,
      partitions: 0,
      underReplicatedPartitions: 0,
    }]));
    // kafka_brokers is the clusters' inventory: the exporter reports it for every cluster it
    // reaches, with or without topics.
    for (const sample of partitions.value) {
      const stats = clusters.get(this.clusterKey(sample.labels));
      if (!stats) continue;
      stats.topics += 1;
      stats.partitions += finiteOrZero(sample.value);
    }
    for (const sample of underReplicated.value) {
      const stats = clusters.get(this.clusterKey(sample.labels));
      if (stats) stats.underReplicatedPartitions += finiteOrZero(sample.value);
    }
    const value = [...clusters.values()].sort((a, b) => byText(a.region, b.region) || byText(a.cluster, b.cluster));
    return { value, ...combineFreshness([brokers, partitions, underReplicated]) };
  }
}
