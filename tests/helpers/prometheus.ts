// A real Prometheus (and Alertmanager) for tests, started through the project's own scripts
// on free loopback ports with a data folder under .tmp/, plus the small HTTP servers the tests
// put around it: an exposition to scrape, a counting proxy, a slow or failing server.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { distinctFreePorts, memoisedPerOptions, serviceScripts } from "./local-servers";

export { freePort } from "./local-servers";

const scripts = serviceScripts("prometheus");

/** Debian's packages through the project's install script (a no-op when they are there). CI runs as root. */
export async function ensurePrometheusInstalled(): Promise<void> {
  await scripts.run("install", process.env, 300_000);
}

export interface TestPrometheusOptions {
  /** Scraped as the `scaleplane-simulator` job (honor_labels). */
  scrapeUrl: string;
  scrapeIntervalSeconds?: number;
  alertmanager?: boolean;
  extraRuleFiles?: string[];
  webhookUrl?: string;
  webhookToken?: string;
  alertmanagerGroupWait?: string;
}

export interface TestPrometheus {
  url: string;
  port: number;
  alertmanagerUrl: string | undefined;
  dataRoot: string;
  /** The environment start.sh and stop.sh ran with; for tests of the scripts themselves. */
  scriptEnv: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** Servers of this process by their options: asking twice for the same gives the same one. */
const startPrometheusOnce = memoisedPerOptions(launchTestPrometheus);

/**
 * A Prometheus (and optionally Alertmanager) through scripts/prometheus/start.sh, on free ports
 * with its data under .tmp/prometheus-tests/. Idempotent within a test process: the same options
 * give the server already started, until it is stopped. Takes 1-2 s (Debian's packages are
 * installed first when missing, once per machine).
 */
export function startTestPrometheus(options: TestPrometheusOptions): Promise<TestPrometheus> {
  return startPrometheusOnce(options);
}

async function launchTestPrometheus(options: TestPrometheusOptions, forget: () => void): Promise<TestPrometheus> {
  await ensurePrometheusInstalled();
  const dataRoot = await scripts.newDataRoot();
  const [port, alertmanagerPort] = (await distinctFreePorts(2)) as [number, number];
  const scriptEnv: NodeJS.ProcessEnv = {
    ...process.env,
    SCALEPLANE_OBSERVABILITY_DIR: dataRoot,
    PROMETHEUS_PORT: String(port),
    ALERTMANAGER_PORT: String(alertmanagerPort),
    SIMULATOR_METRICS_URL: options.scrapeUrl,
    APP_METRICS_URL: "",
    SCRAPE_INTERVAL_SECONDS: String(options.scrapeIntervalSeconds ?? 1),
    RULE_EVALUATION_INTERVAL_SECONDS: String(options.scrapeIntervalSeconds ?? 1),
    PROMETHEUS_RETENTION: "1d",
    // An alert that fires before Prometheus has discovered Alertmanager is otherwise re-sent only a minute later.
    PROMETHEUS_ALERT_RESEND_DELAY: "1s",
    PROMETHEUS_EXTRA_RULE_FILES: (options.extraRuleFiles ?? []).join(":"),
    START_ALERTMANAGER: options.alertmanager ? "1" : "0",
    ALERTMANAGER_WEBHOOK_URL: options.webhookUrl ?? "http://127.0.0.1:9/unused",
    ALERTMANAGER_WEBHOOK_TOKEN: options.webhookToken ?? "",
    ALERTMANAGER_GROUP_WAIT: options.alertmanagerGroupWait ?? "",
  };
  await scripts.start(scriptEnv);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    alertmanagerUrl: options.alertmanager ? `http://127.0.0.1:${alertmanagerPort}` : undefined,
    dataRoot,
    scriptEnv,
    async stop() {
      forget();
      await scripts.stopAndRemove(scriptEnv);
    },
  };
}

export interface TestServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

async function listen(handler: http.RequestListener): Promise<TestServer & { server: http.Server }> {
  const server = http.createServer(handler);
  // Prometheus and the clients keep connections alive; close() must not wait for them.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Serves `render()` in Prometheus's text format at /metrics. */
export async function serveExposition(render: () => string): Promise<TestServer & { metricsUrl: string }> {
  const served = await listen((request, response) => {
    if (request.url !== "/metrics") {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(render());
  });
  return { url: served.url, port: served.port, close: served.close, metricsUrl: `${served.url}/metrics` };
}

export interface ProxiedRequest {
  method: string;
  path: string;
}

export interface CountingProxy extends TestServer {
  /** Every request that reached the proxy, in order. */
  requests: ProxiedRequest[];
  /** Requests to one API path, e.g. "/api/v1/query". */
  count(path: string): number;
  /** Milliseconds to hold each request before forwarding it (keeps concurrent requests overlapping). */
  delayMs: number;
  /** When set, answer with this status instead of forwarding (Prometheus "down"). */
  failWithStatus: number | undefined;
}

/** An HTTP proxy in front of Prometheus that counts what reaches it. */
export async function startCountingProxy(targetUrl: string): Promise<CountingProxy> {
  const target = new URL(targetUrl);
  const state = { requests: [] as ProxiedRequest[], delayMs: 0, failWithStatus: undefined as number | undefined };
  const served = await listen((request, response) => {
    const url = new URL(request.url ?? "/", "http://proxy");
    state.requests.push({ method: request.method ?? "GET", path: url.pathname });
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      setTimeout(() => {
        if (state.failWithStatus !== undefined) {
          response
            .writeHead(state.failWithStatus, { "content-type": "application/json" })
            .end(JSON.stringify({ status: "error", errorType: "unavailable", error: "the test proxy plays a Prometheus that is down" }));
          return;
        }
        const upstream = http.request(
          { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: { ...request.headers, host: target.host } },
          (answer) => {
            response.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(response);
          },
        );
        upstream.on("error", () => response.writeHead(502).end());
        upstream.end(Buffer.concat(chunks));
      }, state.delayMs);
    });
  });
  return Object.assign(state, {
    url: served.url,
    port: served.port,
    close: served.close,
    count: (apiPath: string) => state.requests.filter((entry) => entry.path === apiPath).length,
  });
}

/** Answers every request after `delayMs` (or never, when the test closes it first). */
export async function startSlowServer(delayMs: number): Promise<TestServer> {
  const timers = new Set<NodeJS.Timeout>();
  const served = await listen((_request, response) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      response.writeHead(200, { "content-type": "application/json" }).end('{"status":"success","data":{"resultType":"vector","result":[]}}');
    }, delayMs);
    timers.add(timer);
  });
  return {
    url: served.url,
    port: served.port,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      await served.close();
    },
  };
}

/** Answers every request with a fixed status and body, as a broken Prometheus or a proxy in front of it would. */
export async function startFixedAnswerServer(status: number, body: string, contentType = "application/json"): Promise<TestServer> {
  const served = await listen((_request, response) => {
    response.writeHead(status, { "content-type": contentType }).end(body);
  });
  return { url: served.url, port: served.port, close: served.close };
}

/** Polls until `check` resolves truthy (it may throw meanwhile); the last error explains a timeout. */
export async function waitUntil<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 20_000, what = "the condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const result = await check();
      if (result) return result;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
