// Replays of dead-letter topics: messages copied from `<topic>.dlq` back to `<topic>` at a set
// rate, and deleted from the dead-letter topic once copied. Each replay keeps its progress under
// its id, so running it again continues where it stopped and never copies a message twice. A
// replay moves only while someone runs it (the action's execution), as a real one would.
import type { ReplayProgress } from "../../domain/action-ports";
import { appendMessages, retainedOf, takeOldest, type KafkaClusterState, type TopicState } from "./kafka";

export interface ReplayState {
  readonly id: string;
  readonly cluster: KafkaClusterState;
  readonly deadLetters: TopicState;
  readonly target: TopicState;
  /** min(maxMessages, the dead-letter backlog when it started). */
  readonly planned: number;
  messagesPerSecond: number;
  replayed: number;
  /** Messages the rate allowed but not yet copied (a fraction of one, or what the backlog lacked). */
  credit: number;
  done: boolean;
  /** Whoever runs the replay, told after each second's copy. */
  readonly runners: Set<(progress: ReplayProgress) => void>;
}

export interface ReplayRequest {
  id: string;
  cluster: KafkaClusterState;
  deadLetters: TopicState;
  target: TopicState;
  maxMessages: number;
  messagesPerSecond: number;
}

export function createReplay(request: ReplayRequest): ReplayState {
  const planned = Math.min(request.maxMessages, retainedOf(request.deadLetters));
  return {
    id: request.id, cluster: request.cluster, deadLetters: request.deadLetters, target: request.target,
    planned, messagesPerSecond: request.messagesPerSecond, replayed: 0, credit: 0, done: planned === 0,
    runners: new Set(),
  };
}

export const progressOf = (replay: ReplayState): ReplayProgress => ({ planned: replay.planned, replayed: replay.replayed, done: replay.done });

/** Copies one step's worth of messages; returns how many moved. */
export function stepReplay(replay: ReplayState, dtSeconds: number): number {
  if (replay.done || replay.runners.size === 0) return 0;
  replay.credit += replay.messagesPerSecond * dtSeconds;
  const wanted = Math.min(Math.floor(replay.credit), replay.planned - replay.replayed);
  const moved = takeOldest(replay.deadLetters, wanted);
  appendMessages(replay.target, moved);
  replay.credit -= moved;
  replay.replayed += moved;
  // Done when the plan is met, or when the dead letters ran out (another replay took them).
  if (replay.replayed >= replay.planned || moved < wanted) replay.done = true;
  return moved;
}
