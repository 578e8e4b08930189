// The alerts table: observations (webhook deliveries, Prometheus's list) applied by
// fingerprint under row locks, so concurrent deliveries of the same alert (an HA pair of
// Alertmanagers, two app replicas reading Prometheus) serialise; each status change is
// recorded as a transition, and every change is published as a live event after it commits.
import type { ScaleplaneConfig } from "../config/schema";
import type { Db, DbTransaction } from "../db/client";
import { Prisma, type Alert } from "../db/generated/client";
import { decideAlertChange, type AlertChange, type AlertObservation, type AlertStatus, type StoredAlert } from "../domain/alerts/lifecycle";
import { alertEnvironment, alertSeverity, linkAlertResource, placementOf, type AlertLabelNames, type AlertResource } from "../domain/alerts/resource";
import type { EventBus } from "../events/bus";

export interface AlertStoreDeps {
  db: Db;
  events: EventBus;
  labels: AlertLabelNames;
}

export interface ApplyOptions {
  receivedAt: Date;
  /** The environment of alerts without an environment label. */
  fallbackEnvironment: string | null;
  /**
   * For observations of absence (Prometheus no longer lists the alert): an alert named by any
   * delivery at or after this time is left alone, and an unchanged one is not marked received.
   */
  absentSince?: Date;
}

export interface AppliedChange {
  fingerprint: string;
  change: AlertChange;
  status: AlertStatus;
}

/** The only environment configured: the one alerts without an environment label belong to. */
export function onlyEnvironment(config: ScaleplaneConfig): string | null {
  const names = Object.keys(config.environments);
  return names.length === 1 ? names[0]! : null;
}

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * PostgreSQL's text and jsonb hold neither NUL nor unpaired surrogates, and JSON.parse gives
 * both from escapes; such characters become U+FFFD so the alert is stored rather than refused.
 */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, "\uFFFD");
}

function storableRecord(record: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(record)) result[storableText(name)] = storableText(value);
  return result;
}

function storable(observation: AlertObservation): AlertObservation {
  return {
    ...observation,
    labels: storableRecord(observation.labels),
    annotations: storableRecord(observation.annotations),
    generatorUrl: observation.generatorUrl === null ? null : storableText(observation.generatorUrl),
  };
}

function storedOf(row: Alert): StoredAlert {
  return {
    status: row.status,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    annotations: row.annotations as Record<string, string>,
    generatorUrl: row.generatorUrl,
  };
}

/** The columns derived from the labels: what the alert is about and where it lives. */
function placementColumns(labels: Record<string, string>, names: AlertLabelNames, fallbackEnvironment: string | null) {
  const resource = linkAlertResource(labels, names, fallbackEnvironment);
  return {
    alertname: labels.alertname ?? "",
    severity: alertSeverity(labels, names),
    environment: alertEnvironment(labels, names, fallbackEnvironment),
    region: resource?.region ?? labels[names.region] ?? null,
    resourceKind: resource?.kind ?? null,
    resourceNamespace: resource?.namespace ?? null,
    resourceCluster: resource?.cluster ?? null,
    resourceName: resource?.name ?? null,
  };
}

/** The resource a stored row names, as the domain sees it. */
export function resourceOfRow(row: Pick<Alert, "resourceKind" | "environment" | "region" | "resourceNamespace" | "resourceCluster" | "resourceName">): AlertResource | null {
  if (row.resourceKind === null || row.environment === null || row.resourceName === null) return null;
  return {
    kind: row.resourceKind as AlertResource["kind"],
    environment: row.environment,
    region: row.region,
    namespace: row.resourceNamespace,
    cluster: row.resourceCluster,
    name: row.resourceName,
  };
}

const MAX_ATTEMPTS = 3;

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

interface Written {
  applied: AppliedChange;
  row: Alert;
}

async function applyInTransaction(tx: DbTransaction, observations: Map<string, AlertObservation>, names: AlertLabelNames, options: ApplyOptions): Promise<Written[]> {
  const fingerprints = [...observations.keys()].sort();
  // Row locks in one order: two deliveries of overlapping alerts never deadlock.
  await tx.$queryRaw`SELECT fingerprint FROM "Alert" WHERE fingerprint = ANY(${fingerprints}::text[]) ORDER BY fingerprint FOR UPDATE`;
  const rows = new Map((await tx.alert.findMany({ where: { fingerprint: { in: fingerprints } } })).map((row) => [row.fingerprint, row]));
  const written: Written[] = [];
  const receivedOnly: string[] = [];
  for (const fingerprint of fingerprints) {
    const observation = observations.get(fingerprint)!;
    const row = rows.get(fingerprint) ?? null;
    if (options.absentSince && (row === null || row.lastReceivedAt >= options.absentSince)) continue;
    const decision = decideAlertChange(row ? storedOf(row) : null, observation, options.receivedAt);
    if (decision.change === "unchanged") {
      if (!options.absentSince) receivedOnly.push(fingerprint);
      continue;
    }
    const { next, transition } = decision;
    const columns = {
      ...placementColumns(observation.labels, names, options.fallbackEnvironment),
      status: next.status,
      startsAt: next.startsAt,
      endsAt: next.endsAt,
      annotations: next.annotations,
      generatorUrl: next.generatorUrl,
      lastReceivedAt: options.receivedAt,
      ...(transition ? { source: observation.source } : {}),
    };
    const transitionRow = transition ? { from: transition.from, to: transition.to, at: transition.at, source: observation.source, receivedAt: options.receivedAt } : null;
    const saved =
      row === null
        ? await tx.alert.create({
            data: { fingerprint, labels: observation.labels, source: observation.source, ...columns, ...(transitionRow ? { transitions: { create: transitionRow } } : {}) },
          })
        : await tx.alert.update({ where: { fingerprint }, data: { ...columns, ...(transitionRow ? { transitions: { create: transitionRow } } : {}) } });
    written.push({ applied: { fingerprint, change: decision.change, status: next.status }, row: saved });
  }
  if (receivedOnly.length > 0) await tx.alert.updateMany({ where: { fingerprint: { in: receivedOnly } }, data: { lastReceivedAt: options.receivedAt } });
  return written;
}

function publishChanges(events: EventBus, written: readonly Written[]): void {
  for (const { applied, row } of written) {
    if (applied.change === "unchanged") continue;
    const placement = placementOf(row.environment, resourceOfRow(row));
    events.publish({
      type: "alert.changed",
      fingerprint: row.fingerprint,
      alertname: row.alertname,
      status: row.status,
      change: applied.change,
      severity: row.severity,
      environment: placement.environment,
      resourceKind: placement.resourceKind,
      namespace: placement.namespace,
      cluster: placement.cluster,
      at: Date.now(),
    });
  }
}

/**
 * Applies observations (the last one wins when a fingerprint repeats) in one transaction and
 * publishes what changed. Returns only the alerts that changed.
 */
export async function applyAlertObservations(deps: AlertStoreDeps, observations: readonly AlertObservation[], options: ApplyOptions): Promise<AppliedChange[]> {
  const latest = new Map<string, AlertObservation>();
  for (const observation of observations) latest.set(observation.fingerprint, storable(observation));
  if (latest.size === 0) return [];
  for (let attempt = 1; ; attempt++) {
    try {
      const written = await deps.db.$transaction((tx) => applyInTransaction(tx, latest, deps.labels, options));
      publishChanges(deps.events, written);
      return written.map(({ applied }) => applied);
    } catch (error) {
      // Two deliveries creating the same new alert at once: the loser finds the winner's row next time.
      if (attempt < MAX_ATTEMPTS && isUniqueViolation(error)) continue;
      throw error;
    }
  }
}

/** Deletes alerts resolved before `before`, with their transitions. */
export async function pruneResolvedAlerts(db: Db, before: Date): Promise<number> {
  const { count } = await db.alert.deleteMany({ where: { status: "resolved", endsAt: { lt: before } } });
  return count;
}
