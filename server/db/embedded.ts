// PostgreSQL compiled to WebAssembly (PGlite), served on a loopback port by its wire-protocol
// socket server, so every ordinary client (Prisma's pg adapter, pg-boss, the migration
// engine, psql) connects with a plain postgresql:// URL. It is what `npm run demo` runs on
// when no DATABASE_URL is given: nothing to install, data kept in a folder.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export const DEFAULT_EMBEDDED_DATA_DIR = path.resolve(".data/pglite");

/**
 * PGlite is one session; the socket server multiplexes client connections over it, one
 * query at a time and one open transaction at a time. 10 connections was verified with a
 * pg-boss pool of 4 next to a Prisma pool of 4 (see /work/shared/notes/environment.md).
 */
export const DEFAULT_EMBEDDED_MAX_CONNECTIONS = 10;

export interface EmbeddedPostgresOptions {
  /** Where the database files live. Default `.data/pglite`; created when missing. */
  dataDir?: string;
  /** Loopback port to listen on; 0 (the default) picks a free one. */
  port?: number;
  maxConnections?: number;
}

export interface EmbeddedPostgres {
  /** `postgresql://postgres@127.0.0.1:<port>/postgres` */
  connectionString: string;
  port: number;
  /** Stops accepting connections, drops the open ones and closes the database files. */
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(options.dataDir ?? DEFAULT_EMBEDDED_DATA_DIR);
  await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir });
  const server = new PGLiteSocketServer({
    db,
    host: "127.0.0.1",
    port: options.port ?? 0,
    maxConnections: options.maxConnections ?? DEFAULT_EMBEDDED_MAX_CONNECTIONS,
  });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw error;
  }
  // With port 0 the server learns its port only once listening; it reports "host:port".
  const port = Number(server.getServerConn().split(":").pop());
  if (!Number.isInteger(port) || port <= 0) {
    await server.stop();
    await db.close();
    throw new Error(`embedded PostgreSQL reported no port (${server.getServerConn()})`);
  }

  let stopped: Promise<void> | undefined;
  return {
    connectionString: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop() {
      stopped ??= (async () => {
        await server.stop();
        // Closing flushes PGlite's in-memory pages to dataDir; skipping it loses recent writes.
        await db.close();
      })();
      return stopped;
    },
  };
}
