import { TRPCError } from "@trpc/server";
import { tracked } from "@trpc/server";
import { z } from "zod";
import { breakGlass, cancelAction, decideAction, requestAction } from "../actions/requests";
import { ActionError } from "../actions/errors";
import { actionCatalog, describeCatalog } from "../domain/actions/catalog";
import { ActionRefused } from "../domain/actions/kind";
import { can } from "../domain/permissions";
import { createTRPCRouter, permissionProcedure } from "../trpc";

const environment = z.string().min(1).max(63).regex(/^[a-z0-9][-a-z0-9]*$/, "must be lowercase letters, digits and -");
const requestId = z.object({ id: z.uuid() });

const requestInput = z.object({
  kind: z.string().min(1),
  environment,
  params: z.record(z.string(), z.unknown()),
  reason: z.string().trim().min(3, "say why, in a few words").max(2000),
  /** A retry with the same key returns the same request. */
  idempotencyKey: z.string().min(8).max(128),
});

const ACTIVE_STATES = ["pending", "approved", "executing"] as const;

export const actionsRouter = createTRPCRouter({
  kinds: permissionProcedure("action.read").query(() => describeCatalog()),

  /** The preview a request would get, without creating it. */
  preview: permissionProcedure("action.request")
    .input(requestInput.pick({ kind: true, environment: true, params: true }))
    .query(async ({ ctx, input }) => {
      const kind = actionCatalog.get(input.kind);
      if (!kind) throw new TRPCError({ code: "BAD_REQUEST", message: `unknown action kind "${input.kind}"` });
      const parsed = kind.params.safeParse(input.params);
      if (!parsed.success) throw new ActionError("BAD_REQUEST", "invalid parameters", parsed.error.issues);
      const target = kind.target(parsed.data, input.environment);
      ctx.authorize(target);
      const runtime = await ctx.runtime();
      try {
        const current = await kind.load(runtime.actions.ports, parsed.data, input.environment);
        return kind.plan(parsed.data, current, { pricePerReplicaHour: runtime.actions.pricePerReplicaHour });
      } catch (error) {
        if (error instanceof ActionRefused) throw new ActionError("BAD_REQUEST", error.message);
        throw error;
      }
    }),

  request: permissionProcedure("action.request")
    .input(requestInput)
    .mutation(async ({ ctx, input }) => requestAction((await ctx.runtime()).actions, ctx.principal, input)),

  approve: permissionProcedure("action.approve")
    .input(requestId.extend({ comment: z.string().trim().max(2000).optional() }))
    .mutation(async ({ ctx, input }) =>
      decideAction((await ctx.runtime()).actions, ctx.principal, { requestId: input.id, decision: "approve", comment: input.comment }),
    ),

  reject: permissionProcedure("action.approve")
    .input(requestId.extend({ comment: z.string().trim().min(3, "say why you reject it").max(2000) }))
    .mutation(async ({ ctx, input }) =>
      decideAction((await ctx.runtime()).actions, ctx.principal, { requestId: input.id, decision: "reject", comment: input.comment }),
    ),

  cancel: permissionProcedure("action.request")
    .input(requestId)
    .mutation(async ({ ctx, input }) => cancelAction((await ctx.runtime()).actions, ctx.principal, input.id)),

  breakGlass: permissionProcedure("action.breakGlass")
    .input(requestId.extend({ reason: z.string().trim().min(10, "a break-glass reason needs at least 10 characters").max(2000) }))
    .mutation(async ({ ctx, input }) =>
      breakGlass((await ctx.runtime()).actions, ctx.principal, { requestId: input.id, reason: input.reason }),
    ),

  list: permissionProcedure("action.read")
    .input(
      z.object({
        view: z.enum(["mine", "awaitingMe", "active", "history"]).default("history"),
        target: z.object({ environment: z.string(), namespace: z.string(), name: z.string() }).optional(),
        limit: z.number().int().min(1).max(200).default(50),
        cursor: z.uuid().optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const me = ctx.principal.id;
      const where = {
        ...(input.view === "mine" ? { requestedById: me } : {}),
        ...(input.view === "awaitingMe" ? { state: "pending" as const, requestedById: { not: me }, expiresAt: { gt: new Date() }, decisions: { none: { deciderId: me } } } : {}),
        ...(input.view === "active" ? { state: { in: [...ACTIVE_STATES] } } : {}),
        ...(input.target ? { environment: input.target.environment, namespace: input.target.namespace, target: input.target.name } : {}),
      };
      const rows = await ctx.db.actionRequest.findMany({
        where,
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: input.limit + 1,
        ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
        include: { requestedBy: { select: { email: true } }, decisions: { include: { decider: { select: { email: true } } } } },
      });
      // Scope filtering after the query keeps the SQL simple; bindings are globs.
      const visible = rows.filter((row) => ctx.allows(row));
      const awaiting = input.view === "awaitingMe" ? visible.filter((row) => can(ctx.principal.grants, "action.approve", row)) : visible;
      const page = awaiting.slice(0, input.limit);
      return { items: page, nextCursor: rows.length > input.limit ? rows[input.limit - 1]?.id ?? null : null };
    }),

  get: permissionProcedure("action.read")
    .input(requestId)
    .query(async ({ ctx, input }) => {
      const request = await ctx.db.actionRequest.findUnique({
        where: { id: input.id },
        include: { requestedBy: { select: { email: true } }, decisions: { include: { decider: { select: { email: true } } } } },
      });
      if (!request) throw new TRPCError({ code: "NOT_FOUND", message: "no such action request" });
      ctx.authorize(request);
      return {
        ...request,
        canDecide: request.requestedById !== ctx.principal.id && can(ctx.principal.grants, "action.approve", request),
        canBreakGlass: can(ctx.principal.grants, "action.breakGlass", request),
      };
    }),

  /** Live changes to requests the caller can see. Server-sent events; a reconnect with the last id catches up. */
  onChange: permissionProcedure("action.read")
    .input(z.object({ lastEventId: z.string().max(64).nullish() }).optional())
    .subscription(async function* ({ ctx, input, signal }) {
      const runtime = await ctx.runtime();
      for await (const { id, event } of runtime.events.subscribe(signal ?? new AbortController().signal, input?.lastEventId)) {
        if (event.type === "action.changed" && ctx.allows(event)) yield tracked(id, event);
      }
    }),
});
