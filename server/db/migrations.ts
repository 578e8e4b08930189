// Applies and creates migrations with Prisma's own schema engine, compiled to WebAssembly.
// The CLI's native engine is a download that air-gapped installs cannot make; this engine
// ships inside an npm package and talks to PostgreSQL through the same driver adapter as the app.
import { readdir, readFile } from "node:fs/promises";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { parse as parseConnectionString } from "pg-connection-string";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import type { MigrationList, SchemaEngine as SchemaEngineType } from "@prisma/schema-engine-wasm";

export const SCHEMA_PATH = path.resolve("prisma/schema.prisma");
export const MIGRATIONS_DIR = path.resolve("prisma/migrations");

const NO_FILTERS = { externalTables: [], externalEnums: [] };

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/**
 * The engine describes a database through catalog queries whose columns include
 * PostgreSQL's internal one-byte `"char"` type, which the driver adapter has no mapping
 * for. Its values are already parsed as strings, so they are reported as text.
 */
class CatalogTypeClient extends pg.Client {
  override query(...args: unknown[]): never {
    const retype = <R>(result: R): R => {
      for (const field of (result as { fields?: pg.FieldDef[] } | undefined)?.fields ?? []) {
        if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
      }
      return result;
    };
    const callbackAt = args.findIndex((arg) => typeof arg === "function");
    if (callbackAt >= 0) {
      const callback = args[callbackAt] as (error: Error | null, result?: unknown) => void;
      args[callbackAt] = (error: Error | null, result?: unknown) => callback(error, result && retype(result));
    }
    const returned = (super.query as (...a: unknown[]) => unknown)(...args);
    return (returned instanceof Promise ? returned.then(retype) : returned) as never;
  }
}

/**
 * The stock driver-adapter factory, with two repairs the schema engine needs:
 * - scripts run as one multi-statement query; the stock adapter splits them on every `;`,
 *   which breaks any migration holding a function body;
 * - the throwaway "shadow" database (for replaying migrations) is dropped after its pool
 *   is closed, and with FORCE; the stock one drops it while still connected, which fails.
 */
class MigrationAdapterFactory extends PrismaPg {
  constructor(private readonly poolConfig: pg.PoolConfig) {
    super(poolConfig);
  }

  /** Adapters the engine opened; it never closes them itself. */
  readonly opened: { dispose(): Promise<void> }[] = [];

  override async connect() {
    const adapter = runScriptsWhole(await super.connect());
    this.opened.push(adapter);
    return adapter;
  }

  override async connectToShadowDb() {
    const shadowName = `scaleplane_shadow_${randomUUID().replaceAll("-", "")}`;
    const admin = new pg.Client(this.poolConfig);
    await admin.connect();
    await admin.query(`CREATE DATABASE "${shadowName}"`);
    const shadow = runScriptsWhole(await new PrismaPg({ ...this.poolConfig, database: shadowName }).connect());
    const disposeShadow = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await disposeShadow();
      await admin.query(`DROP DATABASE IF EXISTS "${shadowName}" WITH (FORCE)`);
      await admin.end();
    };
    return shadow;
  }
}

function runScriptsWhole<A extends { executeScript(script: string): Promise<void>; underlyingDriver(): unknown }>(adapter: A): A {
  adapter.executeScript = async (script: string) => {
    await (adapter.underlyingDriver() as pg.Pool).query(script);
  };
  return adapter;
}

type EngineHandle = { engine: SchemaEngineType; dispose: () => Promise<void> };

async function openEngine(connectionString: string): Promise<EngineHandle> {
  const { SchemaEngine } = await import("@prisma/schema-engine-wasm");
  const schema = await readFile(SCHEMA_PATH, "utf8");
  // Discrete fields, not a connection string: the shadow database is opened by overriding
  // `database`, which a connection string in the config would silently win over.
  const { host, port, user, password, database } = parseConnectionString(connectionString);
  const config = {
    host: host ?? undefined,
    port: port ? Number(port) : undefined,
    user,
    password,
    database: database ?? undefined,
    Client: CatalogTypeClient,
  } as pg.PoolConfig;
  const factory = new MigrationAdapterFactory(config);
  const adapter = bindMigrationAwareSqlAdapterFactory(factory);
  const engine = await SchemaEngine.new({ datamodels: [[SCHEMA_PATH, schema]] }, () => {}, adapter);
  return {
    engine,
    dispose: async () => {
      engine.free();
      await Promise.all(factory.opened.map((opened) => opened.dispose()));
    },
  };
}

export async function loadMigrationList(dir = MIGRATIONS_DIR): Promise<MigrationList> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const folders = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const migrationDirectories = await Promise.all(
    folders.map(async (folder) => ({
      path: folder,
      migrationFile: {
        path: "migration.sql",
        content: await readFile(path.join(dir, folder, "migration.sql"), "utf8").then(
          (sql) => ({ tag: "ok" as const, value: sql }),
          (error: Error) => ({ tag: "error" as const, value: error.message }),
        ),
      },
    })),
  );
  const lockPath = path.join(dir, "migration_lock.toml");
  return {
    baseDir: dir,
    lockfile: { path: "migration_lock.toml", content: await readFile(lockPath, "utf8").catch(() => null) },
    shadowDbInitScript: "",
    migrationDirectories,
  };
}

/** Applies every migration not yet recorded in `_prisma_migrations`, like `prisma migrate deploy`. */
export async function applyMigrations(connectionString: string, migrationsDir = MIGRATIONS_DIR): Promise<string[]> {
  const { engine, dispose } = await openEngine(connectionString);
  try {
    const result = await engine.applyMigrations({ migrationsList: await loadMigrationList(migrationsDir), filters: NO_FILTERS });
    return result.appliedMigrationNames;
  } finally {
    await dispose();
  }
}

/**
 * The SQL that would bring a database built from the migrations up to the schema file.
 * Holds no statement when they agree (see hasSqlStatements). Replays the migrations in a throwaway shadow database.
 */
export async function diffMigrationsToSchema(connectionString: string, migrationsDir = MIGRATIONS_DIR): Promise<string> {
  const { engine, dispose } = await openEngine(connectionString);
  try {
    const schema = await readFile(SCHEMA_PATH, "utf8");
    const result = await engine.diff({
      from: { tag: "migrations", ...(await loadMigrationList(migrationsDir)) },
      to: { tag: "schemaDatamodel", files: [{ path: SCHEMA_PATH, content: schema }] },
      script: true,
      exitCode: null,
      filters: NO_FILTERS,
    });
    return result.stdout ?? "";
  } finally {
    await dispose();
  }
}

/** A diff script with nothing to do still holds a comment line; only SQL statements count. */
export function hasSqlStatements(script: string): boolean {
  return script.split("\n").some((line) => line.trim() !== "" && !line.trim().startsWith("--"));
}
