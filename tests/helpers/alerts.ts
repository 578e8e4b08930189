// Alertmanager webhook payloads and deliveries for the alert tests, and the router over a
// runtime that holds only what the alert procedures read (configuration and event bus).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { randomBytes } from "node:crypto";
import type { Principal } from "../../server/auth/principal";
import { receiveAlertmanagerWebhook, type WebhookDeps } from "../../server/alerts/webhook";
import { validateConfig } from "../../server/config";
import type { ScaleplaneConfigInput } from "../../server/config/schema";
import type { Db } from "../../server/db/client";
import { labelSetFingerprint } from "../../server/domain/alerts/fingerprint";
import { InProcessEventBus, type EventBus, type LiveEvent } from "../../server/events/bus";
import { createCaller } from "../../server/routers";
import type { Runtime } from "../../server/runtime";
import type { Context } from "../../server/trpc";

export const WEBHOOK_URL = "http://scaleplane.test/api/alerts/alertmanager";

/** A suffix that keeps one test's alerts apart from every other's in the shared database. */
export function uniqueSuffix(): string {
  return randomBytes(4).toString("hex");
}

export interface WebhookAlertInput {
  labels: Record<string, string>;
  status?: "firing" | "resolved";
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  fingerprint?: string;
}

/** One alert as Alertmanager 0.25 writes it into a version 4 payload. */
export function webhookAlert(input: WebhookAlertInput) {
  const status = input.status ?? "firing";
  return {
    status,
    labels: input.labels,
    annotations: input.annotations ?? { summary: `${input.labels.alertname ?? "alert"} is ${status}` },
    startsAt: input.startsAt ?? "2026-11-27T10:00:00.000Z",
    endsAt: input.endsAt ?? (status === "resolved" ? "2026-11-27T10:10:00.000Z" : "0001-01-01T00:00:00Z"),
    generatorURL: "http://prometheus.test/graph?g0.expr=up+%3D%3D+0",
    fingerprint: input.fingerprint ?? labelSetFingerprint(input.labels),
  };
}

export function webhookPayload(alerts: ReturnType<typeof webhookAlert>[]) {
  const status = alerts.some((alert) => alert.status === "firing") ? "firing" : "resolved";
  return {
    receiver: "scaleplane",
    status,
    alerts,
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: "http://alertmanager.test",
    version: "4",
    groupKey: '{}:{alertname="Test"}',
    truncatedAlerts: 0,
  };
}

export function webhookRequest(body: string | ReadableStream<Uint8Array>, headers: Record<string, string>): Request {
  return new Request(WEBHOOK_URL, { method: "POST", headers, body, ...(typeof body === "string" ? {} : { duplex: "half" }) } as RequestInit);
}

export function deliver(deps: WebhookDeps, payload: unknown, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  return receiveAlertmanagerWebhook(webhookRequest(JSON.stringify(payload), headers), deps);
}

export interface WebhookServer {
  url: string;
  close(): Promise<void>;
}

/** The webhook handler behind a real HTTP server, for a real Alertmanager to deliver to. */
export async function serveWebhook(deps: WebhookDeps): Promise<WebhookServer> {
  const server = http.createServer((request, response) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) if (typeof value === "string") headers.set(name, value);
    const body = request.method === "POST" ? (Readable.toWeb(request) as ReadableStream<Uint8Array>) : undefined;
    void receiveAlertmanagerWebhook(new Request(`http://127.0.0.1${request.url ?? "/"}`, { method: request.method, headers, body, duplex: "half" } as RequestInit), deps)
      .then(async (answer) => {
        response.writeHead(answer.status, { "content-type": "application/json" }).end(await answer.text());
      })
      .catch((error: unknown) => response.writeHead(500).end(String(error)));
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/alerts/alertmanager`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A runtime with only the configuration and the event bus: what the alert procedures read. */
export function alertsRuntime(events: EventBus, config: Partial<ScaleplaneConfigInput> = {}): Runtime {
  const validated = validateConfig({ version: 1, environments: { demo: { source: "simulator", regions: { "eu-west-1": {}, "us-east-1": {} } } }, ...config }, "the alert tests' configuration");
  return { config: validated, events } as Partial<Runtime> as Runtime;
}

export function alertsCaller(db: Db, runtime: Runtime, principal: Principal, signal?: AbortSignal) {
  return createCaller({ db, principal, runtime: () => Promise.resolve(runtime) } satisfies Context, signal ? { signal } : undefined);
}

/**
 * A tracked event as an in-process caller yields it: tRPC types it as `{ id, data }` (what the
 * client receives), but the procedure's own value is the `[id, data]` envelope.
 */
export function trackedEvent<T>(value: { id: string; data: T } | readonly [string, T, ...unknown[]]): { id: string; data: T } {
  if (Array.isArray(value)) return { id: value[0] as string, data: value[1] as T };
  return value as { id: string; data: T };
}

/** An in-process event bus that also keeps what it publishes, in order, for a test to read. */
export function recordingEventBus(): { events: InProcessEventBus; published: LiveEvent[] } {
  const events = new InProcessEventBus();
  const published: LiveEvent[] = [];
  const publish = events.publish.bind(events);
  events.publish = (event) => {
    published.push(event);
    publish(event);
  };
  return { events, published };
}
