// A writer for the Prometheus text exposition format 0.0.4. prom-client cannot express
// the simulator's figures: its histograms only take single observations, not bucket counts
// integrated from a rate, and going through its per-series label maps would cost seconds
// at 5,000 services. This writes each family once (HELP, TYPE, then its samples).
import { Buffer } from "node:buffer";

export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type MetricType = "gauge" | "counter" | "histogram";

const escapeHelp = (text: string) => text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
const NEEDS_ESCAPE = /[\\\n"]/;
const escapeLabelValue = (value: string) =>
  NEEDS_ESCAPE.test(value) ? value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"') : value;

/** `a="1",b="2"`, values escaped; pre-render a series' fixed labels once and reuse the string. */
export function labelPairs(labels: Readonly<Record<string, string | number>>): string {
  let text = "";
  for (const name in labels) {
    const value = labels[name];
    if (value === undefined) continue;
    text += `${text === "" ? "" : ","}${name}="${escapeLabelValue(String(value))}"`;
  }
  return text;
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

const joinLabels = (a: string, b: string) => (a === "" ? b : b === "" ? a : `${a},${b}`);
/**
 * The text is encoded into blocks of this size as it is written: at thousands of services an
 * exposition is tens of MB, and building it as strings to join would cost more in copies and
 * garbage collection than writing each line's bytes once.
 */
const BLOCK_BYTES = 1 << 20;
/** UTF-8 needs at most 3 bytes per UTF-16 code unit. */
const MAX_BYTES_PER_CHAR = 3;

export class ExpositionWriter {
  private readonly full: Uint8Array[] = [];
  private block: Buffer = Buffer.allocUnsafe(BLOCK_BYTES);
  private used = 0;

  family(name: string, type: MetricType, help: string): this {
    this.append(`# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`);
    return this;
  }

  /** `labels` as rendered by labelPairs; `extra` is appended (e.g. one varying label). */
  sample(name: string, labels: string, value: number, extra = ""): void {
    const all = joinLabels(labels, extra);
    this.append(all === "" ? `${name} ${formatValue(value)}\n` : `${name}{${all}} ${formatValue(value)}\n`);
  }

  /**
   * One histogram series: cumulative buckets for `bounds`, then +Inf (= count), sum and count.
   * Counts are whole requests, as a real client reports them (floored: still monotonic over
   * time and across buckets).
   */
  histogram(name: string, labels: string, bounds: readonly string[], cumulative: ArrayLike<number>, sum: number, count: number): void {
    const bucket = `${name}_bucket{${labels === "" ? "" : `${labels},`}le="`;
    // One write per series: the buffer write, not the string building, is the cost per call.
    let text = "";
    for (let i = 0; i < bounds.length; i++) text += `${bucket}${bounds[i] ?? ""}"} ${Math.floor(cumulative[i] ?? 0)}\n`;
    const total = Math.floor(count);
    const tail = labels === "" ? "" : `{${labels}}`;
    this.append(`${text}${bucket}+Inf"} ${total}\n${name}_sum${tail} ${formatValue(sum)}\n${name}_count${tail} ${total}\n`);
  }

  /** The exposition so far as UTF-8 blocks, for a streamed response. */
  chunks(): Uint8Array[] {
    return this.used === 0 ? [...this.full] : [...this.full, this.block.subarray(0, this.used)];
  }

  toString(): string {
    return Buffer.concat(this.chunks()).toString("utf8");
  }

  private append(text: string): void {
    if (this.used + text.length * MAX_BYTES_PER_CHAR > this.block.length) {
      if (this.used > 0) this.full.push(this.block.subarray(0, this.used));
      this.block = Buffer.allocUnsafe(Math.max(BLOCK_BYTES, text.length * MAX_BYTES_PER_CHAR));
      this.used = 0;
    }
    this.used += this.block.write(text, this.used, "utf8");
  }
}
