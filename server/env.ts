// The one place that reads the process environment. Everything else imports `env`.
import { z } from "zod";

const booleanFlag = z
  .enum(["1", "0", "true", "false", ""])
  .optional()
  .transform((value) => value === "1" || value === "true");

const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    /** PostgreSQL for Scaleplane's own state. The demo sets it to its embedded database. */
    DATABASE_URL: z.string().url().startsWith("postgres"),
    /** Connections Prisma may hold; the embedded database serves few at a time. */
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
    /** Demo mode: seeded accounts, the banner, the simulator's control endpoints. */
    SCALEPLANE_DEMO: booleanFlag,
    NEXTAUTH_SECRET: z.string().min(16, "NEXTAUTH_SECRET must be at least 16 characters"),
    NEXTAUTH_URL: z.string().url().optional(),
    OIDC_ISSUER: z.string().url().optional(),
    OIDC_CLIENT_ID: z.string().optional(),
    OIDC_CLIENT_SECRET: z.string().optional(),
    /** Claim that carries the user's groups in the ID token. */
    OIDC_GROUPS_CLAIM: z.string().default("groups"),
    /** group=role[@environment[/namespace]] pairs, comma separated, e.g. `sre=approver@prod/*,devs=operator@staging`. */
    OIDC_GROUP_ROLES: z.string().default(""),
    /** Redis for the shared cache and live events across app replicas; optional. */
    REDIS_URL: z.string().url().optional(),
    /** Seconds a request waits for approval before it expires. */
    ACTION_REQUEST_TTL_SECONDS: z.coerce.number().int().min(60).default(3600),
    /** Seconds a user's role bindings are cached per app process. */
    ROLE_CACHE_SECONDS: z.coerce.number().min(0).max(60).default(5),
    /** What one replica costs per hour, for the monthly cost change in action previews. */
    PRICE_PER_REPLICA_HOUR: z.coerce.number().min(0).default(0.05),
    /** Milliseconds between fleet simulator ticks. */
    SIMULATOR_TICK_MS: z.coerce.number().int().min(10).default(1000),
    SIMULATOR_SEED: z.coerce.number().int().default(42),
    /** How many HTTP services the simulated fleet runs (8 to 5,000). */
    SIMULATOR_SERVICES: z.coerce.number().int().min(8).max(5000).default(30),
    /** A JSON scenario file of incidents to play (server/adapters/simulator/scenarios/demo.json is the demo's). */
    SIMULATOR_SCENARIO_FILE: z.string().min(1).optional(),
    /** Prometheus rule files (deploy/prometheus/rules) the simulator evaluates itself, for a simulated environment without Prometheus. Unset: no alerts of its own. */
    SIMULATOR_ALERT_RULES_DIR: z.string().min(1).optional(),
    /** Seconds between polls of every consumer group's offsets (Burrow's window is this × its size). */
    CONSUMER_LAG_POLL_SECONDS: z.coerce.number().min(1).max(600).default(10),
    /** Environment name the simulated fleet reports itself as. */
    SIMULATOR_ENVIRONMENT: z.string().default("demo"),
    /** The configuration file (YAML or JSON): environments, regions, clusters, Prometheus, label names. Unset: the demo's. */
    SCALEPLANE_CONFIG: z.string().min(1).optional(),
    /** The bearer token Alertmanager sends to /api/alerts/alertmanager. Demo mode: `demo-webhook-token` when unset. */
    ALERTMANAGER_WEBHOOK_TOKEN: z.string().min(16, "ALERTMANAGER_WEBHOOK_TOKEN must be at least 16 characters").optional(),
    /** The largest webhook body accepted, in bytes; larger ones get 413. */
    ALERTMANAGER_WEBHOOK_MAX_BYTES: z.coerce.number().int().min(65_536).max(64 * 1024 * 1024).default(4 * 1024 * 1024),
  })
  .superRefine((value, ctx) => {
    const oidc = [value.OIDC_ISSUER, value.OIDC_CLIENT_ID, value.OIDC_CLIENT_SECRET];
    if (oidc.some(Boolean) && !oidc.every(Boolean)) {
      ctx.addIssue({ code: "custom", message: "OIDC needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together" });
    }
  });

export type Env = z.infer<typeof envSchema>;

function loadEnv(): Env {
  // During `next build` no server runs; placeholders let pages compile without secrets.
  const building = process.env.NEXT_PHASE === "phase-production-build";
  const source = building
    ? { DATABASE_URL: "postgresql://build@127.0.0.1:1/build", NEXTAUTH_SECRET: "build-time-placeholder", ...process.env }
    : process.env;
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".") || "env"}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n${problems.join("\n")}`);
  }
  return parsed.data;
}

export const env: Env = loadEnv();
export const oidcEnabled = Boolean(env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET);

export const DEMO_WEBHOOK_TOKEN = "demo-webhook-token";

/** The token the Alertmanager webhook must present; undefined (webhook refused) outside demo mode without one. */
export const alertmanagerWebhookToken: string | undefined = env.ALERTMANAGER_WEBHOOK_TOKEN ?? (env.SCALEPLANE_DEMO ? DEMO_WEBHOOK_TOKEN : undefined);

/**
 * A secret the configuration file names by environment variable (`bearerTokenEnv`,
 * `passwordEnv`, ...). Read at the moment it is needed, so a rotated secret takes effect on
 * the next connection.
 */
export function secretFromEnvironment(variable: string): string | undefined {
  const value = process.env[variable];
  return value === undefined || value === "" ? undefined : value;
}
