// Live events (action state changes, alerts, silences) for the tRPC subscriptions. Each event
// gets an id when published; a subscriber that reconnects with the last id it saw gets what
// it missed first (as far as the bus still holds it), then live events. With REDIS_URL the
// bus is a Redis Stream (./redis-bus.ts), so every app replica delivers every event; without
// it, this process's own (the demo).
import { EventEmitter } from "node:events";

export type LiveEvent =
  | { type: "action.changed"; requestId: string; state: string; environment: string; namespace: string; at: number }
  | {
      type: "alert.changed";
      fingerprint: string;
      alertname: string;
      status: "firing" | "resolved";
      /** What happened: first seen, fired again, resolved, or its text changed. */
      change: "created" | "fired" | "resolved" | "updated";
      severity: string;
      /** Where it lives, for the permission check (server/domain/alerts/resource.ts AlertPlacement). */
      environment: string | null;
      resourceKind: string | null;
      namespace: string | null;
      cluster: string | null;
      at: number;
    }
  | {
      type: "silence.changed";
      silenceId: string;
      state: "active" | "expired";
      alertFingerprint: string | null;
      /** The scope the silence was authorised on. */
      environment: string;
      namespace: string;
      at: number;
    };

export type ActionChangedEvent = Extract<LiveEvent, { type: "action.changed" }>;

export interface DeliveredEvent {
  /** Increases with every event; pass the last one seen to `subscribe` to catch up after a reconnect. */
  id: string;
  event: LiveEvent;
}

export interface EventBus {
  publish(event: LiveEvent): void;
  /**
   * Yields events until `signal` aborts. With `lastEventId`, first the events published after
   * it that the bus still holds; an id the bus does not know starts with live events.
   */
  subscribe(signal: AbortSignal, lastEventId?: string | null): AsyncIterable<DeliveredEvent>;
  /** Ends every subscription and releases connections. */
  close(): Promise<void>;
}

/** Ids are "<milliseconds>-<sequence>", as Redis Streams number their entries. */
const EVENT_ID = /^(\d{1,20})-(\d{1,20})$/;

export function isEventId(text: string): boolean {
  return EVENT_ID.test(text);
}

/** Orders two event ids; both must pass isEventId. */
export function compareEventIds(a: string, b: string): number {
  const [, aTime = "0", aSequence = "0"] = EVENT_ID.exec(a) ?? [];
  const [, bTime = "0", bSequence = "0"] = EVENT_ID.exec(b) ?? [];
  const time = BigInt(aTime) - BigInt(bTime);
  if (time !== 0n) return time < 0n ? -1 : 1;
  const sequence = BigInt(aSequence) - BigInt(bSequence);
  return sequence === 0n ? 0 : sequence < 0n ? -1 : 1;
}

export class SubscriberTooSlow extends Error {
  override name = "SubscriberTooSlow";
}

/**
 * One subscriber's queue between a publisher that must not wait and a consumer that may be
 * slow. Past `capacity` undelivered events the subscription ends with an error: the client
 * reconnects with its last id and catches up, instead of the server holding events forever.
 */
export class Inbox<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | null = null;
  private ended = false;
  private failure: Error | null = null;

  constructor(private readonly capacity: number) {}

  push(item: T): void {
    if (this.ended) return;
    if (this.items.length >= this.capacity) {
      this.end(new SubscriberTooSlow(`the subscriber fell ${this.capacity} events behind; reconnect to catch up`));
      return;
    }
    this.items.push(item);
    this.notify();
  }

  end(failure?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = failure ?? null;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  async *drain(signal: AbortSignal): AsyncGenerator<T> {
    const onAbort = () => this.end();
    signal.addEventListener("abort", onAbort, { once: true });
    if (signal.aborted) this.end();
    try {
      for (;;) {
        while (this.items.length > 0 && !signal.aborted) yield this.items.shift() as T;
        if (this.ended || signal.aborted) {
          if (this.failure && !signal.aborted) throw this.failure;
          return;
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }
}

/** Undelivered events one subscriber may have queued before it is cut off. */
export const SUBSCRIBER_CAPACITY = 10_000;

/**
 * This process's bus: keeps the last `retained` events so a browser that reconnects to the
 * same process catches up. Ids carry the process's start time, so an id from another process
 * (or before a restart) is recognised as unknown.
 */
export class InProcessEventBus implements EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly recent: DeliveredEvent[] = [];
  private readonly epoch = Date.now();
  private sequence = 0;

  constructor(private readonly retained = 1000) {}

  publish(event: LiveEvent): void {
    const delivered = { id: `${this.epoch}-${++this.sequence}`, event };
    this.recent.push(delivered);
    if (this.recent.length > this.retained) this.recent.shift();
    this.emitter.emit("event", delivered);
  }

  subscribe(signal: AbortSignal, lastEventId?: string | null): AsyncIterable<DeliveredEvent> {
    const inbox = new Inbox<DeliveredEvent>(SUBSCRIBER_CAPACITY);
    // The backlog and the listener are set up in one synchronous step: nothing is published between them.
    if (lastEventId && isEventId(lastEventId) && lastEventId.startsWith(`${this.epoch}-`)) {
      for (const delivered of this.recent) if (compareEventIds(delivered.id, lastEventId) > 0) inbox.push(delivered);
    }
    const listener = (delivered: DeliveredEvent) => inbox.push(delivered);
    const stop = () => {
      inbox.end();
      this.emitter.off("event", listener);
      this.emitter.off("close", stop);
      signal.removeEventListener("abort", stop);
    };
    this.emitter.on("event", listener);
    this.emitter.once("close", stop);
    // Also when the caller never iterates: an aborted subscription holds nothing.
    signal.addEventListener("abort", stop, { once: true });
    if (signal.aborted) stop();
    return (async function* () {
      try {
        yield* inbox.drain(signal);
      } finally {
        stop();
      }
    })();
  }

  async close(): Promise<void> {
    this.emitter.emit("close");
  }
}
