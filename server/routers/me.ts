import { defaultEnvironmentName, getScaleplaneConfig } from "../config";
import { env } from "../env";
import { PERMISSIONS, canSomewhere, type Permission } from "../domain/permissions";
import { authedProcedure, createTRPCRouter, publicProcedure } from "../trpc";

export const meRouter = createTRPCRouter({
  /** Who is signed in and what they hold; the UI hides what the server would refuse anyway. */
  get: authedProcedure.query(({ ctx }) => ({
    id: ctx.principal.id,
    email: ctx.principal.email,
    name: ctx.principal.name,
    grants: ctx.principal.grants,
    permissions: (Object.keys(PERMISSIONS) as Permission[]).filter((permission) => canSomewhere(ctx.principal.grants, permission)),
  })),
  mode: publicProcedure.query(() => {
    const config = getScaleplaneConfig();
    return { demo: env.SCALEPLANE_DEMO, environment: defaultEnvironmentName(config), environments: Object.keys(config.environments) };
  }),
});
