// Reading and validating the configuration file. Every problem is reported with the path of
// the field it concerns (`environments.prod.regions.eu-west-1.clusters.events.brokers.0`), all
// of them at once, so a file can be fixed in one pass.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import type { z } from "zod";
import { configSchema, type ScaleplaneConfig } from "./schema";

export interface ConfigProblem {
  /** Dotted path of the field, e.g. environments.prod.prometheus.url; "" for the whole file. */
  path: string;
  message: string;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";

  constructor(
    readonly source: string,
    readonly problems: ConfigProblem[],
  ) {
    super(`Invalid Scaleplane configuration in ${source}:\n${problems.map((problem) => `  ${problem.path || "(file)"}: ${problem.message}`).join("\n")}`);
  }
}

/**
 * Keys that would hold a secret. The schema rejects unknown keys anyway; this gives the
 * reason and the way out instead of "unrecognized key".
 */
const SECRET_KEY = /(password|passwd|secret|token|apikey|api_key|credentials?|privatekey|private_key)$/i;

function findInlineSecrets(value: unknown, at: string[], problems: ConfigProblem[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => findInlineSecrets(item, [...at, String(index)], problems));
    return;
  }
  if (value === null || typeof value !== "object") return;
  for (const [key, child] of Object.entries(value)) {
    if (SECRET_KEY.test(key) && !key.endsWith("Env")) {
      problems.push({
        path: [...at, key].join("."),
        message: "secrets are not allowed in the configuration file: put the value in an environment variable and name the variable in this section's field ending in Env (passwordEnv, bearerTokenEnv, apiKeyEnv, uriEnv)",
      });
      continue;
    }
    findInlineSecrets(child, [...at, key], problems);
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "unrecognized_keys":
      return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => `\`${key}\``).join(", ")}`;
    case "invalid_type":
      return issue.input === undefined ? `is required (${issue.expected})` : issue.message.replace(/^Invalid input: /, "");
    default:
      return issue.message;
  }
}

/** Validates already-parsed data (from YAML, JSON or code). */
export function validateConfig(data: unknown, source: string): ScaleplaneConfig {
  const secrets: ConfigProblem[] = [];
  findInlineSecrets(data, [], secrets);
  const result = configSchema.safeParse(data);
  if (result.success && secrets.length === 0) return result.data;
  const problems = [...secrets];
  for (const issue of result.error?.issues ?? []) {
    const keys = issue.path.map(String);
    // A secret key is already reported with its reason; "unknown field" would say less.
    if (issue.code === "unrecognized_keys" && issue.keys.every((key) => SECRET_KEY.test(key))) continue;
    // An invalid record key is reported at the key itself, with the key rule's message.
    const message = issue.code === "invalid_key" ? issue.issues.map((inner) => inner.message).join("; ") : describeIssue(issue);
    problems.push({ path: keys.join("."), message });
  }
  throw new ConfigError(source, problems);
}

/** Parses the text of a YAML or JSON file (JSON is YAML too, but its own errors read better). */
export function parseConfigText(text: string, source: string): ScaleplaneConfig {
  let data: unknown;
  if (/\.json$/i.test(source)) {
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(source, [{ path: "", message: `is not valid JSON: ${(error as Error).message}` }]);
    }
  } else {
    try {
      data = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
    } catch (error) {
      if (error instanceof YAMLParseError) {
        const position = error.linePos?.[0];
        const where = position ? `line ${position.line}, column ${position.col}: ` : "";
        const reason = (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
        throw new ConfigError(source, [{ path: "", message: `is not valid YAML: ${where}${reason}` }]);
      }
      throw error;
    }
  }
  if (data === null || data === undefined) throw new ConfigError(source, [{ path: "", message: "is empty" }]);
  return validateConfig(data, source);
}

export function loadConfigFile(file: string): ScaleplaneConfig {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "does not exist" : code === "EACCES" ? "cannot be read (permission denied)" : `cannot be read (${code ?? String(error)})`;
    throw new ConfigError(absolute, [{ path: "", message: `${reason}; SCALEPLANE_CONFIG names it` }]);
  }
  return parseConfigText(text, absolute);
}

export interface SecretReference {
  /** Where in the file, e.g. environments.prod.regions.eu-west-1.clusters.events.sasl.passwordEnv */
  path: string;
  /** The environment variable it names. */
  variable: string;
}

/** Every environment variable the file refers to, for a start-up check that they are all set. */
export function secretReferences(config: ScaleplaneConfig): SecretReference[] {
  const found: SecretReference[] = [];
  const visit = (value: unknown, at: string[]) => {
    if (Array.isArray(value)) value.forEach((item, index) => visit(item, [...at, String(index)]));
    else if (value !== null && typeof value === "object") {
      for (const [key, child] of Object.entries(value)) {
        if (key.endsWith("Env") && typeof child === "string") found.push({ path: [...at, key].join("."), variable: child });
        else visit(child, [...at, key]);
      }
    }
  };
  visit(config, []);
  return found;
}

/**
 * The references whose variable is unset or empty. `lookup` reads the environment; it is a
 * parameter because server/env.ts is the one module that reads process.env.
 */
export function missingSecrets(config: ScaleplaneConfig, lookup: (variable: string) => string | undefined): SecretReference[] {
  return secretReferences(config).filter((reference) => !lookup(reference.variable));
}
