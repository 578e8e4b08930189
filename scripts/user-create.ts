// npm run user:create -- --email E --role R [--scope env/namespace] [--name N] [--generate-password]
// Creates a local account with one role binding. On a terminal it asks for the password
// twice without echo; otherwise (or with --generate-password) it generates a strong one and
// prints it once. The account and its audit event are written in one transaction.
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { z } from "zod";
import { parseScope, ROLES } from "../server/domain/permissions";

// Sessions are signed by the app, never by this command; env.ts still insists on a secret.
process.env.NEXTAUTH_SECRET ??= "cli-signs-no-sessions-placeholder";

const USAGE = "usage: npm run user:create -- --email E --role viewer|operator|approver|admin [--scope env/namespace] [--name N] [--generate-password]";
const MIN_PASSWORD_LENGTH = 12;

const argsSchema = z.object({
  email: z.string("--email is required").trim().toLowerCase().pipe(z.email("--email must be an e-mail address")),
  role: z.enum(ROLES, `--role must be one of ${ROLES.join(", ")}`),
  scope: z
    .string()
    .default("*/*")
    .transform((text, ctx) => {
      try {
        return parseScope(text);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: error instanceof Error ? error.message : String(error) });
        return z.NEVER;
      }
    }),
  name: z.string().trim().min(1).max(200).optional(),
  "generate-password": z.boolean().default(false),
});

const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `the password needs at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(1024, "the password can have at most 1024 characters");

function fail(message: string, exitCode = 2): never {
  console.error(`user:create: ${message}`);
  process.exit(exitCode);
}

/** Reads one line from the terminal with echo off (raw mode), so the password never shows. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const stdin = process.stdin;
    process.stdout.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    let typed = "";
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === "\r" || char === "\n") {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off("data", onData);
          process.stdout.write("\n");
          resolve(typed);
          return;
        }
        if (char === "\u0003") {
          stdin.setRawMode(false);
          process.stdout.write("\n");
          process.exit(130);
        }
        if (char === "\u007f" || char === "\b") typed = typed.slice(0, -1);
        else if (char >= " ") typed += char;
      }
    };
    stdin.on("data", onData);
  });
}

async function readPassword(generate: boolean): Promise<{ password: string; generated: boolean }> {
  if (generate || !process.stdin.isTTY) {
    // 18 random bytes: 144 bits, 24 URL-safe characters.
    return { password: randomBytes(18).toString("base64url"), generated: true };
  }
  const first = await promptHidden("password: ");
  const checked = passwordSchema.safeParse(first);
  if (!checked.success) fail(checked.error.issues[0]?.message ?? "invalid password");
  const second = await promptHidden("again: ");
  if (first !== second) fail("the two passwords differ");
  return { password: first, generated: false };
}

let parsedArgs;
try {
  parsedArgs = parseArgs({
    options: {
      email: { type: "string" },
      role: { type: "string" },
      scope: { type: "string" },
      name: { type: "string" },
      "generate-password": { type: "boolean" },
    },
    strict: true,
    allowPositionals: false,
  }).values;
} catch (error) {
  fail(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
}
const args = argsSchema.safeParse(parsedArgs);
if (!args.success) {
  const problems = args.error.issues.map((issue) => `  ${issue.path.join(".") || "arguments"}: ${issue.message}`);
  fail(`invalid arguments:\n${problems.join("\n")}\n${USAGE}`);
}
const input = args.data;
if (!process.env.DATABASE_URL) fail("set DATABASE_URL to Scaleplane's database (the demo prints its own)");

const { password, generated } = await readPassword(input["generate-password"]);

// Imported only now: these read DATABASE_URL and NEXTAUTH_SECRET when they load.
const { createLocalUser } = await import("../server/auth/users");
const { db } = await import("../server/db/client");
const { Prisma } = await import("../server/db/generated/client");

const grant = { role: input.role, ...input.scope };
try {
  const user = await createLocalUser(db, { id: null, email: "cli" }, {
    email: input.email,
    password,
    grants: [grant],
    ...(input.name ? { name: input.name } : {}),
  });
  console.log(`created ${user.email} (${user.id}) as ${grant.role} on ${grant.environment}/${grant.namespace}`);
  if (grant.role === "admin" && (grant.environment !== "*" || grant.namespace !== "*")) {
    console.log("note: managing users and settings needs admin on */*; this binding allows breaking glass in its scope only");
  }
  if (generated) console.log(`password (shown once, store it now): ${password}`);
} catch (error) {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
    fail(`a user with the e-mail address ${input.email} already exists`, 1);
  }
  fail(`could not create the user: ${error instanceof Error ? error.message : String(error)}`, 1);
} finally {
  await db.$disconnect();
}
process.exit(0);
