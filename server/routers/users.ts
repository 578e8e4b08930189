import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { appendAudit } from "../audit/log";
import { forgetPrincipal } from "../auth/principal";
import { ROLES } from "../domain/permissions";
import { createTRPCRouter, permissionProcedure, type AuthedContext } from "../trpc";

const scopePart = z.string().trim().min(1).max(100).regex(/^[a-z0-9*?\-[\]{},]+$/, "lowercase name or glob, e.g. prod or team-*");
const grantInput = z.object({ role: z.enum(ROLES), environment: scopePart.default("*"), namespace: scopePart.default("*") });

const actorOf = (ctx: AuthedContext) => ({ id: ctx.principal.id, email: ctx.principal.email });

export const usersRouter = createTRPCRouter({
  list: permissionProcedure("user.manage").query(({ ctx }) =>
    ctx.db.user.findMany({
      orderBy: { email: "asc" },
      select: { id: true, email: true, name: true, source: true, disabled: true, createdAt: true, roleBindings: { select: { id: true, role: true, environment: true, namespace: true } } },
    }),
  ),

  setDisabled: permissionProcedure("user.manage")
    .input(z.object({ userId: z.uuid(), disabled: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      if (input.userId === ctx.principal.id && input.disabled) throw new TRPCError({ code: "BAD_REQUEST", message: "you cannot disable your own account" });
      const user = await ctx.db.$transaction(async (tx) => {
        const user = await tx.user.update({ where: { id: input.userId }, data: { disabled: input.disabled } });
        await appendAudit(tx, { actor: actorOf(ctx), action: input.disabled ? "user.disable" : "user.enable", target: { type: "user", id: user.email }, outcome: "success" });
        return user;
      });
      forgetPrincipal(user.id);
      return { id: user.id, disabled: user.disabled };
    }),

  grant: permissionProcedure("user.manage")
    .input(z.object({ userId: z.uuid() }).extend(grantInput.shape))
    .mutation(async ({ ctx, input }) => {
      const { userId, ...grant } = input;
      const binding = await ctx.db.$transaction(async (tx) => {
        const user = await tx.user.findUniqueOrThrow({ where: { id: userId } });
        const binding = await tx.roleBinding.upsert({
          where: { userId_role_environment_namespace: { userId, ...grant } },
          create: { userId, ...grant },
          update: {},
        });
        await appendAudit(tx, { actor: actorOf(ctx), action: "user.role.grant", target: { type: "user", id: user.email }, outcome: "success", details: grant });
        return binding;
      });
      forgetPrincipal(userId);
      return binding;
    }),

  revoke: permissionProcedure("user.manage")
    .input(z.object({ bindingId: z.uuid() }))
    .mutation(async ({ ctx, input }) => {
      const binding = await ctx.db.$transaction(async (tx) => {
        const binding = await tx.roleBinding.delete({ where: { id: input.bindingId }, include: { user: { select: { email: true } } } });
        await appendAudit(tx, {
          actor: actorOf(ctx),
          action: "user.role.revoke",
          target: { type: "user", id: binding.user.email },
          outcome: "success",
          details: { role: binding.role, environment: binding.environment, namespace: binding.namespace },
        });
        return binding;
      });
      forgetPrincipal(binding.userId);
      return { id: binding.id };
    }),
});
