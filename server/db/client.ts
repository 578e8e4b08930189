import { PrismaPg } from "@prisma/adapter-pg";
import { env } from "../env";
import { PrismaClient, type Prisma } from "./generated/client";

export type Db = PrismaClient;
/** The client inside `db.$transaction(async (tx) => …)`. */
export type DbTransaction = Prisma.TransactionClient;

export function createDb(connectionString: string, poolSize: number): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString, max: poolSize }) });
}

// One client per process; kept on globalThis so dev-mode reloads do not open new pools.
const holder = globalThis as unknown as { scaleplaneDb?: Db };
export const db: Db = (holder.scaleplaneDb ??= createDb(env.DATABASE_URL, env.DATABASE_POOL_SIZE));
