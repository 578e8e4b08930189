// tRPC context, procedures and the permission middleware.
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError, z } from "zod";
import { ActionError } from "./actions/errors";
import type { Principal } from "./auth/principal";
import type { Db } from "./db/client";
import { Prisma } from "./db/generated/client";
import { can, canInEnvironment, canSomewhere, type Permission, type Scope } from "./domain/permissions";
import type { Runtime } from "./runtime";

/** What every procedure gets: the database, who calls (from the session; app/api/trpc builds it) and the runtime. */
export interface Context {
  db: Db;
  principal: Principal | null;
  runtime: () => Promise<Runtime>;
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const issues = cause instanceof ZodError ? cause.issues : cause instanceof ActionError ? cause.issues : undefined;
    return {
      ...shape,
      // An unexpected error's message can name hosts, SQL or constraints: the server logs it
      // (app/api/trpc's onError), the client only learns that something failed.
      message: shape.data.code === "INTERNAL_SERVER_ERROR" ? "internal server error" : shape.message,
      // Never a stack trace, in any mode.
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        fieldErrors: issues ? z.flattenError(new ZodError(issues)).fieldErrors : null,
      },
    };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Maps domain and database errors to tRPC codes with messages a user can act on. */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (result.ok) return result;
  const cause = result.error.cause;
  if (cause instanceof ActionError) throw new TRPCError({ code: cause.code, message: cause.message, cause });
  if (cause instanceof Prisma.PrismaClientKnownRequestError && cause.code === "P2025") {
    throw new TRPCError({ code: "NOT_FOUND", message: "no such record" });
  }
  return result;
});

export const publicProcedure = t.procedure.use(domainErrors);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.principal) throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in first" });
  return next({ ctx: { ...ctx, principal: ctx.principal } });
});

function forbidden(permission: Permission, scope?: Scope): TRPCError {
  const where = scope ? ` on ${scope.environment}/${scope.namespace}` : "";
  return new TRPCError({ code: "FORBIDDEN", message: `missing permission ${permission}${where}` });
}

/**
 * A procedure for callers who hold `permission` somewhere. The handler checks the target's
 * own scope with `ctx.authorize(scope)` once it knows the target.
 */
export function permissionProcedure(permission: Permission) {
  return authedProcedure.use(({ ctx, next }) => {
    if (!canSomewhere(ctx.principal.grants, permission)) throw forbidden(permission);
    const authorize = (scope: Scope) => {
      if (!can(ctx.principal.grants, permission, scope)) throw forbidden(permission, scope);
    };
    const allows = (scope: Scope) => can(ctx.principal.grants, permission, scope);
    /** For what belongs to an environment but to no namespace (shared data systems). */
    const authorizeEnvironment = (environment: string) => {
      if (!canInEnvironment(ctx.principal.grants, permission, environment)) throw forbidden(permission, { environment, namespace: "*" });
    };
    return next({ ctx: { ...ctx, authorize, allows, authorizeEnvironment } });
  });
}

export type AuthedContext = Context & { principal: Principal };
