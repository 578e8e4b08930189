// Alertmanager's webhook (deploy/alertmanager/alertmanager.yml sends here). The handling is in
// server/alerts/webhook.ts; this route gives it the token, the body limit and the store.
import { alertStoreOf } from "@/server/alerts/services";
import { onlyEnvironment } from "@/server/alerts/store";
import { receiveAlertmanagerWebhook } from "@/server/alerts/webhook";
import { db } from "@/server/db/client";
import { alertmanagerWebhookToken, env } from "@/server/env";
import { observeHttpRequest } from "@/server/observability/metrics";
import { getRuntime } from "@/server/runtime";

export const dynamic = "force-dynamic";

const ROUTE = "/api/alerts/alertmanager";

export async function POST(request: Request) {
  const started = performance.now();
  const response = await receiveAlertmanagerWebhook(request, {
    token: alertmanagerWebhookToken,
    maxBytes: env.ALERTMANAGER_WEBHOOK_MAX_BYTES,
    store: async () => {
      const runtime = await getRuntime();
      return { ...alertStoreOf(db, runtime), fallbackEnvironment: onlyEnvironment(runtime.config) };
    },
  });
  observeHttpRequest(ROUTE, "POST", response.status, (performance.now() - started) / 1000);
  return response;
}
