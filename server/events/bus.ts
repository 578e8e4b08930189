// Live events (action state changes, new requests) for subscriptions. In-process for now;
// a Redis pub/sub transport makes every app replica see every event (REDIS_URL).
import { EventEmitter, on } from "node:events";

export type LiveEvent =
  | { type: "action.changed"; requestId: string; state: string; environment: string; namespace: string; at: number };

export interface EventBus {
  publish(event: LiveEvent): void;
  /** Yields events until `signal` aborts. */
  subscribe(signal: AbortSignal): AsyncIterable<LiveEvent>;
}

export class InProcessEventBus implements EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(event: LiveEvent): void {
    this.emitter.emit("event", event);
  }

  async *subscribe(signal: AbortSignal): AsyncIterable<LiveEvent> {
    try {
      for await (const [event] of on(this.emitter, "event", { signal })) yield event as LiveEvent;
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  }
}
