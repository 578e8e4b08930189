import { createCallerFactory, createTRPCRouter } from "../trpc";
import { actionsRouter } from "./actions";
import { alertsRouter } from "./alerts";
import { auditRouter } from "./audit";
import { cachesRouter } from "./caches";
import { meRouter } from "./me";
import { overviewRouter } from "./overview";
import { queuesRouter } from "./queues";
import { regionsRouter } from "./regions";
import { searchRouter } from "./search";
import { servicesRouter } from "./services";
import { shardsRouter } from "./shards";
import { usersRouter } from "./users";

export const appRouter = createTRPCRouter({
  me: meRouter,
  overview: overviewRouter,
  services: servicesRouter,
  queues: queuesRouter,
  caches: cachesRouter,
  shards: shardsRouter,
  regions: regionsRouter,
  search: searchRouter,
  actions: actionsRouter,
  alerts: alertsRouter,
  audit: auditRouter,
  users: usersRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
