// One dead-letter replay in a process of its own, for tests that kill it mid-way:
//   node --import tsx tests/helpers/kafka-replay-child.ts '{"brokers":[...],"spec":{...},"tuning":{...},"hangAtCommit":5}'
// Prints each progress report as one line of JSON. With `hangAtCommit: n`, the n-th commit of a
// transaction never happens: the process prints {"hanging":true} and waits with that
// transaction open (its messages sent, its offsets sent, nothing committed), to be killed.
import { Kafka, type Producer } from "kafkajs";
import { KafkaQueueAdmin } from "../../server/adapters/kafka/queue-admin";
import type { ReplaySpec } from "../../server/domain/action-ports";
import type { ReplayTuning } from "../../server/adapters/kafka/replay";
import { clusterTarget } from "./kafka-replay";

const { brokers, spec, tuning, hangAtCommit } = JSON.parse(process.argv[2] ?? "{}") as {
  brokers: string[];
  spec: ReplaySpec;
  tuning: Partial<ReplayTuning>;
  hangAtCommit?: number;
};

if (hangAtCommit !== undefined) {
  let commits = 0;
  const createProducer = Kafka.prototype.producer;
  Kafka.prototype.producer = function (this: Kafka, ...args: Parameters<Kafka["producer"]>): Producer {
    const producer = createProducer.apply(this, args);
    const begin = producer.transaction.bind(producer);
    producer.transaction = async () => {
      const transaction = await begin();
      const commit = transaction.commit.bind(transaction);
      transaction.commit = async () => {
        if (++commits < hangAtCommit) return commit();
        process.stdout.write(`${JSON.stringify({ hanging: true })}\n`);
        return new Promise<never>(() => undefined);
      };
      return transaction;
    };
    return producer;
  };
}

const queues = new KafkaQueueAdmin(clusterTarget(brokers), { replay: tuning });
await queues.replayDeadLetters(spec, (progress) => process.stdout.write(`${JSON.stringify(progress)}\n`));
