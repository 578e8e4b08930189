// The keys a simulated cache holds, by namespace, and which of them a Redis pattern matches.
// The simulator counts keys, it does not store them: a pattern's share of a namespace is
// measured on a fixed sample of keys of the namespace's shape, as a SCAN-based estimate would
// be on a real keyspace.
import type { CacheSpec, KeyNamespaceSpec, WarmSourceSpec } from "./catalog";
import { hash32, mulberry32 } from "./random";

/** Keys drawn per namespace to measure a pattern's share. */
const SAMPLE_SIZE = 2000;
const HEX = "0123456789abcdef";
const MAX_ID = 1_000_000;

export function keyspaceOf(spec: CacheSpec): readonly KeyNamespaceSpec[] {
  return spec.keyspace ?? [{ template: `${spec.front}:{id}`, share: 1 }];
}

export function warmSourcesOf(spec: CacheSpec): readonly WarmSourceSpec[] {
  if (spec.warmSources !== undefined) return spec.warmSources;
  const busiest = [...keyspaceOf(spec)].sort((a, b) => b.share - a.share)[0];
  if (busiest === undefined) return [];
  return [{
    name: "hot-keys",
    description: `replays the keys ${spec.front} read most in the last hour`,
    namespace: busiest.template,
    hottestShare: 0.1,
    listed: false,
  }];
}

/** One key of the template's shape, from a seeded stream. */
function expand(template: string, random: () => number): string {
  return template.replace(/\{([^}]*)\}/g, (_, field: string) => {
    if (field === "id") return String(1 + Math.floor(random() * MAX_ID));
    if (field === "hex") return Array.from({ length: 16 }, () => HEX[Math.floor(random() * 16)] ?? "0").join("");
    const choices = field.split("|");
    return choices[Math.floor(random() * choices.length)] ?? "";
  });
}

const samples = new Map<string, readonly Buffer[]>();

/** Keys as SCAN returns them: bytes. */
function sampleOf(template: string): readonly Buffer[] {
  let sample = samples.get(template);
  if (sample === undefined) {
    const random = mulberry32(hash32(...[...template].map((c) => c.charCodeAt(0))));
    sample = Array.from({ length: SAMPLE_SIZE }, () => Buffer.from(expand(template, random), "utf8"));
    samples.set(template, sample);
  }
  return sample;
}

/** The share of a namespace's keys a pattern's matcher (redisGlobMatcher) accepts, 0..1. */
export function matchingShare(template: string, matches: (key: Buffer) => boolean): number {
  const sample = sampleOf(template);
  return sample.filter(matches).length / sample.length;
}
