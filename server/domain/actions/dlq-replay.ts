import { z } from "zod";
import type { ReplayProgress, ReplaySpec, TopicDescription, TopicRef } from "../action-ports";
import { formatCount, formatDuration, formatRate } from "../health/format";
import { ActionRefused, type ActionKind } from "./kind";
import { kafkaClusterFields, kafkaTarget, onCluster, requireTopic, retainedMessages, topicRef } from "./kafka-ref";
import { kafkaName, wholeNumber } from "./names";

const DEAD_LETTER_SUFFIX = ".dlq";

export const dlqReplayParams = z
  .object({
    ...kafkaClusterFields,
    /** The dead-letter topic. */
    topic: kafkaName("topic"),
    /** Where the messages go; the dead-letter topic's name without ".dlq" when not given. */
    targetTopic: kafkaName("targetTopic").optional(),
    maxMessages: wholeNumber("maxMessages", 1, 10_000_000),
    messagesPerSecond: wholeNumber("messagesPerSecond", 1, 100_000),
  })
  .superRefine((params, ctx) => {
    const target = targetTopicOf(params);
    if (target === "") {
      ctx.addIssue({ code: "custom", message: `topic ${params.topic} does not end in "${DEAD_LETTER_SUFFIX}"; name the topic to replay into as targetTopic`, path: ["targetTopic"] });
    } else if (target === params.topic) {
      ctx.addIssue({ code: "custom", message: "targetTopic must differ from the dead-letter topic", path: ["targetTopic"] });
    }
  });
export type DlqReplayParams = z.infer<typeof dlqReplayParams>;

/** The topic replayed into; "" when neither given nor derivable. */
export function targetTopicOf(params: { topic: string; targetTopic?: string | undefined }): string {
  if (params.targetTopic !== undefined) return params.targetTopic;
  return params.topic.endsWith(DEAD_LETTER_SUFFIX) ? params.topic.slice(0, -DEAD_LETTER_SUFFIX.length) : "";
}

export interface DeadLetters {
  deadLetters: TopicDescription;
  target: TopicDescription;
  /** Messages the dead-letter topic holds that no earlier replay into the target got to. */
  backlog: number;
  /** Messages the dead-letter topic holds that earlier replays into the target already did. */
  replayedBefore: number;
}

/** The refusal of a replay that would start after the last dead letter: earlier ones replayed them all. */
export const everythingReplayed = (ref: TopicRef, target: string) =>
  `every message in ${ref.topic} ${onCluster(ref)} has been replayed into ${target} by earlier requests; nothing new to replay`;

const specOf = (params: DlqReplayParams, environment: string, requestId: string): ReplaySpec => ({
  replayId: requestId,
  deadLetters: topicRef(params, params.topic, environment),
  target: targetTopicOf(params),
  maxMessages: params.maxMessages,
  messagesPerSecond: params.messagesPerSecond,
});

const describeProgress = (progress: ReplayProgress, params: DlqReplayParams) =>
  `replayed ${formatCount(progress.replayed)} of ${formatCount(progress.planned)} messages from ${params.topic} into ${targetTopicOf(params)}`;

export const dlqReplay: ActionKind<DlqReplayParams, DeadLetters> = {
  kind: "dlq.replay",
  title: "Replay a dead-letter queue",
  permission: "action.request",
  params: dlqReplayParams,
  riskRule: "always medium: the replayed messages are processed again, at the rate asked for",
  target: (params, environment) => kafkaTarget(params, params.topic, environment),
  resumable: true,
  // Kafka tells a running replay by its group's members, but a crashed one has none until
  // its retry, and two started at once both find none: the requests themselves are the lock.
  exclusiveKey: (params, environment) => JSON.stringify([environment, params.region, params.cluster, params.topic, targetTopicOf(params)]),
  progressSummary: (progress) =>
    typeof progress.replayed === "number" && typeof progress.planned === "number" ? `${progress.replayed} of ${progress.planned} done` : null,

  async load(ports, params, environment) {
    const dlqRef = topicRef(params, params.topic, environment);
    const deadLetters = await requireTopic(ports, dlqRef, "dead-letter topic");
    const targetName = targetTopicOf(params);
    const target = await requireTopic(ports, topicRef(params, targetName, environment), "target topic");
    if (retainedMessages(deadLetters) === 0) throw new ActionRefused(`dead-letter topic ${params.topic} is empty ${onCluster(params)}; nothing to replay`);
    // A replay continues after what earlier ones into the same target got to.
    const { retained, replayedBefore } = await ports.queues.deadLetterBacklog(dlqRef, targetName);
    const backlog = Math.max(0, retained - replayedBefore);
    if (backlog === 0) throw new ActionRefused(everythingReplayed(dlqRef, targetName));
    return { deadLetters, target, backlog, replayedBefore };
  },

  plan(params, current) {
    const planned = Math.min(params.maxMessages, current.backlog);
    const target = targetTopicOf(params);
    return {
      risk: "medium",
      riskReasons: [
        `writes ${formatCount(planned)} messages back to ${target}: its consumers process them again, so they must be idempotent`,
        `what made them fail must be fixed first, or they land in ${params.topic} again`,
      ],
      summary:
        `Replay ${formatCount(planned)} of the ${formatCount(current.backlog)} messages in ${params.topic}${current.replayedBefore > 0 ? ` not replayed before (earlier requests replayed ${formatCount(current.replayedBefore)})` : ""}` +
        ` into ${target} ${onCluster(params)} at ${formatRate(params.messagesPerSecond, "msg/s")}`,
      changes: [
        { label: "messages replayed", before: "0", after: `${formatCount(planned)} of ${formatCount(current.backlog)}` },
        { label: "duration", before: "—", after: `about ${formatDuration(Math.max(1000, (planned / params.messagesPerSecond) * 1000))}` },
      ],
      monthlyCostDelta: null,
    };
  },

  async execute(ports, params, { environment, requestId, reportProgress, signal }) {
    await ports.queues.replayDeadLetters(specOf(params, environment, requestId), (progress) => reportProgress({ ...progress }), signal);
  },

  async verify(ports, params, { environment, requestId }) {
    const progress = await ports.queues.replayProgress(specOf(params, environment, requestId));
    if (!progress) return { ok: false, observed: {}, message: `the replay of ${params.topic} never started` };
    return {
      ok: progress.done,
      observed: { ...progress },
      message: progress.done ? describeProgress(progress, params) : `stopped before the end: ${describeProgress(progress, params)}`,
    };
  },

  rollback: () => null,
};
