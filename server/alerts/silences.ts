// Silences as audited actions. Alertmanager holds the silence; Scaleplane records who made it,
// on which scope, and writes the audit event. The Alertmanager call cannot be part of the
// database transaction, so each operation is ordered to fail closed (no effect without its
// audit event), with a compensating call when the database fails after Alertmanager acted:
//
// - silence: create it in Alertmanager, then record it and its audit event in one
//   transaction. If that transaction fails, the silence is expired again at once. (Writing the
//   audit event first would need the audit log's lock held across an HTTP call, or leave an
//   event for a silence that never existed when Alertmanager refuses it.)
// - expire: in one transaction, lock the record, expire in Alertmanager, mark the record and
//   append the audit event last (so the audit lock is not held during the HTTP call). If the
//   transaction fails after Alertmanager expired the silence, the silence is created again
//   with the same matchers until its original end.
//
// Only if the compensating call fails as well does Alertmanager keep a change Scaleplane did
// not record; that is logged as an error naming the silence.
import type { Principal } from "../auth/principal";
import { appendAudit } from "../audit/log";
import { ActionError } from "../actions/errors";
import { AlertingHttpError } from "../adapters/alertmanager/http";
import type { Db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { describeMatcher, matcherMatches, matchersForLabels, matchersProblem, silenceScope, type SilenceMatcher } from "../domain/alerts/matchers";
import type { Silence, SilencePort } from "../domain/alerts/ports";
import type { AlertLabelNames } from "../domain/alerts/resource";
import { can, type Scope } from "../domain/permissions";
import type { EventBus } from "../events/bus";

export interface SilenceServiceDeps {
  db: Db;
  events: EventBus;
  /** Null when no Alertmanager is configured. */
  silences: SilencePort | null;
  labels: AlertLabelNames;
}

export interface SilenceRequest {
  /** The alert the silence is for: its labels are the default matchers, and the matchers must cover it. */
  fingerprint?: string;
  matchers?: SilenceMatcher[];
  durationMinutes: number;
  comment: string;
}

export interface SilenceSummary {
  id: string;
  matchers: SilenceMatcher[];
  startsAt: Date;
  endsAt: Date;
  scope: Scope;
}

function alertmanagerOf(deps: SilenceServiceDeps): SilencePort {
  if (!deps.silences) {
    throw new ActionError("PRECONDITION_FAILED", "silencing is off: no Alertmanager is configured (set alerts.alertmanager.url in the configuration file)");
  }
  return deps.silences;
}

/** Alertmanager's own refusals (a bad matcher) are the caller's to fix; its absence is not. */
function alertmanagerFailure(error: unknown): never {
  if (error instanceof AlertingHttpError) throw new ActionError(error.kind === "refused" && error.status === 400 ? "BAD_REQUEST" : "PRECONDITION_FAILED", error.message);
  throw error;
}

function forbidden(scope: Scope): ActionError {
  const where = `${scope.environment}/${scope.namespace}`;
  const hint = scope.namespace === "*" ? " (matchers that pin the environment and the resource, e.g. the alert's own labels, need only a grant on that resource)" : "";
  return new ActionError("FORBIDDEN", `you may not silence alerts on ${where}: that needs the operator, approver or admin role there${hint}`);
}

export async function silenceAlerts(deps: SilenceServiceDeps, principal: Principal, request: SilenceRequest, now = new Date()): Promise<SilenceSummary> {
  const alertmanager = alertmanagerOf(deps);
  const alert = request.fingerprint ? await deps.db.alert.findUnique({ where: { fingerprint: request.fingerprint } }) : null;
  if (request.fingerprint && !alert) throw new ActionError("NOT_FOUND", `no alert has the fingerprint ${request.fingerprint}`);
  const labels = (alert?.labels ?? {}) as Record<string, string>;
  const matchers = request.matchers ?? matchersForLabels(labels);
  const problem = matchersProblem(matchers);
  if (problem) throw new ActionError("BAD_REQUEST", problem);
  if (alert) {
    const missed = matchers.filter((matcher) => !matcherMatches(matcher, labels));
    if (missed.length > 0) {
      throw new ActionError("BAD_REQUEST", `the silence would not cover alert ${alert.alertname} (${alert.fingerprint}): ${missed.map(describeMatcher).join(", ")} does not match its labels`);
    }
  }
  const scope = silenceScope(matchers, deps.labels);
  if (!can(principal.grants, "alert.silence", scope)) throw forbidden(scope);

  const startsAt = now;
  const endsAt = new Date(now.getTime() + request.durationMinutes * 60_000);
  const id = await alertmanager.create({ matchers, startsAt, endsAt, createdBy: principal.email, comment: request.comment }).catch(alertmanagerFailure);
  try {
    await deps.db.$transaction(async (tx) => {
      await tx.alertSilence.create({
        data: {
          id,
          matchers: matchers as unknown as Prisma.InputJsonValue,
          environment: scope.environment,
          namespace: scope.namespace,
          alertFingerprint: alert?.fingerprint ?? null,
          comment: request.comment,
          createdById: principal.id,
          createdByEmail: principal.email,
          startsAt,
          endsAt,
        },
      });
      await appendAudit(tx, {
        actor: { id: principal.id, email: principal.email },
        action: "alert.silence",
        target: { type: "alertmanager.silence", id },
        outcome: "success",
        details: { silenceId: id, matchers: matchers.map(describeMatcher), alertFingerprint: alert?.fingerprint ?? null, durationMinutes: request.durationMinutes, endsAt: endsAt.toISOString(), comment: request.comment, scope },
      });
    });
  } catch (error) {
    await alertmanager.expire(id).catch((expireError: unknown) => {
      console.error(`[scaleplane] silence ${id} was created in Alertmanager but not recorded, and expiring it failed; expire it in Alertmanager by hand:`, expireError);
    });
    throw error;
  }
  deps.events.publish({ type: "silence.changed", silenceId: id, state: "active", alertFingerprint: alert?.fingerprint ?? null, ...scope, at: Date.now() });
  return { id, matchers, startsAt, endsAt, scope };
}

export async function expireSilence(deps: SilenceServiceDeps, principal: Principal, silenceId: string): Promise<{ id: string; expiredAt: Date; scope: Scope }> {
  const alertmanager = alertmanagerOf(deps);
  const record = await deps.db.alertSilence.findUnique({ where: { id: silenceId } });
  let current: Silence | null = null;
  if (!record) {
    // Made outside Scaleplane (amtool, Alertmanager's UI): its matchers say what it reaches.
    current = await alertmanager.get(silenceId).catch(alertmanagerFailure);
    if (!current) throw new ActionError("NOT_FOUND", `Alertmanager has no silence ${silenceId}`);
  }
  const scope: Scope = record ? { environment: record.environment, namespace: record.namespace } : silenceScope(current!.matchers, deps.labels);
  if (!can(principal.grants, "alert.silence", scope)) throw forbidden(scope);
  if (record?.expiredAt) return { id: silenceId, expiredAt: record.expiredAt, scope };

  let expiredInAlertmanager = false;
  const expiredAt = new Date();
  try {
    const expiredBefore = await deps.db.$transaction(async (tx) => {
      if (record) {
        const [locked] = await tx.$queryRaw<{ expiredAt: Date | null }[]>`SELECT "expiredAt" FROM "AlertSilence" WHERE id = ${silenceId} FOR UPDATE`;
        // Expired meanwhile by someone else, who wrote the audit event.
        if (locked?.expiredAt) return locked.expiredAt;
      }
      await alertmanager.expire(silenceId).catch(alertmanagerFailure);
      expiredInAlertmanager = true;
      if (record) await tx.alertSilence.update({ where: { id: silenceId }, data: { expiredAt, expiredByEmail: principal.email } });
      await appendAudit(tx, {
        actor: { id: principal.id, email: principal.email },
        action: "alert.expireSilence",
        target: { type: "alertmanager.silence", id: silenceId },
        outcome: "success",
        details: { silenceId, scope, createdThroughScaleplane: record !== null },
      });
      return null;
    });
    if (expiredBefore) return { id: silenceId, expiredAt: expiredBefore, scope };
  } catch (error) {
    if (expiredInAlertmanager) await restoreSilence(alertmanager, silenceId, record, current);
    throw error;
  }
  deps.events.publish({ type: "silence.changed", silenceId, state: "expired", alertFingerprint: record?.alertFingerprint ?? null, ...scope, at: Date.now() });
  return { id: silenceId, expiredAt, scope };
}

type SilenceRecord = Awaited<ReturnType<Db["alertSilence"]["findUnique"]>>;

/** The compensation for an expiry that could not be recorded: the same silence again, until its original end. */
async function restoreSilence(alertmanager: SilencePort, silenceId: string, record: SilenceRecord, current: Silence | null): Promise<void> {
  const original = current ?? (record ? { matchers: record.matchers as unknown as SilenceMatcher[], endsAt: record.endsAt, createdBy: record.createdByEmail, comment: record.comment } : null);
  try {
    if (!original || original.endsAt <= new Date()) return;
    const restored = await alertmanager.create({ matchers: original.matchers, startsAt: new Date(), endsAt: original.endsAt, createdBy: original.createdBy, comment: original.comment });
    console.error(`[scaleplane] expiring silence ${silenceId} could not be recorded; it was restored in Alertmanager as ${restored}`);
  } catch (error) {
    console.error(`[scaleplane] silence ${silenceId} was expired in Alertmanager but the expiry could not be recorded, and restoring it failed:`, error);
  }
}

/** The silences that cover an alert: those Alertmanager holds (whoever made them), and Scaleplane's records of its own. */
export async function silencesCovering(deps: SilenceServiceDeps, fingerprint: string, labels: Record<string, string>) {
  const records = await deps.db.alertSilence.findMany({ where: { alertFingerprint: fingerprint }, orderBy: { createdAt: "desc" }, take: 50 });
  let active: Silence[] = [];
  let error: string | null = null;
  if (deps.silences) {
    try {
      active = (await deps.silences.list()).filter((silence) => silence.state !== "expired" && silence.matchers.every((matcher) => matcherMatches(matcher, labels)));
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
    }
  }
  return { active, records, error };
}
