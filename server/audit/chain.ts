// The hash chain, pure: how a row is hashed and how a sequence of rows is verified.
import { createHash } from "node:crypto";
import canonicalize from "canonicalize";

export const GENESIS_HASH = "0".repeat(64);

/** The fields a row's hash covers: every column but the hash itself. */
export interface AuditRowContent {
  seq: bigint;
  occurredAt: Date;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  details: unknown;
  prevHash: string;
}

export interface AuditRow extends AuditRowContent {
  hash: string;
}

/**
 * RFC 8785 canonical JSON of the row, so the same content hashes the same whatever
 * the key order PostgreSQL's jsonb hands back.
 */
export function canonicalAuditRow(row: AuditRowContent): string {
  const canonical = canonicalize({
    seq: row.seq.toString(),
    occurredAt: row.occurredAt.toISOString(),
    actorId: row.actorId,
    actorEmail: row.actorEmail,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    outcome: row.outcome,
    details: row.details ?? null,
  });
  if (canonical === undefined) throw new Error("audit row cannot be serialised");
  return canonical;
}

export function hashAuditRow(row: AuditRowContent): string {
  return createHash("sha256").update(canonicalAuditRow(row)).update(row.prevHash).digest("hex");
}

export type ChainBreak = {
  seq: bigint;
  reason: "hash mismatch" | "prev_hash mismatch" | "sequence gap";
};

/**
 * Walks rows in sequence order, continuing from `previous` (the last verified row, or
 * none for the start of the log). Returns the first break, or null.
 */
export function findChainBreak(
  rows: Iterable<AuditRow>,
  previous: { seq: bigint; hash: string } | null,
): ChainBreak | null {
  let expectedSeq = previous ? previous.seq + 1n : 1n;
  let expectedPrev = previous ? previous.hash : GENESIS_HASH;
  for (const row of rows) {
    if (row.seq !== expectedSeq) return { seq: row.seq, reason: "sequence gap" };
    if (row.prevHash !== expectedPrev) return { seq: row.seq, reason: "prev_hash mismatch" };
    if (hashAuditRow(row) !== row.hash) return { seq: row.seq, reason: "hash mismatch" };
    expectedSeq = row.seq + 1n;
    expectedPrev = row.hash;
  }
  return null;
}

const SECRET_KEY = /pass(word)?|secret|token|authori[sz]ation|cookie|api[-_]?key|credential/i;

/** Audit details never carry secrets: values under secret-looking keys are replaced. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, SECRET_KEY.test(key) ? "[redacted]" : redactSecrets(inner)]),
    );
  }
  return value;
}
