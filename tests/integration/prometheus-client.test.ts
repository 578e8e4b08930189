// The Prometheus client against a real Prometheus (Debian's 2.42, started by
// scripts/prometheus/start.sh) that scrapes an exposition this test serves every second.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrometheusClient } from "../../server/adapters/prometheus/client";
import { PrometheusError } from "../../server/adapters/prometheus/errors";
import { MAX_POINTS_PER_SERIES, pointsPerSeries } from "../../server/adapters/prometheus/range";
import { vectorSamples } from "../../server/adapters/prometheus/results";
import {
  freePort,
  serveExposition,
  startCountingProxy,
  startFixedAnswerServer,
  startSlowServer,
  startTestPrometheus,
  waitUntil,
  type CountingProxy,
  type TestPrometheus,
  type TestServer,
} from "../helpers/prometheus";

/** Requests per second each service's counter grows by, so rate() has a known answer. */
const RATES: Record<string, number> = { checkout: 10, search: 4 };
const startedAt = Date.now();

function exposition(): string {
  const elapsedSeconds = (Date.now() - startedAt) / 1000;
  const lines = ["# TYPE test_requests_total counter"];
  for (const [service, rate] of Object.entries(RATES)) {
    lines.push(`test_requests_total{service="${service}",region="eu-west-1"} ${(rate * elapsedSeconds).toFixed(3)}`);
  }
  lines.push(
    "# TYPE test_value gauge",
    'test_value{kind="answer"} 42',
    'test_value{kind="nan"} NaN',
    'test_value{kind="positive_infinity"} +Inf',
    'test_value{kind="negative_infinity"} -Inf',
  );
  return `${lines.join("\n")}\n`;
}

function expectPrometheusError(error: unknown): PrometheusError {
  expect(error).toBeInstanceOf(PrometheusError);
  return error as PrometheusError;
}

async function failureOf(promise: Promise<unknown>): Promise<PrometheusError> {
  try {
    await promise;
  } catch (error) {
    return expectPrometheusError(error);
  }
  throw new Error("expected the call to fail");
}

describe("Prometheus client against a real Prometheus", () => {
  let exporter: TestServer & { metricsUrl: string };
  let prometheus: TestPrometheus;
  let proxy: CountingProxy;
  let client: PrometheusClient;

  beforeAll(async () => {
    exporter = await serveExposition(exposition);
    prometheus = await startTestPrometheus({ scrapeUrl: exporter.metricsUrl, scrapeIntervalSeconds: 1 });
    proxy = await startCountingProxy(prometheus.url);
    client = new PrometheusClient({ baseUrl: proxy.url, timeoutMs: 5000 });
    // rate() underestimates while its window is only partly covered by samples: wait for a full one.
    await waitUntil(async () => {
      const counts = vectorSamples(await client.query("count_over_time(test_requests_total[6s])"));
      return counts.length === 2 && counts.every((sample) => sample.value >= 6);
    }, 30_000, "six scrapes");
  });

  afterAll(async () => {
    await proxy?.close();
    await prometheus?.stop();
    await exporter?.close();
  });

  it("answers an instant query with one typed sample per label set", async () => {
    const result = await client.query("sum by (service) (rate(test_requests_total[5s]))");
    expect(result.resultType).toBe("vector");
    const samples = vectorSamples(result);
    const byService = Object.fromEntries(samples.map((sample) => [sample.labels.service, sample.value]));
    expect(Object.keys(byService).sort()).toEqual(["checkout", "search"]);
    expect(byService.checkout).toBeCloseTo(10, 0);
    expect(byService.search).toBeCloseTo(4, 0);
    for (const sample of samples) expect(Math.abs(sample.time - Date.now())).toBeLessThan(5000);
  });

  it("reads NaN, +Inf and -Inf as numbers", async () => {
    const samples = vectorSamples(await client.query("test_value"));
    const byKind = Object.fromEntries(samples.map((sample) => [sample.labels.kind, sample.value]));
    expect(byKind.answer).toBe(42);
    expect(byKind.nan).toBeNaN();
    expect(byKind.positive_infinity).toBe(Number.POSITIVE_INFINITY);
    expect(byKind.negative_infinity).toBe(Number.NEGATIVE_INFINITY);
  });

  it("answers scalar and string queries, and evaluates at the time asked", async () => {
    const scalar = await client.query('scalar(test_value{kind="answer"})');
    expect(scalar).toMatchObject({ resultType: "scalar", value: 42 });
    const text = await client.query('"hello"');
    expect(text).toMatchObject({ resultType: "string", value: "hello" });
    // An hour before the exporter existed, Prometheus has nothing.
    const past = await client.query("test_value", startedAt - 3_600_000);
    expect(vectorSamples(past)).toEqual([]);
    const at = Math.floor(Date.now() / 1000) * 1000 - 2000;
    expect(vectorSamples(await client.query("test_value", at)).every((sample) => sample.time === at)).toBe(true);
  });

  it("answers a range query on a grid aligned to the step", async () => {
    const end = Date.now();
    const { series, window } = await client.queryRange("sum by (service) (rate(test_requests_total[5s]))", { start: end - 10_500, end, stepSeconds: 2 });
    expect(window.start % 2000).toBe(0);
    expect(window.end % 2000).toBe(0);
    expect(window.start).toBeLessThanOrEqual(end - 10_500);
    expect(window.end).toBeGreaterThanOrEqual(end);
    expect(series.map((entry) => entry.labels.service).sort()).toEqual(["checkout", "search"]);
    for (const entry of series) {
      expect(entry.points.length).toBeGreaterThan(0);
      expect(entry.points.length).toBeLessThanOrEqual(pointsPerSeries(window));
      for (const point of entry.points) expect(point.time % 2000).toBe(0);
    }
  });

  it("enlarges the step of a long window so no series exceeds 11,000 points, which Prometheus accepts", async () => {
    const end = Date.now();
    const thirtyDays = { start: end - 30 * 86_400_000, end, stepSeconds: 1 };
    const { window, series } = await client.queryRange("test_value", thirtyDays);
    expect(window.stepSeconds).toBe(300); // 30 days / 11,000 points = 236 s, up to the next nice step
    expect(pointsPerSeries(window)).toBeLessThanOrEqual(MAX_POINTS_PER_SERIES);
    expect(series.length).toBe(4);
    // Sent as given, the same window is refused by Prometheus itself.
    const refused = await failureOf(client.queryRange("test_value", thirtyDays, { exactWindow: true }));
    expect(refused.kind).toBe("bad_query");
    expect(refused.details.status).toBe(400);
    expect(refused.message).toMatch(/exceeded maximum resolution of 11,000 points/);
  });

  it("sends short queries as GET and long ones as a POST form", async () => {
    proxy.requests.length = 0;
    await client.query("test_value");
    const manyServices = Array.from({ length: 400 }, (_, index) => `service-${index}`).join("|");
    const longQuery = `sum by (service) (rate(test_requests_total{service=~"checkout|search|${manyServices}"}[5s]))`;
    expect(longQuery.length).toBeGreaterThan(3000);
    const samples = vectorSamples(await client.query(longQuery));
    expect(samples).toHaveLength(2);
    const end = Date.now();
    const range = await client.queryRange(longQuery, { start: end - 5000, end, stepSeconds: 1 });
    expect(range.series).toHaveLength(2);
    expect(proxy.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      "GET /api/v1/query",
      "POST /api/v1/query",
      "POST /api/v1/query_range",
    ]);
  });

  it("maps a query that does not parse to bad_query with Prometheus's reason", async () => {
    const error = await failureOf(client.query("sum(rate(test_requests_total[5s])"));
    expect(error.kind).toBe("bad_query");
    expect(error.details).toMatchObject({ status: 400, errorType: "bad_data" });
    expect(error.message).toMatch(/^Prometheus rejected the query: .*parse error/);
    expect(error.message).toContain("sum(rate(test_requests_total[5s])");
  });

  it("maps a query that fails while running to execution (422)", async () => {
    // Both sides have several series for the one empty match group: many-to-many.
    const error = await failureOf(client.query("test_value + on() test_requests_total"));
    expect(error.kind).toBe("execution");
    expect(error.details.status).toBe(422);
    expect(error.message).toMatch(/^Prometheus could not execute the query: .*many-to-many/);
  });

  it("maps a refused connection to unavailable", async () => {
    const closedPort = await freePort();
    const error = await failureOf(new PrometheusClient({ baseUrl: `http://127.0.0.1:${closedPort}` }).query("up"));
    expect(error.kind).toBe("unavailable");
    expect(error.message).toBe(`Prometheus at http://127.0.0.1:${closedPort} refused the connection (is it running?)`);
  });

  it("maps 503 and other 5xx answers to unavailable", async () => {
    const down = await startFixedAnswerServer(503, JSON.stringify({ status: "error", errorType: "unavailable", error: "TSDB not ready" }));
    const gateway = await startFixedAnswerServer(502, "<html>Bad Gateway</html>", "text/html");
    try {
      const error = await failureOf(new PrometheusClient({ baseUrl: down.url }).query("up"));
      expect(error.kind).toBe("unavailable");
      expect(error.message).toBe(`Prometheus at ${down.url} is unavailable (HTTP 503): TSDB not ready`);
      const proxied = await failureOf(new PrometheusClient({ baseUrl: gateway.url }).query("up"));
      expect(proxied.kind).toBe("unavailable");
      expect(proxied.message).toContain("HTTP 502");
    } finally {
      await down.close();
      await gateway.close();
    }
  });

  it("gives up at its deadline when Prometheus does not answer", async () => {
    const slow = await startSlowServer(10_000);
    try {
      const started = performance.now();
      const error = await failureOf(new PrometheusClient({ baseUrl: slow.url, timeoutMs: 300 }).query("up"));
      const elapsed = performance.now() - started;
      expect(error.kind).toBe("timeout");
      expect(error.message).toBe(`Prometheus at ${slow.url} did not answer within 0.3 s (query: up)`);
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(2000);
    } finally {
      await slow.close();
    }
  });

  it("pings Prometheus for its version", async () => {
    expect(await client.ping()).toMatch(/^2\./);
  });
});
