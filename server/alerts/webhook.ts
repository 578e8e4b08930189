// POST /api/alerts/alertmanager: Alertmanager's webhook (payload version 4), as a plain
// function of the request so it can be tested without Next. In this order, each refusal
// before anything is stored:
// - 401 without the bearer token (compared in constant time), before the body is read;
// - 413 for a body over the limit: the declared length is checked, and the body is read with
//   a cap, because a chunked body declares none;
// - 400 for a body that is not UTF-8 JSON, or not a version 4 payload within the bounds below.
// Then every alert is stored by fingerprint in one transaction (server/alerts/store.ts).
import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { labelSetFingerprint } from "../domain/alerts/fingerprint";
import type { AlertObservation } from "../domain/alerts/lifecycle";
import { applyAlertObservations, type AlertStoreDeps } from "./store";

export interface WebhookDeps {
  /** The token Alertmanager must send; undefined refuses every delivery (not configured). */
  token: string | undefined;
  maxBytes: number;
  /** Asked for only once a delivery is authenticated and valid. */
  store: () => Promise<AlertStoreDeps & { fallbackEnvironment: string | null }>;
  now?: () => Date;
}

// Bounds well above any real alert, so a broken or hostile sender cannot make rows of any size.
const MAX_ALERTS = 5000;
const MAX_LABELS = 128;
const MAX_LABEL_NAME = 256;
const MAX_LABEL_VALUE = 4096;
const MAX_ANNOTATION_VALUE = 32_768;

const stringMap = (maxValue: number, what: string) =>
  z
    .record(z.string().min(1, `${what} names must not be empty`).max(MAX_LABEL_NAME, `${what} names are at most ${MAX_LABEL_NAME} characters`), z.string().max(maxValue, `${what} values are at most ${maxValue} characters`))
    .refine((record) => Object.keys(record).length <= MAX_LABELS, `at most ${MAX_LABELS} ${what}s per alert`);

const timestamp = z
  .string()
  .max(64)
  .refine((text) => !Number.isNaN(Date.parse(text)), "must be an RFC 3339 time");

const alertSchema = z.object({
  status: z.enum(["firing", "resolved"]),
  labels: stringMap(MAX_LABEL_VALUE, "label"),
  annotations: stringMap(MAX_ANNOTATION_VALUE, "annotation").default({}),
  startsAt: timestamp,
  endsAt: timestamp.optional(),
  generatorURL: z.string().max(8192).optional(),
  // Alertmanager's is 16 hex digits; without one it is computed from the labels the same way.
  fingerprint: z
    .string()
    .regex(/^[0-9a-fA-F]{1,64}$/, "must be hexadecimal")
    .optional(),
});

const payloadSchema = z.object({
  version: z.string().max(16),
  status: z.enum(["firing", "resolved"]).optional(),
  receiver: z.string().max(1024).optional(),
  groupKey: z.string().max(65_536).optional(),
  alerts: z.array(alertSchema).max(MAX_ALERTS, `at most ${MAX_ALERTS} alerts per delivery`),
});

type WebhookAlert = z.infer<typeof alertSchema>;

function answer(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store", ...headers } });
}

/** Compares digests, so neither the content nor the length of the token leaks through timing. */
function presentsToken(authorization: string | null, expected: string): boolean {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? "");
  if (!match) return false;
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(match[1]!), digest(expected));
}

type BodyRead = { ok: true; text: string } | { ok: false; status: 400 | 413; error: string };

async function readBody(request: Request, maxBytes: number): Promise<BodyRead> {
  const tooLarge: BodyRead = { ok: false, status: 413, error: `the body is larger than ${maxBytes} bytes` };
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) {
    await request.body?.cancel().catch(() => undefined);
    return tooLarge;
  }
  if (!request.body) return { ok: true, text: "" };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return tooLarge;
    }
    chunks.push(value);
  }
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks)) };
  } catch {
    return { ok: false, status: 400, error: "the body is not UTF-8 text" };
  }
}

function describeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 5).map((issue) => `${issue.path.join(".") || "payload"}: ${issue.message}`);
  const more = error.issues.length > shown.length ? ` (and ${error.issues.length - shown.length} more)` : "";
  return `${shown.join("; ")}${more}`;
}

/** Alertmanager writes the zero time (year 1) for "not set". */
function dateOrNull(text: string | undefined): Date | null {
  if (text === undefined) return null;
  const time = Date.parse(text);
  return time > 0 ? new Date(time) : null;
}

function observationOf(alert: WebhookAlert, receivedAt: Date): AlertObservation {
  return {
    fingerprint: alert.fingerprint?.toLowerCase() ?? labelSetFingerprint(alert.labels),
    status: alert.status,
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: dateOrNull(alert.startsAt) ?? receivedAt,
    endsAt: dateOrNull(alert.endsAt),
    generatorUrl: alert.generatorURL || null,
    source: "webhook",
  };
}

export async function receiveAlertmanagerWebhook(request: Request, deps: WebhookDeps): Promise<Response> {
  if (deps.token === undefined) {
    // 503: Alertmanager retries, and the delivery arrives once the token is configured.
    return answer(503, { error: "the Alertmanager webhook is not configured: set ALERTMANAGER_WEBHOOK_TOKEN on Scaleplane and the same token in Alertmanager's credentials_file" });
  }
  if (!presentsToken(request.headers.get("authorization"), deps.token)) {
    await request.body?.cancel().catch(() => undefined);
    return answer(401, { error: "send the webhook token as `Authorization: Bearer <token>` (Alertmanager: http_config.authorization.credentials_file)" }, { "www-authenticate": 'Bearer realm="scaleplane"' });
  }
  const body = await readBody(request, deps.maxBytes);
  if (!body.ok) return answer(body.status, { error: body.error });
  let json: unknown;
  try {
    json = JSON.parse(body.text);
  } catch {
    return answer(400, { error: "the body is not valid JSON" });
  }
  const parsed = payloadSchema.safeParse(json);
  if (!parsed.success) return answer(400, { error: `the body is not an Alertmanager webhook payload: ${describeIssues(parsed.error)}` });
  if (parsed.data.version !== "4") {
    return answer(400, { error: `webhook payload version ${JSON.stringify(parsed.data.version)} is not supported; Scaleplane reads version 4 (Alertmanager 0.16 and later)` });
  }
  const receivedAt = deps.now?.() ?? new Date();
  try {
    const store = await deps.store();
    const changes = await applyAlertObservations(
      store,
      parsed.data.alerts.map((alert) => observationOf(alert, receivedAt)),
      { receivedAt, fallbackEnvironment: store.fallbackEnvironment },
    );
    return answer(200, { received: parsed.data.alerts.length, changed: changes.length });
  } catch (error) {
    console.error("[scaleplane] storing Alertmanager's delivery failed:", error);
    // 5xx: Alertmanager retries the delivery.
    return answer(500, { error: "the alerts could not be stored; Alertmanager will retry the delivery" });
  }
}
