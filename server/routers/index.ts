import { createCallerFactory, createTRPCRouter } from "../trpc";
import { actionsRouter } from "./actions";
import { auditRouter } from "./audit";
import { meRouter } from "./me";
import { overviewRouter } from "./overview";
import { servicesRouter } from "./services";
import { usersRouter } from "./users";

export const appRouter = createTRPCRouter({
  me: meRouter,
  overview: overviewRouter,
  services: servicesRouter,
  actions: actionsRouter,
  audit: auditRouter,
  users: usersRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
