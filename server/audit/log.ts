// Appending to and verifying the audit log in PostgreSQL.
import type { Db, DbTransaction } from "../db/client";
import { findChainBreak, GENESIS_HASH, hashAuditRow, redactSecrets, type AuditRow, type ChainBreak } from "./chain";

export interface AuditActor {
  id: string | null;
  email: string | null;
}

export const SYSTEM_ACTOR: AuditActor = { id: null, email: "system" };

export interface AuditEntry {
  actor: AuditActor;
  /** e.g. auth.login.success, action.request, action.approve */
  action: string;
  target?: { type: string; id: string };
  outcome: "success" | "failure" | "denied";
  details?: Record<string, unknown>;
}

// Any constant works; it only has to be the same in every process writing the log.
const AUDIT_APPEND_LOCK = 0x5ca1e01;

/**
 * Appends one event inside the caller's transaction, so the event and the change it
 * records commit together or not at all. Appends are serialised by a transaction-scoped
 * advisory lock: each row's prevHash is the hash of the row before it.
 */
export async function appendAudit(tx: DbTransaction, entry: AuditEntry): Promise<{ seq: bigint; hash: string }> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_APPEND_LOCK})`;
  const last = await tx.auditEvent.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
  const content = {
    seq: (last?.seq ?? 0n) + 1n,
    // Millisecond precision, as stored (timestamptz(3)), so the hash re-computes exactly.
    occurredAt: new Date(),
    actorId: entry.actor.id,
    actorEmail: entry.actor.email,
    action: entry.action,
    targetType: entry.target?.type ?? null,
    targetId: entry.target?.id ?? null,
    outcome: entry.outcome,
    details: JSON.parse(JSON.stringify(redactSecrets(entry.details ?? {}))) as object,
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  const hash = hashAuditRow(content);
  await tx.auditEvent.create({ data: { ...content, hash } });
  return { seq: content.seq, hash };
}

/** Records an event that is not part of another change (a login, a denied request). */
export function recordAudit(db: Db, entry: AuditEntry) {
  return db.$transaction((tx) => appendAudit(tx, entry));
}

export interface ChainStatus {
  ok: boolean;
  checked: number;
  /** The last row that verified. */
  lastSeq: string | null;
  firstBreak: { seq: string; reason: ChainBreak["reason"] } | null;
}

const VERIFY_BATCH = 2000;

/** Re-computes every hash in order, in batches so memory stays flat on a long log. */
export async function verifyAuditChain(db: Db): Promise<ChainStatus> {
  let previous: { seq: bigint; hash: string } | null = null;
  let checked = 0;
  for (;;) {
    const batch: AuditRow[] = await db.auditEvent.findMany({
      where: previous ? { seq: { gt: previous.seq } } : {},
      orderBy: { seq: "asc" },
      take: VERIFY_BATCH,
    });
    if (batch.length === 0) break;
    const broken = findChainBreak(batch, previous);
    if (broken) {
      const brokenAt = batch.findIndex((row) => row.seq === broken.seq);
      const lastGood = brokenAt > 0 ? batch[brokenAt - 1]!.seq : previous?.seq;
      return { ok: false, checked: checked + brokenAt, lastSeq: lastGood?.toString() ?? null, firstBreak: { seq: broken.seq.toString(), reason: broken.reason } };
    }
    checked += batch.length;
    const tail = batch[batch.length - 1]!;
    previous = { seq: tail.seq, hash: tail.hash };
  }
  return { ok: true, checked, lastSeq: previous?.seq.toString() ?? null, firstBreak: null };
}
