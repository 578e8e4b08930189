// The event bus across app replicas: every event is appended to one Redis Stream (XADD with
// an approximate MAXLEN, so the stream stays bounded), and each process reads the stream with
// one blocking XREAD from the last entry it saw, fanning the entries out to its subscribers.
// Reading from the last id means a broken connection loses nothing: after the reconnect the
// next XREAD returns what was added meanwhile. A subscriber that reconnects (a browser's
// EventSource after a network blip, possibly to another replica) passes the last id it saw
// and first gets the entries after it (XRANGE), then live ones.
import { EventEmitter } from "node:events";
import { Redis } from "ioredis";
import { compareEventIds, Inbox, InProcessEventBus, isEventId, SUBSCRIBER_CAPACITY, type DeliveredEvent, type EventBus, type LiveEvent } from "./bus";

export interface RedisEventBusOptions {
  url: string;
  /** Default scaleplane:events. Processes that should see each other's events use the same key. */
  streamKey?: string;
  /** Entries kept, approximately: how far back a reconnecting subscriber can catch up. */
  maxLength?: number;
  /** How long one XREAD waits for new entries before it is issued again. */
  blockMs?: number;
  /** Wait before reading again after a failed read. */
  retryMs?: number;
  onError?: (error: unknown) => void;
}

const DEFAULT_STREAM_KEY = "scaleplane:events";
const DEFAULT_MAX_LENGTH = 10_000;
const READ_BATCH = 500;

type StreamEntry = [id: string, fields: string[]];
type StreamReply = [key: string, entries: StreamEntry[]][] | null;

function eventOf(fields: string[]): LiveEvent | null {
  const index = fields.indexOf("event");
  const text = index >= 0 ? fields[index + 1] : undefined;
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as LiveEvent;
  } catch {
    return null;
  }
}

function logError(error: unknown): void {
  console.warn("[scaleplane] live events over Redis:", error instanceof Error ? error.message : error);
}

export class RedisEventBus implements EventBus {
  private readonly writer: Redis;
  private readonly reader: Redis;
  private readonly fanOut = new EventEmitter().setMaxListeners(0);
  private readonly streamKey: string;
  private readonly maxLength: number;
  private readonly blockMs: number;
  private readonly retryMs: number;
  private readonly onError: (error: unknown) => void;
  private closed = false;
  private readonly reading: Promise<void>;

  constructor(options: RedisEventBusOptions) {
    this.streamKey = options.streamKey ?? DEFAULT_STREAM_KEY;
    this.maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
    this.blockMs = options.blockMs ?? 5000;
    this.retryMs = options.retryMs ?? 500;
    this.onError = options.onError ?? logError;
    // Published events wait in the offline queue through a reconnect rather than fail.
    this.writer = new Redis(options.url, { connectionName: "scaleplane-events-writer", maxRetriesPerRequest: 20 });
    // The blocking read waits for a reconnect however long it takes, then is sent again.
    this.reader = new Redis(options.url, { connectionName: "scaleplane-events-reader", maxRetriesPerRequest: null });
    this.writer.on("error", this.onError);
    this.reader.on("error", this.onError);
    this.reading = this.readForever();
  }

  publish(event: LiveEvent): void {
    if (this.closed) return;
    this.writer.xadd(this.streamKey, "MAXLEN", "~", String(this.maxLength), "*", "event", JSON.stringify(event)).catch(this.onError);
  }

  subscribe(signal: AbortSignal, lastEventId?: string | null): AsyncIterable<DeliveredEvent> {
    const inbox = new Inbox<DeliveredEvent>(SUBSCRIBER_CAPACITY);
    const listener = (delivered: DeliveredEvent) => inbox.push(delivered);
    const stop = () => {
      inbox.end();
      this.fanOut.off("event", listener);
      this.fanOut.off("close", stop);
      signal.removeEventListener("abort", stop);
    };
    // Live events are queued from now on, while the backlog is read.
    this.fanOut.on("event", listener);
    this.fanOut.once("close", stop);
    signal.addEventListener("abort", stop, { once: true });
    if (signal.aborted || this.closed) stop();
    return this.deliver(inbox, signal, lastEventId, stop);
  }

  private async *deliver(inbox: Inbox<DeliveredEvent>, signal: AbortSignal, lastEventId: string | null | undefined, stop: () => void): AsyncGenerator<DeliveredEvent> {
    try {
      let last: string | null = null;
      if (lastEventId && isEventId(lastEventId) && (await this.holdsUpTo(lastEventId))) {
        last = lastEventId;
        for await (const delivered of this.entriesAfter(lastEventId, signal)) {
          last = delivered.id;
          yield delivered;
        }
      }
      for await (const delivered of inbox.drain(signal)) {
        // What the backlog already gave is skipped.
        if (last !== null && compareEventIds(delivered.id, last) <= 0) continue;
        last = delivered.id;
        yield delivered;
      }
    } finally {
      stop();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fanOut.emit("close");
    // A blocking XREAD does not return on its own; dropping the connection ends it.
    this.reader.disconnect();
    await this.reading;
    await this.writer.quit().catch(() => this.writer.disconnect());
  }

  /**
   * Whether `id` is one this stream could have given: not after its last entry. An id from a
   * stream that was since emptied or replaced (a new Redis) would otherwise hide every new event.
   */
  private async holdsUpTo(id: string): Promise<boolean> {
    const [last] = (await this.writer.xrevrange(this.streamKey, "+", "-", "COUNT", 1)) as StreamEntry[];
    return last !== undefined && compareEventIds(id, last[0]) <= 0;
  }

  /** The entries after `id` that the stream still holds, oldest first, in pages. */
  private async *entriesAfter(id: string, signal: AbortSignal): AsyncGenerator<DeliveredEvent> {
    let after = id;
    while (!signal.aborted) {
      const entries = (await this.writer.xrange(this.streamKey, `(${after}`, "+", "COUNT", READ_BATCH)) as StreamEntry[];
      for (const [entryId, fields] of entries) {
        after = entryId;
        const event = eventOf(fields);
        if (event) yield { id: entryId, event };
      }
      if (entries.length < READ_BATCH) return;
    }
  }

  /** Where reading starts: the stream's last entry now, so only events published from here on are read. */
  private async startingPoint(): Promise<string> {
    const [last] = (await this.reader.xrevrange(this.streamKey, "+", "-", "COUNT", 1)) as StreamEntry[];
    return last?.[0] ?? "0-0";
  }

  private async readForever(): Promise<void> {
    let position: string | null = null;
    while (!this.closed) {
      try {
        position ??= await this.startingPoint();
        const reply = (await this.reader.xread("COUNT", READ_BATCH, "BLOCK", this.blockMs, "STREAMS", this.streamKey, position)) as StreamReply;
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            position = id;
            const event = eventOf(fields);
            if (event) this.fanOut.emit("event", { id, event } satisfies DeliveredEvent);
          }
        }
      } catch (error) {
        if (this.closed) return;
        this.onError(error);
        await new Promise((resolve) => setTimeout(resolve, this.retryMs));
      }
    }
  }
}

/** The bus for this process: over Redis when the app has one (every replica sees every event), else in-process. */
export function createEventBus(redisUrl: string | undefined, options: Omit<RedisEventBusOptions, "url"> = {}): EventBus {
  return redisUrl ? new RedisEventBus({ url: redisUrl, ...options }) : new InProcessEventBus();
}
