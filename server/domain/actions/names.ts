// The parameter pieces every kind shares: names as the systems accept them, and whole numbers
// whose refusals name the field.
import { z } from "zod";
import { formatCount } from "../health/format";

/** Kubernetes namespaces and services, regions, Kafka clusters and caches. */
export const dnsLabel = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a lowercase DNS label (a-z, 0-9, -)");

/** A Kafka topic or consumer group name, by Kafka's own rule. */
export function kafkaName(what: "topic" | "group" | "targetTopic") {
  return z
    .string()
    .regex(/^[a-zA-Z0-9._-]{1,249}$/, `${what} must be 1 to 249 characters of letters, digits, ".", "_" or "-"`)
    .refine((name) => name !== "." && name !== "..", `${what} cannot be "." or ".."`);
}

export function wholeNumber(field: string, min: number, max: number) {
  return z
    .number()
    .int(`${field} must be a whole number`)
    .min(min, min === 0 ? `${field} cannot be negative` : `${field} must be at least ${formatCount(min)}`)
    .max(max, `${field} must be at most ${formatCount(max)}`);
}

/** "a, b and c" */
export function listOf(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

export const plural = (count: number, one: string, many = `${one}s`) => `${formatCount(count)} ${count === 1 ? one : many}`;
