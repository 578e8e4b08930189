// Inputs and lookups the fleet's read-only routers share.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { defaultEnvironmentName } from "../config";
import type { Scope } from "../domain/permissions";
import { readFleet } from "../fleet/read";
import type { Runtime } from "../runtime";

/** A name as it appears in a route segment: a cluster, topic, group or cache. */
export const entityName = z.string().min(1).max(253);

export const environmentInput = z.object({ environment: z.string().min(1).optional() }).optional();

/** An entity of an environment, optionally in one region. */
export const entityInput = <Shape extends z.ZodRawShape>(shape: Shape) =>
  z.object({ environment: z.string().min(1).optional(), region: z.string().min(1).optional(), ...shape });

export interface FleetAccess {
  runtime(): Promise<Runtime>;
  authorizeEnvironment(environment: string): void;
  allows(scope: Scope): boolean;
}

/** The environment asked for (or the default), with the caller's right to read it checked. */
export async function visibleEnvironment(ctx: FleetAccess, environment: string | undefined) {
  const runtime = await ctx.runtime();
  const name = environment ?? defaultEnvironmentName(runtime.config);
  ctx.authorizeEnvironment(name);
  return { runtime, environment: name };
}

/** The environment asked for (or the default), checked, and its fleet read and judged. */
export async function readVisibleFleet(ctx: FleetAccess, environment: string | undefined) {
  const { runtime, environment: name } = await visibleEnvironment(ctx, environment);
  return { runtime, fleet: await readFleet(runtime, name, ctx.allows) };
}

/** Entities of one name in the regions asked for; NOT_FOUND when there is none. */
export function inRegions<T extends { region: string }>(entities: T[], region: string | undefined, what: string): T[] {
  const found = entities.filter((entity) => region === undefined || entity.region === region);
  if (found.length === 0) throw new TRPCError({ code: "NOT_FOUND", message: `${what} not found${region ? ` in ${region}` : ""}` });
  return found;
}
