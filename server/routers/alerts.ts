import { TRPCError, tracked } from "@trpc/server";
import { z } from "zod";
import { silenceServiceOf } from "../alerts/services";
import { expireSilence, silenceAlerts, silencesCovering } from "../alerts/silences";
import { resourceOfRow } from "../alerts/store";
import { suggestionsForAlert } from "../alerts/suggestions";
import { defaultEnvironmentName } from "../config";
import type { Db } from "../db/client";
import type { Alert } from "../db/generated/client";
import { groupAlerts } from "../domain/alerts/grouping";
import { matchersMatch, type SilenceMatcher } from "../domain/alerts/matchers";
import { actingScopeOf, ALERT_RESOURCE_KINDS, canSeeAlert, placementOf, type AlertPlacement } from "../domain/alerts/resource";
import { alertThreshold } from "../domain/alerts/threshold";
import { can, canInEnvironment, type RoleGrant } from "../domain/permissions";
import type { LiveEvent } from "../events/bus";
import { createTRPCRouter, permissionProcedure } from "../trpc";

const fingerprint = z.string().regex(/^[0-9a-f]{1,64}$/, "must be an alert fingerprint (hexadecimal, as Alertmanager shows it)");
const shortText = z.string().min(1).max(253);

const listInput = z
  .object({
    environment: shortText.optional(),
    status: z.enum(["firing", "resolved", "all"]).default("firing"),
    severity: z.array(z.string().min(1).max(32)).max(10).optional(),
    resource: z
      .object({
        kind: z.enum(ALERT_RESOURCE_KINDS).optional(),
        region: shortText.optional(),
        namespace: shortText.optional(),
        cluster: shortText.optional(),
        name: shortText.optional(),
      })
      .optional(),
    limit: z.number().int().min(1).max(5000).default(1000),
  })
  .prefault({});

const matcherInput = z.object({
  name: z.string().min(1).max(256),
  value: z.string().max(4096),
  isRegex: z.boolean().default(false),
  isEqual: z.boolean().default(true),
});

const silenceInput = z
  .object({
    fingerprint: fingerprint.optional(),
    matchers: z.array(matcherInput).min(1).max(64).optional(),
    /** Up to two weeks: a longer silence hides a problem instead of muting a known one. */
    durationMinutes: z.number().int().min(1).max(14 * 24 * 60),
    comment: z.string().trim().min(3, "say why, in a few words").max(2000),
  })
  .refine((input) => input.fingerprint !== undefined || input.matchers !== undefined, { message: "name the alert (fingerprint) or give matchers", path: ["matchers"] });

type PlacedRow = Pick<Alert, "resourceKind" | "environment" | "region" | "resourceNamespace" | "resourceCluster" | "resourceName">;

function placementOfRow(row: PlacedRow): AlertPlacement {
  return placementOf(row.environment, resourceOfRow(row));
}

const resourceInput = z.object({
  /** The kinds the page shows (a shard cluster's page: mongodb and elasticsearch). */
  kinds: z.array(z.enum(ALERT_RESOURCE_KINDS)).min(1).max(ALERT_RESOURCE_KINDS.length),
  environment: shortText.optional(),
  /** Alerts of this region and alerts that name none. */
  region: shortText.optional(),
  namespace: shortText.optional(),
  cluster: shortText.optional(),
  name: shortText,
  /** Alerts resolved this recently are listed too, after the firing ones. */
  resolvedWithinMinutes: z.number().int().min(0).max(7 * 24 * 60).default(60),
});

/** Silences made through Scaleplane that are in force now, with what they match. */
async function silencesInForce(db: Db) {
  const now = new Date();
  const records = await db.alertSilence.findMany({
    where: { expiredAt: null, endsAt: { gt: now }, startsAt: { lte: now } },
    select: { id: true, matchers: true, endsAt: true, createdByEmail: true, comment: true },
    orderBy: { endsAt: "desc" },
    take: 1000,
  });
  return records.map(({ matchers, ...record }) => ({ ...record, matchers: matchers as unknown as SilenceMatcher[] }));
}

function summaryOf(row: Alert) {
  return {
    fingerprint: row.fingerprint,
    alertname: row.alertname,
    status: row.status,
    severity: row.severity,
    environment: row.environment,
    resource: resourceOfRow(row),
    labels: row.labels as Record<string, string>,
    annotations: row.annotations as Record<string, string>,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    lastReceivedAt: row.lastReceivedAt,
    source: row.source,
    generatorUrl: row.generatorUrl,
  };
}

/** Silences are scoped like actions; whoever can see its environment sees that one changed. */
function canSeeEvent(grants: readonly RoleGrant[], event: LiveEvent): boolean {
  if (event.type === "alert.changed") {
    return canSeeAlert(grants, { environment: event.environment, resourceKind: event.resourceKind as AlertPlacement["resourceKind"], namespace: event.namespace, cluster: event.cluster });
  }
  if (event.type === "silence.changed") {
    return event.environment === "*" ? can(grants, "service.read", { environment: "*", namespace: "*" }) : canInEnvironment(grants, "service.read", event.environment);
  }
  return false;
}

export const alertsRouter = createTRPCRouter({
  /** Alerts grouped by rule and resource, worst first; only those the caller may see. */
  list: permissionProcedure("service.read")
    .input(listInput)
    .query(async ({ ctx, input }) => {
      const rows = await ctx.db.alert.findMany({
        where: {
          ...(input.status === "all" ? {} : { status: input.status }),
          ...(input.severity ? { severity: { in: input.severity.map((severity) => severity.toLowerCase()) } } : {}),
          ...(input.environment ? { environment: input.environment } : {}),
          ...(input.resource?.kind ? { resourceKind: input.resource.kind } : {}),
          ...(input.resource?.region ? { region: input.resource.region } : {}),
          ...(input.resource?.namespace ? { resourceNamespace: input.resource.namespace } : {}),
          ...(input.resource?.cluster ? { resourceCluster: input.resource.cluster } : {}),
          ...(input.resource?.name ? { resourceName: input.resource.name } : {}),
        },
        // Firing before resolved, then the newest: a cut list keeps what matters.
        orderBy: [{ status: "asc" }, { startsAt: "desc" }, { fingerprint: "asc" }],
        take: input.limit + 1,
      });
      const truncated = rows.length > input.limit;
      const visible = rows.slice(0, input.limit).filter((row) => canSeeAlert(ctx.principal.grants, placementOfRow(row)));
      const silences = await silencesInForce(ctx.db);
      const alerts = visible.map((row) => ({
        ...summaryOf(row),
        canSilence: can(ctx.principal.grants, "alert.silence", actingScopeOf(placementOfRow(row))),
        /** Silences made through Scaleplane that cover it now (Alertmanager may hold others). */
        silencedBy: silences.filter((silence) => matchersMatch(silence.matchers, row.labels as Record<string, string>)).map(({ matchers: _matchers, ...silence }) => silence),
      }));
      // Without an Alertmanager to send them to, silences are refused: the page says so instead of offering them.
      const runtime = await ctx.runtime();
      const silencing = runtime.config.alerts.alertmanager !== undefined;
      return { groups: groupAlerts(alerts), total: visible.length, truncated, silencing, simulatedEnvironments: runtime.simulatedAlertEnvironments ?? [] };
    }),

  /** How many alerts fire that the caller may see, by severity: the navigation's count. */
  counts: permissionProcedure("service.read").query(async ({ ctx }) => {
    const rows = await ctx.db.alert.findMany({
      where: { status: "firing" },
      select: { severity: true, environment: true, region: true, resourceKind: true, resourceNamespace: true, resourceCluster: true, resourceName: true },
    });
    const bySeverity: Record<string, number> = {};
    let firing = 0;
    for (const row of rows) {
      if (!canSeeAlert(ctx.principal.grants, placementOfRow(row))) continue;
      firing++;
      bySeverity[row.severity] = (bySeverity[row.severity] ?? 0) + 1;
    }
    return { firing, bySeverity };
  }),

  /**
   * The alerts on one resource (firing, then recently resolved), each with the threshold its
   * rule compares with and, while it fires, the runbook's suggested actions from the
   * resource's current figures. Suggestions only ever prefill a request form.
   */
  forResource: permissionProcedure("service.read")
    .input(resourceInput)
    .query(async ({ ctx, input }) => {
      const runtime = await ctx.runtime();
      const environment = input.environment ?? defaultEnvironmentName(runtime.config);
      const resolvedSince = new Date(Date.now() - input.resolvedWithinMinutes * 60_000);
      const rows = await ctx.db.alert.findMany({
        where: {
          environment,
          resourceKind: { in: input.kinds },
          resourceName: input.name,
          ...(input.namespace ? { resourceNamespace: input.namespace } : {}),
          ...(input.cluster ? { resourceCluster: input.cluster } : {}),
          AND: [{ OR: [{ status: "firing" }, { endsAt: { gte: resolvedSince } }] }, ...(input.region ? [{ OR: [{ region: input.region }, { region: null }] }] : [])],
        },
        orderBy: [{ status: "asc" }, { startsAt: "desc" }, { fingerprint: "asc" }],
        take: 100,
      });
      const visible = rows.filter((row) => canSeeAlert(ctx.principal.grants, placementOfRow(row)));
      const sources = { config: runtime.config, metrics: runtime.metrics, ports: runtime.actions.ports };
      const alerts = await Promise.all(
        visible.map(async (row) => {
          const summary = summaryOf(row);
          const suggested = row.status === "firing" ? await suggestionsForAlert(sources, summary) : { suggestions: [], unavailable: null };
          return {
            ...summary,
            threshold: alertThreshold(row.generatorUrl),
            canSilence: can(ctx.principal.grants, "alert.silence", actingScopeOf(placementOfRow(row))),
            suggestions: suggested.suggestions.map(({ rule, kind, params, rationale }) => ({ kind, params, rationale, suggester: rule.suggest })),
            suggestionsUnavailable: suggested.unavailable,
          };
        }),
      );
      return { environment, alerts };
    }),

  /** One alert with its status history, the silences covering it, and whether the caller may silence it. */
  get: permissionProcedure("service.read")
    .input(z.object({ fingerprint }))
    .query(async ({ ctx, input }) => {
      const row = await ctx.db.alert.findUnique({ where: { fingerprint: input.fingerprint }, include: { transitions: { orderBy: { id: "desc" }, take: 100 } } });
      if (!row) throw new TRPCError({ code: "NOT_FOUND", message: `no alert has the fingerprint ${input.fingerprint}` });
      const placement = placementOfRow(row);
      if (!canSeeAlert(ctx.principal.grants, placement)) {
        throw new TRPCError({ code: "FORBIDDEN", message: `missing permission service.read on ${placement.environment ?? "*"}/${placement.namespace ?? "*"}` });
      }
      const silences = await silencesCovering(silenceServiceOf(ctx.db, await ctx.runtime()), row.fingerprint, row.labels as Record<string, string>);
      return {
        ...summaryOf(row),
        transitions: row.transitions.reverse().map(({ from, to, at, source, receivedAt }) => ({ from, to, at, source, receivedAt })),
        silences,
        canSilence: can(ctx.principal.grants, "alert.silence", actingScopeOf(placement)),
      };
    }),

  /** Creates a silence in Alertmanager for an alert (its labels by default) or for matchers. Audited. */
  silence: permissionProcedure("alert.silence")
    .input(silenceInput)
    .mutation(async ({ ctx, input }) => silenceAlerts(silenceServiceOf(ctx.db, await ctx.runtime()), ctx.principal, input)),

  /** Expires a silence (made through Scaleplane or not). Audited. */
  expireSilence: permissionProcedure("alert.silence")
    .input(z.object({ silenceId: z.string().min(1).max(64) }))
    .mutation(async ({ ctx, input }) => expireSilence(silenceServiceOf(ctx.db, await ctx.runtime()), ctx.principal, input.silenceId)),

  /** Live alert and silence changes the caller may see. Server-sent events; a reconnect with the last id catches up. */
  onChange: permissionProcedure("service.read")
    .input(z.object({ lastEventId: z.string().max(64).nullish(), environment: shortText.optional() }).optional())
    .subscription(async function* ({ ctx, input, signal }) {
      const runtime = await ctx.runtime();
      for await (const { id, event } of runtime.events.subscribe(signal ?? new AbortController().signal, input?.lastEventId)) {
        if (event.type !== "alert.changed" && event.type !== "silence.changed") continue;
        if (input?.environment && event.environment !== input.environment) continue;
        if (canSeeEvent(ctx.principal.grants, event)) yield tracked(id, event);
      }
    }),
});
