import type { TimePoint } from "../../domain/ports";

const FIELDS = 6;

/**
 * The latest `capacity` time points of one workload, oldest dropped first. Stored as one
 * Float64Array rather than objects: at 5,000 services an hour of history is over a million
 * points, which as objects would cost four times the memory and the garbage collector's time.
 */
export class TimePointHistory {
  private readonly values: Float64Array;
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`history capacity must be a positive integer, got ${capacity}`);
    this.values = new Float64Array(capacity * FIELDS);
  }

  get size(): number {
    return this.count;
  }

  push(point: TimePoint): void {
    const at = this.next * FIELDS;
    this.values[at] = point.t;
    this.values[at + 1] = point.requestsPerSecond;
    this.values[at + 2] = point.errorRatio;
    this.values[at + 3] = point.p95LatencyMs;
    this.values[at + 4] = point.cpuUtilisation;
    this.values[at + 5] = point.replicas;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** Oldest first. */
  toArray(): TimePoint[] {
    return this.newest(this.count);
  }

  /** The points after `from` (epoch ms), oldest first: a window without copying the whole history. */
  after(from: number): TimePoint[] {
    let count = 0;
    while (count < this.count && (this.values[this.slot(this.count - 1 - count) * FIELDS] ?? 0) > from) count++;
    return this.newest(count);
  }

  /** The slot of the point `offset` places after the oldest. */
  private slot(offset: number): number {
    return (this.next - this.count + offset + this.capacity * 2) % this.capacity;
  }

  private newest(count: number): TimePoint[] {
    const result: TimePoint[] = [];
    for (let offset = this.count - count; offset < this.count; offset++) {
      const at = this.slot(offset) * FIELDS;
      const v = this.values;
      result.push({
        t: v[at] ?? 0, requestsPerSecond: v[at + 1] ?? 0, errorRatio: v[at + 2] ?? 0,
        p95LatencyMs: v[at + 3] ?? 0, cpuUtilisation: v[at + 4] ?? 0, replicas: v[at + 5] ?? 0,
      });
    }
    return result;
  }
}
