import { z } from "zod";
import { verifyAuditChain } from "../audit/log";
import { createTRPCRouter, permissionProcedure } from "../trpc";

export const auditRouter = createTRPCRouter({
  list: permissionProcedure("audit.read")
    .input(
      z.object({
        actor: z.string().trim().max(320).optional(),
        action: z.string().trim().max(100).optional(),
        target: z.string().trim().max(500).optional(),
        from: z.date().optional(),
        to: z.date().optional(),
        limit: z.number().int().min(1).max(500).default(100),
        /** seq of the last row of the previous page */
        before: z.string().regex(/^\d+$/).optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const rows = await ctx.db.auditEvent.findMany({
        where: {
          ...(input.actor ? { actorEmail: { contains: input.actor, mode: "insensitive" as const } } : {}),
          ...(input.action ? { action: { startsWith: input.action } } : {}),
          ...(input.target ? { targetId: { contains: input.target, mode: "insensitive" as const } } : {}),
          ...(input.from || input.to ? { occurredAt: { ...(input.from ? { gte: input.from } : {}), ...(input.to ? { lte: input.to } : {}) } } : {}),
          ...(input.before ? { seq: { lt: BigInt(input.before) } } : {}),
        },
        orderBy: { seq: "desc" },
        take: input.limit + 1, // one more tells whether an older page exists
      });
      const items = rows.slice(0, input.limit).map((row) => ({ ...row, seq: row.seq.toString() }));
      return { items, nextBefore: rows.length > input.limit ? items[items.length - 1]?.seq ?? null : null };
    }),

  verify: permissionProcedure("audit.read").query(({ ctx }) => verifyAuditChain(ctx.db)),
});
