// The request form of the data-system kinds: Redis caches and Kafka topics and consumer groups.
// Same shape as ./request-action-kinds.tsx: the target fixed, the rest editable, starting from
// what the page shows.
import type { FieldOption, FieldSpec, FieldValues } from "./request-action-fields";
import { isoToLocal } from "./request-action-fields";
import type { ActionFormSpec } from "./request-action-form";
import { count, known, regionField, text, unique } from "./request-action-kinds";

export interface CacheTarget {
  environment: string;
  cache: string;
  regions: readonly string[];
  preferredRegion?: string | null;
}

export function cacheFailoverForm(target: CacheTarget, describe?: (region: string) => string | null): ActionFormSpec {
  return {
    kind: "cache.failover",
    environment: target.environment,
    title: `Fail over ${target.cache} (Sentinel)`,
    submitLabel: "Request failover",
    fixed: { cache: target.cache },
    columns: 1,
    fields: [{ ...regionField(target.regions, target.preferredRegion), hint: (values) => describe?.(values.region ?? "") ?? "The Sentinels promote a replica; clients reconnect to the new primary." }],
  };
}

export function cacheInvalidateForm(target: CacheTarget, suggestions: readonly string[] = []): ActionFormSpec {
  return {
    kind: "cache.invalidate",
    environment: target.environment,
    title: `Invalidate keys of ${target.cache}`,
    focusField: "pattern",
    submitLabel: "Request invalidation",
    fixed: { cache: target.cache },
    fields: [
      { ...regionField(target.regions, target.preferredRegion), wide: true },
      {
        type: "text",
        name: "pattern",
        label: "Key pattern",
        wide: true,
        mono: true,
        placeholder: "product:1234:*",
        suggestions: [...suggestions],
        hint: "A Redis glob (*, ?, [abc]). Deleted with SCAN and UNLINK in batches: the cache keeps serving.",
      },
    ],
  };
}

/** A warm source as the form offers it (caches.warmSources). */
export interface WarmSourceOption {
  name: string;
  description?: string;
}

/**
 * `sourcesIn` gives the cache's warm sources in a region: a choice among them when the starting
 * region has any, else a free name (the preview then lists the sources if there are some).
 */
export function cacheWarmForm(target: CacheTarget, sourcesIn: (region: string) => readonly WarmSourceOption[] | null = () => null): ActionFormSpec {
  const sourcesOf = (values: FieldValues) => sourcesIn(values.region ?? "") ?? [];
  const offered = sourcesIn(target.preferredRegion ?? target.regions[0] ?? "");
  const source: FieldSpec = offered?.length
    ? {
        type: "select",
        name: "source",
        label: "Source",
        options: (values) => sourcesOf(values).map((option) => ({ value: option.name, label: option.name })),
        hint: (values) => sourcesOf(values).find((option) => option.name === values.source)?.description ?? "",
      }
    : { type: "text", name: "source", label: "Source", mono: true, placeholder: "a warm source configured for the cache", hint: "The preview names the cache's sources if this one is unknown." };
  return {
    kind: "cache.warm",
    environment: target.environment,
    title: `Warm ${target.cache}`,
    focusField: "source",
    submitLabel: "Request warm-up",
    fixed: { cache: target.cache },
    fields: [regionField(target.regions, target.preferredRegion), source],
  };
}

export interface TopicRegionState {
  region: string;
  partitions?: number;
}

export function topicAddPartitionsForm(environment: string, cluster: string, topic: string, regions: readonly TopicRegionState[], preferredRegion?: string | null): ActionFormSpec {
  const stateOf = (values: FieldValues) => regions.find((region) => region.region === values.region);
  return {
    kind: "topic.addPartitions",
    environment,
    title: `Add partitions to ${topic}`,
    submitLabel: "Request partitions",
    fixed: { cluster, topic },
    fields: [
      regionField(
        regions.map((region) => region.region),
        preferredRegion,
        (name) => {
          const partitions = regions.find((region) => region.region === name)?.partitions;
          return known(partitions) ? `${name} (${partitions} partitions)` : name;
        },
      ),
      {
        type: "number",
        name: "partitions",
        label: "Partitions (new total)",
        min: 1,
        current: (values) => text(stateOf(values)?.partitions),
      },
    ],
    requiresChange: "Raise the partition count to see what would change. Kafka cannot lower it.",
    focusField: "partitions",
    refusalField: "partitions",
  };
}

export interface DeadLetterState {
  region: string;
  /** The dead-letter topic. */
  topic: string;
  /** The topic it collects failures of: where a replay writes by default. */
  source?: string | null;
  depth?: number;
}

const DEFAULT_REPLAY_RATE = 100;

/** 1,446 → 2,000; 93,382 → 100,000: the next number with one significant digit (at least 1). */
export function roundUp(value: number): number {
  if (value <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return Math.ceil(value / magnitude) * magnitude;
}

export function dlqReplayForm(environment: string, cluster: string, deadLetters: readonly DeadLetterState[], preferredRegion?: string | null): ActionFormSpec {
  const stateOf = (values: FieldValues) => deadLetters.find((row) => row.topic === values.topic && row.region === values.region);
  return {
    kind: "dlq.replay",
    environment,
    title: "Replay dead letters",
    focusField: "maxMessages",
    submitLabel: "Request replay",
    fixed: { cluster },
    fields: [
      { type: "select", name: "topic", label: "Dead-letter topic", wide: true, options: unique(deadLetters.map((row) => row.topic)).map((name) => ({ value: name, label: name })) },
      {
        type: "select",
        name: "region",
        label: "Region",
        initial: preferredRegion ?? undefined,
        options: (values) =>
          deadLetters.filter((row) => row.topic === values.topic).map((row) => ({ value: row.region, label: known(row.depth) ? `${row.region} (${count(row.depth)} waiting)` : row.region })),
      },
      {
        type: "text",
        name: "targetTopic",
        label: "Write back to",
        mono: true,
        optional: true,
        initial: (values) => stateOf(values)?.source ?? "",
        placeholder: "the topic without .dlq",
      },
      {
        type: "number",
        name: "maxMessages",
        label: "At most",
        unit: "msgs",
        min: 1,
        // Everything waiting, rounded up so the value does not move under the user as the depth does.
        initial: (values) => String(roundUp(stateOf(values)?.depth ?? 1000)),
        hint: (values) => {
          const depth = stateOf(values)?.depth;
          return known(depth) ? `${count(depth)} dead letters now` : null;
        },
      },
      { type: "number", name: "messagesPerSecond", label: "Rate", unit: "msg/s", min: 1, initial: String(DEFAULT_REPLAY_RATE), hint: "Spares the consumers a burst." },
    ],
  };
}

export interface GroupEntryState {
  region: string;
  topic: string;
  members?: number;
  /** The consumer count the page advises, if any. */
  suggestedReplicas?: number | null;
}

const RESET_TARGETS: FieldOption[] = [
  { value: "earliest", label: "earliest: re-process all retained" },
  { value: "latest", label: "latest: skip the backlog" },
  { value: "timestamp", label: "a point in time" },
];

/** An hour ago, to five minutes: a stable start for the time field. */
const anHourAgo = () => {
  const step = 5 * 60_000;
  return isoToLocal(Math.floor((Date.now() - 3_600_000) / step) * step);
};

export function resetOffsetsForm(environment: string, cluster: string, group: string, entries: readonly GroupEntryState[], preferredRegion?: string | null): ActionFormSpec {
  const since = anHourAgo();
  const entryOf = (values: FieldValues) => entries.find((entry) => entry.region === values.region && entry.topic === values.topic);
  return {
    kind: "consumerGroup.resetOffsets",
    environment,
    title: `Reset offsets of ${group}`,
    focusField: "to",
    submitLabel: "Request offset reset",
    fixed: { cluster, group },
    fields: [
      regionField(unique(entries.map((entry) => entry.region)), preferredRegion),
      {
        type: "select",
        name: "topic",
        label: "Topic",
        options: (values) => unique(entries.filter((entry) => entry.region === values.region).map((entry) => entry.topic)).map((name) => ({ value: name, label: name })),
      },
      {
        type: "select",
        name: "to",
        label: "Move to",
        options: RESET_TARGETS,
        hint: (values) => {
          const members = entryOf(values)?.members;
          if (!known(members)) return null;
          return members > 0 ? (
            <span className="text-amber-700 dark:text-amber-400">
              {members} consumer{members === 1 ? " is" : "s are"} connected: Kafka refuses a reset while the group has members. Scale the consumer to 0 first.
            </span>
          ) : (
            "No consumer is connected: the reset can apply."
          );
        },
      },
      { type: "datetime", name: "timestamp", label: "From (your local time)", initial: since, shownWhen: (values) => values.to === "timestamp" },
    ],
  };
}

export function consumerScaleForm(environment: string, cluster: string, group: string, entries: readonly GroupEntryState[], preferredRegion?: string | null): ActionFormSpec {
  const entryIn = (values: FieldValues) => entries.find((entry) => entry.region === values.region);
  return {
    kind: "consumerGroup.scale",
    environment,
    title: `Scale the consumers of ${group}`,
    focusField: "replicas",
    submitLabel: "Request scale",
    fixed: { cluster, group },
    fields: [
      regionField(unique(entries.map((entry) => entry.region)), preferredRegion),
      {
        type: "number",
        name: "replicas",
        label: "Consumer replicas",
        min: 0,
        initial: (values) => {
          const entry = entryIn(values);
          return text(entry?.suggestedReplicas ?? entry?.members) ?? "";
        },
        hint: (values) => {
          const entry = entryIn(values);
          if (!entry || !known(entry.members)) return null;
          return `${entry.members} member${entry.members === 1 ? "" : "s"} in the group now${known(entry.suggestedReplicas) ? `; the advice is ${entry.suggestedReplicas}` : ""}. The preview shows the deployment's replicas.`;
        },
      },
    ],
    refusalField: "replicas",
  };
}

