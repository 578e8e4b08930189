// The live-event bus over a real Redis, as two app replicas use it: two buses on one stream,
// each delivering what the other publishes, catching up from a last id, and losing nothing
// when Redis drops the reading connection. Uses its own db index and a stream key of its own.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DeliveredEvent, LiveEvent } from "../../server/events/bus";
import { RedisEventBus } from "../../server/events/redis-bus";
import { waitUntil } from "../helpers/prometheus";

const REDIS_URL = "redis://127.0.0.1:6379/12";
const DB_INDEX = 12;

let admin: Redis;
const opened: RedisEventBus[] = [];
let streamKey: string;

beforeAll(() => {
  admin = new Redis(REDIS_URL);
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((bus) => bus.close()));
  await admin.del(streamKey);
});

afterAll(async () => {
  await admin?.quit();
});

function newStreamKey(): string {
  streamKey = `scaleplane:test-events:${randomBytes(4).toString("hex")}`;
  return streamKey;
}

function bus(key: string, options: { maxLength?: number } = {}): RedisEventBus {
  const created = new RedisEventBus({ url: REDIS_URL, streamKey: key, blockMs: 1000, retryMs: 50, onError: () => {}, ...options });
  opened.push(created);
  return created;
}

function event(n: number): LiveEvent {
  return { type: "action.changed", requestId: `request-${n}`, state: "pending", environment: "demo", namespace: "checkout", at: n };
}

const numberOf = (delivered: DeliveredEvent) => (delivered.event.type === "action.changed" ? delivered.event.at : -1);

/** Collects what a subscription yields until aborted; the probes of `untilReading` (negative numbers) only with `probes`. */
function collect(on: RedisEventBus, lastEventId?: string, probes = false) {
  const controller = new AbortController();
  const received: DeliveredEvent[] = [];
  const done = (async () => {
    for await (const delivered of on.subscribe(controller.signal, lastEventId)) if (probes || numberOf(delivered) >= 0) received.push(delivered);
  })();
  return { received, done, stop: async () => (controller.abort(), await done) };
}

/** The stream is read from where it ends when a bus starts; wait until a new bus has read once. */
async function untilReading(...buses: RedisEventBus[]) {
  const probe = collect(buses[0]!, undefined, true);
  let n = -1000;
  await waitUntil(async () => {
    buses[0]!.publish(event(n--));
    return probe.received.length > 0;
  }, 10_000, "the bus to read its stream");
  await probe.stop();
  for (const other of buses.slice(1)) {
    const seen = collect(other, undefined, true);
    await waitUntil(async () => {
      buses[0]!.publish(event(n--));
      return seen.received.length > 0;
    }, 10_000, "the other bus to read its stream");
    await seen.stop();
  }
}

describe("two app replicas on one Redis", () => {
  it("deliver every event published on either, in order, to subscribers of both", async () => {
    const key = newStreamKey();
    const [a, b] = [bus(key), bus(key)];
    await untilReading(a, b);
    const onA = collect(a);
    const onB = collect(b);
    for (let n = 1; n <= 50; n++) (n % 2 === 0 ? a : b).publish(event(n));
    await waitUntil(async () => onA.received.length >= 50 && onB.received.length >= 50, 10_000, "50 events on both replicas");
    await Promise.all([onA.stop(), onB.stop()]);
    const sent = Array.from({ length: 50 }, (_, i) => i + 1);
    // Each replica's own events stay in its publishing order; both see one interleaving, the stream's.
    expect(onA.received.map(numberOf).filter((n) => n % 2 === 0)).toEqual(sent.filter((n) => n % 2 === 0));
    expect(onA.received.map(numberOf).filter((n) => n % 2 === 1)).toEqual(sent.filter((n) => n % 2 === 1));
    expect(onB.received.map((delivered) => delivered.id)).toEqual(onA.received.map((delivered) => delivered.id));
    expect(onA.received).toHaveLength(50);
  });

  it("catch a reconnecting subscriber up from the last id it saw, then go on live, without repeats", async () => {
    const key = newStreamKey();
    const [a, b] = [bus(key), bus(key)];
    await untilReading(a, b);
    const first = collect(b);
    for (let n = 1; n <= 5; n++) a.publish(event(n));
    await waitUntil(async () => first.received.length >= 5, 10_000, "the first five events");
    await first.stop();
    const lastSeen = first.received.at(-1)!.id;

    // Published while the subscriber was away (a browser between two EventSource connections).
    for (let n = 6; n <= 10; n++) a.publish(event(n));
    await waitUntil(async () => (await admin.xlen(key)) >= 10 + 0, 10_000, "ten entries in the stream");
    const resumed = collect(b, lastSeen);
    await waitUntil(async () => resumed.received.length >= 5, 10_000, "the five missed events");
    for (let n = 11; n <= 13; n++) a.publish(event(n));
    await waitUntil(async () => resumed.received.length >= 8, 10_000, "the live events after the catch-up");
    await new Promise((resolve) => setTimeout(resolve, 200));
    await resumed.stop();
    expect(resumed.received.map(numberOf)).toEqual([6, 7, 8, 9, 10, 11, 12, 13]);
  });

  it("lose nothing when Redis drops a replica's reading connection", async () => {
    const key = newStreamKey();
    const [a, b] = [bus(key), bus(key)];
    await untilReading(a, b);
    const onB = collect(b);
    const clients = (await admin.client("LIST")) as string;
    const readers = clients
      .split("\n")
      .filter((line) => line.includes("name=scaleplane-events-reader") && line.includes(` db=${DB_INDEX} `))
      .map((line) => /\bid=(\d+)/.exec(line)?.[1])
      .filter((id): id is string => id !== undefined);
    expect(readers.length).toBeGreaterThanOrEqual(2);
    for (const id of readers) await admin.client("KILL", "ID", id);
    for (let n = 1; n <= 20; n++) a.publish(event(n));
    await waitUntil(async () => onB.received.length >= 20, 15_000, "the 20 events after the reconnect");
    await new Promise((resolve) => setTimeout(resolve, 300));
    await onB.stop();
    expect(onB.received.map(numberOf)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("ignore a last id the stream never gave (a stream emptied or replaced), rather than hide new events", async () => {
    const key = newStreamKey();
    const a = bus(key);
    await untilReading(a);
    const future = `${Date.now() + 86_400_000}-0`;
    const subscriber = collect(a, future);
    a.publish(event(1));
    await waitUntil(async () => subscriber.received.length >= 1, 10_000, "the new event");
    await subscriber.stop();
    expect(subscriber.received.map(numberOf)).toEqual([1]);
  });

  it("keep the stream bounded, and end every subscription on close", async () => {
    const key = newStreamKey();
    const a = bus(key, { maxLength: 100 });
    await untilReading(a);
    const subscriber = collect(a);
    for (let n = 1; n <= 1000; n++) a.publish(event(n));
    // (A burst far above the bound can be trimmed before a replica reads it: the bound is sized
    // for how far back a reconnecting browser catches up, 10,000 by default.)
    await waitUntil(async () => subscriber.received.some((delivered) => numberOf(delivered) === 1000), 15_000, "the last event");
    expect(await admin.xlen(key)).toBeLessThan(300);
    await a.close();
    // The subscription ends by itself once the bus is closed: `done` settles without an abort.
    await subscriber.done;
    a.publish(event(1001));
    expect(subscriber.received.map(numberOf)).not.toContain(1001);
  });
});
